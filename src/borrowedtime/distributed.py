"""Run panels on Dask when they outgrow one machine (same numbers as one process).

The kinematics of different series are independent given the model, so a
panel splits by columns into chunks; each chunk is filtered by the same
vectorised kernel and the pieces are stitched back in column order. The
ideas are those of the package's Monte Carlo engine
(:mod:`borrowedtime._montecarlo`):

* **Data stays where it is.** On a ``distributed.Client`` each column chunk
  is scattered to the cluster once and the fit runs where its chunk lives;
  no task graph embeds the panel.
* **Only what differs per series travels back.** A chunk returns its
  per-series arrays; arrays every series shares (the covariance path and the
  degrees of freedom of a panel with one missing-value pattern, which the
  local fit keeps as zero-stride views) travel as one ``(time, ...)`` base,
  and the log levels and observed flags, which the client can read off the
  panel it holds, do not travel at all.
* **Shared arrays stay shared.** When every chunk's base is identical the
  stitched result holds a read-only broadcast view, as the local fit does.

Backends: local threads by default (one chunk per CPU: the kernel is itself
parallel over series), or any ``distributed.Client``.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from borrowedtime.errors import SpecError
from borrowedtime.kinematics import KinematicsModel, KinematicsResult

__all__ = ["fit_panel_dask", "concat_results"]

# Fields the client can recompute from the panel it holds (when the fit did not regrid the dates).
_FROM_PANEL = ("log_level", "observed")


@dataclasses.dataclass
class _Part:
    """What a chunk sends back: the result with per-series arrays only."""

    result: KinematicsResult
    shared: dict[str, np.ndarray]  # field -> (1, ...) base of an array broadcast over series
    dropped: tuple[str, ...]  # fields left out (recomputed from the panel)


def _is_shared(a: np.ndarray) -> bool:
    return a.ndim >= 1 and a.shape[0] > 1 and a.strides[0] == 0


def _per_series_fields(res: KinematicsResult) -> list[str]:
    n = len(res.names)
    return [
        f.name
        for f in dataclasses.fields(res)
        if isinstance(getattr(res, f.name), np.ndarray) and getattr(res, f.name).ndim >= 1
        and getattr(res, f.name).shape[0] == n
    ]


def _fit_chunk(model: KinematicsModel, chunk: pd.DataFrame, smooth: bool, kernel_threads: int | None = None) -> _Part:
    """Worker side: fit a column chunk, strip what the client does not need sent.

    ``kernel_threads`` caps numba's threads for this call (thread-local in
    numba): chunks running side by side share the cores instead of each
    starting one OpenMP thread per core.
    """
    if kernel_threads is None:
        res = model.fit(chunk, smooth=smooth)
    else:
        import numba

        before = numba.get_num_threads()
        numba.set_num_threads(max(1, min(kernel_threads, numba.config.NUMBA_NUM_THREADS)))
        try:
            res = model.fit(chunk, smooth=smooth)
        finally:
            numba.set_num_threads(before)
    shared: dict[str, np.ndarray] = {}
    changes: dict[str, Any] = {}
    for name in _per_series_fields(res):
        a = getattr(res, name)
        if _is_shared(a):
            shared[name] = np.ascontiguousarray(a[:1])
            changes[name] = None
    dropped: tuple[str, ...] = ()
    if res.index.equals(chunk.index):  # no regridding: the client has these
        dropped = _FROM_PANEL
        changes.update(dict.fromkeys(_FROM_PANEL))
    return _Part(dataclasses.replace(res, **changes), shared, dropped)


def _stitch(parts: list[_Part], panel: pd.DataFrame) -> KinematicsResult:
    first = parts[0].result
    sizes = [len(p.result.names) for p in parts]
    N = sum(sizes)
    fields = set(_per_series_fields(first)) | set(parts[0].shared) | set(parts[0].dropped)
    changes: dict[str, Any] = {"names": tuple(n for p in parts for n in p.result.names)}
    values = None
    for name in fields:
        if name in parts[0].dropped:
            if values is None:
                values = np.log(panel.to_numpy(dtype=float).T)
            changes[name] = values if name == "log_level" else ~np.isnan(values)
            continue
        if all(name in p.shared for p in parts):
            base = parts[0].shared[name]
            if all(np.array_equal(p.shared[name], base, equal_nan=True) for p in parts[1:]):
                changes[name] = np.broadcast_to(base, (N, *base.shape[1:]))
                continue
        pieces = []
        for p, size in zip(parts, sizes, strict=True):
            if name in p.shared:
                b = p.shared[name]
                pieces.append(np.broadcast_to(b, (size, *b.shape[1:])))
            else:
                pieces.append(getattr(p.result, name))
        changes[name] = np.concatenate(pieces, axis=0)
    return dataclasses.replace(first, **changes)


def concat_results(parts: list[KinematicsResult]) -> KinematicsResult:
    """Stitch results of column chunks (same dates, same model) into one panel result.

    Arrays broadcast over series in every part (zero-stride views) stay one
    shared view when their bases are equal; the rest are concatenated.
    """
    if not parts:
        raise SpecError("concat_results needs at least one result.")
    first = parts[0]
    for p in parts[1:]:
        if not p.index.equals(first.index) or p.model != first.model:
            raise SpecError("results to concatenate must share dates and model settings.")
    wrapped = []
    for p in parts:
        shared = {n: getattr(p, n)[:1] for n in _per_series_fields(p) if _is_shared(getattr(p, n))}
        wrapped.append(_Part(dataclasses.replace(p, **dict.fromkeys(shared)), shared, ()))
    return _stitch(wrapped, pd.DataFrame())


def _kernel_threads(client: Any) -> int:
    """numba threads per task so that a host's worker threads times kernel threads fit its cores."""
    nthreads = client.nthreads()
    cpus = client.run(os.cpu_count)
    per_host: dict[str, int] = {}
    for addr, k in nthreads.items():
        host = addr.rsplit(":", 1)[0]
        per_host[host] = per_host.get(host, 0) + k
    return max(1, min((cpus.get(addr) or 1) // per_host[addr.rsplit(":", 1)[0]] for addr in nthreads))


def fit_panel_dask(
    model: KinematicsModel,
    panel: pd.DataFrame,
    *,
    chunk_size: int | None = None,
    client: Any = None,
    smooth: bool = False,
) -> KinematicsResult:
    """Filter a wide panel in column chunks, on local threads or a Dask cluster.

    Parameters
    ----------
    model : KinematicsModel
        The specification applied to every series.
    panel : DataFrame
        One column per series on a shared DatetimeIndex.
    chunk_size : int, optional
        Series per task; default one chunk per worker thread of the backend
        (the kernel is parallel over series inside a chunk).
    client : distributed.Client, optional
        A Dask cluster to run on; default local threads.
    smooth : bool
        Also run the smoother (hindsight).

    Returns
    -------
    KinematicsResult
        Identical to ``model.fit(panel)`` (the same kernel on the same columns).
    """
    if not isinstance(panel, pd.DataFrame) or panel.shape[1] == 0:
        raise SpecError("fit_panel_dask needs a DataFrame with at least one column (one per series).")
    N = panel.shape[1]
    if client is not None:
        slots = max(1, sum(client.nthreads().values()))
    else:
        slots = os.cpu_count() or 1
    if chunk_size is None:
        chunk_size = -(-N // slots)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise SpecError(f"chunk_size must be an int >= 1. Got {chunk_size!r}.")
    chunks = [panel.iloc[:, i : i + chunk_size] for i in range(0, N, chunk_size)]
    if client is not None:
        threads = _kernel_threads(client)
        data = client.scatter(chunks)  # each chunk moves to one worker, once
        n = len(data)
        futures = client.map(_fit_chunk, [model] * n, data, [smooth] * n, [threads] * n, pure=False)
        parts = client.gather(futures)
        client.cancel(futures + data)
    elif len(chunks) == 1:
        parts = [_fit_chunk(model, chunks[0], smooth)]
    else:
        side_by_side = min(slots, len(chunks))
        threads = max(1, (os.cpu_count() or 1) // side_by_side)
        with ThreadPoolExecutor(max_workers=side_by_side) as pool:
            parts = list(pool.map(lambda c: _fit_chunk(model, c, smooth, threads), chunks))
    return _stitch(parts, panel)
