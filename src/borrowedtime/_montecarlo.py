"""The one Monte Carlo engine: seeded chunks mapped over threads or a Dask cluster.

Every stochastic model of the package draws its paths through
:func:`map_chunks`. The work is ``n_paths`` paths cut into chunks of
``chunk_size``; chunk ``i`` covers paths ``i * chunk_size`` up to the next
chunk and draws from ``np.random.Generator(PCG64(SeedSequence(seed).spawn(n_chunks)[i]))``
(NumPy's recommended way to give parallel streams independent seeds: [1]_).
Because a chunk's random numbers depend only on ``(seed, chunk number)``,
the results are the same whatever runs the chunks -- the local thread pool
(default), a ``distributed.Client`` passed in, or a ``LocalCluster`` started
for the call -- and in whatever order they finish. They do depend on
``chunk_size``: it decides which paths share a stream.

A kernel is a plain function ``kernel(rng, n, start, *args)`` that simulates
paths ``start .. start + n - 1`` with ``rng`` and returns its arrays (or any
picklable value); :func:`map_chunks` returns the chunk results in chunk order
and the caller combines them. On Dask the ``args`` are scattered to the
workers once per call (large arrays are not embedded in every task).

This module is also the package's one door for seeds: :func:`check_seed`
validates an integer seed and :func:`as_generator` turns a seed into a
Generator for the few single-stream draws outside Monte Carlo loops.

References
----------
.. [1] NumPy documentation, "Parallel random number generation"
   (numpy.org/doc/stable/reference/random/parallel.html): ``SeedSequence.spawn``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import numpy as np

from borrowedtime.errors import SpecError

__all__ = ["map_chunks", "check_seed", "as_generator", "chunk_bounds", "chunk_generator"]

Kernel = Callable[..., Any]
Progress = Callable[[int, int], None]


def check_seed(seed: object, where: str = "seed") -> int:
    """Return ``seed`` as a Python int >= 0, or raise :class:`SpecError` naming ``where``.

    Booleans, floats, None and Generators are refused: a Monte Carlo seed is
    an integer so that the run can be repeated from what is printed.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise SpecError(
            f"{where} must be an int >= 0 (the root of the SeedSequence). Got {type(seed).__name__} "
            f"{seed!r} instead."
        )
    if seed < 0:
        raise SpecError(f"{where} must be an int >= 0. Got {seed!r} instead.")
    return int(seed)


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Return a NumPy ``Generator`` for an int seed, a Generator or None (single-stream draws).

    After ``sklearn.utils.check_random_state``. Monte Carlo loops use
    :func:`map_chunks` instead, which takes an int seed only.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise SpecError(f"seed must be an int, a numpy Generator or None. Got {type(seed).__name__} {seed!r}.")


def chunk_bounds(n_paths: int, chunk_size: int) -> list[tuple[int, int]]:
    """``(start, n)`` of every chunk: ``ceil(n_paths / chunk_size)`` chunks, the last possibly short."""
    return [(s, min(chunk_size, n_paths - s)) for s in range(0, n_paths, chunk_size)]


def chunk_generator(path: int, n_paths: int, *, seed: int, chunk_size: int) -> tuple[np.random.Generator, int, int]:
    """The generator, first path and size of the chunk that simulates ``path`` in :func:`map_chunks`.

    A kernel called with them draws exactly what it drew for that chunk in the run: a single path of a
    large run can be re-drawn and replayed (an example path's timeline, say).
    """
    seed = check_seed(seed)
    bounds = chunk_bounds(int(n_paths), int(chunk_size))
    if not 0 <= path < n_paths:
        raise SpecError(f"chunk_generator: path must be in [0, {n_paths}). Got {path!r}.")
    i = int(path) // int(chunk_size)
    seq = np.random.SeedSequence(seed).spawn(len(bounds))[i]
    start, n = bounds[i]
    return np.random.default_rng(seq), start, n


def _run_chunk(kernel: Kernel, seq: np.random.SeedSequence, n: int, start: int, *args: Any) -> Any:
    return kernel(np.random.default_rng(seq), n, start, *args)


def map_chunks(
    kernel: Kernel,
    n_paths: int,
    *,
    seed: int,
    chunk_size: int = 10_000,
    args: Sequence[Any] = (),
    client: Any = None,
    workers: int | None = None,
    progress: Progress | None = None,
    threads: int | None = None,
) -> list:
    """Run ``kernel`` over seeded chunks of ``n_paths`` paths; results in chunk order.

    Parameters
    ----------
    kernel : callable
        ``kernel(rng, n, start, *args)``: simulate paths ``start .. start+n-1``
        with the ``numpy.random.Generator`` ``rng`` and return the chunk's
        result. It must be picklable (a module-level function) for Dask.
    n_paths : int
        Paths in all (>= 1).
    seed : int
        Root of the ``SeedSequence``; chunk ``i`` uses ``SeedSequence(seed).spawn(n_chunks)[i]``.
    chunk_size : int, default 10_000
        Paths per chunk. Results depend on it (it decides the streams), not on the backend.
    args : sequence, optional
        Extra arguments passed to every kernel call (scattered once on Dask).
    client : distributed.Client, optional
        Run the chunks on this Dask cluster.
    workers : int, optional
        Start a ``distributed.LocalCluster`` with this many single-threaded
        worker processes for the call, and close it afterwards.
    progress : callable, optional
        ``progress(done_chunks, total_chunks)`` after each finished chunk
        (called in the calling thread).
    threads : int, optional
        Local backend only: threads in the pool (default ``os.cpu_count()``;
        1 runs the chunks in the calling thread).

    Returns
    -------
    list
        One kernel result per chunk, in chunk order.

    Raises
    ------
    SpecError
        A bad seed, size or backend choice (``client`` and ``workers`` together).
    """
    seed = check_seed(seed)
    for name, value in (("n_paths", n_paths), ("chunk_size", chunk_size)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise SpecError(f"map_chunks: {name} must be an int >= 1. Got {value!r} instead.")
    if client is not None and workers is not None:
        raise SpecError("map_chunks: pass either client= (an existing Dask cluster) or workers= (start one), not both.")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1):
        raise SpecError(f"map_chunks: workers must be an int >= 1. Got {workers!r} instead.")
    bounds = chunk_bounds(int(n_paths), int(chunk_size))
    seqs = np.random.SeedSequence(seed).spawn(len(bounds))
    if workers is not None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - exercised only without the extra
            raise SpecError("map_chunks(workers=...) needs dask: pip install 'borrowedtime[distributed]'") from exc
        # ":0": the dashboard on a free port (None falls back to the busy default 8787 and warns).
        with LocalCluster(n_workers=int(workers), threads_per_worker=1, dashboard_address=":0") as cluster, \
                Client(cluster) as own:
            return _map_dask(own, kernel, bounds, seqs, args, progress)
    if client is not None:
        return _map_dask(client, kernel, bounds, seqs, args, progress)
    return _map_threads(kernel, bounds, seqs, args, progress, threads)


def _map_threads(kernel, bounds, seqs, args, progress, threads) -> list:
    total = len(bounds)
    n_threads = min(total, threads or os.cpu_count() or 1)
    out: list = [None] * total
    if n_threads <= 1:
        for i, ((start, n), seq) in enumerate(zip(bounds, seqs, strict=True)):
            out[i] = _run_chunk(kernel, seq, n, start, *args)
            if progress is not None:
                progress(i + 1, total)
        return out
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        futures = {
            pool.submit(_run_chunk, kernel, seq, n, start, *args): i
            for i, ((start, n), seq) in enumerate(zip(bounds, seqs, strict=True))
        }
        try:
            for done, fut in enumerate(as_completed(futures), start=1):
                out[futures[fut]] = fut.result()
                if progress is not None:
                    progress(done, total)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    return out


def _map_dask(client, kernel, bounds, seqs, args, progress) -> list:
    from distributed import as_completed as dask_as_completed

    total = len(bounds)
    # scatter the shared arguments once: tasks then refer to them instead of embedding copies
    # hash=False: two calls with equal arguments must not share (and release) one content-named key
    shared = client.scatter(list(args), broadcast=True, hash=False) if args else []
    futures = [
        client.submit(_run_chunk, kernel, seq, n, start, *shared, pure=False)
        for (start, n), seq in zip(bounds, seqs, strict=True)
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    out: list = [None] * total
    try:
        for done, fut in enumerate(dask_as_completed(futures), start=1):
            out[index[fut.key]] = fut.result()
            if progress is not None:
                progress(done, total)
    finally:
        client.cancel(futures)
    return out
