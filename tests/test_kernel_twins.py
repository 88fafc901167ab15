"""Every numba kernel beside its plain Python/NumPy twin.

The twin is ``python_twin(kernel)``: the kernel's own source run as Python with
its compiled callees replaced by *their* Python twins, so nothing compiled runs
on the twin side (``py_func`` alone would still call compiled callees). Where a
vectorised NumPy specification exists it is checked too. Comparisons are
bitwise unless a tolerance is stated with its reason; the reasons are
``fastmath`` reassociation (``reassoc``/``contract`` on sums: the compiled sums
are regrouped, so the last bits differ) and iteration on top of such sums.

CI runs this module twice: normally and with ``NUMBA_DISABLE_JIT=1`` (then
both sides are Python, and the kernels prove they run without numba).
:func:`test_every_kernel_has_a_twin_test` fails when a kernel is added
without a row here.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from borrowedtime import _numba
from borrowedtime._numba import python_twin
from borrowedtime.cascade import _kernels as cascade_kernels
from borrowedtime.credit import _kernels as credit_kernels
from borrowedtime.detectors import _linalg, _lppls_kernels, _psy_kernels
from borrowedtime.monitor import _kalman, events, regimes
from borrowedtime.network import _kernels as network_kernels
from borrowedtime.treadmill import _kernels as arm_kernels

FASTMATH = "fastmath reassociation of sums (last bits differ)"
CANCEL = FASTMATH + "; an SSE is yy - explained, so its error is relative to yy, not to the SSE"
KERNEL_MODULES = (_linalg, _lppls_kernels, _psy_kernels, arm_kernels, regimes, _kalman, credit_kernels, events,
                  network_kernels, cascade_kernels)
TESTED: set[str] = set()


def _key(kernel) -> str:
    f = python_twin(kernel)
    return f"{f.__module__}.{f.__name__}"


def _jit_on() -> bool:
    """Whether kernels run compiled (numba installed and NUMBA_DISABLE_JIT unset)."""
    if not _numba.HAS_NUMBA:
        return False
    import numba

    return not numba.config.DISABLE_JIT


def pair(kernel, *args, rtol=0.0, atol=0.0, reason="bitwise", copy_outputs=()):
    """Run the kernel and its Python twin on copies of ``args``; compare results and outputs."""
    TESTED.add(_key(kernel))
    a_args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
    b_args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
    got = kernel(*a_args)
    want = python_twin(kernel)(*b_args)
    assert reason
    compare(got, want, rtol, atol)
    for i in copy_outputs:
        compare(a_args[i], b_args[i], rtol, atol)
    return got, a_args


def compare(got, want, rtol, atol):
    if isinstance(got, tuple):
        for g, w in zip(got, want, strict=True):
            compare(g, w, rtol, atol)
    elif rtol == 0.0 and atol == 0.0:
        assert_array_equal(np.asarray(got), np.asarray(want))
    else:
        assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=rtol, atol=atol, equal_nan=True)


def _lppls_data(n=40, seed=3):
    rng = np.random.default_rng(seed)
    s = np.linspace(-1.0, 0.0, n)
    y = np.cumsum(rng.normal(0, 0.01, n))
    return s, y - y[-1]


# ----------------------------------------------------------------------------- shared linear algebra


def test_solve_spd_and_the_unrolled_4x4():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 4))
    a = x.T @ x
    b = x.T @ rng.normal(size=30)
    (explained, piv), out = pair(_linalg.solve_spd, a, b, 4, np.empty(4), np.zeros((4, 4)), copy_outputs=(3,))
    coef = np.linalg.solve(a, b)
    assert_allclose(out[3], coef, rtol=1e-12)
    assert explained == pytest.approx(coef @ b, rel=1e-12)
    low = (a[0, 0], a[1, 0], a[2, 0], a[3, 0], a[1, 1], a[2, 1], a[3, 1], a[2, 2], a[3, 2], a[3, 3])
    x4, _ = pair(_linalg.chol4_solve, *low, *b)
    assert_allclose(x4, coef, rtol=1e-12)
    # a dependent column is dropped by both (coefficient 0, least squares on the rest)
    x[:, 2] = 2.0 * x[:, 1]
    a = x.T @ x
    b = x.T @ rng.normal(size=30)
    _, out = pair(_linalg.solve_spd, a, b, 4, np.empty(4), np.zeros((4, 4)), copy_outputs=(3,))
    low = (a[0, 0], a[1, 0], a[2, 0], a[3, 0], a[1, 1], a[2, 1], a[3, 1], a[2, 2], a[3, 2], a[3, 3])
    x4, _ = pair(_linalg.chol4_solve, *low, *b)
    assert out[3][2] == 0.0 and x4[2] == 0.0
    assert_allclose(x4, out[3], rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- LPPLS


def test_sincos_matches_math_within_its_bound():
    a = np.concatenate([np.linspace(-_lppls_kernels.SINCOS_MAX_ABS, _lppls_kernels.SINCOS_MAX_ABS, 20_001),
                        np.random.default_rng(1).uniform(-50, 50, 2_000), [0.0, math.pi / 4, -math.pi]])
    twin = python_twin(_lppls_kernels._sincos)
    got = np.array([_lppls_kernels._sincos(v) for v in a[::50]])
    assert_array_equal(got, np.array([twin(v) for v in a[::50]]))
    TESTED.add(_key(_lppls_kernels._sincos))
    sc = np.array([twin(v) for v in a])
    # Cody-Waite reduction with a 33+53-bit pi/2 and fdlibm's polynomials: within 2 ulp of 1
    assert np.abs(sc[:, 0] - np.sin(a)).max() <= 4.5e-16
    assert np.abs(sc[:, 1] - np.cos(a)).max() <= 4.5e-16
    assert all(twin(v) == pytest.approx((math.sin(v), math.cos(v)), abs=4.5e-16) for v in a[::997])


def test_profile_cost_basis_and_grid():
    s, y = _lppls_data()
    n = s.size
    sse, _ = pair(_lppls_kernels.lppls_profile_sse, s, y, 0.1, 0.5, 8.0, np.empty(4), copy_outputs=(5,))
    spec = _lppls_kernels.lppls_grid_sse_numpy(s, y, 0, np.array([0.1]), np.array([0.5]), np.array([8.0]))
    assert sse == pytest.approx(spec[0, 0, 0], rel=1e-8)
    bufs = [np.empty(n) for _ in range(4)]
    ref, _ = pair(_lppls_kernels._lppls_basis_sse, s, y, 0.1, 0.5, 8.0, np.empty(4), *bufs, copy_outputs=(5, 6, 7))
    fast, fo = pair(_lppls_kernels._lppls_basis_fast, s, y, 0.1, 0.5, 8.0, np.empty(4), *bufs,
                    rtol=1e-12, atol=1e-15, reason=FASTMATH, copy_outputs=(5, 6, 7, 8, 9))
    assert fast == pytest.approx(ref, rel=1e-10)
    f, c, sn = fo[7], fo[8], fo[9]
    pair(_lppls_kernels._basis_sums, y, f, c, sn, rtol=1e-12, atol=1e-15, reason=FASTMATH)
    starts = np.array([0, 10, 25], dtype=np.int64)
    sc, mg, wg = np.array([0.01, 0.1, 0.4]), np.array([0.2, 0.7]), np.array([3.0, 7.5, 13.0])
    out, _ = pair(_lppls_kernels.lppls_grid_sse, s, y, starts, sc, mg, wg, np.full(3, 1.0), np.empty((3, 3, 2, 3)),
                  rtol=1e-10, atol=1e-13 * float(y @ y), reason=CANCEL)
    for k, st in enumerate(starts):
        assert_allclose(out[k], _lppls_kernels.lppls_grid_sse_numpy(s, y, st, sc, mg, wg), rtol=1e-8, atol=1e-12)


def test_gauss_newton_normal_equations_and_step():
    s, y = _lppls_data()
    n = s.size
    bufs = [np.empty(n) for _ in range(4)]
    beta = np.empty(4)
    _lppls_kernels._lppls_basis_sse(s, y, 0.1, 0.5, 8.0, beta, *bufs)
    _, ref = pair(_lppls_kernels._lppls_normal, s, y, 0.1, 0.5, 8.0, beta, np.empty((7, 7)), np.empty(7), *bufs,
                  copy_outputs=(6, 7))
    _, fast = pair(_lppls_kernels._lppls_normal_fast, s, y, 0.1, 0.5, 8.0, beta, np.empty((7, 7)), np.empty(7),
                   *bufs, rtol=1e-11, atol=1e-13, reason=FASTMATH, copy_outputs=(6, 7))
    assert_allclose(fast[6], ref[6], rtol=1e-10, atol=1e-12)
    assert_allclose(fast[7], ref[7], rtol=1e-10, atol=1e-12)
    jtj, jtr = ref[6], ref[7]
    fixed = np.zeros(3, dtype=np.bool_)
    pair(_lppls_kernels._lm_step, jtj, jtr, 1e-3, fixed, np.empty(7), np.empty((7, 7)), np.zeros((7, 7)),
         np.empty(7), np.empty(7), copy_outputs=(4,))


def test_refinement_and_grid_minima():
    s, y = _lppls_data(60, 4)
    lo, hi = np.array([0.005, 0.01, 2.0]), np.array([0.5, 1.0, 15.0])
    # iterations on reassociated sums: differences of the order of the fastmath ones, amplified by the steps
    pair(_lppls_kernels.lppls_refine, s, y, 0.1, 0.5, 8.0, lo, hi, 30, np.empty(8), rtol=1e-9, atol=1e-12,
         reason=FASTMATH, copy_outputs=(8,))
    pair(_lppls_kernels._refine, s, y, 0.1, 0.5, 8.0, lo, hi, 12, np.inf, 0.0, 0, np.empty(8), rtol=1e-9,
         atol=1e-12, reason=FASTMATH, copy_outputs=(11,))
    grid = np.random.default_rng(2).uniform(size=(5, 4, 6))
    count, out = pair(_lppls_kernels._local_minima_top, grid, 3, np.empty(3, dtype=np.int64), copy_outputs=(2,))
    flat = grid.ravel()
    for i in out[2][:count]:
        k, m, q = np.unravel_index(i, grid.shape)
        block = grid[max(k - 1, 0):k + 2, max(m - 1, 0):m + 2, max(q - 1, 0):q + 2]
        assert flat[i] == block.min()


def test_nested_fits_on_a_small_confidence_run(monkeypatch):
    from borrowedtime.detectors.lppls import LPPLSModel

    seen = []
    compiled = _lppls_kernels.lppls_nested_fits

    def record(*args):
        seen.append([np.copy(a) if isinstance(a, np.ndarray) else a for a in args])
        return compiled(*args)

    monkeypatch.setattr(_lppls_kernels, "lppls_nested_fits", record)
    rng = np.random.default_rng(5)
    import pandas as pd

    prices = pd.Series(np.exp(np.cumsum(rng.normal(0.002, 0.01, 26))),
                       index=pd.date_range("2020-01-01", periods=26, freq="B"))
    model = LPPLSModel(window=24, smallest_window=15, inner_increment=4, grid=(3, 2, 3), n_starts=2,
                       n_random_starts=1, n_keep=1, max_iter=8)
    model.confidence(prices)
    args = seen[0]
    pair(compiled, *args[:-1], np.empty_like(args[-1]), rtol=1e-8, atol=1e-10, reason=FASTMATH)


# ----------------------------------------------------------------------------- PSY


def test_adf_kernels():
    rng = np.random.default_rng(6)
    x = np.cumsum(rng.normal(size=50))
    k, minw = 2, 10
    z, _ = pair(_psy_kernels._lagged_design, x, k)
    dy = np.diff(x)
    assert_array_equal(z[:, 0], dy[k:])
    assert_array_equal(z[:, -1], x[k:-1])
    stats, _ = pair(_psy_kernels.adf_all_windows, x, k, minw, np.empty((50, 50)), copy_outputs=(3,))
    stats = _[3]
    for i0, i1 in [(0, 49), (5, 40), (30, 49)]:
        assert stats[i0, i1] == pytest.approx(_psy_kernels.adf_window_stats_numpy(x, k, i0, i1), rel=1e-9)
    sups, o = pair(_psy_kernels.sup_stats, stats, k, minw, np.empty(50), copy_outputs=(3,))
    sups2, o2 = pair(_psy_kernels.adf_sup, x, k, minw, np.empty(50), np.empty(50), copy_outputs=(3, 4))
    assert_allclose(sups, sups2, rtol=1e-9)
    assert_allclose(o2[3][minw + k:], o[3][minw + k:], rtol=1e-9)
    eps = rng.standard_normal((6, 40))
    outs = (np.empty((6, 40)), np.empty(6), np.empty(6), np.empty((6, 40)))
    pair(_psy_kernels.psy_null_sup_stats, eps, 1, 10, 1.0 / 40, *outs, copy_outputs=(4, 5, 6, 7))


def test_psy_null_lag0_lanes_equal_one_walk_at_a_time():
    # Lag 0 simulates blocks of walks side by side (_adf_sup_lag0_lanes): every walk's SADF, GSADF,
    # BSADF and forward ADF sequences equal adf_sup on that walk alone, bit for bit; 61 walks make
    # uneven blocks, and one walk with a constant stretch exercises the skipped windows.
    rng = np.random.default_rng(61)
    reps, n, minw = 61, 45, 8
    eps = rng.standard_normal((reps, n))
    eps[5, 10:30] = -1.0 / n  # a flat stretch of the walk (drift cancelled)
    outs = (np.empty((reps, n)), np.empty(reps), np.empty(reps), np.empty((reps, n)))
    _, got = pair(_psy_kernels.psy_null_sup_stats, eps, 0, minw, 1.0 / n, *outs, copy_outputs=(4, 5, 6, 7))
    for r in range(reps):
        y = np.array([sum((1.0 / n + e for e in eps[r, : i + 1]), 0.0) for i in range(n)])  # the kernel's sum
        bs, fw = np.empty(n), np.empty(n)
        sadf, gsadf = _psy_kernels.adf_sup(y, 0, minw, bs, fw)
        assert_array_equal(got[4][r], bs)
        assert_array_equal(got[7][r], fw)
        assert got[5][r] == sadf and got[6][r] == gsadf
    y = np.array([sum((1.0 / n + e for e in eps[0, : i + 1]), 0.0) for i in range(n)])
    lanes = np.ascontiguousarray(np.column_stack([y, y[::-1]]))
    pair(_psy_kernels._adf_sup_lag0_lanes, lanes, minw, np.empty((n, 2)), np.empty((n, 2)), np.empty(2),
         copy_outputs=(2, 3, 4))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
def test_adf_sup_recursive_kernels(k):
    # Lag 0 runs its closed form (one division), lags 1-3 the kernels compiled per lag with
    # several window starts side by side (equal bit for bit to the same kernel one start at a
    # time), lag 4 the generic one; each is checked against its
    # twin and every window's t-ratio against the NumPy least-squares specification (one refit
    # per window). A second series with a constant stretch (lagged differences and level
    # degenerate in early windows) exercises the dropped-pivot branches against the twin.
    # 48 observations leave the last block of starts only partly filled at lags 2 and 3.
    rng = np.random.default_rng(60 + k)
    x = np.cumsum(rng.normal(size=48))
    n, minw = x.size, k + 6
    flat = x.copy()
    flat[3:14] = flat[3]
    pair(_psy_kernels.adf_sup, flat, k, minw, np.empty(n), np.empty(n), copy_outputs=(3, 4))
    sup, outs = pair(_psy_kernels.adf_sup, x, k, minw, np.empty(n), np.empty(n), copy_outputs=(3, 4))
    bsadf, badf = outs[3], outs[4]
    z = _psy_kernels._lagged_design(x, k)
    kernel = {0: _psy_kernels._adf_sup_lag0, 1: _psy_kernels._adf_sup_lag1, 2: _psy_kernels._adf_sup_lag2,
              3: _psy_kernels._adf_sup_lag3}.get(k, None)
    zf = _psy_kernels._lagged_design(flat, k)
    starts = {1: _psy_kernels._adf_sup_lag1_starts, 2: _psy_kernels._adf_sup_lag2_starts,
              3: _psy_kernels._adf_sup_lag3_starts}.get(k, None)
    for series, design in ((x, z), (flat, zf)):
        fill = (np.full(n, -np.inf), np.full(n, np.nan))
        if kernel is not None:
            one, one_out = pair(kernel, series, design, minw, *fill, copy_outputs=(3, 4))
            if starts is not None:
                side, side_out = pair(starts, series, design, minw, *fill, copy_outputs=(3, 4))
                assert side == one
                assert_array_equal(side_out[3], one_out[3])
                assert_array_equal(side_out[4], one_out[4])
        else:
            pair(_psy_kernels._adf_sup_generic, series, design, k, minw, *fill, copy_outputs=(4, 5))
    stats = np.full((n, n), np.nan)
    for i0 in range(n - minw - k):
        for i1 in range(i0 + k + minw, n):
            stats[i0, i1] = _psy_kernels.adf_window_stats_numpy(x, k, i0, i1)
    want = np.nanmax(stats[:, minw + k:], axis=0)
    assert_allclose(bsadf[minw + k:], want, rtol=1e-9, atol=1e-12)
    assert_allclose(badf[minw + k:], stats[0, minw + k:], rtol=1e-9, atol=1e-12)
    assert sup[0] == pytest.approx(np.nanmax(stats[0]), rel=1e-9)
    m = k + 3
    cp = np.tril(np.column_stack([z[:, 1:], z[:, :1]]).T @ np.column_stack([z[:, 1:], z[:, :1]]))
    t, _ = pair(_psy_kernels._ldl_tstat, cp, m, float(z.shape[0] - k - 2), np.zeros((m, m)), np.zeros(m))
    assert t == pytest.approx(_psy_kernels.adf_window_stats_numpy(x, k, 0, n - 1), rel=1e-9)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_adf_sup_starts_side_by_side_equal_one_at_a_time_on_real_data(k, nasdaq_path, case_shiller):
    # What adf_sup runs at lags 1-3 (window starts side by side) against the same kernel one start
    # at a time, on NASDAQ (daily, logs) and Case-Shiller (monthly, logs) with exuber's minimum
    # window: SADF, every BSADF and every forward ADF value equal bit for bit. Under
    # NUMBA_DISABLE_JIT both run as Python: then the last 160 observations of each (a million
    # windows in Python would take many minutes).
    from borrowedtime.detectors.psy import psy_min_window
    from borrowedtime.series import load_series

    nasdaq = load_series(nasdaq_path, column="Adj Close")
    if not _jit_on():
        nasdaq, case_shiller = nasdaq.iloc[-160:], case_shiller.iloc[-160:]
    one = {1: _psy_kernels._adf_sup_lag1, 2: _psy_kernels._adf_sup_lag2, 3: _psy_kernels._adf_sup_lag3}[k]
    side = {1: _psy_kernels._adf_sup_lag1_starts, 2: _psy_kernels._adf_sup_lag2_starts,
            3: _psy_kernels._adf_sup_lag3_starts}[k]
    for series in (nasdaq, case_shiller):
        y = np.ascontiguousarray(np.log(series.to_numpy()))
        n, minw = y.size, psy_min_window(y.size)
        z = _psy_kernels._lagged_design(y, k)
        outs = [(np.full(n, -np.inf), np.full(n, np.nan)) for _ in range(2)]
        assert side(y, z, minw, *outs[0]) == one(y, z, minw, *outs[1])
        assert_array_equal(outs[0][0], outs[1][0])
        assert_array_equal(outs[0][1], outs[1][1])
        assert np.isfinite(outs[0][0][minw + k:]).all()


# ----------------------------------------------------------------------------- ARM, regimes, Kalman


def test_arm_loan_kernel():
    rng = np.random.default_rng(7)
    n, H = 400, 60
    args = (rng.uniform(0.6, 1.0, n), np.where(rng.random(n) < 0.7, 24, 36).astype(np.int64),
            rng.uniform(0.1, 0.4, n), rng.standard_normal((n, H)), rng.random((n, H)),
            np.linspace(0.0, 0.3, H), np.linspace(1.0, 0.9, H), H, 0.03, 0.95, 0.03, 0.03, np.linspace(0.02, 0.06, H), 0.004, 4.0, 3.0)
    outs = (np.zeros(n, np.int32), np.zeros(n, np.int8), np.zeros(n, np.bool_))
    _, o = pair(arm_kernels.simulate_loans, *args, *outs, copy_outputs=(16, 17, 18))
    assert (o[17] == arm_kernels.REFI).sum() > 20 and (o[17] == arm_kernels.DEFAULT).sum() > 2


def test_regime_calls_kernel():
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, (20, 120))
    p[rng.uniform(size=p.shape) < 0.05] = np.nan
    got, _ = pair(regimes._calls_compiled, p, 0.8, 0.4, 2, np.zeros(p.shape, dtype=bool))
    assert got.any() and not got.all()


def test_kalman_mean_path_kernel():
    from borrowedtime.monitor.statespace import _system, trend_snr

    rng = np.random.default_rng(11)
    N, n = 4, 40
    dt = np.full(n, 1 / 12)
    for cycle, discount in ((None, 1.0), ((0.9, 1.0), 0.98)):  # plain; AR(1) cycle + forgetting scale
        T, Q, Z = _system(dt, trend_snr(1.5, 1 / 12), 4, 0.002, cycle)
        m = Z.size
        y = np.cumsum(rng.normal(0.004, 0.01, (N, n)), axis=1) + 4.0
        observed = np.ones(n, dtype=bool)
        observed[[10, 11]] = False
        K, F, _ = _kalman.covariance_path(T, Q, Z, np.eye(m) * 1e7, observed)
        K = np.ascontiguousarray(K)
        args = (y, K, K[:, 3:6].sum(axis=1), F, observed, dt, 3, 0, m,
                np.empty((N, n, 3)), np.empty((N, n)), np.empty((N, n)), np.empty((N, n)),
                0 if cycle is None else 1, 0.0 if cycle is None else cycle[0], discount)
        pair(_kalman.mean_path, *args, copy_outputs=(9, 10, 11, 12))


def test_kalman_scan_panel_kernel():
    # The fit's one pass over the raw panel: observations per series, flags 1 (infinite) and 2 (<= 0)
    rng = np.random.default_rng(4)
    values = rng.uniform(0.5, 2.0, (7, 30))
    values[rng.uniform(size=values.shape) < 0.2] = np.nan
    for bad, flag in ((None, 0), (np.inf, 1), (-np.inf, 3), (0.0, 2), (-1.0, 2)):
        v = values.copy()
        if bad is not None:
            v[3, 11] = bad
        got, out = pair(_kalman.scan_panel, v, np.zeros(7, dtype=np.int64), copy_outputs=(1,))
        assert got == flag
        assert_array_equal(out[1], (~np.isnan(v)).sum(axis=1))


def test_turn_counts_kernel():
    # P(turn within h): first crossings of a correlated Gaussian path, counted per horizon
    rng = np.random.default_rng(5)
    n, H, D = 6, 8, 64
    pair_t = np.sort(rng.integers(0, n, 25))
    pair_t = pair_t[pair_t != 2]  # a date without pairs
    starts = np.searchsorted(pair_t, np.arange(n + 1))
    mu = rng.normal(0.02, 0.03, (pair_t.size, H))
    mu[0, :] = 10.0  # far from zero: skipped by the bound, no turn
    mu[1, 3] = np.inf  # a step without a year-ago value cannot turn
    sd = rng.uniform(0.005, 0.02, pair_t.size)
    A = rng.normal(size=(n, H, H))
    chol = np.linalg.cholesky(A @ np.swapaxes(A, 1, 2) + np.eye(H))
    z = rng.standard_normal((D, H))
    scale = rng.uniform(0.8, 1.3, (n, D))
    steps = np.array([1, 2, 4, 8], dtype=np.int64)
    first = rng.integers(1, 4, pair_t.size).astype(np.int64)  # a negative reading before it is no turn
    _, o = pair(events._turn_counts, mu, sd, first, starts, chol, z, scale, steps,
                np.zeros((pair_t.size, 4)), copy_outputs=(8,))
    counts = o[8]
    assert (np.diff(counts, axis=1) >= 0).all() and counts[0].sum() == 0 and counts[:, -1].max() > 0
    assert (counts[first > 1, 0] == 0).all()  # no turn at step 1 where the run is too short


def test_credit_group_losses_kernel():
    # Floyd subsets of defaulted members (the copula Monte Carlo); integer choices, so bitwise
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 4, size=(30, 3)).astype(np.int64)
    counts[:, 2] = np.minimum(counts[:, 2], 1)
    start = np.array([0, 5, 9, 10], dtype=np.int64)
    row_of = np.where(np.arange(30) % 7 == 0, np.arange(30) // 7, -1).astype(np.int64)
    used, o = pair(credit_kernels.group_losses, counts, start, rng.uniform(0.5, 2.0, 10),
                   rng.random(int(counts.sum())), row_of, np.zeros(30), np.zeros((5, 10)), copy_outputs=(5, 6))
    assert used == counts.sum() and o[5].sum() > 0


def test_network_gather_scatter_kernel():
    # the cascade's edge sums and DebtRank's spread: one order of additions, so bitwise with the twin
    # and with the vectorised specification; a row alone gives the same bits as in its batch
    rng = np.random.default_rng(0)
    x = rng.lognormal(0, 3, (50, 9))
    src = rng.integers(0, 9, 30).astype(np.intp)
    dst = rng.integers(-1, 6, 30).astype(np.intp)
    w = rng.random(30)
    got, _ = pair(network_kernels.gather_scatter, x, src, w, dst, 6)
    assert_array_equal(got, network_kernels.gather_scatter_numpy(x, src, w, dst, 6))
    assert_array_equal(network_kernels.gather_scatter(x[7:8], src, w, dst, 6)[0], got[7])


def test_network_debtrank_step_kernel():
    # one DebtRank round: capped and uncapped rows, dead debtors, a NaN (its row's move is NaN, as np.max's)
    rng = np.random.default_rng(8)
    P, n = 9, 7
    h = np.where(rng.random((P, n)) < 0.5, rng.uniform(0, 1, (P, n)), 0.0)
    h[2] = 1.0
    h[4, 3] = np.nan
    e = np.exp(1.5 * (h - 1.0))
    am = (rng.random((P, n)) < 0.8).astype(float)
    p_prev = h * rng.uniform(0, 1, (P, n)) * 0.5
    ii, jj = np.nonzero(rng.random((n, n)) < 0.4)
    w = rng.uniform(0.5, 3.0, ii.size)
    src, dst = jj.astype(np.intp), ii.astype(np.intp)
    got, _ = pair(network_kernels.debtrank_step, h, e, am, p_prev, src, w, dst, n)
    want = network_kernels.debtrank_step_numpy(h, e, am, p_prev, src, w, dst, n)
    for g, x in zip(got, want, strict=True):
        assert_array_equal(g, x)
    new, _, big = got
    assert np.isnan(big[4]) and (new[~np.isnan(new)] <= 1.0).all()
    assert ((new == 1.0) & (h < 1.0)).any() and ((new < 1.0) & (new > h)).any()  # the cap binds, and not everywhere


def test_cascade_clearing_kernel():
    # the cascade's clearing stage on a few paths of the base model in a stressed state (cuts, a frozen
    # market, a defaulted entity): the twin runs the same scalar code, so bitwise
    from borrowedtime.cascade import load_scenario, model_for
    from borrowedtime.cascade.state import initial_state

    model = model_for(load_scenario("base"))
    net, P = model.network, 6
    rng = np.random.default_rng(1)
    s = initial_state(model, P)
    cut = np.where(rng.random(s.cut.shape) < 0.4, rng.uniform(0.2, 0.6, s.cut.shape), 0.0)
    s.default_q[0, int(model.lab_index[0])] = 3
    frozen = np.array([False, True, False, True, False, True])
    opex = np.where(net.of_kind("neocloud"), 0.3, 0.0)
    args = (6, model.sched[6].copy(), s.remaining * 0.5, cut, frozen, 0.8, model.debt_edge, net.guarantor,
            s.default_q, model.tracks_cash, opex, 1.0, net.src, net.dst, s.cash + 0.1, model.cash0, model.ocf_q,
            model.lab_index, s.lab_cash * 0.01, s.revenue * 0.5, np.full(len(model.labs), 3.0),
            rng.uniform(0.2, 0.5, P), 0.5, 0.9, 1e-12, 1e-10, 1000, np.zeros((P, model.n)),
            np.zeros_like(s.remaining), np.zeros_like(s.remaining), np.zeros((P, model.n), dtype=bool))
    bad, o = pair(cascade_kernels.clearing_rows, *args, copy_outputs=(2, 8, 14, 18, 27, 28, 29, 30))
    assert bad == 0 and o[27].sum() > 0 and o[30].any()  # losses and new defaults: the stage did work


def test_cascade_equity_keys_kernel():
    # stage 5's direct distress and DebtRank keys: defaulted entities, losses above and below equity, an
    # entity with no equity (x / 0 as NumPy: inf or NaN), a NaN loss, unchanged and moved paths; bitwise
    rng = np.random.default_rng(4)
    P, n = 7, 9
    default_q = np.where(rng.random((P, n)) < 0.2, rng.integers(0, 9, (P, n)), -1)
    loss = rng.uniform(0.0, 3.0, (P, n)) * (rng.random((P, n)) < 0.6)
    loss[1, 2] = np.nan
    equity0 = rng.uniform(0.5, 2.0, n)
    equity0[4] = 0.0
    loss[2, 4] = 0.0
    h_key = np.zeros((P, n))
    want = np.empty((P, n))
    got, o = pair(cascade_kernels.equity_keys, default_q, loss, equity0, h_key, np.empty((P, n)),
                  np.zeros(P, dtype=bool), copy_outputs=(3, 4, 5))
    spec_key = h_key.copy()
    spec = cascade_kernels.equity_keys_numpy(default_q, loss, equity0, spec_key, want, np.zeros(P, dtype=bool))
    assert_array_equal(got, spec)
    assert_array_equal(o[4], want)
    assert_array_equal(o[3], spec_key)
    assert got.any() and np.isinf(o[4]).sum() == 0 and np.isnan(o[4]).any()
    # a second pass on the same losses: nothing moved except where a key is NaN (NaN != NaN)
    again = cascade_kernels.equity_keys(default_q, loss, equity0, o[3], np.empty((P, n)), np.zeros(P, dtype=bool))
    assert_array_equal(again, np.isnan(o[3]).any(axis=1))


@pytest.mark.parametrize("K", [1, 2, 7, 8, 9, 15, 16, 23, 40, 128])
def test_cascade_net_need_sum_kernel(K):
    # stage 1's projected need: every K below, at and above the eight-accumulator block of NumPy's pairwise
    # sum, terms capped at zero, unused terms, a NaN; the kernel reproduces NumPy's order of summation: bitwise
    rng = np.random.default_rng(K)
    P, L = 6, 3
    ex = np.exp(rng.normal(0.0, 0.5, (P, L, K)))
    rev = rng.uniform(1.0, 80.0, (L, K))
    out = rev / 4.0 * rng.uniform(0.3, 2.0, (L, K))  # about half the terms above zero
    use = rng.random((L, K)) < 0.8
    ex[2, 1, K // 2] = np.nan
    got, _ = pair(cascade_kernels.net_need_sum, ex, rev, out, use)
    assert_array_equal(got, cascade_kernels.net_need_sum_numpy(ex, rev, out, use))
    assert np.isnan(got[2, 1]) or not use[1, K // 2]
    assert (got[~np.isnan(got)] >= 0).all() and (got > 0).any()


@pytest.mark.parametrize("K", [1, 5, 8, 13, 32, 40, 128])
def test_cascade_pairwise_sum_kernel(K):
    # NumPy's order of summation, bitwise, on terms of very different sizes (where the order shows)
    rng = np.random.default_rng(K)
    v = rng.normal(0.0, 1.0, K) * np.exp(rng.normal(0.0, 8.0, K))
    got, _ = pair(cascade_kernels.pairwise_sum, v, K, np.empty(8))
    assert got == np.sum(v)


def test_cascade_strong_buy_kernel():
    # stage 6 on paths of the base model with new seizures (vehicles and a lab), a wrapped edge whose guarantor
    # stands or has defaulted; the twin runs the same scalar code, and the NumPy stage is the specification
    from types import SimpleNamespace

    from borrowedtime.cascade import load_scenario, model_for
    from borrowedtime.cascade.stages import _strong_buy

    model = model_for(load_scenario("base"))
    net, P, n = model.network, 8, model.n
    rng = np.random.default_rng(5)
    D = rng.random((P, n)) < 0.15
    D[:, model.tracks_cash] |= rng.random((P, int(model.tracks_cash.sum()))) < 0.4
    remaining = rng.uniform(0.0, 40.0, (P, net.src.size))
    default_q = np.where(rng.random((P, n)) < 0.2, 3, -1)
    h = rng.uniform(0.0, 0.5, (P, n))
    loss, bought = rng.uniform(0.0, 5.0, (P, n)), np.zeros((P, n))
    fire, relet = rng.uniform(0.2, 0.5, P), rng.uniform(0.3, 0.5, P)
    args = (D, remaining, default_q, h, loss, bought, fire, relet, net.src, net.dst, net.guarantor, model.debt_edge,
            model.tracks_cash, float(model.params["ltv"]), model.lgd_secured, model.lgd_unsecured,
            model.hyperscalers, model.ocf_q)
    sold, o = pair(cascade_kernels.strong_buy_rows, *args, copy_outputs=(1, 4, 5))
    sub = SimpleNamespace(loss=loss.copy(), remaining=remaining.copy(), bought=bought.copy(), h=h, default_q=default_q)
    _strong_buy(model, sub, fire, relet, D)
    for got, want in ((o[1], sub.remaining), (o[4], sub.loss), (o[5], sub.bought)):
        assert_array_equal(got, want)
    assert (sold > 0).any() and (o[5] > 0).any() and (o[4] > loss).any()  # assets sold, bought, losses taken


def test_every_kernel_has_a_twin_test():
    # Static check (pytest-xdist runs the pair tests in other processes, so TESTED cannot be
    # relied on here): every kernel must be named, as ``<module alias>.<kernel>``, in this file
    # (a kernel imported into another module counts once, under any of its names).
    source = Path(__file__).read_text()
    alias = {id(mod): name for name, mod in globals().items() if mod in KERNEL_MODULES}
    names: dict[int, list[str]] = {}
    for mod in KERNEL_MODULES:
        for attr, obj in vars(mod).items():
            if id(obj) in _numba._PYTHON or (hasattr(obj, "py_func") and callable(obj)):
                names.setdefault(id(obj), []).append(f"{alias[id(mod)]}.{attr}")
    missing = {
        refs[0] for refs in names.values()
        if not any(re.search(rf"\b{re.escape(r)}\b", source) for r in refs)
    }
    assert not missing, f"kernels without a twin test: {sorted(missing)}"
    # the twins call no compiled code: every kernel they name is itself a twin
    for mod in KERNEL_MODULES:
        for obj in vars(mod).values():
            if id(obj) in _numba._PYTHON:
                twin = python_twin(obj)
                for name in twin.__code__.co_names:
                    callee = twin.__globals__.get(name)
                    assert not hasattr(callee, "py_func") and id(callee) not in _numba._PYTHON, (twin, name)
    assert "numba" in sys.modules
