"""Real-time Platt recalibration (monitor.recalibrate): the map, real time, and the known-outcome boundary."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from borrowedtime.errors import SpecError
from borrowedtime.monitor.evaluate import event_pairs
from borrowedtime.monitor.recalibrate import RealTimePlatt
from borrowedtime.monitor.scoring import find_turns, turn_within


def _panel(n_series=40, years=40, seed=3):
    """YoY paths with turns, and a raw probability that is informative but mis-scaled (over-confident)."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("1970-01-01", periods=12 * years, freq="MS")
    yoy, p = {}, {}
    for j in range(n_series):
        phase = rng.uniform(0, 2 * np.pi)
        period = rng.uniform(60, 120)
        g = 0.02 + 0.04 * np.sin(2 * np.pi * np.arange(idx.size) / period + phase)
        yoy[f"s{j}"] = pd.Series(g, index=idx)
        ev = turn_within(yoy[f"s{j}"], 12)
        truth = np.where(ev, 0.7, 0.1)
        raw = 1.0 / (1.0 + np.exp(-3.0 * (np.log(truth / (1 - truth)) + rng.normal(0, 1.5, idx.size))))
        p[f"s{j}"] = pd.Series(np.where(g > 0, raw, np.nan), index=idx)
    return yoy, p


def test_turn_within_by_hand():
    """A turn dated in (t, t + h months], checked date by date against the turns themselves."""
    yoy, _ = _panel(3)
    for g in yoy.values():
        turns = find_turns(g)
        assert turns
        expect = [any(t < d <= t + pd.DateOffset(months=12) for d in turns) for t in g.index]
        np.testing.assert_array_equal(turn_within(g, 12), expect)


def test_map_is_the_logistic_fit_on_known_pairs_only():
    yoy, p = _panel()
    cal, fits = RealTimePlatt(12).apply(p, yoy)
    assert len(fits) > 10
    f = fits[len(fits) // 2]
    # refit by hand on the pairs whose outcome is known at the refit date
    xs, ys = [], []
    for n, g in yoy.items():
        known = (g.index + pd.DateOffset(months=12)) <= f.start
        q = np.clip(p[n].to_numpy(float), 0.5 / 1024, 1 - 0.5 / 1024)
        ok = known & np.isfinite(q)
        xs.append(np.log(q[ok] / (1 - q[ok])))
        ys.append(turn_within(g, 12)[ok])
    x, y = np.concatenate(xs), np.concatenate(ys).astype(float)
    a, b = sm.Logit(y, sm.add_constant(x)).fit(disp=0).params
    assert (f.pairs, f.events) == (x.size, int(y.sum()))
    np.testing.assert_allclose([f.a, f.b], [a, b], rtol=1e-6)
    assert 0 < f.b < 1  # the over-confident raw score (3x on the logit) is shrunk back
    # and the map is applied from its start to the next refit
    s = cal["s0"]
    t = s.index[(s.index >= f.start) & (s.index < f.start + pd.DateOffset(months=12)) & s.notna().to_numpy()][0]
    q = np.clip(p["s0"][t], 0.5 / 1024, 1 - 0.5 / 1024)
    assert s[t] == pytest.approx(1 / (1 + np.exp(-(f.a + f.b * np.log(q / (1 - q))))), rel=1e-12)


def test_real_time_appending_data_changes_nothing_before():
    yoy, p = _panel()
    cut = pd.Timestamp("1995-01-01")
    part = RealTimePlatt(12).apply({n: s[s.index < cut] for n, s in p.items()},
                                   {n: g[g.index < cut] for n, g in yoy.items()})[0]
    full = RealTimePlatt(12).apply(p, yoy)[0]
    for n in ("s0", "s7"):
        a = part[n]
        assert a.notna().sum() > 24
        np.testing.assert_allclose(a.to_numpy(), full[n].reindex(a.index).to_numpy(), rtol=1e-12)


def test_no_map_before_enough_events_and_better_brier():
    yoy, p = _panel()
    cal, fits = RealTimePlatt(12, min_events=20).apply(p, yoy)
    assert all(f.events >= 20 for f in fits)
    first = fits[0].start
    assert all(s[s.index < first].isna().all() for s in cal.values())
    e, r, c = [], [], []
    for n, g in yoy.items():
        ev = event_pairs(g, 12)
        rr, cc = p[n].reindex(ev.index).to_numpy(), cal[n].reindex(ev.index).to_numpy()
        ok = np.isfinite(rr) & np.isfinite(cc)
        e.append(ev.to_numpy()[ok]), r.append(rr[ok]), c.append(cc[ok])
    e, r, c = map(np.concatenate, (e, r, c))
    assert np.mean((c - e) ** 2) < np.mean((r - e) ** 2)


def test_bad_spec():
    with pytest.raises(SpecError, match="horizon_months"):
        RealTimePlatt(0)
    yoy, p = _panel(2)
    with pytest.raises(SpecError, match="no YoY growth"):
        RealTimePlatt(12).apply({"zz": p["s0"]}, yoy)
