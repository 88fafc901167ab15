"""Discrete arithmetic of a few figures: growth, acceleration, step-ups, year-over-year growth.

The arithmetic an analyst does by hand on a few annual figures, as the essay
does (capex 150 -> 226 -> 410 -> 725 -> 1,100 gives +51 %, +81 %, +77 %,
+52 % and accelerations of +30, -4, -25 points), and the year-over-year
growth that defines a turn (:mod:`borrowedtime.monitor.scoring`). Written
once here; the filtered model (:mod:`borrowedtime.monitor.model`), the
screen, the audit and the treadmill all use these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from borrowedtime._calendar import month_number
from borrowedtime.errors import DataError, SpecError
from borrowedtime.series import Frequency, as_series, days_since_epoch

__all__ = ["growth", "acceleration", "step_ups", "year_over_year"]

_DAYS_PER_YEAR = 365.25


def _years_between(index: pd.DatetimeIndex) -> np.ndarray:
    return np.diff(days_since_epoch(index)) / _DAYS_PER_YEAR


def growth(
    series: pd.Series,
    periods: int = 1,
    *,
    kind: Literal["simple", "log"] = "simple",
    annualise: bool | None = None,
) -> pd.Series:
    """Per-period growth of a positive series, as a decimal (0.51 is +51 %).

    Parameters
    ----------
    series : pandas.Series
        Positive values on a DatetimeIndex.
    periods : int, default 1
        Compare each value with the one ``periods`` observations earlier
        (12 on monthly data is year-over-year).
    kind : {"simple", "log"}
        ``S_t / S_{t-k} - 1`` or ``log(S_t / S_{t-k})``.
    annualise : bool, optional
        Scale to a per-year rate using the actual time between the dates
        (compounded for simple growth, divided for log growth). Default: True
        for irregular series (funding rounds), False for regular ones.

    Returns
    -------
    pandas.Series
        Decimal growth; the first ``periods`` dates have no predecessor and are
        omitted (the index is shorter, never NaN-padded).
    """
    s = as_series(series, name=str(series.name or "series"), min_obs=periods + 1)
    if periods < 1:
        raise SpecError(f"periods must be >= 1. Got {periods!r}.")
    freq: Frequency = s.attrs["frequency"]
    if annualise is None:
        annualise = not freq.regular
    values = s.to_numpy()
    ratio = values[periods:] / values[:-periods]
    if annualise:
        d = days_since_epoch(s.index)
        years = (d[periods:] - d[:-periods]) / _DAYS_PER_YEAR
        out = np.log(ratio) / years if kind == "log" else ratio ** (1.0 / years) - 1.0
    else:
        out = np.log(ratio) if kind == "log" else ratio - 1.0
    return pd.Series(out, index=s.index[periods:], name=f"{s.name} growth")


def acceleration(
    growth_rates: pd.Series,
    *,
    round_growth_to: int | None = None,
    max_abs_growth: float = 10.0,
) -> pd.Series:
    """Change in growth from one period to the next, in percentage points.

    Parameters
    ----------
    growth_rates : pandas.Series
        Decimal growth rates (0.51 is +51 %), as returned by :func:`growth`;
        not levels and not percents.
    round_growth_to : int, optional
        Round the growth rates to this many decimals of a percent before
        differencing. ``0`` is the essay's convention: it quotes growth as
        whole percents (+51, +81, +77, +52) and differences those (+30, -4, -25);
        unrounded the same figures give +30.75, -4.59, -25.11.
    max_abs_growth : float, default 10.0
        Largest plausible |growth| per period, decimal (10.0 is +1,000 %).
        Anything larger is refused as levels or percents passed by mistake
        (the essay's capex levels 150, 226, ... would give "+7,600 points").
        Raise it for a series that really grows more than tenfold a period.

    Returns
    -------
    pandas.Series
        Percentage points (30.0 is +30 points); one shorter than the input.

    Raises
    ------
    DataError
        Fewer than two rates, missing values, or values beyond ``max_abs_growth``.
    """
    g = np.asarray(growth_rates, dtype=float)
    if g.ndim != 1 or g.size < 2:
        raise DataError(f"acceleration: need at least two growth rates in one dimension, got shape {g.shape}.")
    if not np.all(np.isfinite(g)):
        raise DataError("acceleration: growth rates contain missing or non-finite values.")
    big = np.flatnonzero(np.abs(g) > max_abs_growth)
    if big.size:
        i = int(big[0])
        raise DataError(
            f"acceleration: value {g[i]:g} at position {i} is not a decimal growth rate (|g| > "
            f"{max_abs_growth:g}, i.e. more than {100 * max_abs_growth:,.0f} % a period); these look like "
            "levels or percents. Pass growth(levels), or percents / 100 (or raise max_abs_growth)."
        )
    g = g * 100.0
    if round_growth_to is not None:
        g = np.round(g, round_growth_to)
    out = np.diff(g)
    idx = growth_rates.index[1:] if isinstance(growth_rates, pd.Series) else None
    return pd.Series(out, index=idx, name="acceleration_pp")


def step_ups(marks: pd.Series | Sequence[float]) -> pd.Series | np.ndarray:
    """Round-over-round multiple of a sequence of marks (157/86 = 1.83x).

    Parameters
    ----------
    marks : Series or sequence of float
        Valuations or any positive levels in date order (USD bn for the essay's marks).

    Returns
    -------
    Series or ndarray
        ``marks[i] / marks[i-1]``, one shorter than the input.
    """
    arr = np.asarray(marks, dtype=float)
    if arr.ndim != 1 or arr.size < 2:
        raise DataError(f"step_ups: need at least two marks, got {arr.size}.")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise DataError("step_ups: marks must be finite and positive.")
    out = arr[1:] / arr[:-1]
    if isinstance(marks, pd.Series):
        return pd.Series(out, index=marks.index[1:], name="step_up")
    return out


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
