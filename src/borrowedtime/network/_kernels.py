"""Compiled kernels of the network layer (:mod:`borrowedtime._numba` conventions).

:func:`gather_scatter` is the one sum of edge values into entity totals used by
:class:`~borrowedtime.network.clearing.EdgeSum` (clearing, the cascade's stages)
and by :func:`~borrowedtime.network.debtrank.nonlinear_debtrank_batch`. It adds
row by row, edge by edge in a fixed order, so a row's totals do not depend on
which other rows share the batch; a BLAS product of the same sums does not
promise that (measured: 10 of 160,000 sums differed in the last bit between a
row computed alone and in a batch of 5,000).
"""

from __future__ import annotations

import numpy as np

from borrowedtime._numba import jit

__all__ = ["gather_scatter", "gather_scatter_numpy", "debtrank_step", "debtrank_step_numpy"]


@jit(nogil=True)
def gather_scatter(x, src, w, dst, n):
    """``out[p, dst[k]] += w[k] * x[p, src[k]]`` for k in order; ``dst[k] < 0`` skips the edge.

    Parameters
    ----------
    x : float array (P, m_x)
    src, dst : int arrays (K,)
    w : float array (K,)
    n : int
        Columns of the result.
    """
    P = x.shape[0]
    out = np.zeros((P, n))
    for p in range(P):
        for k in range(src.shape[0]):
            d = dst[k]
            if d >= 0:
                out[p, d] += w[k] * x[p, src[k]]
    return out


def gather_scatter_numpy(x, src, w, dst, n):
    """The vectorised specification of :func:`gather_scatter` (the same order of additions)."""
    out = np.zeros((x.shape[0], n))
    for k in range(src.shape[0]):
        if dst[k] >= 0:
            out[:, dst[k]] += w[k] * x[:, src[k]]
    return out


@jit(nogil=True)
def debtrank_step(h, e, am, p_prev, src, w, dst, n):
    """One round of :func:`~borrowedtime.network.debtrank.nonlinear_debtrank_batch` on every row, in one pass.

    With ``e = exp(alpha * (h - 1))`` computed by the caller (NumPy's ``exp``): the value lost
    ``p_now = h * e * am``, the new distress ``min(1, h + gather_scatter(p_now - p_prev, src, w, dst, n))``
    and each row's largest move ``max |new - h|`` (NaN when any move is NaN, as ``np.max``). Element by
    element the arithmetic of :func:`debtrank_step_numpy`, sums in edge order as :func:`gather_scatter`:
    the same bits.

    Returns
    -------
    new, p_now : arrays (P, n)
    big : array (P,)
    """
    P = h.shape[0]
    new = np.empty((P, n))
    p_now = np.empty((P, n))
    big = np.empty(P)
    d = np.empty(n)
    s = np.empty(n)
    for r in range(P):
        for j in range(n):
            pn = h[r, j] * e[r, j] * am[r, j]
            p_now[r, j] = pn
            d[j] = pn - p_prev[r, j]
            s[j] = 0.0
        for k in range(src.shape[0]):
            t = dst[k]
            if t >= 0:
                s[t] += w[k] * d[src[k]]
        b = 0.0
        nan = False
        for i in range(n):
            v = h[r, i] + s[i]
            v = 1.0 if v >= 1.0 else v  # np.minimum(1.0, v): NaN stays NaN
            new[r, i] = v
            a = abs(v - h[r, i])
            if a != a:
                nan = True
            elif a > b:
                b = a
        big[r] = np.nan if nan else b
    return new, p_now, big


def debtrank_step_numpy(h, e, am, p_prev, src, w, dst, n):
    """:func:`debtrank_step` in NumPy (the specification it is tested against)."""
    p_now = h * e * am
    new = np.minimum(1.0, h + gather_scatter_numpy(p_now - p_prev, src, w, dst, n))
    return new, p_now, np.max(np.abs(new - h), axis=1, initial=0.0)
