"""The one Monte Carlo engine: same seed and chunk size, same numbers on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime._montecarlo import as_generator, check_seed, chunk_bounds, map_chunks
from borrowedtime.errors import SpecError


def _walk_max(rng: np.random.Generator, n: int, start: int, steps: int, drift: np.ndarray):
    """Maximum of ``n`` Gaussian random walks with a shared drift path, and the path numbers."""
    paths = np.cumsum(rng.standard_normal((n, steps)) + drift, axis=1)
    return np.arange(start, start + n), paths.max(axis=1)


def _stack(parts):
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


ARGS = (30, np.linspace(0.0, 0.1, 30))


def test_chunks_are_seeded_by_chunk_number_and_returned_in_order():
    seen = []
    parts = map_chunks(_walk_max, 2_500, seed=11, chunk_size=1_000, args=ARGS,
                       progress=lambda done, total: seen.append((done, total)))
    ids, values = _stack(parts)
    assert chunk_bounds(2_500, 1_000) == [(0, 1000), (1000, 1000), (2000, 500)]
    np.testing.assert_array_equal(ids, np.arange(2_500))
    # chunk 2 is reproduced by hand from SeedSequence(seed).spawn(n_chunks)[2]
    rng = np.random.default_rng(np.random.SeedSequence(11).spawn(3)[2])
    np.testing.assert_array_equal(values[2000:], _walk_max(rng, 500, 2000, *ARGS)[1])
    assert sorted(seen) == [(1, 3), (2, 3), (3, 3)]
    serial = _stack(map_chunks(_walk_max, 2_500, seed=11, chunk_size=1_000, args=ARGS, threads=1))
    np.testing.assert_array_equal(values, serial[1])
    other = _stack(map_chunks(_walk_max, 2_500, seed=12, chunk_size=1_000, args=ARGS))
    assert not np.array_equal(values, other[1])


def test_dask_local_cluster_gives_the_local_numbers():
    distributed = pytest.importorskip("distributed")
    local = _stack(map_chunks(_walk_max, 3_000, seed=5, chunk_size=700, args=ARGS))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        seen = []
        remote = _stack(map_chunks(_walk_max, 3_000, seed=5, chunk_size=700, args=ARGS, client=client,
                                   progress=lambda done, total: seen.append(done)))
        # the same call again on the same client (equal arguments): its own scattered data, same numbers
        again = _stack(map_chunks(_walk_max, 3_000, seed=5, chunk_size=700, args=ARGS, client=client))
    np.testing.assert_array_equal(again[1], remote[1])
    np.testing.assert_array_equal(local[0], remote[0])
    np.testing.assert_array_equal(local[1], remote[1])
    assert sorted(seen) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", [None, 1.5, True, -1, "3", np.random.default_rng(0)])
def test_seed_must_be_an_int(seed):
    with pytest.raises(SpecError, match="seed must be an int"):
        map_chunks(_walk_max, 10, seed=seed, args=ARGS)


def test_bad_sizes_and_backends_are_refused():
    with pytest.raises(SpecError, match="n_paths"):
        map_chunks(_walk_max, 0, seed=1)
    with pytest.raises(SpecError, match="chunk_size"):
        map_chunks(_walk_max, 10, seed=1, chunk_size=0)
    with pytest.raises(SpecError, match="not both"):
        map_chunks(_walk_max, 10, seed=1, client=object(), workers=2)
    assert check_seed(np.int64(4)) == 4
    with pytest.raises(SpecError):
        as_generator("x")
