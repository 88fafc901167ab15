"""Shared linear algebra of the detectors' kernels: Cholesky solves of small normal equations.

Kernels are compiled by the package's one wrapper (:func:`borrowedtime._numba.jit`);
each is its own Python twin (:func:`borrowedtime._numba.python_twin`).
"""

from __future__ import annotations

import math

from borrowedtime._numba import jit

__all__ = ["solve_spd", "chol4_solve"]


@jit
def solve_spd(a, b, p, x, work):
    """Solve ``a[:p,:p] x = b[:p]`` by Cholesky; dependent columns get coefficient 0.

    A pivot below ``1e-12`` of its diagonal marks the column as linearly
    dependent on the previous ones: it is dropped (its coefficient is 0),
    which gives the least-squares fit on the remaining columns.

    Returns ``(b'x, L[p-1, p-1])``: the explained sum of squares and the last
    Cholesky pivot (0 when the last column was dropped).
    """
    for j in range(p):
        s = a[j, j]
        for k in range(j):
            s -= work[j, k] * work[j, k]
        if not (s > 1e-12 * a[j, j]) or not (a[j, j] > 0.0):
            work[j, j] = 0.0
            for i in range(j + 1, p):
                work[i, j] = 0.0
            continue
        d = math.sqrt(s)
        work[j, j] = d
        for i in range(j + 1, p):
            s2 = a[i, j]
            for k in range(j):
                s2 -= work[i, k] * work[j, k]
            work[i, j] = s2 / d
    # forward: L z = b (z stored in x)
    for i in range(p):
        if work[i, i] == 0.0:
            x[i] = 0.0
            continue
        s = b[i]
        for k in range(i):
            s -= work[i, k] * x[k]
        x[i] = s / work[i, i]
    # back: L' x = z
    for i in range(p - 1, -1, -1):
        if work[i, i] == 0.0:
            x[i] = 0.0
            continue
        s = x[i]
        for k in range(i + 1, p):
            s -= work[k, i] * x[k]
        x[i] = s / work[i, i]
    explained = 0.0
    for i in range(p):
        explained += x[i] * b[i]
    return explained, work[p - 1, p - 1]


@jit
def chol4_solve(a00, a10, a20, a30, a11, a21, a31, a22, a32, a33, b0, b1, b2, b3):
    """Solve the 4x4 normal equations ``A x = b`` (lower triangle of ``A`` given) by unrolled Cholesky.

    The conventions of :func:`solve_spd`: a pivot below ``1e-12`` of its
    diagonal drops that column (its coefficient is 0), which gives the least
    squares fit on the remaining columns. Returns ``(x0, x1, x2, x3)``; the
    explained sum of squares is ``x . b``. The LPPLS grid
    (``_lppls_kernels.lppls_grid_sse``) runs the same factorisation with its
    first two columns hoisted out of the omega loop and branch-free selects
    (so that the loop vectorises); the twin tests check both against
    :func:`solve_spd`.
    """
    # Cholesky L (lower), columns dropped when their pivot vanishes
    l00 = math.sqrt(a00)
    l10 = a10 / l00
    l20 = a20 / l00
    l30 = a30 / l00
    d1 = a11 - l10 * l10
    ok1 = d1 > 1e-12 * a11 and a11 > 0.0
    l11 = l21 = l31 = 0.0
    if ok1:
        l11 = math.sqrt(d1)
        l21 = (a21 - l20 * l10) / l11
        l31 = (a31 - l30 * l10) / l11
    d2 = a22 - l20 * l20 - l21 * l21
    ok2 = d2 > 1e-12 * a22 and a22 > 0.0
    l22 = l32 = 0.0
    if ok2:
        l22 = math.sqrt(d2)
        l32 = (a32 - l30 * l20 - l31 * l21) / l22
    d3 = a33 - l30 * l30 - l31 * l31 - l32 * l32
    ok3 = d3 > 1e-12 * a33 and a33 > 0.0
    l33 = math.sqrt(d3) if ok3 else 0.0
    z0 = b0 / l00
    z1 = (b1 - l10 * z0) / l11 if ok1 else 0.0
    z2 = (b2 - l20 * z0 - l21 * z1) / l22 if ok2 else 0.0
    z3 = (b3 - l30 * z0 - l31 * z1 - l32 * z2) / l33 if ok3 else 0.0
    x3 = z3 / l33 if ok3 else 0.0
    x2 = (z2 - l32 * x3) / l22 if ok2 else 0.0
    x1 = (z1 - l21 * x2 - l31 * x3) / l11 if ok1 else 0.0
    x0 = (z0 - l10 * x1 - l20 * x2 - l30 * x3) / l00
    return x0, x1, x2, x3
