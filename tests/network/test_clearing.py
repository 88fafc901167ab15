"""Eisenberg-Noe / Rogers-Veraart clearing: published two-bank examples, a derived closed form, random checks."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from borrowedtime.errors import DataError, SpecError
from borrowedtime.network import ClearingModel, all_clearing_vectors, clear_batch, clearing_map


# Rogers and Veraart (2013), Management Science 59(4), two banks with default costs alpha = beta = 1/2.
# Values as labelled "Example 3.3" in a public thesis repository's tests; the paper's text was not in
# reach here, so they are checked below by enumerating every default set (all clearing vectors).
def test_rv_two_banks_unique_greatest_vector():
    L = np.array([[0.0, 2.0], [2.2, 0.0]])
    e = np.array([1.0, 1.0])
    for method in ("gcv", "picard"):
        res = ClearingModel(0.5, 0.5, method=method).clear(L, e)
        assert_allclose(res.payments, [2.0, 2.2], atol=1e-12)
        assert not res.default.any()
    # The only clearing vector: the candidate "both default" pays (1, 1), at which bank 1 holds
    # 1 + 1 = 2, exactly its liability, so it is solvent and (1, 1) is not a fixed point.
    vectors = all_clearing_vectors(L, e, 0.5, 0.5)
    assert len(vectors) == 1
    assert_allclose(vectors[0], [2.0, 2.2])
    assert_allclose(clearing_map(np.array([1.0, 1.0]), L, e, 0.5, 0.5), [2.0, 1.0])


def test_rv_two_banks_non_uniqueness():
    L = np.array([[0.0, 2.2], [2.2, 0.0]])
    e = np.array([1.0, 1.0])
    res = ClearingModel(0.5, 0.5).clear(L, e)
    assert_allclose(res.payments, [2.2, 2.2], atol=1e-12)
    vectors = all_clearing_vectors(L, e, 0.5, 0.5)
    assert len(vectors) == 2  # uniqueness fails with default costs
    assert_allclose(vectors[0], [2.2, 2.2])
    assert_allclose(vectors[1], [1.0, 1.0])  # both default: p = 0.5 * 1 + 0.5 * p  =>  p = 1
    for v in vectors:
        assert_allclose(clearing_map(v, L, e, 0.5, 0.5), v)
    # Picard from below stalls at (1, 1): the least vector; from above it finds the greatest.
    assert_allclose(ClearingModel(0.5, 0.5, method="picard").clear(L, e).payments, [2.2, 2.2])


def _ring(liabilities_by_bank, e):
    n = len(e)
    L = np.zeros((n, n))
    for i in range(n):
        L[i, (i + 1) % n] = liabilities_by_bank[i]
    return L


def test_six_bank_ring_closed_form():
    r"""Six banks in a ring, bank i owes bank i+1. External assets gamma(1 - eps) for odd banks
    (1st, 3rd, 5th) and gamma(1 + eps) for even ones. If all default, p_i = alpha e_i + beta p_{i-1}, so
    p_odd = alpha (e_odd + beta e_even) / (1 - beta^2) and p_even = alpha (beta e_odd + e_even) / (1 - beta^2):
    Lambda_odd = alpha gamma / (1 - beta^2) [(1 - eps) + beta (1 + eps)], Lambda_even = alpha gamma / (1 - beta^2)
    [beta (1 - eps) + (1 + eps)]. gamma = 0.4, eps = 1, alpha = beta = 1/2: 4/15 and 8/15.
    """
    gamma, eps, a, alpha, beta = 0.4, 1.0, 2.0, 0.5, 0.5
    lam_odd = alpha * gamma / (1 - beta**2) * ((1 - eps) + beta * (1 + eps))
    lam_even = alpha * gamma / (1 - beta**2) * (beta * (1 - eps) + (1 + eps))
    assert lam_odd == pytest.approx(0.266667, abs=1e-6)
    assert lam_even == pytest.approx(0.533333, abs=1e-6)
    e = np.array([gamma * (1 - eps), gamma * (1 + eps)] * 3)  # banks 1, 3, 5 odd (index 0, 2, 4)
    closed = np.array([lam_odd, lam_even] * 3)

    # With every liability a = 2, an odd bank holds 0 + 2 = 2: exactly solvent, so the greatest vector
    # pays in full and the all-default closed form is the least of two clearing vectors.
    L = _ring([a] * 6, e)
    assert_allclose(ClearingModel(alpha, beta).clear(L, e).payments, [a] * 6)
    vectors = all_clearing_vectors(L, e, alpha, beta)
    assert len(vectors) == 2
    assert_allclose(vectors[-1], closed, atol=1e-12)

    # Odd banks owing a hair more (2.01) fail first (round 1), then all six (round 2): the greatest
    # clearing vector is the closed form.
    L = _ring([a + 0.01, a] * 3, e)
    for method in ("gcv", "picard"):
        res = ClearingModel(alpha, beta, method=method).clear(L, e)
        assert_allclose(res.payments, closed, atol=1e-10)
        assert res.default.all()
    res = ClearingModel(alpha, beta).clear(L, e)
    assert res.default_rounds == ((), (0, 2, 4), (0, 1, 2, 3, 4, 5))


def _random_network(rng, n, density=0.4):
    L = rng.uniform(0.0, 10.0, (n, n)) * (rng.uniform(size=(n, n)) < density)
    np.fill_diagonal(L, 0.0)
    e = rng.uniform(0.0, 6.0, n)
    return L, e


@pytest.mark.parametrize("costs", [(1.0, 1.0), (0.5, 0.5), (0.9, 0.6)])
def test_random_networks_fixed_point_and_solvers_agree(costs):
    rng = np.random.default_rng(7)
    alpha, beta = costs
    n_default = 0
    for _ in range(40):
        L, e = _random_network(rng, 8)
        gcv = ClearingModel(alpha, beta).clear(L, e)
        pic = ClearingModel(alpha, beta, method="picard", tol=1e-13).clear(L, e)
        assert_allclose(gcv.payments, pic.payments, atol=1e-9)
        assert_allclose(clearing_map(gcv.payments, L, e, alpha, beta), gcv.payments, atol=1e-9)
        if beta < 1:  # enumeration solves each default set exactly; the greatest is what the solvers return
            vectors = all_clearing_vectors(L, e, alpha, beta)
            assert_allclose(vectors[0], gcv.payments, atol=1e-9)
            assert all((v <= gcv.payments + 1e-9).all() for v in vectors)
        n_default += int(gcv.default.any())
    assert n_default >= 10  # the networks are stressed enough to exercise default


def test_eisenberg_noe_is_min_of_obligation_and_assets():
    rng = np.random.default_rng(3)
    L, e = _random_network(rng, 12)
    p = ClearingModel().clear(L, e).payments
    pbar = L.sum(axis=1)
    Pi = np.divide(L, pbar[:, None], out=np.zeros_like(L), where=pbar[:, None] > 0)
    assert_allclose(p, np.minimum(pbar, e + p @ Pi), atol=1e-10)


def test_clear_batch_matches_single_clearing():
    rng = np.random.default_rng(11)
    n, P = 7, 25
    L, _ = _random_network(rng, n, density=0.5)
    src, dst = np.nonzero(L)
    owed = L[src, dst][None, :] * rng.uniform(0.5, 1.5, (P, src.size))
    e = rng.uniform(0.0, 5.0, (P, n))
    p, default = clear_batch(src, dst, owed, e, alpha=0.7, beta=0.8, tol=1e-13)
    for k in range(P):
        Lk = np.zeros((n, n))
        Lk[src, dst] = owed[k]
        res = ClearingModel(0.7, 0.8).clear(Lk, e[k])
        assert_allclose(p[k], res.payments, atol=1e-9)
        assert np.array_equal(default[k], res.default)


def test_bad_inputs_get_clear_errors():
    with pytest.raises(DataError, match=r"liabilities\[0, 1\].*>= 0"):
        ClearingModel().clear(np.array([[0.0, -1.0], [0.0, 0.0]]), np.ones(2))
    with pytest.raises(DataError, match="external_assets"):
        ClearingModel().clear(np.zeros((2, 2)), np.ones(3))
    with pytest.raises(DataError, match="owe itself"):
        ClearingModel().clear(np.eye(2), np.ones(2))
    with pytest.raises(SpecError, match="'alpha' parameter"):
        ClearingModel(alpha=0.0)
    with pytest.raises(SpecError, match="'method'"):
        ClearingModel(method="newton")
