"""The structured numba mean recursion equals its Python twin and the dense reference filter."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from borrowedtime._numba import HAS_NUMBA
from borrowedtime.monitor._kalman import covariance_path, kalman_filter_shared, run_mean_path
from borrowedtime.monitor.statespace import _system, trend_snr


@pytest.mark.parametrize("season,cycle", [(None, None), (4, None), (12, None), (None, (0.8, 2.0)), (12, (0.9, 0.5))])
def test_mean_path_matches_dense_reference(season, cycle):
    rng = np.random.default_rng(11)
    N, n = 25, 150
    dt = np.full(n, 1 / 12)
    T, Q, Z = _system(dt, trend_snr(1.5, 1 / 12), season, 0.002 if season else 0.0, cycle)
    m = Z.size
    n_state = m - 3 - (cycle is not None)
    y = np.cumsum(rng.normal(0.004, 0.01, (N, n)), axis=1) + 4.0
    observed = np.ones(n, dtype=bool)
    observed[[40, 41, 90]] = False
    P0 = np.eye(m) * 1e7
    a0 = np.zeros((N, m))
    a0[:, 0] = y[:, 0]
    ref = kalman_filter_shared(y, T, Q, Z, a0, P0, observed)
    K, F, P_filt = covariance_path(T, Q, Z, P0, observed)
    assert_allclose(P_filt, ref.filtered_cov, rtol=1e-12, atol=1e-9)
    phi = None if cycle is None else cycle[0]
    twin = run_mean_path(y, K, F, observed, dt, n_state, m, compiled=False, phi=phi)
    assert_allclose(twin[0], ref.filtered_mean[..., :3], rtol=0, atol=1e-9)
    # Real-time scale: the running mean of v^2/F after the first m observations.
    std2 = np.where(observed, ref.innovation**2 / ref.innovation_var, 0.0)
    usable = observed & (np.cumsum(observed) > m)
    dof = np.cumsum(np.broadcast_to(usable, (N, n)), axis=1)
    expected = np.where(dof > 0, np.cumsum(np.where(usable, std2, 0.0), axis=1) / np.maximum(dof, 1), np.nan)
    assert_allclose(twin[2], expected, rtol=1e-9, equal_nan=True)
    assert_allclose(twin[3], ref.innovation, rtol=0, atol=1e-9, equal_nan=True)  # one-step errors
    if season:
        assert_allclose(twin[1], ref.filtered_mean[..., 3], rtol=0, atol=1e-9)
    else:
        assert twin[1] is None
    if HAS_NUMBA:
        fast = run_mean_path(y, K, F, observed, dt, n_state, m, compiled=True, phi=phi)
        for a, b in zip(fast, twin, strict=True):
            if a is not None:
                assert_allclose(a, b, rtol=0, atol=0, equal_nan=True)  # bit-identical


def test_discounted_scale_twin_and_formula():
    """The forgetting scale: numba equals its twin; both equal the explicit weighted mean."""
    rng = np.random.default_rng(5)
    N, n, d = 6, 90, 0.98
    dt = np.full(n, 1 / 12)
    T, Q, Z = _system(dt, trend_snr(1.5, 1 / 12), None, 0.0, (0.9, 1.0))
    m = Z.size
    y = np.cumsum(rng.normal(0.004, 0.01, (N, n)), axis=1) + 4.0
    observed = np.ones(n, dtype=bool)
    observed[[30, 31]] = False
    K, F, _ = covariance_path(T, Q, Z, np.eye(m) * 1e7, observed)
    twin = run_mean_path(y, K, F, observed, dt, 0, m, compiled=False, phi=0.9, discount=d)
    e2 = np.where(observed, twin[3] ** 2 / F, 0.0)
    usable = observed & (np.cumsum(observed) > m)
    t = np.arange(n)
    w = np.where(usable[None, :] & (t[None, :] <= t[:, None]), d ** (t[:, None] - t[None, :]).clip(0), 0.0)
    with np.errstate(invalid="ignore"):
        expected = (e2 @ w.T) / w.sum(axis=1)
    assert_allclose(twin[2], np.where(w.sum(axis=1) > 0, expected, np.nan), rtol=1e-10, equal_nan=True)
    if HAS_NUMBA:
        fast = run_mean_path(y, K, F, observed, dt, 0, m, compiled=True, phi=0.9, discount=d)
        for a, b in zip(fast, twin, strict=True):
            if a is not None:
                assert_allclose(a, b, rtol=0, atol=0, equal_nan=True)
