"""Hot loop of the hybrid-ARM cohort model, with its plain-Python reference twin.

:func:`simulate_loans_python` is the specification: one loan at a time, one
month at a time, in plain Python with :mod:`math`. :func:`simulate_loans` is
the same source compiled by the package's one wrapper
(:func:`borrowedtime._numba.jit`, ``nogil=True``), so the two are twins by
construction (the pattern of ``arch.univariate.recursions_python``);
``tests/test_kernel_twins.py`` checks that they agree exactly on the same
random draws, and ``benchmarks/bench_arm.py`` times them. Without numba
:func:`simulate_loans` falls back to the Python function with a
``PerformanceWarning``.

All randomness is drawn by the caller (NumPy, seeded per chunk) and passed in,
so both twins consume the very same numbers.
"""

from __future__ import annotations

import math

import numpy as np

from borrowedtime._numba import HAS_NUMBA, jit

__all__ = ["simulate_loans", "simulate_loans_python", "HAS_NUMBA", "REFI", "DEFAULT"]

REFI = 1
DEFAULT = 2


def simulate_loans_python(
    ltv0: np.ndarray,
    reset_age: np.ndarray,
    shock: np.ndarray,
    z: np.ndarray,
    u: np.ndarray,
    dlp: np.ndarray,
    bal: np.ndarray,
    n_months: int,
    sigma_month: float,
    ltv_limit: float,
    refi_cost: float,
    penalty: float,
    refi_prob: np.ndarray,
    base_hazard: float,
    beta_equity: float,
    beta_shock: float,
    exit_age: np.ndarray,
    exit_kind: np.ndarray,
    reset_hit: np.ndarray,
) -> None:
    """Run one chunk of loans of one origination month (plain Python reference).

    Parameters
    ----------
    ltv0 : (n,) float
        Combined loan-to-value at origination, decimal (1.0 is 100 %).
    reset_age : (n,) int
        Age in months of the first rate reset (24 for a 2/28, 36 for a 3/27).
    shock : (n,) float
        Payment shock at the reset: new payment / teaser payment - 1.
    z : (n, H) float
        Standard normal draws of the idiosyncratic house-price innovations.
    u : (n, H) float
        Uniform [0, 1) draws deciding each month's competing risks.
    dlp : (H,) float
        Log of the driving price index at age a+1 over its value at origination.
    bal : (H,) float
        Scheduled balance at age a+1 as a fraction of the original balance.
    n_months : int
        Months observable (<= H); loans alive after them are censored.
    sigma_month : float
        Monthly standard deviation of the idiosyncratic log house value.
    ltv_limit, refi_cost, penalty : float
        Lender's maximum CLTV, closing costs and prepayment penalty (before
        the reset), all decimals of the house value.
    refi_prob : (H,) float
        Monthly probability at age a+1 that a borrower who can refinance does
        (the calibrated intensity times the credit supply of that calendar month).
    base_hazard, beta_equity, beta_shock : float
        Monthly default hazard at CLTV 1 before the reset, its log-slope in
        CLTV and its log-slope in the payment shock after the reset.
    exit_age, exit_kind, reset_hit : (n,) arrays, written in place
        Age at exit (0: none), kind of exit (0 none, 1 refinance, 2 default),
        and whether the loan was still outstanding at its reset.
    """
    n = ltv0.shape[0]
    for i in range(n):
        x = 0.0
        exit_age[i] = 0
        exit_kind[i] = 0
        reset_hit[i] = False
        r_age = reset_age[i]
        for a in range(n_months):
            age = a + 1
            x += sigma_month * z[i, a]
            cltv = ltv0[i] * bal[a] * math.exp(-(dlp[a] + x))
            cost = refi_cost + (penalty if age < r_age else 0.0)
            p_refi = refi_prob[a] if cltv + cost <= ltv_limit else 0.0
            log_h = beta_equity * (cltv - 1.0)
            if age > r_age:
                log_h += beta_shock * shock[i]
            p_def = min(base_hazard * math.exp(log_h), 1.0 - p_refi)
            draw = u[i, a]
            if draw < p_def:
                exit_age[i] = age
                exit_kind[i] = DEFAULT
                break
            if draw < p_def + p_refi:
                exit_age[i] = age
                exit_kind[i] = REFI
                break
            if age == r_age:
                reset_hit[i] = True


simulate_loans = jit(simulate_loans_python, nogil=True)
"""Compiled twin of :func:`simulate_loans_python` (releases the GIL: the vintages run in threads)."""
