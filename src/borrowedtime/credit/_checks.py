"""Boundary checks shared by the credit modules: one sentence per kind of bad input."""

from __future__ import annotations

import numpy as np

from borrowedtime.errors import SpecError

__all__ = ["check_probability", "check_lgd", "check_rho", "check_correlation_matrix", "check_seed"]


def _as_array(value, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise SpecError(f"{name} must be a number or an array of numbers. Got {value!r}.") from None
    return arr


def check_probability(value, name: str = "pd", *, open_low: bool = False, open_high: bool = False):
    """``value`` as float/array in [0, 1] (ends excluded on request), else :class:`SpecError`."""
    arr = _as_array(value, name)
    lo_ok = arr > 0.0 if open_low else arr >= 0.0
    hi_ok = arr < 1.0 if open_high else arr <= 1.0
    bad = ~(np.isfinite(arr) & lo_ok & hi_ok)
    if bad.any():
        v = arr[bad].flat[0] if arr.ndim else float(arr)
        lo, hi = ("(0" if open_low else "[0"), ("1)" if open_high else "1]")
        raise SpecError(f"{name} must be a probability (decimal) in {lo}, {hi}. Got {v!r} instead.")
    return float(arr) if arr.ndim == 0 else arr


def check_lgd(value, name: str = "lgd"):
    """Loss given default as a decimal in [0, 1] (an LGD above 1 loses more than the exposure)."""
    arr = _as_array(value, name)
    bad = ~(np.isfinite(arr) & (arr >= 0.0) & (arr <= 1.0))
    if bad.any():
        v = arr[bad].flat[0] if arr.ndim else float(arr)
        raise SpecError(f"{name} must be a decimal share of exposure in [0, 1] (0.45 is 45 %). Got {v!r} instead.")
    return float(arr) if arr.ndim == 0 else arr


def check_rho(value, name: str = "rho", *, allow_one: bool = False):
    """Asset correlation in [0, 1) (or [0, 1] when ``allow_one``)."""
    arr = _as_array(value, name)
    hi_ok = arr <= 1.0 if allow_one else arr < 1.0
    bad = ~(np.isfinite(arr) & (arr >= 0.0) & hi_ok)
    if bad.any():
        v = arr[bad].flat[0] if arr.ndim else float(arr)
        raise SpecError(f"{name} must be an asset correlation in [0, {'1]' if allow_one else '1)'}. Got {v!r} instead.")
    return float(arr) if arr.ndim == 0 else arr


def check_correlation_matrix(matrix, name: str = "correlation", tol: float = 1e-10) -> np.ndarray:
    """A symmetric, unit-diagonal, positive semi-definite matrix, else :class:`SpecError` saying which."""
    c = _as_array(matrix, name)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise SpecError(f"{name} must be a square matrix. Got shape {c.shape}.")
    if not np.all(np.isfinite(c)):
        raise SpecError(f"{name} has a non-finite entry.")
    if not np.allclose(c, c.T, atol=1e-12):
        i, j = np.argwhere(~np.isclose(c, c.T, atol=1e-12))[0]
        raise SpecError(f"{name} is not symmetric: entry ({i}, {j}) is {c[i, j]!r} but ({j}, {i}) is {c[j, i]!r}.")
    if not np.allclose(np.diag(c), 1.0):
        raise SpecError(f"{name} must have ones on the diagonal. Got {np.diag(c).tolist()}.")
    low = float(np.linalg.eigvalsh(c).min())
    if low < -tol:
        raise SpecError(
            f"{name} is not positive semi-definite: its smallest eigenvalue is {low:.3g}. "
            "Correlations this inconsistent cannot all hold at once; repair the matrix (e.g. nearest correlation matrix)."
        )
    return c


def check_seed(seed, name: str = "seed") -> int:
    """An int seed >= 0 (the root of the SeedSequence), else :class:`SpecError`."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise SpecError(f"{name} must be an int >= 0. Got {type(seed).__name__} {seed!r} instead.")
    if seed < 0:
        raise SpecError(f"{name} must be an int >= 0. Got {seed!r} instead.")
    return int(seed)
