"""An index's averaging with sampling error, and the one-step predictive shape (issue 11), on
simulated data where the truth is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.errors import SpecError
from borrowedtime.monitor._kalman import covariance_path, run_dense_mean_path, run_mean_path
from borrowedtime.monitor.calibration import Calibration, coverage_of, one_step_pit
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.statespace import _DIFFUSE, _system, trend_snr

START = 140  # first re-estimation: 5 years of scored innovations after the burn-in, plus the scale's


def _simulate(N: int, n: int, seed: int, *, k: int = 3, phi: float = 0.9, qc: float = 10.0,
              sigma: float = 0.0005, noise_dof: float | None = None) -> pd.DataFrame:
    """Log levels = mean of the last k latent (trend + AR(1) cycle) values + white sampling error.

    The trend is the monitor's (local quadratic, jerk variance q times the short-run
    variance 1 + Var c, as the model assumes); ``noise_dof`` draws the sampling error
    from a unit-variance Student-t instead of the normal.
    """
    rng = np.random.default_rng(seed)
    dt = 1 / 12
    stat_var = qc / (1 - phi * phi) if qc > 0 else 0.0
    q = trend_snr(1.5, dt) * (1 + stat_var)
    Q = q * sigma**2 * np.array(
        [[dt**5 / 20, dt**4 / 8, dt**3 / 6], [dt**4 / 8, dt**3 / 3, dt**2 / 2], [dt**3 / 6, dt**2 / 2, dt]]
    )
    L = np.linalg.cholesky(Q)
    T = np.array([[1, dt, dt * dt / 2], [0, 1, dt], [0, 0, 1]])
    state = np.zeros((N, 3))
    state[:, 0], state[:, 1] = 4.0, 0.03
    c = np.sqrt(stat_var) * sigma * rng.standard_normal(N)
    x = np.empty((N, n + k - 1))
    for t in range(n + k - 1):
        state = state @ T.T + rng.standard_normal((N, 3)) @ L.T
        c = phi * c + np.sqrt(qc) * sigma * rng.standard_normal(N)
        x[:, t] = state[:, 0] + c
    avg = np.mean([x[:, j : j + n] for j in range(k)], axis=0)
    if noise_dof is None:
        eps = rng.standard_normal((N, n))
    else:
        eps = rng.standard_t(noise_dof, (N, n)) * np.sqrt((noise_dof - 2) / noise_dof)
    y = avg + sigma * eps
    idx = pd.date_range("1970-01-01", periods=n, freq="MS")
    return pd.DataFrame(np.exp(y.T), index=idx, columns=[f"s{i}" for i in range(N)])


def _acf1(pit_row: np.ndarray) -> float:
    from scipy import stats

    z = stats.norm.ppf(pit_row[np.isfinite(pit_row)])
    z = z - z.mean()
    return float(z[1:] @ z[:-1] / (z @ z))


def _check_calibrated(pit: np.ndarray) -> None:
    u = pit[np.isfinite(pit)]
    for c in (0.5, 0.8, 0.9):
        share = coverage_of(u, c).mean()
        assert abs(share - c) < 4 * np.sqrt(c * (1 - c) / u.size), (c, share, u.size)
    assert abs(np.median([_acf1(r) for r in pit])) < 0.08


@pytest.fixture(scope="module")
def cycle_panel():
    return _simulate(12, 360, seed=3)


def test_averaged_cycle_model_is_calibrated_on_its_own_data(cycle_panel):
    """3-month mean of trend + AR(1) cycle, plus sampling error: the matching model covers
    50/80/90 % within sampling error and whitens the innovations; the white-noise model does not."""
    model = KinematicsModel(seasonal="none", averaging=3, momentum="ar1", scale_memory_years=None)
    kin = model.fit(cycle_panel)
    pit = one_step_pit(kin)[:, START:]
    _check_calibrated(pit)
    plain = one_step_pit(KinematicsModel(seasonal="none", scale_memory_years=None).fit(cycle_panel))[:, START:]
    assert np.median([_acf1(r) for r in plain]) > 0.3
    # the cycle chosen on data <= t is persistent (the truth: phi 0.9, q_c 10)
    assert np.median(kin.momentum_params[:, -1, 0]) >= 0.8
    assert kin.n_states == 4 and kin.filtered.shape == (12, 360, 3)


def test_averaged_white_noise_model_is_calibrated_on_its_own_data():
    """Monthly white price noise averaged over three months (an MA(2) with a unit root at period 3)
    beside the sampling error: ``averaging=3`` alone finds it and whitens the innovations."""
    data = _simulate(12, 360, seed=5, phi=0.0, qc=10.0)
    kin = KinematicsModel(seasonal="none", averaging=3, scale_memory_years=None).fit(data)
    _check_calibrated(one_step_pit(kin)[:, START:])
    assert set(np.unique(kin.momentum_params[..., 0])) == {0.0}  # never a persistent cycle
    assert np.median(kin.momentum_params[:, -1, 1]) > 1.0


def test_averaging_uses_no_future_data_and_panel_equals_alone(cycle_panel):
    model = KinematicsModel(averaging=3, momentum="ar1")
    frame = cycle_panel.iloc[:, :2]
    a, b = model.fit(frame.iloc[:300]), model.fit(frame)
    np.testing.assert_allclose(b.filtered[:, :300], a.filtered, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.sigma2[:, :300], a.sigma2, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(b.innovation[:, :300], a.innovation, rtol=0, atol=1e-12)
    assert np.array_equal(b.momentum_choice[:, :300], a.momentum_choice)
    alone = model.fit(frame["s1"])
    np.testing.assert_allclose(b.filtered[1], alone.filtered[0], rtol=0, atol=1e-12)
    assert np.array_equal(b.momentum_choice[1], alone.momentum_choice[0])
    # the fitted predictive shape is real time too
    spec = KinematicsModel(seasonal="none", predictive="fitted-t")
    p_a, p_b = one_step_pit(spec.fit(frame.iloc[:300])), one_step_pit(spec.fit(frame))
    np.testing.assert_allclose(p_b[:, :300], p_a, rtol=0, atol=1e-12, equal_nan=True)
    spec = KinematicsModel(seasonal="none", predictive="empirical")
    p_a, p_b = one_step_pit(spec.fit(frame.iloc[:300])), one_step_pit(spec.fit(frame))
    np.testing.assert_allclose(p_b[:, :300], p_a, rtol=0, atol=1e-12, equal_nan=True)


def test_averaging_hindsight_smoother(cycle_panel):
    """The smoother (hindsight) runs with the parameters each series holds at the end: at the last
    date it equals the real-time filter, and before it its variance is smaller (later data inform
    the past), wherever the real-time filter already used those parameters."""
    frame = cycle_panel.iloc[:, :3]
    kin = KinematicsModel(seasonal="none", averaging=3, momentum="ar1").fit(frame, smooth=True)
    np.testing.assert_allclose(kin.smoothed[:, -1], kin.filtered[:, -1], rtol=0, atol=1e-9)
    same = kin.momentum_choice == kin.momentum_choice[:, -1:]  # real time already holds the final choice
    f_var, s_var = kin.filtered_cov[..., 2, 2], kin.smoothed_cov[..., 2, 2]
    assert same.sum() > 100 and (s_var[same] <= f_var[same] * (1 + 1e-9)).all()
    inner = same.copy()
    inner[:, -12:] = False
    assert (s_var[inner] < 0.9 * f_var[inner]).mean() > 0.9  # later data do inform the past
    assert "smoothed_velocity" in kin.to_frame(0).columns


def test_dense_mean_path_equals_the_structured_kernel():
    """The dense recursion used with averaging reproduces the structured kernel on the models both know."""
    rng = np.random.default_rng(0)
    n = 150
    dt = np.full(n, 1 / 12)
    y = 4 + np.cumsum(0.01 * rng.standard_normal((3, n)), axis=1)
    pattern = np.ones(n, dtype=bool)
    pattern[[40, 41, 90]] = False
    for cycle in (None, (0.9, 3.0)):
        T, Q, Z = _system(dt, trend_snr(1.5, 1 / 12), 12, 0.01, cycle)
        m = Z.size
        K, F, _ = covariance_path(T, Q, Z, np.eye(m) * _DIFFUSE, pattern)
        ref = run_mean_path(y, K, F, pattern, dt, 11, m, phi=None if cycle is None else cycle[0], discount=0.99)
        a0 = np.zeros((3, m))
        a0[:, 0] = y[:, 0]
        got = run_dense_mean_path(y, T, K, Z, pattern, a0, m, season_state=3, discount=0.99, F=F)
        for r, g in zip(ref, got, strict=True):
            np.testing.assert_allclose(g, r, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_fitted_shape_calibrates_heavy_tailed_innovations():
    """The monitor's own model with Student-t(4) noise: the Student-t predictive with the scale's
    dof covers the 50 % interval too often (the FRED-MD symptom); the shape fitted on past
    standardised innovations covers it within sampling error."""
    data = _simulate(16, 300, seed=11, phi=0.0, qc=0.0, k=1, noise_dof=4.0)
    kin_t = KinematicsModel(seasonal="none", scale_memory_years=None).fit(data)
    u_t = one_step_pit(kin_t)[:, 120:]
    u_t = u_t[np.isfinite(u_t)]
    assert coverage_of(u_t, 0.5).mean() > 0.53
    for shape in ("fitted-t", "empirical"):
        kin = KinematicsModel(seasonal="none", scale_memory_years=None, predictive=shape).fit(data)
        u = one_step_pit(kin)[:, 120:]
        u = u[np.isfinite(u)]
        for c in (0.5, 0.9):
            assert abs(coverage_of(u, c).mean() - c) < 4 * np.sqrt(c * (1 - c) / u.size), (shape, c)
        # the shape changes the one-step intervals only: the kinematics are the same numbers
        np.testing.assert_array_equal(kin.filtered, kin_t.filtered)
        np.testing.assert_array_equal(kin.p_accel_negative, kin_t.p_accel_negative)


@pytest.mark.parametrize("bad", [0, 25, 2.5, "3", True, None])
def test_bad_averaging_is_refused(bad):
    with pytest.raises(SpecError, match="'averaging' parameter of KinematicsModel must be an int from 1 to 24"):
        KinematicsModel(averaging=bad)


def test_averaging_refuses_what_it_cannot_do(cycle_panel):
    with pytest.raises(SpecError, match="predictive"):
        KinematicsModel(predictive="normal")
    idx = pd.DatetimeIndex(["2020-01-01", "2020-03-15", "2020-04-02", "2020-09-30", "2021-02-01", "2021-02-20"] * 1)
    irregular = pd.Series(np.exp(np.linspace(0, 1, idx.size)), index=idx, name="rounds")
    with pytest.raises(SpecError, match="averaging=3 needs regularly spaced data"):
        KinematicsModel(averaging=3).fit(irregular)
    assert Calibration(model=KinematicsModel(averaging=3)).model.averaging == 3
    monthly = pd.Series(np.exp(np.linspace(0, 1, 60)), index=pd.date_range("2000-01-01", periods=60, freq="MS"))
    with pytest.raises(SpecError, match="averaging=12 spans a whole seasonal period"):
        KinematicsModel(averaging=12).fit(monthly)


def test_cli_calibrate_takes_the_observation_flags(case_shiller_path):
    import json

    from typer.testing import CliRunner

    from borrowedtime.cli import app

    args = ["calibrate", str(case_shiller_path), "-c", "National-US", "--json"]
    res = CliRunner().invoke(app, [*args, "--averaging", "3", "--predictive", "fitted-t"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert set(d["coverage"]) == {"0.5", "0.8", "0.9"} and d["n"] > 400
    assert d["model"]["averaging"] == 3 and d["model"]["predictive"] == "fitted-t" and d["model"]["momentum"] == "none"
    for flag, value in (("--averaging", "0"), ("--averaging", "12"), ("--momentum", "arma"), ("--predictive", "normal")):
        bad = CliRunner().invoke(app, [*args, flag, value])
        assert bad.exit_code == 2, (flag, bad.output)
        assert flag in bad.output and "Traceback" not in bad.output
