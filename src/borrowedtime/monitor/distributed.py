"""Run panels on Dask when they outgrow one machine (same numbers as one process).

The kinematics of different series are independent given the model, so a
panel splits by columns into chunks; each chunk is filtered by the same
vectorised kernel and the pieces land in column order. Chunks run on the
package's one engine, :func:`borrowedtime._montecarlo.map_chunks` (local
threads, or a ``distributed.Client`` to which the small shared arguments
are scattered once):

* **Data stays where it is.** When every worker shares the client's host
  (a ``LocalCluster``), the panel is written once, column-major, to a
  memory-mapped ``.npy`` file in shared memory (``/dev/shm`` where it
  exists and has room for the panel and the results; else the temp
  directory) and each task reads its own (contiguous) columns from it; on a
  multi-host cluster each column chunk is scattered once to one worker. No
  task graph embeds the panel or its names.
* **Results are written where they will be read.** The client creates one
  output file per per-series field; a task maps only its own rows and the
  filter writes into them directly (``KinematicsModel.fit(out=...)``), so
  nothing is materialised twice, copied or pickled on one host. Across
  hosts only the per-series arrays travel back. Arrays every series shares
  (the covariance path and degrees of freedom of a panel with one
  missing-value pattern) come back as one ``(1, time, ...)`` base.
* **Shared arrays stay shared.** When every chunk's base is identical the
  result holds a read-only broadcast view, as the local fit does.

Backends: this process by default (chunks of at most 10,000 series in turn,
each filtered on every core and written into the result arrays directly), or
any ``distributed.Client``. On a cluster numba's threads are capped per task
so that a host's tasks times their kernel threads fit its cores (one each on
a 2-worker cluster of a 2-core machine).
"""

from __future__ import annotations

import dataclasses
import mmap
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from borrowedtime._montecarlo import chunk_bounds, map_chunks
from borrowedtime.errors import SpecError
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.result import KinematicsResult

__all__ = ["fit_panel_dask", "concat_results"]

_MAX_CHUNK = 10_000
"""Largest default chunk: a task's own result arrays (about 40 kB a series at 600 months) stay small."""


# Fields ``KinematicsModel.fit(out=...)`` writes in place (the rest are copied into the outputs).
_WRITABLE = ("filtered", "sigma2", "seasonal", "innovation", "innovation_var", "log_level", "observed")


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


def _map_rows(spec: tuple, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of an output ``.npy`` file, mapped writable (a plain ndarray view).

    ``spec`` is ``(path, header bytes, row shape, dtype)``; only the rows' pages
    are mapped. (Faulting them in ahead with ``MADV_POPULATE_WRITE`` was
    measured slower: twice the faults and system time.)
    """
    path, header, row_shape, dtype = spec
    row_bytes = int(np.prod(row_shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    first = header + start * row_bytes
    aligned = first - first % mmap.ALLOCATIONGRANULARITY
    length = header + stop * row_bytes - aligned
    with open(path, "r+b") as f:
        mm = mmap.mmap(f.fileno(), length, offset=aligned)
    return np.ndarray((stop - start, *row_shape), dtype=dtype, buffer=mm, offset=first - aligned)


def _panel_task(rng: Any, n: int, start: int, model: KinematicsModel, source: pd.DataFrame | tuple,
                smooth: bool, kernel_threads: int | None, outputs: dict[str, Any] | None,
                in_place: bool) -> _Part:
    """Engine kernel: fit columns ``start:start+n`` (``rng`` unused: the fit is deterministic)."""
    return _fit_block(model, source, start, start + n, smooth, kernel_threads, outputs, in_place)


def _fit_block(
    model: KinematicsModel,
    source: pd.DataFrame | tuple,
    start: int,
    stop: int,
    smooth: bool,
    kernel_threads: int | None,
    outputs: dict[str, Any] | None,
    in_place: bool = False,
) -> _Part:
    """Task: fit columns ``start:stop``, writing their per-series arrays into ``outputs`` rows (or send them).

    ``source`` is the whole panel (local threads), the chunk itself (scattered),
    or ``(path, index, names, attrs)`` of the memory-mapped panel (time x series,
    column-major) to read the columns from. ``outputs`` maps fields to arrays of
    shape (N, ...) or to ``_map_rows`` specs of ``.npy`` files; the fit writes
    straight into their rows (``KinematicsModel.fit(out=...)``) when ``in_place``,
    else the arrays are copied there. None sends the arrays back in the result.
    """
    if isinstance(source, tuple):
        path, index, names, attrs = source
        values = np.load(path, mmap_mode="r")[:, start:stop]  # contiguous: the file is column-major
        chunk = pd.DataFrame(np.asarray(values), index=index, columns=names[start:stop], copy=False)
        chunk.attrs = dict(attrs)
    elif source.shape[1] == stop - start:
        chunk = source
    else:
        chunk = source.iloc[:, start:stop]
    rows: dict[str, np.ndarray] = {}
    if outputs is not None:
        for name, target in outputs.items():
            rows[name] = (_map_rows(target, start, stop) if isinstance(target, tuple)
                          else target[start:stop])
    direct = {k: rows[k] for k in _WRITABLE if k in rows} if in_place else None
    res = _with_threads(kernel_threads, model.fit, chunk, smooth=smooth, out=direct)
    shared, sent, changes = {}, {}, {}
    for name, a in _per_series_fields(res).items():
        changes[name] = None
        if direct is not None and a is direct.get(name):
            continue  # already written in place
        if _is_shared(a):
            shared[name] = np.ascontiguousarray(a[:1])
        elif outputs is None:
            sent[name] = a
        else:
            rows[name][...] = a
    changes["names"] = ()  # the client knows the names
    return _Part(dataclasses.replace(res, **changes), shared, sent)


def _assemble(parts: list[_Part], starts: list[int], names: tuple[str, ...],
              outputs: dict[str, np.ndarray] | None, probe: dict[str, np.ndarray]) -> KinematicsResult:
    """Client side: one result from the parts (broadcast views where every chunk shares one base)."""
    N = len(names)
    stops = [*starts[1:], N]
    changes: dict[str, Any] = {"names": names}
    for name, like in probe.items():
        if all(name in p.shared for p in parts):
            base = parts[0].shared[name]
            if all(np.array_equal(p.shared[name], base, equal_nan=True) for p in parts[1:]):
                changes[name] = np.broadcast_to(base, (N, *base.shape[1:]))
                continue
        out = outputs[name] if outputs is not None else np.empty((N, *like.shape[1:]), like.dtype)
        for p, start, stop in zip(parts, starts, stops, strict=True):
            if name in p.shared:
                out[start:stop] = p.shared[name]
            elif name in p.sent:
                out[start:stop] = p.sent[name]
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
    names = tuple(n for p in parts for n in p.names)
    for p in parts:
        fields = _per_series_fields(p)
        shared = {n: a[:1] for n, a in fields.items() if _is_shared(a)}
        sent = {n: a for n, a in fields.items() if n not in shared}
        wrapped.append(_Part(dataclasses.replace(p, **dict.fromkeys(fields)), shared, sent))
        starts.append(N)
        N += len(p.names)
    return _assemble(wrapped, starts, names, None, _per_series_fields(first))


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


def _free_bytes(folder: Path) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def _scratch_dir(need: int) -> Path:
    """A private folder in ``/dev/shm`` if it holds ``need`` bytes with room to spare, else in the temp dir.

    A full shared-memory file system would kill the writing worker (SIGBUS),
    not raise; containers often mount a small ``/dev/shm``.
    """
    shm = Path("/dev/shm")
    root = None
    if shm.is_dir() and os.access(shm, os.W_OK) and hasattr(os, "statvfs") and _free_bytes(shm) > 1.25 * need:
        root = shm
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
        Series per task; default one chunk per worker thread of a cluster
        (the kernel is parallel over series inside a chunk), at most 10,000.
    client : distributed.Client, optional
        A Dask cluster to run on; default this process (chunks in turn, each
        filtered on every core).
    smooth : bool
        Also run the smoother (hindsight).

    Returns
    -------
    KinematicsResult
        Identical to ``model.fit(panel)``, bit for bit, for the default
        filter (the same kernel on the same columns). The dense paths (the
        smoother with ``smooth=True``; ``averaging > 1``) agree to rounding
        (differences up to about 1e-13 after the recursion): NumPy's matrix
        products over a chunk's series round the last bit differently for
        different numbers of series. On a single-host
        cluster the per-series arrays are memory-mapped from shared memory
        (files already unlinked).
    """
    if not isinstance(panel, pd.DataFrame) or panel.shape[1] == 0:
        raise SpecError("fit_panel_dask needs a DataFrame with at least one column (one per series).")
    N = panel.shape[1]
    # local: one chunk at a time, the kernel parallel over its series on every core (the kernel
    # holds the GIL: side-by-side threads measured 1.9x slower than one fit at 100,000 series)
    slots = max(1, sum(client.nthreads().values())) if client is not None else 1
    if chunk_size is None:  # one chunk per slot, but at most _MAX_CHUNK series (bounds the temporaries)
        chunk_size = min(-(-N // slots), _MAX_CHUNK)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise SpecError(f"chunk_size must be an int >= 1. Got {chunk_size!r}.")
    chunk_size = int(chunk_size)
    starts = [s for s, _ in chunk_bounds(N, chunk_size)]
    names = tuple(str(c) for c in panel.columns)
    # a two-series probe names the per-series fields, their shapes and dtypes (and validates the panel)
    head = panel.iloc[:, : min(2, N)]
    probe = _per_series_fields(model.fit(head, smooth=smooth))
    try:  # does this model's filter write into given arrays? (the default one does)
        model.fit(head, smooth=smooth, out={"filtered": np.empty_like(probe["filtered"])})
        in_place = True
    except SpecError:
        in_place = False

    if client is None:  # local: every chunk writes into the result arrays directly
        outputs = {name: np.empty((N, *a.shape[1:]), a.dtype) for name, a in probe.items()}
        parts = map_chunks(_panel_task, N, seed=0, chunk_size=chunk_size, threads=1,
                           args=(model, panel, smooth, None, outputs, in_place))
        return _assemble(parts, starts, names, outputs, probe)

    threads = _kernel_threads(client)
    if not _same_host(client):  # data to the workers once; per-series arrays back
        chunks = [panel.iloc[:, s : s + chunk_size] for s in starts]
        stops = [*starts[1:], N]
        data = client.scatter(chunks)
        n = len(data)
        futures = client.map(_fit_block, [model] * n, data, starts, stops, [smooth] * n, [threads] * n,
                             [None] * n, pure=False)
        parts = client.gather(futures)
        client.cancel(futures + data)
        return _assemble(parts, starts, names, None, probe)

    need = panel.size * 8 + sum(N * a[0].nbytes for a in probe.values() if not _is_shared(a))
    folder = _scratch_dir(need)
    try:
        src = folder / "panel.npy"
        # column-major: a task's columns are one contiguous block of the file
        np.save(src, np.asfortranarray(panel.to_numpy(dtype=float)))
        paths = {name: str(folder / f"{name}.npy") for name in probe}
        specs = {}
        for name, a in probe.items():
            mm = np.lib.format.open_memmap(paths[name], mode="w+", dtype=a.dtype, shape=(N, *a.shape[1:]))
            specs[name] = (paths[name], int(mm.offset), a.shape[1:], a.dtype.str)
            del mm
        # the engine scatters these small arguments once; each task maps only its own rows
        source = (str(src), panel.index, panel.columns, panel.attrs)
        parts = map_chunks(_panel_task, N, seed=0, chunk_size=chunk_size, client=client,
                           args=(model, source, smooth, threads, specs, in_place))
        outputs = {name: np.asarray(np.load(p, mmap_mode="r+")) for name, p in paths.items()}
        return _assemble(parts, starts, names, outputs, probe)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # open mappings stay valid after the unlink
