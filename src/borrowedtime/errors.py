"""One exception hierarchy and one warning base for the whole package.

Each error also inherits the builtin it refines, so ``except ValueError``
written by a user still catches a :class:`DataError`.
"""

from __future__ import annotations

__all__ = [
    "BorrowedTimeError",
    "DataError",
    "SpecError",
    "ConvergenceError",
    "BorrowedTimeWarning",
    "DataQualityWarning",
    "HindsightWarning",
]


class BorrowedTimeError(Exception):
    """Base of every error raised on purpose."""


class DataError(BorrowedTimeError, ValueError):
    """Unusable input data: names the file, row or field and what was expected."""


class SpecError(BorrowedTimeError, ValueError):
    """Invalid model, parameter or complex specification."""


class ConvergenceError(BorrowedTimeError, RuntimeError):
    """An optimiser or fixed point failed."""


class BorrowedTimeWarning(UserWarning):
    """Base of every warning: one filter silences all of ours."""


class DataQualityWarning(BorrowedTimeWarning):
    """Gaps, stale or revised values."""


class HindsightWarning(BorrowedTimeWarning):
    """A smoothed (two-sided) estimate reached a real-time path."""
