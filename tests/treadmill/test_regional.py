"""The 2/28 cohorts on the FHFA state paths (../shared/data): prices, weights, equivalences, the measured gap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.errors import DataError, SpecError
from borrowedtime.treadmill.arm import VALIDATION_TOLERANCE, ArmSpec
from borrowedtime.treadmill.regional import (
    load_state_prices,
    monthly_state_prices,
    national_on_every_state,
    regional_inputs,
    regional_spec,
    run_regional,
    state_weights,
)

GAO_TROUBLED = {2005: 0.276, 2006: 0.425, 2007: 0.414}  # GAO-10-806SP, default + foreclosure + completed


@pytest.fixture(scope="module")
def quarterly():
    return load_state_prices()


@pytest.fixture(scope="module")
def monthly(quarterly):
    return monthly_state_prices(quarterly, "interpolate")


def test_state_file_facts(quarterly):
    # shared/data/README.md: Nevada rose to 407.8 in 2006Q3 and stood at 188.7 in 2011Q4
    assert quarterly.shape[1] == 51
    assert quarterly.loc["2006-07-01", "NV"] == pytest.approx(407.8, abs=0.05)
    assert quarterly.loc["2011-10-01", "NV"] == pytest.approx(188.7, abs=0.05)
    assert quarterly.index[-1] == pd.Timestamp("2011-10-01")


def test_weights_typed_table_and_sum_to_one(quarterly):
    w = regional_inputs()["state_weights"]
    assert w["kind"] == "proxy" and "ST-EST00INT-01" in w["source"]
    values = w["values"]
    assert len(values) == 51
    # the 51 typed rows add up to the table's United States row, year by year
    for i, total in enumerate(w["us_total"]):
        assert sum(v[i] for v in values.values()) == total
    frame = state_weights()
    assert list(frame.index) == list(range(2001, 2008))
    np.testing.assert_allclose(frame.sum(axis=1), 1.0, atol=1e-12)
    assert set(frame.columns) == set(quarterly.columns)
    assert (frame > 0).all().all()
    # California is the largest state every year (about an eighth of the population)
    assert (frame.idxmax(axis=1) == "CA").all()


def test_monthly_rules(quarterly):
    interp = monthly_state_prices(quarterly, "interpolate")
    # each quarter's value sits at its middle month ...
    assert interp.loc["2006-08-01", "NV"] == pytest.approx(quarterly.loc["2006-07-01", "NV"])
    # ... and months between two middles are log-linear between them
    a, b = quarterly.loc["2006-07-01", "CA"], quarterly.loc["2006-10-01", "CA"]
    assert interp.loc["2006-09-01", "CA"] == pytest.approx(np.exp(np.log(a) * 2 / 3 + np.log(b) / 3))
    step = monthly_state_prices(quarterly, "step")
    assert step.loc["2006-09-01", "CA"] == pytest.approx(a)
    published = monthly_state_prices(quarterly, "published")
    # Q3 2006 (Jul-Sep) is first used in December 2006; November still holds Q2
    assert published.loc["2006-12-01", "CA"] == pytest.approx(a)
    assert published.loc["2006-11-01", "CA"] == pytest.approx(quarterly.loc["2006-04-01", "CA"])
    with pytest.raises(SpecError, match="rule must be one of"):
        monthly_state_prices(quarterly, "cubic")


def test_bad_state_file(tmp_path):
    bad = tmp_path / "hpi.csv"
    bad.write_text("date,CA,NV\n2005-01-01,100,100\n2005-04-01,101,-3\n2005-07-01,102,104\n")
    with pytest.raises(DataError, match=r"row 3: field 'NV' must be a positive"):
        load_state_prices(bad)
    gap = tmp_path / "gap.csv"
    gap.write_text("date,CA\n2005-01-01,100\n2005-07-01,101\n")
    with pytest.raises(DataError, match="consecutive quarter starts"):
        load_state_prices(gap)


def test_national_path_on_every_state_equals_national_run(case_shiller):
    """Every state given the national path: the regional run is the national run, count for count."""
    spec = ArmSpec.sourced(vintages=(2005, 2006))
    nat = spec.run(case_shiller, n_loans=24 * 700, seed=5)
    prices = national_on_every_state(case_shiller, tuple(state_weights().columns))
    reg = run_regional(spec, prices, n_loans=24 * 700, seed=5)
    np.testing.assert_array_equal(reg.aggregate.refi_by_age, nat.refi_by_age)
    np.testing.assert_array_equal(reg.aggregate.default_by_age, nat.default_by_age)
    np.testing.assert_array_equal(reg.aggregate.reset_hits, nat.reset_hits)
    # the loans did spread over the states, and the per-state counts add up to the aggregate
    assert (reg.loans > 0).sum() > 40 * 24
    np.testing.assert_array_equal(reg.default_by_age.sum(axis=1), nat.default_by_age)


def test_one_state_weight_is_that_states_national_run(monthly):
    spec = ArmSpec.sourced(vintages=(2006,))
    w = pd.DataFrame(0.0, index=[2006], columns=monthly.columns)
    w["NV"] = 1.0
    reg = run_regional(spec, monthly, w, n_loans=12 * 500, seed=2)
    alone = spec.run(monthly["NV"].rename("NV"), n_loans=12 * 500, seed=2)
    np.testing.assert_array_equal(reg.aggregate.default_by_age, alone.default_by_age)
    assert reg.by_state().loc[("NV", 2006), "loans"] == 12 * 500


def test_bad_weights(monthly):
    spec = ArmSpec.sourced(vintages=(2006,))
    w = pd.DataFrame(0.5, index=[2006], columns=["CA", "NV", "FL"])
    with pytest.raises(SpecError, match="sum to one"):
        run_regional(spec, monthly, w, n_loans=100)
    with pytest.raises(SpecError, match="no row for vintage"):
        run_regional(spec, monthly, w.rename(index={2006: 2005}) / 1.5, n_loans=100)
    with pytest.raises(SpecError, match="no price path"):
        run_regional(spec, monthly, pd.DataFrame(1.0, index=[2006], columns=["PR"]), n_loans=100)


@pytest.fixture(scope="module")
def regional(monthly):
    return run_regional(regional_spec(vintages=(2003, 2005, 2006, 2007)), monthly, n_loans=48 * 4000, seed=0)


def test_regional_calibration_holds(regional):
    # the one calibrated number, root-found on the state paths to the same 2003 target (0.78 by 2006-12);
    # 38,400 loans of 2003: standard error about 0.002
    assert regional.to_frame().loc[2003, "refinanced_by_2006_end"] == pytest.approx(0.78, abs=0.01)


def test_by_state_table(regional):
    frame = regional.by_state()
    assert frame.index.get_level_values("state").nunique() == 51
    loans = frame["loans"].groupby(level="vintage").sum()
    # every vintage year's loans are placed in some state (all months 2003-01..2007-12 run, 2004 included)
    assert (loans == 12 * regional.aggregate.n_per_vintage).all()
    ok = frame.dropna()
    assert ok["troubled"].between(0, 1).all() and ok["prepaid"].between(0, 1).all()
    # Nevada's index fell about 40 % from mid-2006 to 2009-09 (FHFA all-transactions)
    assert frame.loc[("NV", 2006), "price_change"] < -0.35


def test_measured_gap_and_what_the_states_show(regional):
    """Measured, out of sample: the state paths with proxy weights do not reach GAO; not even the worst state."""
    val = regional.gao_validation().set_index(["vintage", "measure"])
    for year in (2005, 2006, 2007):
        assert val.loc[(year, "troubled"), "relative_error"] < -VALIDATION_TOLERANCE
    span = regional.state_range(min_loans=300)
    # no weighting of these state runs can reach GAO's 2006/2007 troubled shares: the highest state is below
    for year in (2006, 2007):
        assert span.loc[year, "highest"] < GAO_TROUBLED[year]
    # and the highest states are the bust states
    assert span.loc[2006, "highest_state"] in {"NV", "CA", "FL", "AZ"}


def test_regional_calibration_recovers_committed_value(monthly):
    # the same root-find as tests/treadmill/results/calibrate_arm.py on fresh random numbers (seed 3,
    # 49,152 loans of 2003): lambda's Monte Carlo error is about 0.0005 (test_arm.py), tolerance 0.003
    from borrowedtime.treadmill.regional import (
        CALIBRATED_REFI_INTENSITY_REGIONAL,
        calibrate_regional,
    )

    lam = calibrate_regional(ArmSpec.sourced(), monthly, n_loans=12 * 4096, seed=3, xtol=1e-4)
    assert lam == pytest.approx(CALIBRATED_REFI_INTENSITY_REGIONAL, abs=0.003)


def test_without_supply_calibration_recovers_committed_value(case_shiller):
    from borrowedtime.treadmill.calibration import calibrate_refi_intensity

    spec = ArmSpec.sourced_without_supply()
    assert spec.credit_supply is None and spec.reset_index is not None
    lam = calibrate_refi_intensity(case_shiller, spec=spec, n_loans=12 * 4096, seed=3, xtol=1e-4)
    assert lam == pytest.approx(spec.refi_intensity, abs=0.003)
