"""Episodes from flags: runs of True in a boolean sequence (warnings, explosive spells, calls)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["runs", "episodes_from_flags"]


def runs(flag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start indices and stop indices (first index after) of the runs of True in ``flag``.

    A run still on at the end stops at ``len(flag)``.
    """
    arr = np.asarray(flag, dtype=bool)
    edges = np.diff(np.concatenate([[False], arr, [False]]).astype(np.int8))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def episodes_from_flags(
    flag: pd.Series, min_length: int = 1
) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
    """Runs of True in a dated boolean series as ``(first date, first date after)``; None if still on.

    Runs shorter than ``min_length`` observations are dropped.
    """
    starts, stops = runs(flag.to_numpy(bool))
    n = len(flag)
    return [
        (flag.index[s], flag.index[e] if e < n else None)
        for s, e in zip(starts, stops, strict=True)
        if e - s >= min_length
    ]
