"""The panel Kalman filter against statsmodels' state-space filter on the same model.

The reference is ``statsmodels.tsa.statespace.kalman_filter.KalmanFilter``
(Cython, one series at a time) given system matrices built here, independently
of ``borrowedtime.monitor``: the trend block by Van Loan's (1978) matrix
exponential of the continuous-time jerk model, the seasonal block as Harvey's
(1989, sec. 2.3.4) dummy seasonal. Same fixed parameters (q, q_s, noise
variance 1), same approximate diffuse prior (a0 = [log y0, 0, ...],
P0 = 1e7 I, set with ``initialize_known``).

Tolerances
----------
* Filtered states: 1e-6 absolute (log level, velocity per year, acceleration
  per year^2). Measured: <= 5e-11 with the seasonal, <= 4e-12 without.
* Filtered covariances (units of sigma^2): relative 1e-7 with an absolute
  floor of 1e-6. The diffuse prior makes early entries ~1e7, where rounding
  alone is ~1e-9 absolute; measured over these cases: relative error
  <= 1.2e-9, absolute <= 6.5e-7 (on entries of size ~1e7).
* Smoother (hindsight): states 1e-6 absolute (measured <= 5e-10). Covariances
  only from the third year on, relative 1e-6 with an absolute floor of 1e-8
  (measured <= 2e-9 absolute on entries ~200): in the first year of the
  diffuse start the RTS form (pinv of P_{t+1|t} ~ 1e7) and statsmodels'
  backward recursion differ by up to ~5e-2 absolute (1e-3 of the entries).
* Panel pass vs one series at a time: 1e-12 (only the BLAS blocking of the
  (N, m) @ (m, m) product differs).

References
----------
.. [1] Van Loan, C. F. (1978). "Computing integrals involving the matrix
   exponential." IEEE Transactions on Automatic Control 23(3), 395-404.
.. [2] Harvey, A. C. (1989). *Forecasting, Structural Time Series Models and
   the Kalman Filter*. Cambridge University Press.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.linalg import expm
from statsmodels.tsa.statespace.kalman_filter import KalmanFilter
from statsmodels.tsa.statespace.kalman_smoother import KalmanSmoother

from borrowedtime.errors import DataQualityWarning
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.statespace import _system

STATE_ATOL = 1e-6
COV_RTOL, COV_ATOL = 1e-7, 1e-6
DIFFUSE = 1e7


# ----------------------------------------------------------------- the reference model


def _trend_van_loan(dt: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """T = exp(A dt), Q = int_0^dt exp(As) B B' exp(A's) ds for d(l, v, a) = (v, a, jerk)."""
    A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    BB = np.zeros((3, 3))
    BB[2, 2] = q
    M = np.zeros((6, 6))
    M[:3, :3] = -A
    M[:3, 3:] = BB
    M[3:, 3:] = A.T
    E = expm(M * dt)
    T = E[3:, 3:].T
    return T, T @ E[:3, 3:]


def _reference_system(dt: float, q: float, season: int | None, q_s: float):
    """Design, transition, state covariance: local quadratic trend (+ dummy seasonal)."""
    Tt, Qt = _trend_van_loan(dt, q)
    if not season:
        return np.array([1.0, 0.0, 0.0]), Tt, Qt
    m = 3 + season - 1
    T = np.zeros((m, m))
    Q = np.zeros((m, m))
    T[:3, :3], Q[:3, :3] = Tt, Qt
    # gamma_t = -(gamma_{t-1} + ... + gamma_{t-s+1}) + omega_t; the rest shift down.
    T[3, 3:] = -1.0
    for i in range(4, m):
        T[i, i - 1] = 1.0
    Q[3, 3] = q_s
    Z = np.zeros(m)
    Z[0] = Z[3] = 1.0
    return Z, T, Q


def _statsmodels_filter(log_y: np.ndarray, Z, T, Q):
    """Filtered states (n, m) and covariances (n, m, m), and v_t^2/F_t, by statsmodels."""
    m = Z.size
    kf = KalmanFilter(k_endog=1, k_states=m, k_posdef=m)
    kf.bind(log_y[:, None].copy())
    kf["design"] = Z[None, :]
    kf["obs_cov"] = np.eye(1)
    kf["transition"] = T
    kf["selection"] = np.eye(m)
    kf["state_cov"] = Q
    a0 = np.zeros(m)
    a0[0] = log_y[np.flatnonzero(~np.isnan(log_y))[0]]
    kf.initialize_known(a0, DIFFUSE * np.eye(m))
    res = kf.filter()
    std2 = res.forecasts_error[0] ** 2 / res.forecasts_error_cov[0, 0]
    return res.filtered_state.T, np.moveaxis(res.filtered_state_cov, 2, 0), std2


def _real_time_sigma2(std2: np.ndarray, observed: np.ndarray, m: int, discount: float = 1.0) -> np.ndarray:
    """Running mean of v^2/F after the first m observations (the diffuse start).

    With ``discount`` < 1 the exponentially weighted mean sum_s d^(t-s) e_s / sum_s d^(t-s)
    over the usable s <= t, written as the explicit weighted sums (not the recursion).
    """
    usable = observed & (np.cumsum(observed) > m)
    t = np.arange(std2.size)
    w = np.where(usable[None, :] & (t[None, :] <= t[:, None]), discount ** (t[:, None] - t[None, :]).clip(0), 0.0)
    cum = w @ np.where(usable, std2, 0.0)
    dof = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(dof > 0, cum / np.maximum(dof, 1e-300), np.nan)


def _assert_matches_statsmodels(result, i: int, spacing_years: float) -> None:
    Z, T, Q = _reference_system(spacing_years, result.q, result.season, result.q_s)
    log_y = result.log_level[i]
    states, covs, std2 = _statsmodels_filter(log_y, Z, T, Q)
    assert_allclose(result.filtered[i], states[:, :3], rtol=0, atol=STATE_ATOL)
    assert_allclose(result.filtered_cov[i], covs[:, :3, :3], rtol=COV_RTOL, atol=COV_ATOL)
    if result.season:
        assert_allclose(result.seasonal[i], states[:, 3], rtol=0, atol=STATE_ATOL)
    sigma2 = _real_time_sigma2(std2, result.observed[i], Z.size, result.model.scale_discount(result.frequency))
    assert_allclose(result.sigma2[i], sigma2, rtol=1e-7, equal_nan=True)


# ----------------------------------------------------------------- synthetic data


def _synthetic_panel(
    seed: int, n_series: int, n_obs: int, *, freq: str = "MS", seasonal_amp: float = 0.02
) -> pd.DataFrame:
    """Log random walks whose growth drifts, plus a fixed seasonal pattern and noise."""
    rng = np.random.default_rng(seed)
    per_year = {"MS": 12, "QS": 4}[freq]
    growth = 0.04 / per_year + np.cumsum(rng.normal(0.0, 0.0008, (n_obs, n_series)), axis=0)
    pattern = rng.normal(0.0, seasonal_amp, (per_year, n_series))
    pattern -= pattern.mean(axis=0)
    season = pattern[np.arange(n_obs) % per_year]
    log_y = np.log(100.0) + np.cumsum(growth, axis=0) + season
    log_y += rng.normal(0.0, 0.004, (n_obs, n_series))
    index = pd.date_range("1990-01-01", periods=n_obs, freq=freq, name="date")
    return pd.DataFrame(np.exp(log_y), index=index, columns=[f"s{j}" for j in range(n_series)])


# ----------------------------------------------------------------- the tests


@pytest.mark.parametrize("dt", [1 / 12, 0.25, 1.0])
def test_trend_blocks_are_the_van_loan_discretisation(dt):
    q = 123.4
    T, Q, _ = _system(np.array([dt]), q, None, 0.0)
    T_ref, Q_ref = _trend_van_loan(dt, q)
    assert_allclose(T[0], T_ref, rtol=1e-12, atol=1e-14)
    assert_allclose(Q[0], Q_ref, rtol=1e-9, atol=1e-14 * q)


@pytest.mark.parametrize("season", [12, 4])
def test_seasonal_system_is_the_dummy_seasonal(season):
    q, q_s = 50.0, 1e-3
    T, Q, Z = _system(np.array([1 / 12]), q, season, q_s)
    Z_ref, T_ref, Q_ref = _reference_system(1 / 12, q, season, q_s)
    assert_allclose(Z, Z_ref, rtol=0, atol=0)
    assert_allclose(T[0], T_ref, rtol=1e-12, atol=1e-14)
    assert_allclose(Q[0], Q_ref, rtol=1e-9, atol=1e-14 * q)


@pytest.mark.parametrize("seasonal", ["auto", "none"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_monthly_matches_statsmodels(seed, seasonal):
    panel = _synthetic_panel(seed, n_series=3, n_obs=240)
    result = KinematicsModel(seasonal=seasonal).fit(panel)
    assert result.season == (12 if seasonal == "auto" else None)
    for i in range(panel.shape[1]):
        _assert_matches_statsmodels(result, i, 1 / 12)


@pytest.mark.parametrize("seasonal", ["auto", "none"])
def test_synthetic_quarterly_matches_statsmodels(seasonal):
    panel = _synthetic_panel(3, n_series=2, n_obs=120, freq="QS")
    result = KinematicsModel(seasonal=seasonal).fit(panel)
    assert result.season == (4 if seasonal == "auto" else None)
    for i in range(panel.shape[1]):
        _assert_matches_statsmodels(result, i, 0.25)


@pytest.mark.parametrize("seasonal", ["auto", "none"])
def test_case_shiller_matches_statsmodels(case_shiller, seasonal):
    # Case-Shiller U.S. National NSA, 1975-01..2024-07 (595 months, no gaps).
    result = KinematicsModel(seasonal=seasonal).fit(case_shiller)
    assert result.season == (12 if seasonal == "auto" else None)
    _assert_matches_statsmodels(result, 0, 1 / 12)


def _panel_with_gaps() -> pd.DataFrame:
    panel = _synthetic_panel(7, n_series=6, n_obs=180)
    values = panel.to_numpy(copy=True)
    values[[10, 11, 12], 1] = np.nan  # a three-month gap
    values[0, 2] = np.nan  # starts late
    values[[50, 120], 3] = np.nan  # two isolated gaps
    values[[10, 11, 12], 4] = np.nan  # same pattern as column 1: shares its covariance path
    values[-5:, 5] = np.nan  # stops early
    return pd.DataFrame(values, index=panel.index, columns=panel.columns)


@pytest.mark.parametrize("seasonal", ["auto", "none"])
def test_panel_with_gaps_matches_statsmodels(seasonal):
    result = KinematicsModel(seasonal=seasonal).fit(_panel_with_gaps())
    for i in range(result.n_series):
        _assert_matches_statsmodels(result, i, 1 / 12)


@pytest.mark.parametrize("seasonal", ["auto", "none"])
@pytest.mark.parametrize("with_gaps", [False, True])
def test_panel_pass_equals_one_series_at_a_time(seasonal, with_gaps):
    panel = _panel_with_gaps() if with_gaps else _synthetic_panel(11, n_series=5, n_obs=200)
    model = KinematicsModel(seasonal=seasonal)
    together = model.fit(panel)
    for i, name in enumerate(panel.columns):
        alone = model.fit(panel[[name]])
        for field in ("filtered", "filtered_cov", "sigma2", "seasonal", "log_level"):
            got, want = getattr(together, field), getattr(alone, field)
            if want is None:
                assert got is None
                continue
            assert_allclose(got[i], want[0], rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=field)
        assert_allclose(together.dof[i], alone.dof[0], rtol=0, atol=0)


def test_gappy_column_alone_equals_series_without_the_missing_rows():
    # A monthly series with months simply absent goes on the full monthly grid,
    # exactly as the same column with NaN in a panel.
    panel = _panel_with_gaps()
    column = panel["s1"]
    result_panel = KinematicsModel().fit(panel)
    with pytest.warns(DataQualityWarning):  # the loader warns about the gap
        result_series = KinematicsModel().fit(column.dropna())
    assert_allclose(result_series.filtered[0], result_panel.filtered[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seasonal", ["auto", "none"])
def test_smoother_matches_statsmodels(seasonal):
    result = KinematicsModel(seasonal=seasonal).fit(_panel_with_gaps(), smooth=True)
    for i in range(result.n_series):
        Z, T, Q = _reference_system(1 / 12, result.q, result.season, result.q_s)
        log_y = result.log_level[i]
        m = Z.size
        ks = KalmanSmoother(k_endog=1, k_states=m, k_posdef=m)
        ks.bind(log_y[:, None].copy())
        ks["design"] = Z[None, :]
        ks["obs_cov"] = np.eye(1)
        ks["transition"] = T
        ks["selection"] = np.eye(m)
        ks["state_cov"] = Q
        a0 = np.zeros(m)
        a0[0] = log_y[np.flatnonzero(~np.isnan(log_y))[0]]
        ks.initialize_known(a0, DIFFUSE * np.eye(m))
        ref = ks.smooth()
        assert_allclose(result.smoothed[i], ref.smoothed_state.T[:, :3], rtol=0, atol=STATE_ATOL)
        ref_cov = np.moveaxis(ref.smoothed_state_cov, 2, 0)[:, :3, :3]
        assert_allclose(result.smoothed_cov[i, 24:], ref_cov[24:], rtol=1e-6, atol=1e-8)
