"""borrowedtime: watch the second derivative.

Structures that must refinance into growth break when growth decelerates,
not when it turns negative. This package observes the level, velocity and
acceleration of any series in real time, models the AI credit complex that
rides on it, and runs its mechanisms forward as Monte Carlo.
"""

from borrowedtime.errors import (
    BorrowedTimeError,
    BorrowedTimeWarning,
    ConvergenceError,
    DataError,
    DataQualityWarning,
    HindsightWarning,
    SpecError,
)
from borrowedtime.series import Frequency, as_series, infer_frequency, load_series
from borrowedtime.verdict import Verdict, verdict  # noqa: E402  (the function shadows the module name on purpose)

__version__ = "0.1.0"

__all__ = [
    "BorrowedTimeError",
    "BorrowedTimeWarning",
    "ConvergenceError",
    "DataError",
    "DataQualityWarning",
    "HindsightWarning",
    "SpecError",
    "Frequency",
    "as_series",
    "infer_frequency",
    "load_series",
    "Verdict",
    "verdict",
    "__version__",
]
