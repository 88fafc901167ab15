"""Copula Monte Carlo: against the closed forms, Euler contributions, seeds, guarantees, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime._numba import python_twin
from borrowedtime.credit import finite_pool_tail, large_pool_quantile
from borrowedtime.credit._kernels import group_losses
from borrowedtime.credit.copula import CopulaModel
from borrowedtime.errors import SpecError


def _pool(n, pd_, rho, **kw):
    return CopulaModel.one_factor([f"o{i}" for i in range(n)], np.ones(n), np.full(n, pd_), np.ones(n), rho, **kw)


def test_group_losses_kernel_matches_its_python_twin():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 4, size=(50, 3)).astype(np.int64)
    counts[:, 2] = np.minimum(counts[:, 2], 1)
    start = np.array([0, 5, 9, 10], dtype=np.int64)
    weights = rng.uniform(0.5, 2.0, 10)
    u = rng.random(int(counts.sum()))
    row_of = np.where(np.arange(50) % 7 == 0, np.arange(50) // 7, -1).astype(np.int64)
    out = []
    for f in (group_losses, python_twin(group_losses)):
        loss, acc = np.zeros(50), np.zeros((8, 10))
        used = f(counts, start, weights, u, row_of, loss, acc)
        out.append((used, loss, acc))
    assert out[0][0] == out[1][0] == counts.sum()
    np.testing.assert_array_equal(out[0][1], out[1][1])
    np.testing.assert_array_equal(out[0][2], out[1][2])
    # every scenario loses exactly k distinct members per group: with weights 1 the loss is the count
    loss = np.zeros(50)
    group_losses(counts, start, np.ones(10), u, np.full(50, -1, np.int64), loss, np.zeros((1, 10)))
    np.testing.assert_array_equal(loss, counts.sum(axis=1))


def test_floyd_subsets_are_uniform():
    # 3 of 6 members: each member defaults with probability 1/2 (20,000 draws, 4 standard errors)
    s = 20_000
    counts = np.full((s, 1), 3, dtype=np.int64)
    u = np.random.default_rng(5).random(3 * s)
    acc = np.zeros((s, 6))
    group_losses(counts, np.array([0, 6], np.int64), np.ones(6), u, np.arange(s, dtype=np.int64), np.zeros(s), acc)
    assert np.all(acc.sum(axis=1) == 3)
    assert np.all(np.abs(acc.mean(axis=0) - 0.5) < 4 * np.sqrt(0.25 / s))


def test_finite_pool_tail_by_monte_carlo():
    # QRM tutorial (qrmtutorial/qrm, ch. 11): 100 loans, PD 5 %, rho 5 %: P(D >= 20) = 0.001121173
    r = _pool(100, 0.05, 0.05).run(400_000, seed=11, contributions=False, chunk_size=50_000)
    p = finite_pool_tail(100, 0.05, 0.05, 20)
    se = np.sqrt(p * (1 - p) / r.n_paths)
    assert abs(np.mean(r.losses >= 20) - p) < 4 * se


def _finite_pool_quantile(n, pd_, rho, q):
    lo, hi = 0, n  # smallest k with P(D <= k) >= q, i.e. P(D >= k + 1) <= 1 - q
    while lo < hi:
        mid = (lo + hi) // 2
        if finite_pool_tail(n, pd_, rho, mid + 1) <= 1 - q:
            hi = mid
        else:
            lo = mid + 1
    return lo


def test_monte_carlo_matches_closed_form_on_a_homogeneous_pool():
    # 1,000 loans, PD 1 %, rho 0.2, 4 million paths. The relative standard error of a 99.9 % quantile is
    # sqrt(q (1 - q) / N) / (f(x) x) = 0.37 % here (f the Vasicek density), so 1 % is 2.7 standard errors.
    # The exact finite-pool quantile (by quadrature) is the reference; the large-pool closed form differs
    # from it by granularity (reported below, not asserted at 1 %).
    n = 1000
    r = _pool(n, 0.01, 0.2).run(4_000_000, seed=3, contributions=False, chunk_size=200_000)
    exact = _finite_pool_quantile(n, 0.01, 0.2, 0.999)
    assert r.var_at(0.999) == pytest.approx(exact, rel=0.01)
    assert r.var_at(0.999) / n == pytest.approx(large_pool_quantile(0.01, 0.2, 0.999), rel=0.03)
    assert r.expected_loss == pytest.approx(10.0, rel=0.01)


def test_t_copula_tail_is_heavier_and_near_its_large_pool_limit():
    # 5,000 loans, 1 million paths: t (dof 4) 99 % quantile against the 0.193920 (relative SE ~0.5 %
    # at the 99 % level; 2 % allows for granularity and 4 standard errors)
    n = 5000
    kw = {"contributions": False, "chunk_size": 100_000}
    t = CopulaModel.one_factor([f"o{i}" for i in range(n)], np.full(n, 1 / n), np.full(n, 0.01), np.ones(n), 0.2,
                               copula="t", dof=4).run(1_000_000, seed=4, **kw)
    assert t.var_at(0.99) == pytest.approx(0.193920, rel=0.02)
    g = CopulaModel.one_factor([f"o{i}" for i in range(n)], np.full(n, 1 / n), np.full(n, 0.01), np.ones(n), 0.2
                               ).run(200_000, seed=4, **kw)
    assert t.var_at(0.999) > 2 * g.var_at(0.999)


def test_euler_contributions_sum_to_var_and_es():
    rng = np.random.default_rng(1)
    n = 12
    b = np.column_stack([np.full(n, 0.5), rng.uniform(-0.4, 0.4, n)])
    m = CopulaModel([f"n{i}" for i in range(n)], rng.uniform(1, 20, n), rng.uniform(0.005, 0.08, n),
                    rng.uniform(0.3, 0.7, n), b)
    r = m.run(60_000, seed=9)
    c = r.contributions
    for q in (0.99, 0.999):
        tag = "99" if q == 0.99 else "999"
        assert c[f"es_{tag}_usd_bn"].sum() == pytest.approx(r.es_at(q), rel=1e-10)
        assert c[f"var_{tag}_usd_bn"].sum() == pytest.approx(r.var_at(q), rel=1e-10)
        assert (c[f"es_{tag}_usd_bn"] >= 0).all()
    assert c["expected_loss_usd_bn"].sum() == pytest.approx(r.expected_loss, rel=1e-10)
    # the analytic EL per obligor, within 5 standard errors of each obligor's mean loss
    el = m.expected_loss()
    se = m.ead_usd_bn * m.lgd * np.sqrt(m.p_default * (1 - m.p_default) / r.n_paths)
    assert np.all(np.abs(c["expected_loss_usd_bn"].to_numpy() - el) < 5 * se)


def test_same_seed_same_numbers_whatever_the_threads():
    m = _pool(40, 0.03, 0.3)
    a = m.run(30_000, seed=7, chunk_size=5_000)
    b = m.run(30_000, seed=7, chunk_size=5_000)
    np.testing.assert_array_equal(a.losses, b.losses)
    from borrowedtime._montecarlo import map_chunks
    from borrowedtime.credit.copula import simulate_chunk

    one = np.concatenate(map_chunks(simulate_chunk, 30_000, seed=7, chunk_size=5_000, args=(m._arrays,), threads=1))
    np.testing.assert_array_equal(one, a.losses)
    assert not np.array_equal(m.run(30_000, seed=8, chunk_size=5_000).losses, a.losses)


def test_same_numbers_on_a_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    m = _pool(30, 0.03, 0.3)
    local = m.run(20_000, seed=5, chunk_size=5_000)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        dask = m.run(20_000, seed=5, chunk_size=5_000, client=client)  # two passes on one client
        again = m.run(20_000, seed=5, chunk_size=5_000, client=client, contributions=False)
    np.testing.assert_array_equal(local.losses, dask.losses)
    np.testing.assert_array_equal(local.losses, again.losses)
    np.testing.assert_array_equal(local.contributions.to_numpy(), dask.contributions.to_numpy())


def test_guarantee_lowers_the_wrapped_loss_and_rho_one_is_comonotone():
    names = ["lab", "guarantor"]
    ead, pds, lgd = np.array([10.0, 0.0]), np.array([0.10, 0.002]), np.array([0.5, 0.5])
    naked = CopulaModel.one_factor(names, ead, pds, lgd, 0.3).run(200_000, seed=2, contributions=False)
    wrapped = CopulaModel.one_factor(names, ead, pds, lgd, 0.3, guarantor=[1, -1]).run(
        200_000, seed=2, contributions=False)
    assert wrapped.expected_loss < 0.1 * naked.expected_loss
    from borrowedtime.credit.guarantees import joint_default_probability

    joint = joint_default_probability(0.10, 0.002, 0.3)
    se = 5.0 * np.sqrt(joint / 200_000)
    assert abs(wrapped.expected_loss - 5.0 * joint) < 4 * se
    # rho -> 1: every obligor with the same PD defaults together; the 99.9 % loss is the whole book
    full = _pool(50, 0.01, 1.0).run(50_000, seed=1, contributions=False)
    assert set(np.unique(full.losses)) <= {0.0, 50.0}
    assert full.var_at(0.999) == 50.0


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: _pool(3, 1.2, 0.2), "p_default must be a probability"),
        (lambda: CopulaModel(["a"], [1.0], [0.01], [1.4], [[0.3]]), "lgd must be"),
        (lambda: CopulaModel.from_correlation(["a", "b", "c"], [1, 1, 1], [0.01] * 3, [0.5] * 3,
                                               [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]),
         "not positive semi-definite"),
        (lambda: _pool(3, 0.01, 0.2).run(1000, seed=1.5), "seed must be an int"),
        (lambda: _pool(3, 0.01, 0.2).run(1000, seed="1"), "seed must be an int"),
        (lambda: CopulaModel(["a"], [1.0], [0.01], [0.4], [[0.8, 0.8]]), "squared norm"),
        (lambda: _pool(3, 0.01, 0.2, copula="t"), "needs dof"),
    ],
)
def test_bad_input(make, match):
    with pytest.raises(SpecError, match=match):
        make()


def test_var_contributions_estimator_matches_the_asymptotic_single_risk_factor_limit():
    """The window estimate of E[L_i | L = VaR], before any rescaling, sums to VaR and, per group of a
    fine-grained one-factor book, approaches the ASRF contribution w_i p_i(z_q) (Gordy 2003): an
    estimator check, not the rescaling's identity."""
    from scipy import stats as st

    from borrowedtime.credit.copula import CopulaModel

    n = 400
    names = [f"a{i}" for i in range(n)] + [f"b{i}" for i in range(n)]
    ead = np.r_[np.full(n, 1.0), np.full(n, 2.0)]
    p = np.r_[np.full(n, 0.01), np.full(n, 0.03)]
    rho = 0.2
    res = CopulaModel.one_factor(names, ead, p, np.full(2 * n, 0.45), rho).run(200_000, seed=1)
    for q, tag in ((0.99, "99"), (0.999, "999")):
        raw = res.contributions[f"var_{tag}_window_usd_bn"]
        assert raw.sum() == pytest.approx(res.var_at(q), rel=0.03)
        cond = st.norm.cdf((st.norm.ppf(p) + np.sqrt(rho) * st.norm.ppf(q)) / np.sqrt(1 - rho))
        asrf = ead * 0.45 * cond
        assert raw.iloc[:n].sum() == pytest.approx(asrf[:n].sum(), rel=0.06)
        assert raw.iloc[n:].sum() == pytest.approx(asrf[n:].sum(), rel=0.06)


def test_var_interval_covers_the_true_quantile_at_its_level():
    from borrowedtime.credit.copula import var_interval

    rng = np.random.default_rng(7)
    q, truth = 0.999, 3.090232306167813  # standard normal 99.9 % quantile
    hits = [lo <= truth <= hi for lo, hi in (var_interval(rng.standard_normal(20_000), q) for _ in range(300))]
    # at least 95 % by construction; 300 trials: the share falls below 0.91 with probability < 1 %
    assert np.mean(hits) >= 0.91


def test_es_standard_error_matches_the_spread_of_repeated_estimates():
    from borrowedtime.credit.copula import es_standard_error

    rng = np.random.default_rng(11)
    q = 0.99
    est, se = [], []
    for _ in range(300):
        x = rng.exponential(size=20_000)
        v = np.quantile(x, q)
        est.append(x[x >= v].mean())
        se.append(es_standard_error(x, q))
    assert np.mean(est) == pytest.approx(np.log(100) + 1.0, rel=0.01)  # ES of Exp(1) at 99 %: VaR + 1
    assert np.mean(se) == pytest.approx(np.std(est, ddof=1), rel=0.15)
