"""Calendar arithmetic shared by the package: month numbers.

Year-over-year growth is :func:`borrowedtime.monitor.discrete.year_over_year`.

A *month number* is ``year * 12 + month - 1`` (January of year 0 is 0), so
month differences are plain integer differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["month_number", "month_dates"]


def month_number(index: pd.DatetimeIndex) -> np.ndarray:
    """``year * 12 + month - 1`` of every date (int64)."""
    index = pd.DatetimeIndex(index)
    return np.asarray(index.year * 12 + index.month - 1, dtype=np.int64)


def month_dates(numbers: np.ndarray) -> pd.DatetimeIndex:
    """First-of-month dates of month numbers (inverse of :func:`month_number`), named ``date``."""
    numbers = np.asarray(numbers)
    return pd.DatetimeIndex(
        pd.to_datetime({"year": numbers // 12, "month": numbers % 12 + 1, "day": np.ones_like(numbers)}),
        name="date",
    )
