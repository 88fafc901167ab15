"""Run panels on Dask when they outgrow one machine (same numbers as one process).

The kinematics of different series are independent given the model, so a
panel splits by columns into chunks; each chunk is filtered by the same
vectorised kernel on a Dask worker and the pieces are stitched back in column
order. Dask does the scheduling (a local threaded scheduler by default, or
any ``distributed.Client`` you pass); nothing here schedules work itself.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from borrowedtime.errors import SpecError
from borrowedtime.kinematics import KinematicsModel, KinematicsResult

__all__ = ["fit_panel_dask", "concat_results"]


def concat_results(parts: list[KinematicsResult]) -> KinematicsResult:
    """Stitch results of column chunks (same dates, same model) into one panel result."""
    if not parts:
        raise SpecError("concat_results needs at least one result.")
    first = parts[0]
    for p in parts[1:]:
        if not p.index.equals(first.index) or p.model != first.model:
            raise SpecError("results to concatenate must share dates and model settings.")

    def cat(name: str):
        arrays = [getattr(p, name) for p in parts]
        return None if arrays[0] is None else np.concatenate(arrays, axis=0)

    return replace(
        first,
        names=tuple(n for p in parts for n in p.names),
        filtered=cat("filtered"),
        filtered_cov=cat("filtered_cov"),
        sigma2=cat("sigma2"),
        dof=cat("dof"),
        observed=cat("observed"),
        log_level=cat("log_level"),
        smoothed=cat("smoothed"),
        smoothed_cov=cat("smoothed_cov"),
        seasonal=cat("seasonal"),
    )


def fit_panel_dask(
    model: KinematicsModel,
    panel: pd.DataFrame,
    *,
    chunk_size: int = 1000,
    client=None,
    smooth: bool = False,
) -> KinematicsResult:
    """Filter a wide panel in column chunks on Dask.

    Parameters
    ----------
    model : KinematicsModel
        The specification applied to every series.
    panel : DataFrame
        One column per series on a shared DatetimeIndex.
    chunk_size : int, default 1000
        Series per task.
    client : distributed.Client, optional
        A Dask cluster to run on; default the local threaded scheduler.
    smooth : bool
        Also run the smoother (hindsight).

    Returns
    -------
    KinematicsResult
        Identical (to floating-point round-off) to ``model.fit(panel)``.
    """
    try:
        import dask
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise SpecError("fit_panel_dask needs dask: pip install 'borrowedtime[distributed]'") from exc
    if chunk_size < 1:
        raise SpecError(f"chunk_size must be >= 1. Got {chunk_size!r}.")
    tasks = [
        dask.delayed(model.fit)(panel.iloc[:, i : i + chunk_size], smooth=smooth)
        for i in range(0, panel.shape[1], chunk_size)
    ]
    if client is not None:
        parts = client.gather(client.compute(tasks))
    else:
        parts = list(dask.compute(*tasks, scheduler="threads"))
    return concat_results(parts)
