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


def _one_series_at_a_time(Y, K, F, observed, dt, ns, burn_in, phi, discount):
    """The scalar recursion mean_path ran before issue 25, one series at a time: the specification
    its lanes are checked against, bit for bit (same arithmetic, same order, per series)."""
    N, n = Y.shape
    K_sum = K[:, 3 : 3 + ns].sum(axis=1) if ns else np.zeros(n)
    kc = 3 + ns
    trend, season0, sigma2, innov = np.empty((N, n, 3)), np.empty((N, n)), np.empty((N, n)), np.empty((N, n))
    first = int(np.argmax(observed))
    for i in range(N):
        ring, head, total = [0.0] * max(ns, 1), 0, 0.0
        lev, vel, acc, cyc, count, used, cum = Y[i, first], 0.0, 0.0, 0.0, 0, 0.0, 0.0
        for t in range(n):
            if t > 0:
                d = dt[t]
                lev = lev + d * vel + 0.5 * d * d * acc
                vel = vel + d * acc
                if ns > 0:
                    head = head - 1 if head > 0 else ns - 1
                    dropped = ring[head]
                    ring[head] = -total
                    total = -dropped
                if phi is not None:
                    cyc = phi * cyc
                if discount != 1.0:
                    cum *= discount
                    used *= discount
            if observed[t]:
                fit = lev + ring[head] if ns > 0 else lev
                if phi is not None:
                    fit += cyc
                v = Y[i, t] - fit
                innov[i, t] = v
                lev += v * K[t, 0]
                vel += v * K[t, 1]
                acc += v * K[t, 2]
                if phi is not None:
                    cyc += v * K[t, kc]
                if ns > 0:
                    for j, r in enumerate(list(range(head, ns)) + list(range(0, head))):
                        ring[r] += v * K[t, 3 + j]
                    total += v * K_sum[t]
                count += 1
                if count > burn_in:
                    cum += v * v / F[t]
                    used += 1.0
            else:
                innov[i, t] = np.nan
            trend[i, t] = lev, vel, acc
            season0[i, t] = ring[head] if ns > 0 else np.nan
            sigma2[i, t] = cum / used if used > 0 else np.nan
    return trend, (season0 if ns > 0 else None), sigma2, innov


@pytest.mark.parametrize("season,cycle,discount", [(12, None, 0.987), (None, None, 1.0), (4, (0.9, 3.0), 0.98)])
def test_lanes_equal_the_one_series_recursion_bitwise(season, cycle, discount):
    """mean_path advances _LANES series side by side in blocks of _BLOCK periods (issue 25): more
    series than one task's lanes, a last task with fewer, more periods than one block, a first
    period unobserved and gaps; compiled and twin both equal the scalar recursion bit for bit."""
    from borrowedtime.monitor import _kalman

    rng = np.random.default_rng(7)
    N, n = 2 * _kalman._LANES + 5, _kalman._BLOCK + 37
    dt = np.full(n, 1 / 12)
    T, Q, Z = _system(dt, trend_snr(1.5, 1 / 12), season, 0.002 if season else 0.0, cycle)
    m = Z.size
    ns = (season - 1) if season else 0
    y = np.cumsum(rng.normal(0.004, 0.01, (N, n)), axis=1) + 4.0
    observed = np.ones(n, dtype=bool)
    observed[[0, 40, 41, 90, _kalman._BLOCK, _kalman._BLOCK + 1]] = False
    K, F, _ = covariance_path(T, Q, Z, np.eye(m) * 1e7, observed)
    phi = None if cycle is None else cycle[0]
    want = _one_series_at_a_time(y, K, F, observed, dt, ns, m, phi, discount)
    for compiled in (False, True):
        got = run_mean_path(y, K, F, observed, dt, ns, m, compiled=compiled, phi=phi, discount=discount)
        for a, b in zip(got, want, strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a, b)
