"""Run panels on Dask when they outgrow one machine (same numbers as one process).

The kinematics of different series are independent given the model, so a
panel splits by columns into chunks; each chunk is filtered by the same
vectorised kernel and the pieces land in column order. The ideas are those of
the package's Monte Carlo engine (:mod:`borrowedtime._montecarlo`):

* **Data stays where it is.** When every worker shares the client's host
  (a ``LocalCluster``), the panel is written once to a memory-mapped ``.npy``
  file in shared memory (``/dev/shm`` where it exists) and each task reads
  its own columns from it; on a multi-host cluster each column chunk is
  scattered once to one worker. No task graph embeds the panel.
* **Only what differs per series comes back, and it is not pickled on one
  host.** A task writes its per-series arrays into output files mapped by
  the client (rows of its columns); across hosts, only the per-series arrays
  travel back. Arrays every series shares (the covariance path and degrees of
  freedom of a panel with one missing-value pattern) come back as one
  ``(1, time, ...)`` base.
* **Shared arrays stay shared.** When every chunk's base is identical the
  result holds a read-only broadcast view, as the local fit does.

Backends: local threads by default (one chunk per core, each writing into the
result arrays directly), or any ``distributed.Client``. numba's threads are
capped per task so that side-by-side tasks share the cores.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from borrowedtime.errors import SpecError
from borrowedtime.kinematics import KinematicsModel, KinematicsResult

__all__ = ["fit_panel_dask", "concat_results"]

_MAX_CHUNK = 10_000
"""Largest default chunk: a task's own result arrays (about 40 kB a series at 600 months) stay small."""


@dataclasses.dataclass
class _Part:
    """What a task returns: the result with its per-series arrays removed (written or in ``sent``)."""

    result: KinematicsResult
    shared: dict[str, np.ndarray]  # field -> (1, ...) base of an array broadcast over the chunk's series
    sent: dict[str, np.ndarray]  # field -> per-series array (multi-host transport only)


def _is_shared(a: np.ndarray) -> bool:
    return a.ndim >= 1 and a.shape[0] > 1 and a.strides[0] == 0


def _per_series_fields(res: KinematicsResult) -> dict[str, np.ndarray]:
    n = len(res.names)
    out = {}
    for f in dataclasses.fields(res):
        a = getattr(res, f.name)
        if isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == n:
            out[f.name] = a
    return out


def _with_threads(kernel_threads: int | None, fn, *args, **kwargs):
    if kernel_threads is None:
        return fn(*args, **kwargs)
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(kernel_threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        return fn(*args, **kwargs)
    finally:
        numba.set_num_threads(before)


def _fit_block(
    model: KinematicsModel,
    source: pd.DataFrame | tuple,
    start: int,
    smooth: bool,
    kernel_threads: int | None,
    outputs: dict[str, Any] | None,
) -> _Part:
    """Task: fit one column chunk; write its per-series arrays into ``outputs`` rows (or send them).

    ``source`` is the chunk, or ``(path, stop, index, names, attrs)`` of the
    memory-mapped panel (time x series) to read columns ``start:stop`` from.
    ``outputs`` maps fields to arrays or to ``.npy`` paths of shape (N, ...);
    None sends the arrays back in the result.
    """
    if isinstance(source, tuple):
        path, stop, index, names, attrs = source
        values = np.load(path, mmap_mode="r")[:, start:stop]
        chunk = pd.DataFrame(np.array(values), index=index, columns=names[start:stop])
        chunk.attrs = dict(attrs)
    else:
        chunk = source
    res = _with_threads(kernel_threads, model.fit, chunk, smooth=smooth)
    shared, sent, changes = {}, {}, {}
    for name, a in _per_series_fields(res).items():
        changes[name] = None
        if _is_shared(a):
            shared[name] = np.ascontiguousarray(a[:1])
        elif outputs is None:
            sent[name] = a
        else:
            target = outputs[name]
            if isinstance(target, str):
                target = np.load(target, mmap_mode="r+")
            target[start : start + a.shape[0]] = a
            if isinstance(target, np.memmap):
                target.flush()
    return _Part(dataclasses.replace(res, **changes), shared, sent)


def _assemble(parts: list[_Part], starts: list[int], N: int, outputs: dict[str, np.ndarray] | None,
              probe: dict[str, np.ndarray]) -> KinematicsResult:
    """Client side: one result from the parts (broadcast views where every chunk shares one base)."""
    changes: dict[str, Any] = {"names": tuple(n for p in parts for n in p.result.names)}
    for name, like in probe.items():
        if all(name in p.shared for p in parts):
            base = parts[0].shared[name]
            if all(np.array_equal(p.shared[name], base, equal_nan=True) for p in parts[1:]):
                changes[name] = np.broadcast_to(base, (N, *base.shape[1:]))
                continue
        out = outputs[name] if outputs is not None else np.empty((N, *like.shape[1:]), like.dtype)
        for p, start in zip(parts, starts, strict=True):
            size = len(p.result.names)
            if name in p.shared:
                out[start : start + size] = p.shared[name]
            elif name in p.sent:
                out[start : start + size] = p.sent[name]
        changes[name] = out
    return dataclasses.replace(parts[0].result, **changes)


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
    wrapped, starts, N = [], [], 0
    for p in parts:
        fields = _per_series_fields(p)
        shared = {n: a[:1] for n, a in fields.items() if _is_shared(a)}
        sent = {n: a for n, a in fields.items() if n not in shared}
        wrapped.append(_Part(dataclasses.replace(p, **dict.fromkeys(fields)), shared, sent))
        starts.append(N)
        N += len(p.names)
    return _assemble(wrapped, starts, N, None, _per_series_fields(first))


def _kernel_threads(client: Any) -> int:
    """numba threads per task so that a host's worker threads times kernel threads fit its cores."""
    nthreads = client.nthreads()
    cpus = client.run(os.cpu_count)
    per_host: dict[str, int] = {}
    for addr, k in nthreads.items():
        host = addr.rsplit(":", 1)[0]
        per_host[host] = per_host.get(host, 0) + k
    return max(1, min((cpus.get(addr) or 1) // per_host[addr.rsplit(":", 1)[0]] for addr in nthreads))


def _same_host(client: Any) -> bool:
    here = socket.gethostname()
    return all(h == here for h in client.run(socket.gethostname).values())


def _scratch_dir() -> Path:
    shm = Path("/dev/shm")
    root = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="borrowedtime-panel-", dir=root))


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
        (the kernel is parallel over series inside a chunk), at most 10,000.
    client : distributed.Client, optional
        A Dask cluster to run on; default local threads.
    smooth : bool
        Also run the smoother (hindsight).

    Returns
    -------
    KinematicsResult
        Identical to ``model.fit(panel)`` (the same kernel on the same
        columns). On a single-host cluster the per-series arrays are
        memory-mapped from shared memory (files already unlinked).
    """
    if not isinstance(panel, pd.DataFrame) or panel.shape[1] == 0:
        raise SpecError("fit_panel_dask needs a DataFrame with at least one column (one per series).")
    N = panel.shape[1]
    slots = max(1, sum(client.nthreads().values())) if client is not None else (os.cpu_count() or 1)
    if chunk_size is None:  # one chunk per slot, but at most _MAX_CHUNK series (bounds the temporaries)
        chunk_size = min(-(-N // slots), _MAX_CHUNK)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise SpecError(f"chunk_size must be an int >= 1. Got {chunk_size!r}.")
    starts = list(range(0, N, int(chunk_size)))
    # a two-series probe names the per-series fields, their shapes and dtypes (and validates the panel)
    probe = _per_series_fields(model.fit(panel.iloc[:, : min(2, N)], smooth=smooth))
    chunks = [panel.iloc[:, s : s + chunk_size] for s in starts]

    if client is None:
        outputs = {name: np.empty((N, *a.shape[1:]), a.dtype) for name, a in probe.items()}
        if len(chunks) == 1:
            parts = [_fit_block(model, chunks[0], 0, smooth, None, outputs)]
        else:
            side_by_side = min(slots, len(chunks))
            threads = max(1, (os.cpu_count() or 1) // side_by_side)
            with ThreadPoolExecutor(max_workers=side_by_side) as pool:
                parts = list(pool.map(lambda c, s: _fit_block(model, c, s, smooth, threads, outputs),
                                      chunks, starts))
        return _assemble(parts, starts, N, outputs, probe)

    threads = _kernel_threads(client)
    if not _same_host(client):  # data to the workers once; per-series arrays back
        data = client.scatter(chunks)
        futures = client.map(_fit_block, [model] * len(data), data, starts, [smooth] * len(data),
                             [threads] * len(data), [None] * len(data), pure=False)
        parts = client.gather(futures)
        client.cancel(futures + data)
        return _assemble(parts, starts, N, None, probe)

    folder = _scratch_dir()
    try:
        src = folder / "panel.npy"
        np.save(src, panel.to_numpy(dtype=float))
        paths = {name: str(folder / f"{name}.npy") for name in probe}
        for name, a in probe.items():
            np.lib.format.open_memmap(paths[name], mode="w+", dtype=a.dtype, shape=(N, *a.shape[1:])).flush()
        sources = [(str(src), min(s + chunk_size, N), panel.index, list(panel.columns), panel.attrs)
                   for s in starts]
        n = len(starts)
        futures = client.map(_fit_block, [model] * n, sources, starts, [smooth] * n, [threads] * n,
                             [paths] * n, pure=False)
        parts = client.gather(futures)
        client.cancel(futures)
        outputs = {name: np.load(p, mmap_mode="r+") for name, p in paths.items()}
        return _assemble(parts, starts, N, outputs, probe)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # open mappings stay valid after the unlink
