"""The one calibrated number of the 2/28 cohorts: the monthly refinance intensity.

Root-found so that a vintage's refinanced share by a date meets a stated
target (:data:`~borrowedtime.treadmill.arm.CALIBRATION_TARGET`, the essay's
"nearly four in five" 2003 hybrids refinanced by the end of 2006), never fitted
to the GAO outcomes the model is validated against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd

from borrowedtime.errors import SpecError
from borrowedtime.treadmill.arm import BLOCK_SIZE, CALIBRATION_TARGET, ArmSpec

__all__ = ["calibrate_refi_intensity"]


def calibrate_refi_intensity(
    prices: pd.Series,
    spec: ArmSpec | None = None,
    *,
    target: float = CALIBRATION_TARGET,
    vintage: int = 2003,
    by: str = "2006-12-01",
    n_loans: int = 12 * BLOCK_SIZE,
    seed: int = 0,
    bracket: tuple[float, float] = (0.005, 0.5),
    xtol: float = 1e-5,
    runner: Callable[[ArmSpec, int, int], Any] | None = None,
) -> float:
    """Root-find the monthly refinance intensity that refinances ``target`` of a vintage by a date.

    The one calibrated number of the model. Brent's method on
    ``share(lambda) - target`` with common random numbers (the same seed at
    every trial), simulating only the target vintage.

    Parameters
    ----------
    prices : pandas.Series
        The driving series (Case-Shiller U.S. National NSA for the default).
    spec : ArmSpec, optional
        Every other setting (default :class:`ArmSpec`).
    target : float, default :data:`CALIBRATION_TARGET`
        Share of the vintage refinanced by ``by``.
    vintage : int, default 2003
    by : date-like, default 2006-12
    n_loans : int, default 12 * BLOCK_SIZE
        Loans of the vintage (Monte Carlo standard error about 0.001).
    seed : int, default 0
    bracket : (float, float)
        Interval searched for the intensity.
    xtol : float
        Absolute tolerance on the intensity.
    runner : callable, optional
        ``runner(spec, n_loans, seed)`` returning a result with ``share_by``
        (default ``spec.run(prices, ...)``); the regional run passes its own
        (:func:`borrowedtime.treadmill.regional.calibrate_regional`).

    Returns
    -------
    float
        Monthly refinance probability of an eligible borrower.

    Raises
    ------
    SpecError
        The target is not reachable within ``bracket``.
    """
    from scipy.optimize import brentq

    base = replace(spec or ArmSpec(), vintages=(vintage,))

    def gap(lam: float) -> float:
        trial = replace(base, refi_intensity=lam)
        result = (trial.run(prices, n_loans=n_loans, seed=seed) if runner is None
                  else runner(trial, n_loans, seed))
        return float(result.share_by("refinanced", by)[vintage]) - target

    lo, hi = bracket
    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo > 0 or g_hi < 0:
        raise SpecError(
            f"calibrate_refi_intensity: a {vintage} refinanced share of {target} by {by} is outside what "
            f"intensities in {bracket} give ({g_lo + target:.3f}..{g_hi + target:.3f})."
        )
    return float(brentq(gap, lo, hi, xtol=xtol))
