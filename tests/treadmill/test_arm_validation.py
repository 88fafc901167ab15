"""The dated ARM model against published outcomes: GAO-10-806SP, subprime cohorts at 2009-09-30.

Published values typed from U.S. GAO, GAO-10-806SP, "Nonprime Mortgages: Data on Loan
Performance by Cohort Year, Product Type, and Location" (2010), table "Number and Percentage of
Subprime Loans Originated from 2000 through 2007 in Different Status Categories as of
September 30, 2009" (https://files.gao.gov/special.pubs/gao-10-806sp/t4s.htm), percent of loans.
"""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.treadmill.arm import (
    MISSING_MECHANISMS,
    VALIDATION_TOLERANCE,
    ArmSpec,
)
from borrowedtime.treadmill.dated_inputs import (
    arm_inputs,
    credit_supply_from_volumes,
    reset_index_series,
)

# vintage: (prepaid, default, in foreclosure, foreclosure completed), percent of the cohort's loans
GAO_10_806SP = {
    2003: (75.6, 1.2, 0.8, 8.8),
    2005: (51.4, 5.7, 4.6, 17.3),
    2006: (26.8, 11.6, 9.5, 21.4),
    2007: (16.3, 15.6, 12.1, 13.7),
}


def test_packaged_published_values_are_the_typed_ones():
    cohorts = arm_inputs()["gao_10_806sp"]["cohorts"]
    for year, (prepaid, default, foreclosure, completed) in GAO_10_806SP.items():
        c = cohorts[year]
        assert (c["prepaid"], c["default"], c["foreclosure"], c["completed"]) == (prepaid, default, foreclosure,
                                                                                   completed)
        # the status shares of a cohort add up to 100 % (GAO rounds each to 0.1)
        total = sum(c[k] for k in ("prepaid", "current", "delinquent", "default", "foreclosure", "completed",
                                   "unknown"))
        assert total == pytest.approx(100.0, abs=0.35)


def test_sourced_inputs():
    idx = reset_index_series()
    # 3-month T-bill 2004Q1 0.94 %, 2006Q3 4.90 %, 2008Q4 0.12 % (statsmodels macrodata) + 0.4 point
    assert idx["2004-02-01"] == pytest.approx(0.0094 + 0.004)
    assert idx["2006-08-01"] == pytest.approx(0.0490 + 0.004)
    assert idx["2008-12-01"] == pytest.approx(0.0012 + 0.004)
    supply = credit_supply_from_volumes()
    assert supply[2005] == 1.0 and supply[2007] == pytest.approx(191 / 625)
    spec = ArmSpec.sourced()
    months = np.array([2006 * 12 + 7, 2011 * 12])  # 2006-08, and past the end of both inputs
    assert spec.index_at(months)[0] == pytest.approx(0.053)
    assert spec.index_at(months)[1] == pytest.approx(0.0012 + 0.004)  # last value held
    assert spec.supply_at(months).tolist() == pytest.approx([600 / 625, 191 / 625])


@pytest.fixture(scope="module")
def validation(case_shiller):
    spec = ArmSpec.sourced(vintages=(2003, 2005, 2006, 2007))
    return spec.run(case_shiller, n_loans=48 * 4000, seed=0).gao_validation().set_index(["vintage", "measure"])


def test_gao_comparison_table(validation):
    for year, (prepaid, default, foreclosure, completed) in GAO_10_806SP.items():
        assert validation.loc[(year, "prepaid"), "published"] == pytest.approx(prepaid / 100)
        assert validation.loc[(year, "troubled"), "published"] == pytest.approx((default + foreclosure + completed) / 100)
    rel = validation["model"] / validation["published"] - 1
    np.testing.assert_allclose(validation["relative_error"], rel)
    assert (validation["within_target"] == (rel.abs() <= VALIDATION_TOLERANCE)).all()
    # Measured (1M loans, seed 0): the prepaid shares of 2005 and 2006 land within the target
    # without refitting (the credit supply and the dated index carry them) ...
    assert validation.loc[(2005, "prepaid"), "within_target"]
    assert validation.loc[(2006, "prepaid"), "within_target"]
    # ... the 2006 troubled share stays above 2003's (the published ordering) ...
    assert validation.loc[(2006, "troubled"), "model"] > 1.5 * validation.loc[(2003, "troubled"), "model"]
    # ... but the troubled shares of 2005-2007 fall short by far more than 25 %: the sourced
    # mechanisms are not enough, and the model names what is missing instead of tuning.
    for year in (2005, 2006, 2007):
        assert validation.loc[(year, "troubled"), "relative_error"] < -VALIDATION_TOLERANCE
    assert len(MISSING_MECHANISMS) == 3


def test_constant_index_model_prepays_too_much(case_shiller):
    """The default (constant index, constant credit) model: 2006 prepaid far above GAO's 26.8 %."""
    res = ArmSpec(vintages=(2006,)).run(case_shiller, n_loans=12 * 3000, seed=0).gao_validation()
    prepaid = res.set_index("measure").loc["prepaid"]
    assert prepaid["relative_error"] > VALIDATION_TOLERANCE


def test_sourced_calibration_recovers_committed_value(case_shiller):
    from borrowedtime.treadmill.calibration import calibrate_refi_intensity

    lam = calibrate_refi_intensity(case_shiller, spec=ArmSpec.sourced(), n_loans=12 * 4096, seed=3, xtol=1e-4)
    assert lam == pytest.approx(ArmSpec.sourced().refi_intensity, abs=0.003)
