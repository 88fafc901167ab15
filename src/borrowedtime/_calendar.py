"""Calendar arithmetic shared by the package: month numbers and year-over-year growth.

A *month number* is ``year * 12 + month - 1`` (January of year 0 is 0), so
month differences are plain integer differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from borrowedtime.series import days_since_epoch

__all__ = ["month_number", "month_dates", "year_over_year"]


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


def year_over_year(series: pd.Series) -> pd.Series:
    """Growth over one year, decimal, using only data dated <= each date.

    Regular monthly/quarterly/annual data (``series.attrs["frequency"]`` as set
    by :func:`borrowedtime.series.as_series`) compare with the observation
    12/4/1 periods back by month arithmetic; other data with the last
    observation dated at least one year earlier. Dates with no observation a
    year back are omitted.
    """
    s = series
    freq = s.attrs.get("frequency")
    if freq is not None and freq.name in ("monthly", "quarterly", "annual"):
        months = month_number(s.index)
        back = pd.Series(s.to_numpy(), index=months)
        prior = back.reindex(months - 12).to_numpy()
        yoy = s.to_numpy() / prior - 1.0
        return pd.Series(yoy, index=s.index, name="yoy").dropna()  # no value a year back: omitted
    days = days_since_epoch(s.index)
    pos = np.searchsorted(days, days - 365.25 * 0.999, side="right") - 1
    ok = pos >= 0
    yoy = s.to_numpy()[ok] / s.to_numpy()[pos[ok]] - 1.0
    return pd.Series(yoy, index=s.index[ok], name="yoy")
