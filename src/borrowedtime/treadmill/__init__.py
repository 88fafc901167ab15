"""Refinancing treadmills: the 2/28 mortgage cohorts, the up-round borrower, the terminal refinance.

- :mod:`~borrowedtime.treadmill.arm`: loan-level hybrid-ARM vintages on a real home-price path.
- :mod:`~borrowedtime.treadmill.rounds`: the lab funded by up-rounds; required vs achievable step-up.
- :mod:`~borrowedtime.treadmill.ipo`: the two prices of the IPO and the region where none does both.
"""

from borrowedtime.treadmill.arm import ArmResult, ArmSpec, turn_date
from borrowedtime.treadmill.calibration import calibrate_refi_intensity
from borrowedtime.treadmill.ipo import IpoResult, IpoSpec
from borrowedtime.treadmill.result import TreadmillResult, run_treadmill
from borrowedtime.treadmill.rounds import RoundsResult, RoundsSpec, input_readings

__all__ = [
    "ArmSpec",
    "ArmResult",
    "calibrate_refi_intensity",
    "turn_date",
    "RoundsSpec",
    "RoundsResult",
    "input_readings",
    "IpoSpec",
    "IpoResult",
    "TreadmillResult",
    "run_treadmill",
]
