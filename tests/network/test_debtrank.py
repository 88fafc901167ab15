"""DebtRank: the three-bank cycle worked by hand, the linear closed form, the Furfine limit."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from borrowedtime.errors import ConvergenceError, DataError
from borrowedtime.network import (
    debtrank,
    leverage_matrix,
    linear_debtrank,
    nonlinear_debtrank,
    spectral_radius,
)

# Three banks in a cycle, each holding a claim worth half its equity on the next:
# Lambda[i, i+1] = 0.5 (Bardoscia et al. 2015: Lambda_ij = A_ij / E_i).
CYCLE = np.array([[0.0, 0.5, 0.0], [0.0, 0.0, 0.5], [0.5, 0.0, 0.0]])
SHOCK = np.array([0.0, 0.0, 0.5])


def test_linear_debtrank_three_bank_cycle():
    # h1 = h2 / 2, h2 = h3 / 2, h3 = 1/2 + h1 / 2  =>  h3 = 4/7, h2 = 2/7, h1 = 1/7
    res = linear_debtrank(CYCLE, SHOCK)
    assert_allclose(res.h, [1 / 7, 2 / 7, 4 / 7], atol=1e-12)
    assert_allclose(res.equity(np.ones(3)), [6 / 7, 5 / 7, 3 / 7], atol=1e-12)
    assert spectral_radius(CYCLE) == pytest.approx(0.5)  # stable: below 1
    assert_allclose(res.h, np.linalg.solve(np.eye(3) - CYCLE, SHOCK), atol=1e-12)  # no cap binds


def test_original_debtrank_reverberates_once():
    # Battiston et al. 2012: bank 3 propagates 0.5 * 0.5 to bank 2, which then propagates 0.5 * 0.25 to bank 1,
    # which adds 0.5 * 0.125 to bank 3; bank 3 is inactive by then, so the walk stops: (1/8, 1/4, 9/16).
    res = debtrank(CYCLE, SHOCK)
    assert_allclose(res.h, [1 / 8, 1 / 4, 9 / 16], atol=1e-15)
    assert res.path.shape[0] == 4
    assert (res.h <= linear_debtrank(CYCLE, SHOCK).h + 1e-15).all()


def test_nonlinear_debtrank_limits():
    assert_allclose(nonlinear_debtrank(CYCLE, SHOCK, alpha=0.0).h, [1 / 7, 2 / 7, 4 / 7], atol=1e-12)
    # alpha large: only default propagates (Furfine); a 50 % shock goes nowhere.
    assert_allclose(nonlinear_debtrank(CYCLE, SHOCK, alpha=200.0).h, SHOCK, atol=1e-12)
    # a default does propagate in the Furfine limit: bank 3 wiped out costs bank 2 half its equity
    assert_allclose(nonlinear_debtrank(CYCLE, np.array([0.0, 0.0, 1.0]), alpha=200.0).h, [0.0, 0.5, 1.0],
                    atol=1e-12)
    # in between, distress is monotone in alpha
    h = [nonlinear_debtrank(CYCLE, SHOCK, alpha=a).h.sum() for a in (0.0, 1.0, 3.0, 10.0)]
    assert all(x >= y - 1e-15 for x, y in zip(h, h[1:], strict=False))


def test_cap_binds_and_random_closed_form():
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = 10
        Lam = rng.uniform(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.3)
        np.fill_diagonal(Lam, 0)
        Lam *= 0.8 / max(spectral_radius(Lam), 1e-9)  # stable
        h1 = rng.uniform(0, 0.05, n)
        res = linear_debtrank(Lam, h1)
        exact = np.linalg.solve(np.eye(n) - Lam, h1)
        if (exact <= 1).all():
            assert_allclose(res.h, exact, atol=1e-10)
        assert_allclose(res.h, np.minimum(1, res.h + Lam @ (res.h - res.h)), atol=1e-12)
    # a cap that binds: two banks fully exposed to each other
    res = linear_debtrank(np.array([[0, 2.0], [2.0, 0]]), np.array([0.6, 0.0]))
    assert_allclose(res.h, [1.0, 1.0])


def test_leverage_matrix_and_errors():
    A = np.array([[0.0, 5.0], [2.0, 0.0]])
    assert_allclose(leverage_matrix(A, [10.0, 4.0]), [[0, 0.5], [0.5, 0]])
    with pytest.raises(DataError, match=r"equity\[1\]"):
        leverage_matrix(A, [10.0, 0.0])
    with pytest.raises(DataError, match=r"shock\[0\]"):
        linear_debtrank(CYCLE, np.array([1.5, 0, 0]))
    # at the stability edge (eigenvalue 1) distress creeps up by the shock each round until the cap
    assert_allclose(linear_debtrank(np.array([[0, 1.0], [1.0, 0]]), np.array([0.1, 0.0])).h, [1.0, 1.0])
    with pytest.raises(ConvergenceError, match="eigenvalue"):
        linear_debtrank(np.array([[0, 1.0], [1.0, 0]]), np.array([0.1, 0.0]), max_iter=5)


def test_batch_debtrank_equals_the_single_one_row_by_row():
    """The batched DebtRank the cascade uses is nonlinear_debtrank row by row (capped and uncapped, dead debtors)."""
    from scipy import sparse

    from borrowedtime.network.debtrank import nonlinear_debtrank_batch

    rng = np.random.default_rng(3)
    n = 12
    A = np.where(rng.random((n, n)) < 0.3, rng.uniform(0, 30, (n, n)), 0.0)
    np.fill_diagonal(A, 0.0)
    lam = leverage_matrix(A, rng.uniform(20, 60, n))
    shocks = np.where(rng.random((40, n)) < 0.3, rng.uniform(0, 1, (40, n)), 0.0)
    shocks[0] = 0.0  # a row with no shock stays at zero
    shocks[1, :] = 1.0  # every entity wiped out: the cap binds everywhere
    alive = (rng.random((40, n)) < 0.8).astype(float)
    for alpha in (0.0, 1.0, 4.0):
        got = nonlinear_debtrank_batch(lam, shocks, None, alpha)
        got_alive = nonlinear_debtrank_batch(lam, shocks, alive, alpha)
        got_sparse = nonlinear_debtrank_batch(sparse.csr_matrix(lam), shocks, alive, alpha)
        np.testing.assert_array_equal(got_sparse, got_alive)
        assert (got >= shocks).all() and (got <= 1.0).all()
        assert np.any(got > shocks + 1e-6)  # distress propagates somewhere
        for r in range(shocks.shape[0]):
            ref = nonlinear_debtrank(lam, shocks[r], alpha).h
            np.testing.assert_allclose(got[r], ref, rtol=0, atol=1e-12)
            # a dead debtor's claims are worthless: the same as removing its column of Lambda
            ref_alive = nonlinear_debtrank(lam * alive[r][None, :], shocks[r], alpha).h
            np.testing.assert_allclose(got_alive[r], ref_alive, rtol=0, atol=1e-12)
        # one row alone gives the same bits as in the batch
        np.testing.assert_array_equal(nonlinear_debtrank_batch(lam, shocks[5:6], alive[5:6], alpha)[0], got_alive[5])
