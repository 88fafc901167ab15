"""The monitor on real history: Case-Shiller U.S. National (NSA) and bank mortgage delinquency.

The standard (issue 3): a call standing six months before year-over-year growth
turns negative (2007-03), begun no earlier than six months before the cycle's
peak in growth (2005-09), a lead of nine months or more, at most one call in
the calm decade 1992-2003, and far fewer false alarms than the naive rule
while keeping most of its lead. Default settings; nothing here is tuned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.monitor.backtest import (
    BASELINE,
    MONITOR,
    NAIVE,
    baseline_calls,
    naive_calls,
    run_backtest,
    year_over_year,
)
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import RegimeRule
from borrowedtime.series import load_series

CALM = ("1992-01-01", "2003-12-31")
TURN = pd.Timestamp("2007-03-01")
GROWTH_PEAK = pd.Timestamp("2005-09-01")


@pytest.fixture(scope="module")
def national(case_shiller_path, delinquency_path):
    s = load_series(case_shiller_path, column="National-US")
    o = load_series(delinquency_path)
    return run_backtest(s, o, calm=CALM)


def _window_for(bt, turn):
    hits = [w for w in bt.windows if w.turn == turn]
    assert hits, f"no call stood when YoY growth turned negative on {turn.date()}"
    return min(hits, key=lambda w: w.start)


def test_yoy_turns_negative_2007_03(national):
    assert TURN in national.turns


def test_call_meets_the_standard_on_the_national_index(national):
    w = _window_for(national, TURN)
    assert w.start >= GROWTH_PEAK - pd.DateOffset(months=6)  # not absurdly early
    assert w.lead_months >= 9  # a lead of nine months or more
    standing = national.regimes.to_frame(0)["call"]
    assert standing.loc[TURN - pd.DateOffset(months=6)]  # standing six months before the turn
    assert w.growth_peak == GROWTH_PEAK


def test_at_most_one_call_in_the_calm_decade(national):
    calm = [w for w in national.windows if pd.Timestamp(CALM[0]) <= w.start <= pd.Timestamp(CALM[1])]
    assert len(calm) <= 1


def test_monitor_keeps_most_of_the_naive_lead_with_far_fewer_false_alarms(national):
    table = national.comparison()
    row = table[(table.yoy_negative == "2007-03-01")].set_index("rule")
    monitor, naive = row.loc[MONITOR], row.loc[NAIVE]
    assert monitor.lead_months >= 0.6 * naive.lead_months
    assert monitor.calm_calls * 3 <= naive.calm_calls
    assert monitor.false_alarms * 3 <= naive.false_alarms


def test_every_table_carries_the_named_baseline_and_the_strict_hit_columns(national):
    table = national.comparison()
    assert set(table.rule) == {MONITOR, BASELINE, NAIVE}
    assert {"standing_0m", "standing_3m", "standing_6m"} <= set(table.columns)
    # The 24-month rule: the 2007 turn is scored; short dips after it are not turns.
    assert "2007-03-01" in set(table.yoy_negative)
    assert all(pd.Timestamp(t) != pd.Timestamp("2012-01-01") for t in national.turns)


def test_release_lag_shortens_every_lead_by_the_lag(case_shiller_path):
    s = load_series(case_shiller_path, column="National-US")
    now, published = run_backtest(s, release_lag=0), run_backtest(s, release_lag=2)
    for a, b in zip(now.windows, published.windows, strict=True):
        assert b.published == a.start + pd.DateOffset(months=2)
        if a.turn is not None and a.turn == b.turn:
            assert b.lead_months == pytest.approx(a.lead_months - 2, abs=0.1)
    w = _window_for(published, TURN)  # Case-Shiller's two months: still standing six months before
    assert w.lead_months >= 9


def test_baseline_rule_by_hand():
    """g > 0 and z < -1 three months running, z = 6-month change of g over its expanding RMS (>= 36)."""
    idx = pd.date_range("2000-01-01", periods=80, freq="MS")
    rng = np.random.default_rng(3)
    g = 0.05 + 0.003 * rng.standard_normal(80)
    g[60:66] = [0.04, 0.03, 0.02, 0.015, 0.01, 0.005]  # a steep fall while still positive
    g[66:] = -0.01
    yoy = pd.Series(np.expm1(g), index=idx)
    calls = baseline_calls(yoy)
    d = g[6:] - g[:-6]
    rms = np.sqrt(np.cumsum(d**2) / np.arange(1, d.size + 1))
    z = np.full(80, np.nan)
    z[6:] = d / rms
    z[6 : 6 + 35] = np.nan  # fewer than 36 changes: no z
    enter = (g > 0) & (z < -1)
    first = next(t for t in range(2, 80) if enter[t - 2 : t + 1].all())
    assert calls.iloc[first] and not calls.iloc[first - 1]
    assert not calls.iloc[:first].any()
    assert not calls.iloc[66:].any()  # released once growth is negative
    assert not calls.iloc[: 6 + 35].any()  # no call before 36 changes are known


def test_delinquency_bottomed_2004q4_and_rose_before_the_turn(national):
    out = national.outcome_summary()
    turn = next(t for t in out["turns"] if t["yoy_negative"] == "2007-03-01")
    assert turn["trough"] == "2004-10-01" and turn["trough_value"] == pytest.approx(1.41)
    assert turn["rose_before_turn"]
    # ...and was already rising when the monitor made its call.
    w = _window_for(national, TURN)
    o = national.outcome
    assert o.asof(w.start) > turn["trough_value"]


def test_filtered_path_equals_refitting_date_by_date(case_shiller):
    """One filter pass is the date-by-date real-time run: refit on prefixes and compare."""
    full = KinematicsModel().fit(case_shiller)
    rule = RegimeRule()
    p_full = rule.p_projected_negative(full)[0]
    for cut in (120, 250, 372, 377, 500):
        part = KinematicsModel().fit(case_shiller.iloc[:cut])
        assert np.allclose(part.filtered[0, -1], full.filtered[0, cut - 1], atol=1e-12)
        assert rule.p_projected_negative(part)[0, -1] == pytest.approx(p_full[cut - 1], rel=1e-10)


def test_year_over_year_and_naive_rule(case_shiller):
    yoy = year_over_year(case_shiller)
    assert yoy.index[0] == pd.Timestamp("1976-01-01")
    assert yoy.loc["2005-09-01"] == pytest.approx(0.145, abs=5e-4)  # ../shared/data/README.md: 14.5 %
    calls = naive_calls(yoy, 3)
    # 2006 was one long run of falling, positive YoY growth: the naive rule stood.
    assert calls.loc["2006-06-01"]
    assert not calls.loc["2004-06-01"]  # YoY was rising then


def test_backtest_on_an_irregular_or_short_series_is_a_clear_error():
    from borrowedtime.errors import DataError

    idx = pd.date_range("2020-01-01", periods=6, freq="MS")
    with pytest.raises(DataError, match="less than a year of data"):
        run_backtest(pd.Series(np.arange(1.0, 7.0), index=idx, name="short"))


def test_panel_scoring_equals_scoring_each_series_alone(case_shiller_path):
    """score_panel (one vectorised filter pass) gives each series' own backtest scores."""
    from borrowedtime.monitor.backtest import score_panel, summarise_panel

    frame = pd.read_csv(case_shiller_path, index_col=0, parse_dates=True)[["National-US", "National-US-SA"]]
    panel = score_panel(frame)
    for col in frame.columns:
        bt = run_backtest(load_series(case_shiller_path, column=col))
        for name, sc in bt.scores.items():
            row = panel[(panel.series == col) & (panel.rule == name)].iloc[0]
            assert row.anticipated == sc.anticipated and row.false_alarms == sc.false_alarms
            assert row.turns == len(sc.turns) and row.calls == len(sc.calls)
    pooled = summarise_panel(panel).set_index("rule")
    assert pooled.loc[MONITOR, "turns"] == panel[panel.rule == MONITOR].turns.sum()
