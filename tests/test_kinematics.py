"""Kinematics: the essay's arithmetic exactly; the filter is real time and honest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from borrowedtime.errors import DataError, SpecError
from borrowedtime.essay import essay_facts, essay_series
from borrowedtime.monitor.discrete import acceleration, growth, step_ups
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.statespace import trend_snr


def test_capex_growth_and_acceleration_match_essay():
    # Essay sec. VII: 150, 226, 410, 725, 1100 -> +51, +81, +77, +52 %; +30, -4, -25 points.
    facts = essay_facts()
    g = growth(essay_series("hyperscaler_capex"))
    assert np.round(g.to_numpy() * 100).tolist() == facts["capex_growth_pct"]["values"]
    acc = acceleration(g, round_growth_to=0)
    assert acc.tolist() == facts["capex_acceleration_pp"]["values"]
    # Unrounded, the same levels give +30.75, -4.59, -25.11 points: the essay rounds first.
    assert_allclose(acceleration(g).to_numpy(), [30.75, -4.59, -25.11], atol=0.01)


def test_openai_step_ups_match_essay():
    # Essay sec. V: 86, 157, 300, 500, 852 and the ~1,048 IPO target -> 1.83, 1.91, 1.67, 1.70, 1.23.
    su = step_ups(essay_series("openai_valuation"))
    assert np.round(su.to_numpy(), 2).tolist() == essay_facts()["openai_step_ups"]["values"]


def test_growth_annualises_irregular_spacing():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-07-01", "2026-07-01"])
    s = pd.Series([100.0, 110.0, 121.0], index=idx)
    g = growth(s)  # irregular: annualised by default
    years = np.diff(idx.values.astype("datetime64[D]").astype(float)) / 365.25
    assert_allclose(g.to_numpy(), 1.1 ** (1 / years) - 1)
    assert_allclose(growth(s, kind="log").to_numpy(), np.log(1.1) / years)


def test_yoy_peak_matches_published_fact(case_shiller):
    # shared/data/README.md: NSA YoY peaked at 14.5 % in 2005-09, first negative 2007-03.
    yoy = growth(case_shiller, periods=12)
    boom = yoy["2000":"2007"]  # the README's fact is about this cycle (2022 peaked higher)
    assert boom.idxmax() == pd.Timestamp("2005-09-01")
    assert boom.max() == pytest.approx(0.145, abs=5e-4)
    assert yoy[yoy.index > "2006-01-01"].lt(0).idxmax() == pd.Timestamp("2007-03-01")


def test_step_ups_reject_bad_marks():
    with pytest.raises(DataError, match="at least two marks"):
        step_ups([86.0])
    with pytest.raises(DataError, match="finite and positive"):
        step_ups([86.0, -1.0])


def test_model_spec_errors():
    with pytest.raises(SpecError, match="'cutoff_years' parameter of KinematicsModel must be a float > 0"):
        KinematicsModel(cutoff_years=0)
    with pytest.raises(SpecError, match="'seasonal' parameter"):
        KinematicsModel(seasonal="weekly")


def test_trend_snr_puts_half_gain_at_cutoff():
    # The smoothing-spline gain 1/(1 + lambda w^6) with lambda = Delta/q is 1/2 at w = 2 pi / P.
    q = trend_snr(1.5, 1 / 12)
    lam = (1 / 12) / q
    w = 2 * np.pi / 1.5
    assert 1 / (1 + lam * w**6) == pytest.approx(0.5)


def test_filter_recovers_known_acceleration():
    # A noiseless log-quadratic path: the filter must find its constant acceleration.
    idx = pd.date_range("2000-01-01", periods=120, freq="MS")
    t = np.arange(120) / 12.0
    s = pd.Series(np.exp(1.0 + 0.05 * t - 0.02 * t**2 / 2 * 2), index=idx)  # acceleration -0.04
    f = KinematicsModel(seasonal="none").fit(s).to_frame()
    assert f.acceleration.iloc[-1] == pytest.approx(-0.04, abs=1e-4)
    assert f.velocity.iloc[-1] == pytest.approx(0.05 - 0.04 * t[-1], abs=1e-4)


def test_seasonal_component_absorbs_a_fixed_pattern():
    rng = np.random.default_rng(1)
    idx = pd.date_range("1990-01-01", periods=240, freq="MS")
    t = np.arange(240) / 12.0
    season = 0.02 * np.sin(2 * np.pi * np.arange(240) / 12)
    y = 4.0 + 0.03 * t + season + rng.normal(0, 0.001, 240)
    s = pd.Series(np.exp(y), index=idx)
    with_season = KinematicsModel().fit(s).to_frame()
    without = KinematicsModel(seasonal="none").fit(s).to_frame()
    tail = slice(60, None)
    err_with = np.abs(with_season.velocity.iloc[tail] - 0.03).mean()
    err_without = np.abs(without.velocity.iloc[tail] - 0.03).mean()
    assert err_with < 0.01 < err_without


def test_panel_equals_series_one_by_one(case_shiller):
    sa = case_shiller.rename("a")
    b = (case_shiller * np.exp(np.linspace(0, 0.3, len(case_shiller)))).rename("b")
    panel = pd.concat([sa, b], axis=1)
    panel.iloc[100:103, 1] = np.nan  # a different missing pattern in one column
    joint = KinematicsModel().fit(panel)
    alone_a = KinematicsModel().fit(sa)
    assert_allclose(joint.filtered[0], alone_a.filtered[0], rtol=0, atol=1e-10)
    assert_allclose(joint.p_accel_negative[0], alone_a.p_accel_negative[0], equal_nan=True)
    # The column with a gap is filtered through it (no fill): estimates exist on every date.
    assert np.isfinite(joint.filtered[1]).all()


def test_smoother_is_hindsight_and_separate(case_shiller):
    res = KinematicsModel().fit(case_shiller, smooth=True)
    f = res.to_frame()
    assert {"smoothed_acceleration", "smoothed_acceleration_sd"} <= set(f.columns)
    # The last date has no future: smoothed equals filtered there, and differs before.
    assert f.smoothed_acceleration.iloc[-1] == pytest.approx(f.acceleration.iloc[-1])
    assert not np.allclose(f.smoothed_acceleration.iloc[:-24], f.acceleration.iloc[:-24])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(min_value=40, max_value=594),
    extra=st.lists(st.floats(min_value=-0.2, max_value=0.2), min_size=1, max_size=36),
)
def test_no_look_ahead_appending_future_never_changes_the_past(case_shiller, cut, extra):
    """Appending observations (any values) never changes an estimate already made."""
    past = case_shiller.iloc[:cut]
    future_idx = pd.date_range(past.index[-1] + pd.DateOffset(months=1), periods=len(extra), freq="MS")
    future = pd.Series(past.iloc[-1] * np.exp(np.cumsum(extra)), index=future_idx)
    longer = pd.concat([past, future])
    a = KinematicsModel().fit(past)
    b = KinematicsModel().fit(longer)
    n = len(past)
    assert_allclose(b.filtered[0, :n], a.filtered[0], rtol=0, atol=1e-12)
    assert_allclose(b.sigma2[0, :n], a.sigma2[0], rtol=1e-12, equal_nan=True)
    assert_allclose(b.p_accel_negative[0, :n], a.p_accel_negative[0], rtol=1e-12, equal_nan=True)


def test_filter_rejects_nan_in_a_series():
    idx = pd.date_range("2000-01-01", periods=10, freq="MS")
    s = pd.Series(np.r_[np.ones(5), np.nan, np.ones(4)], index=idx)
    with pytest.raises(DataError, match="missing or non-finite"):
        KinematicsModel().fit(s)


@settings(max_examples=20, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=20, max_value=400), min_size=8, max_size=30),
    extra=st.lists(st.integers(min_value=1, max_value=900), min_size=1, max_size=10),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_no_look_ahead_on_irregular_series(gaps, extra, seed):
    """Irregular dates (funding rounds): later points, at any spacing, never change a past estimate.

    Issue 11 measured a past acceleration moving from 0.086 to 0.116 when ten later
    points were appended: the signal-to-noise ratio used the whole sample's median spacing.
    """
    rng = np.random.default_rng(seed)
    days = np.cumsum([0, *gaps, *extra])
    idx = pd.DatetimeIndex(pd.Timestamp("2015-01-01") + pd.to_timedelta(days, unit="D"))
    values = np.exp(np.cumsum(0.3 + 0.2 * rng.standard_normal(idx.size)))
    full = pd.Series(values, index=idx, name="rounds")
    n = len(gaps) + 1
    a = KinematicsModel().fit(full.iloc[:n])
    b = KinematicsModel().fit(full)
    assert_allclose(b.filtered[0, :n], a.filtered[0], rtol=0, atol=1e-10)
    assert_allclose(b.p_accel_negative[0, :n], a.p_accel_negative[0], rtol=1e-10, equal_nan=True)


def test_innovation_var_is_one_row_per_missing_pattern(case_shiller):
    """innovation_var depends on the missing pattern only: one pattern gives a read-only broadcast view
    (no series x time array of identical rows), several give a full array whose rows equal each
    series' own fit."""
    s = case_shiller.iloc[-240:]
    rng = np.random.default_rng(3)
    panel = pd.DataFrame({f"s{i}": s.to_numpy() * np.exp(np.cumsum(rng.normal(0, 0.002, s.size)))
                          for i in range(6)}, index=s.index)
    model = KinematicsModel()
    one = model.fit(panel)
    assert one.innovation_var.strides[0] == 0 and not one.innovation_var.flags.writeable
    alone = model.fit(panel["s2"])
    np.testing.assert_array_equal(one.innovation_var[2], alone.innovation_var[0])
    gappy = panel.copy()
    gappy.iloc[30:42, 4] = np.nan
    two = model.fit(gappy)
    assert two.innovation_var.strides[0] != 0
    for i in (0, 4):  # a one-column panel (a single series may not have gaps)
        np.testing.assert_array_equal(two.innovation_var[i], model.fit(gappy.iloc[:, [i]]).innovation_var[0])
    assert not np.array_equal(two.innovation_var[0], two.innovation_var[4], equal_nan=True)
