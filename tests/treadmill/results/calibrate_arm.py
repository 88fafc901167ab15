"""Calibrate the ARM model's one free number and record it.

Run from the project root (the Case-Shiller file is read from ../shared/data):

    .venv/bin/python tests/treadmill/results/calibrate_arm.py

It root-finds (Brent) the monthly refinance intensity at which the 2003
vintage of :class:`borrowedtime.treadmill.arm.ArmSpec` is 0.78 refinanced by
2006-12 on the Case-Shiller U.S. National NSA index (FRED CSUSHPINSA), with
every other parameter at its documented default, and writes the value to
``arm_calibration.json`` beside this script. The value is then copied by hand
into ``_CALIBRATED_REFI_INTENSITY`` in ``src/borrowedtime/treadmill/arm.py``
(rounded to four decimals); ``tests/treadmill/test_arm.py`` checks that the
default spec still hits the target. The same root-find, same target, seed and
loans, sets the intensity of three variants: ``ArmSpec.sourced_without_supply()``
(``_CALIBRATED_REFI_INTENSITY_NO_SUPPLY``), and the regional run on the FHFA
state paths with and without the credit supply (``regional.CALIBRATED_REFI_INTENSITY_REGIONAL``
and ``..._NO_SUPPLY``). Nothing is fitted to GAO-10-806SP.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from borrowedtime.series import load_series
from borrowedtime.treadmill.arm import (
    BLOCK_SIZE,
    CALIBRATION_TARGET,
    ArmSpec,
)
from borrowedtime.treadmill.calibration import calibrate_refi_intensity
from borrowedtime.treadmill.regional import (
    calibrate_regional,
    load_state_prices,
    monthly_state_prices,
)

HERE = Path(__file__).resolve().parent
PRICES = Path("../shared/data/case_shiller_us_national_monthly.csv")


def main() -> None:
    prices = load_series(PRICES, column="National-US")
    n_loans = 12 * BLOCK_SIZE
    start = time.perf_counter()
    lam = calibrate_refi_intensity(prices, target=CALIBRATION_TARGET, n_loans=n_loans, seed=0)
    spec = {k: v for k, v in asdict(ArmSpec()).items()
            if k not in ("refi_intensity", "volumes", "reset_index", "credit_supply")}
    # the dated variant (ArmSpec.sourced): same target, seed and loans; nothing else fitted
    lam_sourced = calibrate_refi_intensity(prices, spec=ArmSpec.sourced(), target=CALIBRATION_TARGET,
                                           n_loans=n_loans, seed=0)
    lam_none = calibrate_refi_intensity(prices, spec=ArmSpec.sourced(credit_supply=None), target=CALIBRATION_TARGET,
                                        n_loans=n_loans, seed=0)
    states = monthly_state_prices(load_state_prices(), "interpolate")
    lam_reg = calibrate_regional(ArmSpec.sourced(), states, n_loans=n_loans, seed=0)
    lam_reg_none = calibrate_regional(ArmSpec.sourced(credit_supply=None), states, n_loans=n_loans, seed=0)
    out = {
        "parameter": "refi_intensity",
        "value": lam,
        "value_rounded": round(lam, 4),
        "target": {"vintage": 2003, "refinanced_by": "2006-12", "share": CALIBRATION_TARGET,
                   "source": "essay section I: nearly four in five subprime hybrid ARMs originated in 2003 "
                             "had been refinanced away by the end of 2006"},
        "prices": {"file": "../shared/data/case_shiller_us_national_monthly.csv", "column": "National-US",
                   "fred_id": "CSUSHPINSA"},
        "method": "scipy.optimize.brentq on share(lambda) - target, common random numbers (seed 0), "
                  f"{n_loans} loans of the 2003 vintage, xtol 1e-5",
        "other_parameters": spec,
        "sourced": {"value": lam_sourced, "value_rounded": round(lam_sourced, 4),
                    "spec": "ArmSpec.sourced(): reset index and credit supply from data/arm_inputs.yaml"},
        "sourced_without_supply": {"value": lam_none, "value_rounded": round(lam_none, 4),
                                   "spec": "ArmSpec.sourced() with credit_supply=None"},
        "regional": {"value": lam_reg, "value_rounded": round(lam_reg, 4),
                     "spec": "ArmSpec.sourced() on the 51 FHFA state paths (monthly rule 'interpolate'), loans "
                             "drawn by the population proxy of data/arm_regional.yaml"},
        "regional_without_supply": {"value": lam_reg_none, "value_rounded": round(lam_reg_none, 4),
                                    "spec": "the regional run with credit_supply=None"},
        "seconds": round(time.perf_counter() - start, 1),
    }
    (HERE / "arm_calibration.json").write_text(json.dumps(out, indent=2, default=list) + "\n")
    print(json.dumps(out, indent=2, default=list))


if __name__ == "__main__":
    main()
