"""No look-ahead: appending later data never changes what a rule said at an earlier date."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from borrowedtime.detectors import _psy_kernels as _kernels
from borrowedtime.monitor.backtest import baseline_calls, naive_calls, year_over_year
from borrowedtime.monitor.events import p_turn_within
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import RegimeRule


def _extend(series: pd.Series, cut: int, steps: list[float]) -> tuple[pd.Series, pd.Series]:
    past = series.iloc[:cut]
    idx = pd.date_range(past.index[-1] + pd.DateOffset(months=1), periods=len(steps), freq="MS")
    future = pd.Series(past.iloc[-1] * np.exp(np.cumsum(steps)), index=idx)
    longer = pd.concat([past, future])
    longer.name = series.name
    return past, longer


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(min_value=80, max_value=590),
    steps=st.lists(st.floats(min_value=-0.1, max_value=0.1), min_size=1, max_size=30),
)
def test_calls_of_monitor_baseline_and_naive_rule_never_change_with_later_data(case_shiller, cut, steps):
    past, longer = _extend(case_shiller, cut, steps)
    rule = RegimeRule()
    a = rule.classify(KinematicsModel().fit(past)).call[0]
    b = rule.classify(KinematicsModel().fit(longer)).call[0]
    assert np.array_equal(a, b[: a.size])
    ya, yb = year_over_year(past), year_over_year(longer)
    ba, bb = baseline_calls(ya), baseline_calls(yb)
    assert np.array_equal(ba.to_numpy(), bb.to_numpy()[: ba.size])
    na, nb = naive_calls(ya), naive_calls(yb)
    assert np.array_equal(na.to_numpy(), nb.to_numpy()[: na.size])


@settings(max_examples=10, deadline=None)
@given(
    n=st.integers(min_value=40, max_value=90),
    extra=st.integers(min_value=1, max_value=40),
    lag=st.integers(min_value=0, max_value=2),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_bsadf_at_a_date_uses_only_data_up_to_it(n, extra, lag, seed):
    """With the minimum window fixed, BSADF at t is the same whatever follows t."""
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.standard_normal(n + extra)) * 0.05
    minw = 12
    short, long_ = np.empty(n), np.empty(n + extra)
    _kernels.adf_sup(x[:n], lag, minw, short, np.empty(n))
    _kernels.adf_sup(x, lag, minw, long_, np.empty(n + extra))
    assert_allclose(long_[:n], short, rtol=1e-12, equal_nan=True)


def test_psy_minimum_duration_is_fixed_by_the_data_known_at_each_date():
    from borrowedtime.detectors.psy import PSYResult, PSYTest

    res = PSYResult.__new__(PSYResult)
    object.__setattr__(res, "model", PSYTest())
    # log(t + 1) rounded: 3 observations needed at t = 19 (log 20 = 3.0), 5 at t = 199 (log 200 = 5.3).
    assert res.min_duration_at(19) == 3 and res.min_duration_at(199) == 5
    assert list(res.min_duration_at(np.array([0, 19, 199]))) == [1, 3, 5]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(min_value=40, max_value=200),
    steps=st.lists(st.floats(min_value=-0.1, max_value=0.1), min_size=1, max_size=30),
    lag=st.integers(min_value=0, max_value=2),
)
def test_realtime_psy_window_and_critical_values_never_change_with_later_data(case_shiller, cut, steps, lag):
    """The default PSY test (real-time window): BSADF, its critical values and the warnings at t ignore what follows t."""
    from borrowedtime.detectors.psy import PSYTest

    past, longer = _extend(case_shiller, cut, steps)
    test = PSYTest(lag=lag, reps=40, cache=False, sensitivity_lags=())
    assert test.min_window == "realtime"  # the product's default
    a, b = test.fit(past), test.fit(longer)
    assert a.cv.min_window == b.cv.min_window == 20  # a decade of monthly data: floor(1.2 + 1.8 sqrt(120))
    assert np.array_equal(a.bsadf, b.bsadf[:cut], equal_nan=True)
    assert np.array_equal(a.bsadf_cv, b.bsadf_cv[:cut], equal_nan=True)
    assert [w for w, _ in a.warnings()] == [w for w, _ in b.warnings() if w <= past.index[-1]]


def test_realtime_psy_window_is_read_from_the_frequency_of_the_first_observations():
    from borrowedtime.detectors.psy import realtime_min_window

    assert realtime_min_window(pd.date_range("2000-01-01", periods=5, freq="MS")) == (20, 120)
    assert realtime_min_window(pd.bdate_range("2000-01-03", periods=5)) == (115, 2520)
    assert realtime_min_window(pd.date_range("2000-01-01", periods=5, freq="QS")) == (11, 40)


def test_hindsight_psy_window_moves_with_later_data(case_shiller):
    """PSY's full-sample rule is hindsight: appending data changes the window and so past BSADF values."""
    from borrowedtime.detectors.psy import PSYTest

    past, longer = _extend(case_shiller, 200, [0.01] * 100)
    test = PSYTest(min_window="hindsight", reps=40, cache=False, sensitivity_lags=())
    a, b = test.statistics(past)[2], test.statistics(longer)[2]
    assert a.size == 200 and not np.array_equal(a, b[:200], equal_nan=True)


@settings(max_examples=5, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=2, max_value=40), min_size=50, max_size=60),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_lppls_fits_at_a_date_use_only_data_up_to_it_even_when_later_spacing_differs(gaps, seed):
    """LPPLS per-date fits (every nested window, tc, SSE) ignore later data, at any later spacing."""
    from borrowedtime.detectors.lppls import LPPLSModel

    rng = np.random.default_rng(seed)
    n = 45
    # daily, then more irregular later points than daily ones: the whole sample's median spacing moves
    days = np.r_[np.arange(n), n - 1 + np.cumsum(gaps)]
    idx = pd.DatetimeIndex(pd.Timestamp("1999-01-01") + pd.to_timedelta(days, unit="D"))
    s = pd.Series(np.exp(4 + np.cumsum(rng.normal(0.002, 0.01, idx.size))), index=idx, name="walk")
    model = LPPLSModel(window=40, smallest_window=20, inner_increment=10, outer_increment=3,
                       grid=(5, 3, 8), n_starts=1, n_random_starts=1, max_iter=10, seed=seed)
    a, b = model.confidence(s.iloc[:n]), model.confidence(s)
    k = len(a.index)
    assert b.index[:k].equals(a.index)
    assert np.array_equal(a.fits, b.fits[:k])
    assert np.array_equal(a.qualified, b.qualified[:k])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=150, max_value=560),
       steps=st.lists(st.floats(min_value=-0.05, max_value=0.05), min_size=1, max_size=24))
def test_p_turn_within_at_a_date_never_changes_with_later_data(case_shiller, cut, steps):
    past = case_shiller.iloc[:cut]
    idx = pd.date_range(past.index[-1] + pd.DateOffset(months=1), periods=len(steps), freq="MS")
    longer = pd.concat([past, pd.Series(past.iloc[-1] * np.exp(np.cumsum(steps)), index=idx)])
    longer.name = past.name
    a = p_turn_within(KinematicsModel().fit(past))[0]
    b = p_turn_within(KinematicsModel().fit(longer))[0, :cut]
    np.testing.assert_array_equal(a, b)


def test_p_turn_within_of_the_cycle_models_never_changes_with_later_data(case_shiller):
    """The cycle each date uses is chosen on data <= t, so its P(turn within h) is real time too."""
    for model in (KinematicsModel(momentum="ar1"), KinematicsModel(averaging=3)):
        cut = 400
        a = p_turn_within(model.fit(case_shiller.iloc[:cut]))[0]
        b = p_turn_within(model.fit(case_shiller))[0, :cut]
        assert np.isfinite(a).sum() > 100
        np.testing.assert_array_equal(a, b)
