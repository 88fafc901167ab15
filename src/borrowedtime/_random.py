"""One door for randomness (after ``sklearn.utils.check_random_state``)."""

from __future__ import annotations

import numpy as np

__all__ = ["as_generator"]


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Return a NumPy ``Generator`` for an int seed, a Generator or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, int | np.integer):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or None. Got {type(seed).__name__}.")
