"""Optional numba: ``jit`` compiles when numba is installed, else returns the function.

After ``arch/compat/numba.py``: the plain-Python function is the reference and
the fallback; a ``PerformanceWarning`` says when the fallback is in use.
"""

from __future__ import annotations

import warnings

from borrowedtime.errors import BorrowedTimeWarning

__all__ = ["HAS_NUMBA", "jit", "jit_parallel", "prange", "PerformanceWarning"]


class PerformanceWarning(BorrowedTimeWarning):
    """A slow fallback is in use (numba not installed)."""


try:
    from numba import njit as _njit

    HAS_NUMBA = True
except ImportError:  # pragma: no cover - CI installs numba
    HAS_NUMBA = False


def jit(func):
    """Compile ``func`` with numba (nopython, cached) or return it unchanged."""
    if HAS_NUMBA:
        return _njit(cache=True)(func)

    def fallback(*args, **kwargs):  # pragma: no cover
        warnings.warn(f"numba is not installed; {func.__name__} runs in pure Python.",
                      PerformanceWarning, stacklevel=2)
        return func(*args, **kwargs)

    return fallback


try:
    from numba import prange
except ImportError:  # pragma: no cover
    prange = range


def jit_parallel(func):
    """Compile ``func`` with numba's parallel loops (``prange``) or return it unchanged."""
    if HAS_NUMBA:
        return _njit(cache=True, parallel=True)(func)
    return jit(func)  # pragma: no cover
