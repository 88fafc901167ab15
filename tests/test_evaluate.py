"""Issue 22: ``evaluate`` -- AUROC, Brier, reliability, the bootstrap over series, real time, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from borrowedtime.cli import app
from borrowedtime.monitor.backtest import calls_from_z
from borrowedtime.monitor.evaluate import (
    RULES,
    Evaluation,
    auroc,
    auroc_weighted,
    brier,
    event_pairs,
    prepare_panel,
    reliability_table,
)
from borrowedtime.monitor.evaluate_rules import markov_low_regime
from borrowedtime.monitor.screen import read_panel

FHFA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fhfa_state_hpi_quarterly_1975_2011.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def states() -> pd.DataFrame:
    """Twelve FHFA state indices (quarterly, 1975-2011): small but with real turns."""
    if not FHFA.exists():
        raise FileNotFoundError(f"{FHFA} is missing: the tests read real data from ../shared/data.")
    frame = read_panel(FHFA)
    return frame[["CA", "TX", "OK", "AK", "MA", "NV", "FL", "AZ", "NY", "CT", "LA", "WY"]]


# ----------------------------------------------------------------------------- skill scores


def test_auroc_hand_case():
    # events score 0.35 and 0.8; non-events 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats both -> 3 of 4
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert auroc([1.0, 1.0], [1, 0]) == pytest.approx(0.5)  # a tie counts one half
    assert auroc([3.0, 1.0], [0, 1]) == pytest.approx(0.0)
    assert np.isnan(auroc([1.0, 2.0], [1, 1]))  # one class only


def test_auroc_is_mann_whitney_u_over_n1_n0():
    rng = np.random.default_rng(7)
    score = rng.integers(0, 20, 300).astype(float)  # many ties
    event = rng.random(300) < 0.2 + 0.03 * score
    u = stats.mannwhitneyu(score[event], score[~event], alternative="two-sided").statistic
    assert auroc(score, event) == pytest.approx(u / (event.sum() * (~event).sum()), rel=1e-12)


def test_weighted_auroc_equals_auroc_on_repeated_pairs():
    rng = np.random.default_rng(3)
    score = rng.integers(0, 8, 60).astype(float)
    event = rng.random(60) < 0.4
    w = rng.integers(0, 4, (3, 60))
    got = auroc_weighted(score, event, w)
    for b in range(3):
        rep = np.repeat(np.arange(60), w[b])
        assert got[b] == pytest.approx(auroc(score[rep], event[rep]), rel=1e-12)
    assert auroc_weighted(score, event, np.ones((1, 60)))[0] == pytest.approx(auroc(score, event))


def test_brier_and_reliability_by_hand():
    p = np.array([0.2, 0.9, 0.95, 0.05])
    y = np.array([0, 1, 0, 0])
    assert brier(p, y) == pytest.approx((0.04 + 0.01 + 0.9025 + 0.0025) / 4)
    t = reliability_table(p, y)
    assert t.n.sum() == 4 and len(t) == 10
    top = t[t.lo == 0.9].iloc[0]
    assert top.n == 2 and top.mean_p == pytest.approx(0.925) and top.observed == pytest.approx(0.5)
    assert t[t.lo == 0.0].iloc[0].n == 1  # 0.05


def test_event_pairs_by_hand():
    idx = pd.date_range("2000-01-01", periods=40, freq="MS")
    g = pd.Series(np.r_[np.full(30, 0.05), np.full(10, -0.02)], index=idx)  # turn at month 30 (2002-07)
    ev = event_pairs(g, 6)
    turn = idx[30]
    assert ev.index.max() <= idx[-1] - pd.DateOffset(months=6)
    assert (ev.index < turn).all()  # only dates with YoY > 0
    assert ev[ev].index.min() == turn - pd.DateOffset(months=6)  # (t, t + 6] holds the turn
    assert ev.sum() == 6
    short = pd.Series(np.r_[np.full(20, 0.05), np.full(20, -0.02)], index=idx)  # 20 months positive: no turn
    assert not event_pairs(short, 6).any()


# ----------------------------------------------------------------------------- the panel


def test_bootstrap_is_seeded_and_reproducible(states):
    spec = Evaluation(horizons=(12,), rules=("baseline", "naive"), n_boot=60, seed=5)
    a, b = spec.run(states), spec.run(states)
    assert a.table.auroc_ci.tolist() == b.table.auroc_ci.tolist()
    c = Evaluation(horizons=(12,), rules=("baseline", "naive"), n_boot=60, seed=6).run(states)
    assert c.table.auroc_ci.tolist() != a.table.auroc_ci.tolist()
    assert a.table.auroc.tolist() == c.table.auroc.tolist()  # the point estimate does not resample
    lo, hi = a.table.auroc_ci.iloc[0]
    assert lo < a.table.auroc.iloc[0] < hi


def test_rules_share_pairs_and_count_events(states):
    res = Evaluation(horizons=(6, 12), rules=("monitor", "baseline", "naive"), n_boot=0).run(states)
    t = res.table
    for h in (6, 12):
        assert t[t.horizon == h].n.nunique() == 1 and t[t.horizon == h].events.nunique() == 1
    assert (t.events > 0).all() and (t.events < t.n).all()
    assert t.events[t.horizon == 12].iloc[0] > t.events[t.horizon == 6].iloc[0]  # a longer window holds more
    assert (t.auroc > 0.6).all()  # all three carry information about coming turns on house prices
    assert set(res.reliability.name) == {"monitor"}


@pytest.mark.parametrize("rule", ["monitor", "projection", "monitor-calibrated", "baseline", "naive",
                                  "yoy-extrapolation", "monitor-yoy", "z12", "cb6"])
def test_scores_are_real_time(states, rule):
    """Appending later data never changes a score already given."""
    data_full, _ = prepare_panel(states)
    cut = states.loc[:"2003-12-31"]
    data_cut, _ = prepare_panel(cut)
    spec = Evaluation(rules=(rule,))
    h = 12 if RULES[rule].horizon_dependent else None
    full = RULES[rule].fn(data_full, h, spec, None)
    part = RULES[rule].fn(data_cut, h, spec, None)
    for n in ("CA", "TX"):
        a = part[n]
        b = full[n].reindex(a.index)
        assert a.notna().sum() > 20
        np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-12)


def test_markov_low_regime_is_real_time_and_a_probability(states):
    s = states["TX"].astype(float)
    full = markov_low_regime(s, periods_per_year=4, refit_years=10.0, min_years=8.0)
    part = markov_low_regime(s.loc[:"1999-12-31"], periods_per_year=4, refit_years=10.0, min_years=8.0)
    assert part.notna().sum() > 30
    np.testing.assert_allclose(part.to_numpy(), full.reindex(part.index).to_numpy(), rtol=1e-6, atol=1e-8)
    p = full.dropna()
    assert ((p >= 0) & (p <= 1)).all()
    assert full.iloc[: 8 * 4].isna().all()  # nothing before the first estimate


def test_baseline_call_rule_by_hand():
    """The baseline's call rule (one function, used by backtest and evaluate): enter after ``persistence``
    readings with g > 0 and z < threshold, stand while g > 0 and z < 0, drop at once otherwise."""
    g = np.array([1, 1, 1, 1, 1, 1, 1, -1, 1, 1], dtype=float)
    z = np.array([-2, -2, -0.5, -2, -2, -0.1, 0.3, -2, -2, -2], dtype=float)
    # persistence 2: enters at the 2nd reading, stands through -0.5 and -0.1, drops at z > 0, then g < 0;
    # re-enters after two more readings below the threshold
    expect = np.array([0, 1, 1, 1, 1, 1, 0, 0, 0, 1], dtype=bool)
    assert np.array_equal(calls_from_z(g, z, 2), expect)
    assert not calls_from_z(g, z, 3)[:3].any()  # three in a row are needed; the third reading is -0.5


# ----------------------------------------------------------------------------- the command


def test_cli_json_schema(states, tmp_path):
    path = tmp_path / "states.csv"
    states.to_csv(path, index_label="date")
    res = runner.invoke(app, ["evaluate", str(path), "--horizons", "6", "12", "--rules", "monitor,baseline,naive",
                              "--n-boot", "40", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) >= {"rules", "reliability"}
    assert {(r["name"], r["horizon"]) for r in out["rules"]} == {
        (n, h) for n in ("monitor", "baseline", "naive") for h in (6, 12)}
    for r in out["rules"]:
        assert set(r) >= {"name", "horizon", "auroc", "auroc_ci", "brier", "n", "events"}
        assert len(r["auroc_ci"]) == 2 and 0 <= r["auroc"] <= 1
        assert (r["brier"] is None) == (r["name"] != "monitor")
    rel = out["reliability"]
    assert {(x["name"], x["horizon"]) for x in rel} == {("monitor", 6), ("monitor", 12)}
    assert sum(b["n"] for b in rel[0]["bins"]) == out["rules"][0]["n"]


def test_cli_table(states, tmp_path):
    path = tmp_path / "states.csv"
    states.to_csv(path, index_label="date")
    res = runner.invoke(app, ["evaluate", str(path), "--rules", "baseline,naive", "--n-boot", "20"])
    assert res.exit_code == 0, res.output
    assert "AUROC" in res.stdout and "baseline" in res.stdout


@pytest.mark.parametrize(("content", "args", "needle"), [
    ("date,a\n2001-01-01,1\nnot-a-date,2\n", [], "not a date"),
    ("date,a\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n", [], "two years"),
    (None, ["--rules", "baseline,nope"], "Unknown rule 'nope'"),
    (None, ["--rules", "monitor-turn"], "now named 'monitor'"),
    (None, ["--horizons", "0"], "--horizons"),
    (None, ["--horizons", "6", "x"], "--horizons"),
])
def test_cli_bad_input_is_one_line_exit_2(states, tmp_path, content, args, needle):
    path = tmp_path / "p.csv"
    if content is None:
        states.iloc[:, :2].to_csv(path, index_label="date")
    else:
        path.write_text(content)
    res = runner.invoke(app, ["evaluate", str(path), "--n-boot", "0", *args])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], res.stderr
    assert "Traceback" not in res.output
