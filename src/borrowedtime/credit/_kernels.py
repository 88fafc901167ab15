"""Hot loop of the copula Monte Carlo: which members of a homogeneous group default.

Given, for every scenario and group, the number of defaults ``counts[s, g]``
(drawn as a binomial conditional on the factors), pick which members of the
group default -- a uniformly random subset of that size, by Floyd's algorithm
-- and add their losses. NumPy cannot vectorise a variable-size subset draw;
this loop is the kernel and its own source is the plain-Python twin
(``borrowedtime._numba.python_twin``), tested equal in ``tests/credit``.
"""

from __future__ import annotations

import numpy as np

from borrowedtime._numba import jit

__all__ = ["group_losses"]


@jit(nogil=True)
def group_losses(counts, group_start, weights, uniforms, row_of, loss_out, acc):  # pragma: no cover - twin tested
    """Add the losses of the defaulted group members to ``loss_out`` (and ``acc`` for flagged scenarios).

    Parameters
    ----------
    counts : int64 (S, G)
        Defaults per scenario and group.
    group_start : int64 (G + 1,)
        Members of group g are ``group_start[g] .. group_start[g + 1] - 1`` in ``weights``.
    weights : float64 (M,)
        Loss if each member defaults (EAD x LGD, USD bn), grouped.
    uniforms : float64 (counts.sum(),)
        One uniform per default, consumed in scenario-major, group-minor order.
    row_of : int64 (S,)
        Row of ``acc`` that accumulates a scenario's per-member losses, or -1.
    loss_out : float64 (S,)
        Scenario losses (added to).
    acc : float64 (R, M)
        Per-member loss sums (added to).
    """
    n_s, n_g = counts.shape
    pos = 0
    chosen = np.empty(weights.shape[0], dtype=np.int64)
    mark = np.zeros(weights.shape[0], dtype=np.bool_)
    for s in range(n_s):
        r = row_of[s]
        for g in range(n_g):
            k = counts[s, g]
            if k == 0:
                continue
            lo = group_start[g]
            n = group_start[g + 1] - lo
            # Floyd's algorithm: a uniformly random k-subset of 0..n-1 from k uniforms
            m = 0
            for j in range(n - k, n):
                t = int(uniforms[pos] * (j + 1))
                if t > j:
                    t = j
                pos += 1
                if mark[t]:
                    t = j
                mark[t] = True
                chosen[m] = t
                m += 1
            total = 0.0
            for q in range(m):
                w = weights[lo + chosen[q]]
                mark[chosen[q]] = False
                total += w
                if r >= 0:
                    acc[r, lo + chosen[q]] += w
            loss_out[s] += total
    return pos
