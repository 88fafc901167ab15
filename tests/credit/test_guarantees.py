"""Guarantees: Basel double default, look-through, residual-value guarantees."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.credit.guarantees import (
    double_default_capital,
    double_default_risk_weight,
    joint_default_probability,
    residual_value_loss,
    substitution_pd,
    wrapped_pd,
)
from borrowedtime.credit.portfolio import capital_requirement
from borrowedtime.errors import SpecError


def test_double_default_issue_values():
    # Basel II para 284 (the formula as the issue states it; no published worked example exists):
    # PD_o 1 %, PD_g 0.1 %, LGD_g 45 %, M 2.5 -> K0 0.093112, K_DD 0.028865, RW 36.08 %.
    out = double_default_capital(0.01, 0.001, 0.45, 2.5)
    assert out["k0"] == pytest.approx(0.093112, abs=5e-7)
    assert out["k_dd"] == pytest.approx(0.028865, abs=5e-7)
    assert 100 * out["risk_weight"] == pytest.approx(36.08, abs=0.005)
    # K0 is not Annex 5's corporate K at PD 1 % (92.32 % / 12.5), because b uses min(PD_o, PD_g)
    assert out["k0"] != pytest.approx(0.9232 / 12.5, abs=1e-3)
    # with PD_g >= PD_o the maturity slope is the obligor's, and K0 = LGD_g (N(.) - PD_o) MA is exactly the
    # corporate K of the obligor
    same_b = double_default_capital(0.01, 0.02)
    k_corp = float(capital_requirement(0.01, 0.45))
    assert same_b["k0"] == pytest.approx(k_corp, rel=1e-12)
    assert double_default_risk_weight(0.01, 0.001) == pytest.approx(out["risk_weight"])


def test_substitution_is_not_double_default():
    # the substitution approach puts the guarantor's PD in the corporate formula: a different number
    sub_rw = 12.5 * float(capital_requirement(substitution_pd(0.01, 0.001), 0.45))
    assert sub_rw == pytest.approx(0.2965, abs=1e-4)  # Annex 5 corporate at PD 0.10 %: 29.65 %
    assert sub_rw != pytest.approx(double_default_risk_weight(0.01, 0.001), abs=1e-3)


def test_joint_default_limits():
    assert joint_default_probability(0.05, 0.01, 0.0) == pytest.approx(0.0005, rel=1e-6)
    assert joint_default_probability(0.05, 0.01, 1.0) == pytest.approx(0.01)
    lo, mid, hi = (joint_default_probability(0.05, 0.01, r) for r in (0.1, 0.4, 0.9))
    assert 0.0005 < lo < mid < hi < 0.01
    # Monte Carlo check of the bivariate normal at rho 0.4 (2e6 draws; 4 standard errors)
    rng = np.random.default_rng(3)
    z = rng.standard_normal((2_000_000, 2))
    x2 = 0.4 * z[:, 0] + np.sqrt(1 - 0.16) * z[:, 1]
    from scipy.stats import norm

    mc = np.mean((z[:, 0] < norm.ppf(0.05)) & (x2 < norm.ppf(0.01)))
    se = np.sqrt(mid * (1 - mid) / 2_000_000)
    assert abs(mc - mid) < 4 * se


def test_wrap_lifts_the_wrapped_and_leaves_the_naked():
    naked = wrapped_pd(0.05, None, 0.3)
    wrapped = wrapped_pd(0.05, 0.0002, 0.3)
    assert naked == 0.05
    assert wrapped < 0.0002 < naked
    partly = wrapped_pd(0.05, 0.0002, 0.3, coverage=0.5)
    assert partly == pytest.approx(0.5 * wrapped + 0.5 * 0.05)


def test_residual_value_guarantee():
    loss = residual_value_loss(31.0, np.array([10.0, 10.0, 40.0]), 25.0, np.array([False, True, False]))
    np.testing.assert_allclose(loss, [6.0, 21.0, 0.0])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: double_default_capital(1.5, 0.001), "pd_obligor"),
        (lambda: double_default_capital(0.01, 0.001, lgd_guarantor=1.2), "lgd_guarantor"),
        (lambda: joint_default_probability(0.01, 0.02, 1.5), "rho"),
        (lambda: residual_value_loss(-1.0, 1.0, 1.0, False), "debt_usd_bn"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(SpecError, match=match):
        call()
