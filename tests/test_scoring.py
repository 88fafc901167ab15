"""The scoring rules of issue 11, on hand-made series where the answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.errors import SpecError
from borrowedtime.monitor.scoring import ScoringRule, find_turns, lag_calls, score_calls

IDX = pd.date_range("2000-01-01", periods=120, freq="MS")


def _yoy(neg_from: list[int], neg_len: int = 6) -> pd.Series:
    g = np.full(IDX.size, 0.05)
    for t in neg_from:
        g[t : t + neg_len] = -0.02
    return pd.Series(g, index=IDX)


def _flag(spans: list[tuple[int, int]]) -> pd.Series:
    f = np.zeros(IDX.size, dtype=bool)
    for a, b in spans:
        f[a:b] = True
    return pd.Series(f, index=IDX)


def test_a_turn_needs_24_months_positive_before_it():
    yoy = _yoy([30, 45])  # second dip only 9 months after the first ended
    assert find_turns(yoy) == [IDX[30]]
    assert find_turns(_yoy([20])) == []  # only 20 months positive: no turn
    assert find_turns(_yoy([24])) == [IDX[24]]  # exactly 24 months: a turn


def test_standing_six_months_before_is_strict():
    yoy = _yoy([60])
    # Called 10 months before, released 5 months before: not standing at t-6? It is (t-6 inside).
    s = score_calls(_flag([(50, 56)]), yoy)
    assert s.anticipated == 1 and s.median_lead_months == pytest.approx(10, abs=0.2)
    # Called 5 months before: standing at 0 and 3, not at 6 -> not anticipated.
    s = score_calls(_flag([(55, 62)]), yoy)
    assert s.anticipated == 0 and s.hits_at(0) == 1 and s.hits_at(3) == 1 and s.hits_at(6) == 0
    # A call begun in the month of the turn counts at no horizon.
    s = score_calls(_flag([(60, 70)]), yoy)
    assert s.hits_at(0) == 0 and s.anticipated == 0
    # Released before turn - 6: not anticipated, and not a false alarm (turn within 24 months).
    s = score_calls(_flag([(40, 50)]), yoy)
    assert s.anticipated == 0 and s.false_alarms == 0


def test_a_call_begun_more_than_24_months_before_does_not_anticipate():
    yoy = _yoy([60])
    s = score_calls(_flag([(35, 62)]), yoy)  # 25 months before
    assert s.anticipated == 0
    s = score_calls(_flag([(36, 62)]), yoy)  # 24 months before
    assert s.anticipated == 1


def test_false_alarms_and_series_years():
    yoy = _yoy([100])
    s = score_calls(_flag([(10, 15), (40, 45), (80, 90)]), yoy)
    assert s.false_alarms == 2  # the calls at 10 and 40 have no turn within 24 months
    assert [c.false_alarm for c in s.calls] == [True, True, False]
    assert s.series_years == pytest.approx(119 / 12, abs=0.01)


def test_release_lag_moves_calls_later_and_can_lose_a_hit():
    yoy = _yoy([60])
    flag = _flag([(53, 62)])  # 7 months before
    assert score_calls(flag, yoy).anticipated == 1
    lagged = score_calls(flag, yoy, release_lag=2)  # published 5 months before
    assert lagged.anticipated == 0 and lagged.hits_at(3) == 1
    assert lag_calls(flag, 2).to_numpy()[55:64].all() and not lag_calls(flag, 2).iloc[54]
    with pytest.raises(SpecError, match="release lag"):
        lag_calls(flag, -1)


def test_scoring_rule_is_validated():
    with pytest.raises(SpecError, match="standing_months"):
        ScoringRule(standing_months=-1)
    with pytest.raises(SpecError, match="<= max_age_months"):
        ScoringRule(standing_months=30)


def test_a_call_released_in_the_month_of_the_turn_is_no_hit_at_any_horizon():
    """Issue 11: the national 2006 call was released in the month growth turned negative and counted."""
    yoy = _yoy([60])
    # computed from data through month 58, published two observations later: month 60, the turn
    s = score_calls(_flag([(58, 70)]), yoy, release_lag=2)
    assert s.calls[0].start == IDX[60]
    assert [s.hits_at(k) for k in (0, 3, 6)] == [0, 0, 0] and s.anticipated == 0
    # the same call scored as computed (no lag) stands at the observation before the turn
    assert score_calls(_flag([(58, 70)]), yoy).hits_at(0) == 1


def test_a_call_begun_25_months_before_is_a_false_alarm_not_an_anticipation():
    yoy = _yoy([60])
    s = score_calls(_flag([(35, 62)]), yoy)
    assert s.anticipated == 0 and [s.hits_at(k) for k in (0, 3, 6)] == [0, 0, 0]
    assert s.false_alarms == 1 and s.median_lead_months is None
