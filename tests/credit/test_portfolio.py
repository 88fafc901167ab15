"""Closed forms of credit/portfolio.py against published values."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.credit import finite_pool_tail, large_pool_cdf, large_pool_quantile, risk_weight
from borrowedtime.credit.portfolio import capital_requirement, vasicek_quantile
from borrowedtime.errors import SpecError

# Basel Committee on Banking Supervision, "International Convergence of Capital Measurement and Capital
# Standards: A Revised Framework, Comprehensive Version" (June 2006), Annex 5 "Illustrative IRB Risk
# Weights", risk weights for UL in percent, M = 2.5 years. Columns: corporate LGD 45 % (turnover EUR 50 mn,
# i.e. no SME adjustment), SME LGD 45 % turnover EUR 5 mn, residential mortgages LGD 45 % and 25 %, other
# retail LGD 45 % and 85 %, qualifying revolving retail LGD 45 % and 85 %. The table is printed rounded to
# 0.01 and a few entries differ from the formula in double precision by up to 0.01 (PD 2 %: 114.854), so the
# tolerance is 0.01 percentage points absolute (plus float slack).
COLUMNS = [
    ("corporate", 0.45), ("sme", 0.45), ("residential_mortgage", 0.45), ("residential_mortgage", 0.25),
    ("other_retail", 0.45), ("other_retail", 0.85), ("qrre", 0.45), ("qrre", 0.85),
]
ANNEX5 = {
    0.0003: [14.44, 11.30, 4.15, 2.30, 4.45, 8.41, 0.98, 1.85],
    0.0005: [19.65, 15.39, 6.23, 3.46, 6.63, 12.52, 1.51, 2.86],
    0.0010: [29.65, 23.30, 10.69, 5.94, 11.16, 21.08, 2.71, 5.12],
    0.0025: [49.47, 39.01, 21.30, 11.83, 21.15, 39.96, 5.76, 10.88],
    0.0040: [62.72, 49.49, 29.94, 16.64, 28.42, 53.69, 8.41, 15.88],
    0.0050: [69.61, 54.91, 35.08, 19.49, 32.36, 61.13, 10.04, 18.97],
    0.0075: [82.78, 65.14, 46.46, 25.81, 40.10, 75.74, 13.80, 26.06],
    0.0100: [92.32, 72.40, 56.40, 31.33, 45.77, 86.46, 17.22, 32.53],
    0.0130: [100.95, 78.77, 67.00, 37.22, 50.80, 95.95, 21.02, 39.70],
    0.0150: [105.59, 82.11, 73.45, 40.80, 53.37, 100.81, 23.40, 44.19],
    0.0200: [114.86, 88.55, 87.94, 48.85, 57.99, 109.53, 28.92, 54.63],
    0.0250: [122.16, 93.43, 100.64, 55.91, 60.90, 115.03, 33.98, 64.18],
    0.0300: [128.44, 97.58, 111.99, 62.22, None, None, None, None],  # only these four typed
}
CASES = [
    (pd_, cls, lgd, rw)
    for pd_, row in ANNEX5.items()
    for (cls, lgd), rw in zip(COLUMNS, row, strict=True)
    if rw is not None
]


@pytest.mark.parametrize(("pd_", "asset_class", "lgd", "published"), CASES)
def test_risk_weight_matches_basel_annex5(pd_, asset_class, lgd, published):
    got = 100.0 * float(risk_weight(pd_, lgd, 2.5, asset_class))
    assert got == pytest.approx(published, abs=0.01 + 1e-9)


def test_risk_weight_is_decimal_and_vectorised():
    assert float(risk_weight(0.01, 0.45)) == pytest.approx(0.9232, abs=1e-4)
    rw = risk_weight(np.array([0.0003, 0.01]), 0.45)
    assert rw.shape == (2,)
    assert rw[1] > rw[0]


def test_maturity_one_year_drops_the_maturity_factor():
    # K(M) / K(2.5) = 1 + (M - 2.5) b, whatever the PD
    from borrowedtime.credit.portfolio import maturity_adjustment

    b = maturity_adjustment(0.01)
    ratio = capital_requirement(0.01, 0.45, 1.0) / capital_requirement(0.01, 0.45, 2.5)
    assert ratio == pytest.approx(1.0 - 1.5 * b, rel=1e-12)


# Large-pool values: the quadrature values, checked there by an 8-million-path simulation to ~0.3 %.
@pytest.mark.parametrize(
    ("q", "copula", "dof", "expected"),
    [
        (0.99, "gaussian", None, 0.075251),
        (0.999, "gaussian", None, 0.145525),
        (0.99, "t", 4, 0.193920),
        (0.999, "t", 4, 0.441808),
        (0.99, "t", 10, 0.129453),
    ],
)
def test_large_pool_quantile_published(q, copula, dof, expected):
    assert large_pool_quantile(0.01, 0.2, q, copula=copula, dof=dof) == pytest.approx(expected, abs=6e-7)


def test_t_large_pool_tends_to_gaussian_as_dof_grows():
    g = large_pool_quantile(0.02, 0.12, 0.999)
    # the gap closes like 1/dof (measured: 0.6 % at dof 2,000, 0.02 % at 100,000)
    t = large_pool_quantile(0.02, 0.12, 0.999, copula="t", dof=100_000)
    assert t == pytest.approx(g, rel=5e-4)
    # and the Gaussian cdf inverts the Gaussian quantile
    assert large_pool_cdf(g, 0.02, 0.12) == pytest.approx(0.999, abs=1e-12)


def test_vasicek_quantile_style_guide_value():
    # STYLE.md quotes Vasicek's 99.9 % loss rate 0.14728 at p = 2 %, rho = 0.12
    assert vasicek_quantile(0.02, 0.12, 0.999) == pytest.approx(0.14728, abs=5e-6)


def test_finite_pool_tail_qrm_value():
    # qrmtutorial/qrm, chapter 11 (McNeil, Frey and Embrechts' own tutorial code): 100 loans, PD 5 %,
    # asset correlation 5 %: P(defaults >= 20) = 0.001121173.
    # Our quadrature gives 0.00112117249 (Gauss-Hermite with 100 and 150 nodes agrees to 1e-17); the
    # published figure is printed to nine decimals, so the tolerance is one unit of its last digit.
    assert finite_pool_tail(100, 0.05, 0.05, 20) == pytest.approx(0.001121173, abs=1e-9)
    # rho = 0: plain binomial
    from scipy import stats

    assert finite_pool_tail(100, 0.05, 0.0, 10) == pytest.approx(stats.binom.sf(9, 100, 0.05), rel=1e-9)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: risk_weight(1.2, 0.45), "pd must be a probability"),
        (lambda: risk_weight(-0.01, 0.45), "pd must be a probability"),
        (lambda: risk_weight(0.01, 1.3), "lgd must be a decimal"),
        (lambda: risk_weight(0.01, 0.45, asset_class="mortgage"), "asset_class must be one of"),
        (lambda: large_pool_quantile(0.01, 1.0, 0.99), "rho must be an asset correlation"),
        (lambda: large_pool_quantile(0.01, 0.2, 0.99, copula="t"), "needs dof"),
        (lambda: large_pool_quantile(0.01, 0.2, 0.99, copula="clayton"), "copula must be"),
        (lambda: finite_pool_tail(100, 0.05, 0.05, 101), "k must be an int"),
    ],
)
def test_bad_input_is_a_spec_error(call, match):
    with pytest.raises(SpecError, match=match):
        call()
