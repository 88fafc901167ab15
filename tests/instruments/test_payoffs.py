"""Instrument payoffs against the tenant's funding capacity: the credit ones are negatively convex."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.errors import SpecError
from borrowedtime.instruments.payoffs import (
    AbsWaterfall,
    CorporateBond,
    Equity,
    GpuTermLoan,
    TakeOrPayLease,
    convexity,
    payoff_table,
)

CREDIT = ("take_or_pay_lease", "gpu_term_loan", "abs_senior", "abs_mezzanine", "corporate_bond")


def test_credit_instruments_are_capped_and_concave_equity_is_linear():
    t = payoff_table()
    x = t["capacity"]
    above = x >= 1.0
    for k in CREDIT:
        f = t[k]
        assert np.all(np.diff(f) >= -1e-12), k  # more funding never hurts the lender
        assert np.allclose(f[above], 1.0), k  # capped at par: no upside
        assert f[0] < 1.0, k  # and a loss when the tenant cannot fund
        assert convexity(x, f) < 0.0, k  # short a put on the tenant's funding
    eq = t["equity"]
    assert convexity(x, eq) == pytest.approx(0.0, abs=1e-12)
    assert eq[-1] > eq[np.searchsorted(x, 1.0)]  # the equity keeps the upside


def test_lease_cash_flows():
    lease = TakeOrPayLease(annual_payment_usd_bn=10.0, term_years=4, relet_share=0.3)
    cf = lease.cash_flows(np.array([1.0, 0.5]))
    np.testing.assert_allclose(cf.sum(axis=-1), [40.0, 4 * (5.0 + 0.5 * 3.0)])


def test_gpu_loan_performs_sweeps_and_defaults():
    loan = GpuTermLoan()
    out = loan.cash_flows(np.array([1.0, 0.85, 0.3]))
    assert list(out["default_year"]) == [-1, -1, 0]
    interest_first = loan.principal_usd_bn * loan.rate
    assert out["receipts"][0, 0] == pytest.approx(interest_first + loan.principal_usd_bn / loan.term_years)
    # the covenant breach sweeps all income (0.85 x lease) in the first year
    assert out["receipts"][1, 0] == pytest.approx(0.85 * loan.annual_lease_usd_bn)
    # non-recourse: on default the lender gets the year's income and the liquidated collateral, no more
    recovery = 0.3 * loan.annual_lease_usd_bn + loan.collateral_usd_bn * loan.depreciation[0] * (1 - loan.liquidation_haircut)
    assert out["receipts"][2].sum() == pytest.approx(recovery)
    with pytest.raises(SpecError, match="depreciation"):
        GpuTermLoan(depreciation=(0.5, 0.8, 0.3, 0.2, 0.1))


def test_waterfall_is_sequential():
    w = AbsWaterfall(TakeOrPayLease(relet_share=0.0), senior=0.6, mezzanine=0.2)
    p = w.payoff(np.array([0.5, 0.7, 1.0]))
    np.testing.assert_allclose(p["senior"], [0.5 / 0.6, 1.0, 1.0])
    np.testing.assert_allclose(p["mezzanine"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(p["equity"], [0.0, 0.0, 1.0])
    with pytest.raises(SpecError, match="equity tranche"):
        AbsWaterfall(senior=0.8, mezzanine=0.3)


def test_bad_capacity():
    with pytest.raises(SpecError, match="funding capacity"):
        CorporateBond().payoff(np.array([-0.1]))
    with pytest.raises(SpecError, match="obligations"):
        Equity(obligations=-1.0)
