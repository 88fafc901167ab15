"""LPPLS kernels: the profiled cost, the (tc, m, omega) grid, the Levenberg-Marquardt refinement.

Conventions
-----------
LPPLS works on *scaled* time: ``s = (t - t2) / scale`` (``t`` in days, ``t2``
the last observation of the outer window), so ``s <= 0`` and the critical
time is ``sc = (tc - t2) / scale > 0``. Scaling leaves the sum of squared
residuals unchanged (the scale factor is absorbed by the linear parameters)
and keeps the normal equations well conditioned.

Every kernel is compiled by :func:`borrowedtime._numba.jit` and is its own
Python twin; :func:`lppls_grid_sse_numpy` is the vectorised NumPy
specification of the grid. ``tests/test_kernel_twins.py`` pairs them.
"""

from __future__ import annotations

import math

import numpy as np

from borrowedtime._numba import jit, prange, stack_zeros
from borrowedtime.detectors._linalg import chol4_solve, solve_spd

__all__ = [
    "SINCOS_MAX_ABS",
    "lppls_grid_sse",
    "lppls_grid_sse_numpy",
    "lppls_profile_sse",
    "lppls_refine",
    "lppls_nested_fits",
]

SINCOS_MAX_ABS = 1e5
"""Largest ``|omega * ln(tc - t)|`` (scaled time) the branch-free :func:`_sincos` is used for."""



# fdlibm's kernel polynomials for sin and cos on [-pi/4, pi/4] and a two-part pi/2
_S1, _S2, _S3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
_S4, _S5, _S6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
_C1, _C2, _C3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
_C4, _C5, _C6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11
_INV_PIO2 = 6.36619772367581382433e-01
_PIO2_1 = 1.57079632673412561417e00  # first 33 bits of pi/2: k * _PIO2_1 is exact for |k| < 2**20
_PIO2_1T = 6.07710050650619224932e-11  # pi/2 - _PIO2_1


@jit
def _sincos(a):
    """``(sin a, cos a)`` for moderate ``|a|`` (< 1e5) without branches, to about 1 ulp.

    Cody-Waite reduction by pi/2 and fdlibm's kernel polynomials; quicker than
    two library calls in the LPPLS cost, where ``a = omega ln(tc - t)``.
    """
    k = math.floor(a * _INV_PIO2 + 0.5)
    r = (a - k * _PIO2_1) - k * _PIO2_1T
    z = r * r
    v = z * r
    s = r + v * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    hz = 0.5 * z
    w = 1.0 - hz
    c = w + (((1.0 - w) - hz) + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
    q = int(k) & 3
    sin_a = c if q & 1 else s
    cos_a = s if q & 1 else c
    if q & 2:
        sin_a = -sin_a
    if (q + 1) & 2:
        cos_a = -cos_a
    return sin_a, cos_a


@jit
def _lppls_basis_sse(s, y, sc, m, w, beta, xb, fb, cb, sb):
    """Profiled SSE at (sc, m, w), keeping the basis values (log gap, power, cos, sin) per observation."""
    n = s.shape[0]
    a = np.zeros((4, 4))
    b = np.zeros(4)
    work = np.zeros((4, 4))
    yy = 0.0
    for i in range(n):
        dt = sc - s[i]
        if not dt > 0.0:
            return np.inf
        x = math.log(dt)
        f = math.exp(m * x)
        cs = math.cos(w * x)
        sn = math.sin(w * x)
        xb[i] = x
        fb[i] = f
        cb[i] = cs
        sb[i] = sn
        g = f * cs
        h = f * sn
        yi = y[i]
        a[0, 0] += 1.0
        a[1, 0] += f
        a[2, 0] += g
        a[3, 0] += h
        a[1, 1] += f * f
        a[2, 1] += f * g
        a[3, 1] += f * h
        a[2, 2] += g * g
        a[3, 2] += g * h
        a[3, 3] += h * h
        b[0] += yi
        b[1] += yi * f
        b[2] += yi * g
        b[3] += yi * h
        yy += yi * yi
    for j in range(4):
        for k in range(j + 1, 4):
            a[j, k] = a[k, j]
    explained, _ = solve_spd(a, b, 4, beta, work)
    sse = yy - explained
    return sse if sse > 0.0 else 0.0


@jit(fastmath={"reassoc", "nsz", "contract"})
def _basis_sums(y, fb, cb, sb):
    """Sums of the 4x4 normal equations of the linear LPPLS parameters (reassociated: vectorised)."""
    a10 = a20 = a30 = a11 = a21 = a31 = a22 = a32 = a33 = 0.0
    b0 = b1 = b2 = b3 = yy = 0.0
    for i in range(y.shape[0]):
        f = fb[i]
        g = f * cb[i]
        h = f * sb[i]
        yi = y[i]
        a10 += f
        a20 += g
        a30 += h
        a11 += f * f
        a21 += f * g
        a31 += f * h
        a22 += g * g
        a32 += g * h
        a33 += h * h
        b0 += yi
        b1 += yi * f
        b2 += yi * g
        b3 += yi * h
        yy += yi * yi
    return a10, a20, a30, a11, a21, a31, a22, a32, a33, b0, b1, b2, b3, yy


@jit
def _lppls_basis_fast(s, y, sc, m, w, beta, xb, fb, cb, sb):
    """:func:`_lppls_basis_sse` with scalar accumulators and an unrolled 4x4 solve (the refinement's cost).

    Sine and cosine come from :func:`_sincos` and the sums from :func:`_basis_sums`
    (reassociated, so they differ from the reference in the last bits; the
    same inputs always give the same bits). The Cholesky factorisation follows
    :func:`solve_spd` (a pivot below ``1e-12`` of its diagonal drops the column).
    """
    n = s.shape[0]
    # library calls in loops of their own: the accumulation loop then vectorises
    for i in range(n):
        dt = sc - s[i]
        if not dt > 0.0:
            return np.inf
        xb[i] = math.log(dt)
    for i in range(n):
        fb[i] = math.exp(m * xb[i])
    for i in range(n):
        sb[i], cb[i] = _sincos(w * xb[i])
    a10, a20, a30, a11, a21, a31, a22, a32, a33, b0, b1, b2, b3, yy = _basis_sums(y, fb, cb, sb)
    x0, x1, x2, x3 = chol4_solve(float(n), a10, a20, a30, a11, a21, a31, a22, a32, a33, b0, b1, b2, b3)
    beta[0] = x0
    beta[1] = x1
    beta[2] = x2
    beta[3] = x3
    sse = yy - (x0 * b0 + x1 * b1 + x2 * b2 + x3 * b3)
    return sse if sse > 0.0 else 0.0


@jit
def lppls_profile_sse(s, y, sc, m, w, beta):
    """Sum of squared residuals of the LPPLS fit with (A, B, C1, C2) profiled out.

    Parameters
    ----------
    s : ndarray, shape (n,)
        Scaled times, all < ``sc``.
    y : ndarray, shape (n,)
        Log prices (any constant shift; the intercept absorbs it).
    sc, m, w : float
        Scaled critical time, exponent and log-frequency.
    beta : ndarray, shape (4,)
        Output: A, B, C1, C2 (in scaled units).

    Returns
    -------
    float
        SSE; ``inf`` when ``sc`` does not lie after the last observation.
    """
    n = s.shape[0]
    return _lppls_basis_sse(s, y, sc, m, w, beta, np.empty(n), np.empty(n), np.empty(n), np.empty(n))


@jit(fastmath={"reassoc", "nsz", "contract"})
def lppls_grid_sse(s, y, starts, sc_grid, m_grid, w_grid, sc_hi, out):
    """SSE on a (tc, m, omega) grid for nested windows that share their end.

    Windows are ``s[starts[k]:]`` (all end at the last observation). For one
    candidate the basis functions at an observation do not depend on where the
    window starts, so one backward pass accumulates the normal equations of
    every window as suffix sums: the cost is that of the longest window.

    Parameters
    ----------
    s, y : ndarray, shape (n,)
        Scaled times (``s[-1] == 0``) and centred log prices.
    starts : ndarray of int, shape (W,)
        Window start indices, strictly decreasing windows not required.
    sc_grid, m_grid, w_grid : ndarray
        Candidate scaled critical times (> 0), exponents, log-frequencies.
    sc_hi : ndarray, shape (W,)
        Largest admissible scaled critical time for each window; candidates
        above it get ``inf``.
    out : ndarray, shape (W, len(sc_grid), len(m_grid), len(w_grid))
        Output SSE.
    """
    n = s.shape[0]
    nw = starts.shape[0]
    nk = sc_grid.shape[0]
    nm = m_grid.shape[0]
    nq = w_grid.shape[0]
    x = np.empty(n)
    cw = np.empty((n, nq))  # omega innermost: the accumulation below vectorises over omega
    sw = np.empty((n, nq))
    f = np.empty(n)
    acc = np.empty((9, nq))
    order = np.argsort(-starts)  # latest start first: reached first going backwards
    for k in range(nk):
        sc = sc_grid[k]
        for i in range(n):
            x[i] = math.log(sc - s[i])
            for q in range(nq):
                sw[i, q], cw[i, q] = _sincos(w_grid[q] * x[i])
        for mi in range(nm):
            for i in range(n):
                f[i] = math.exp(m_grid[mi] * x[i])
            acc[:, :] = 0.0
            s1 = sf = sff = sy = syf = syy = 0.0
            pos = 0
            for i in range(n - 1, -1, -1):
                fi = f[i]
                yi = y[i]
                s1 += 1.0
                sf += fi
                sff += fi * fi
                sy += yi
                syf += yi * fi
                syy += yi * yi
                for q in range(nq):
                    gi = fi * cw[i, q]
                    hi = fi * sw[i, q]
                    acc[0, q] += gi
                    acc[1, q] += hi
                    acc[2, q] += fi * gi
                    acc[3, q] += fi * hi
                    acc[4, q] += gi * gi
                    acc[5, q] += gi * hi
                    acc[6, q] += hi * hi
                    acc[7, q] += yi * gi
                    acc[8, q] += yi * hi
                while pos < nw and starts[order[pos]] == i:
                    wi = order[pos]
                    pos += 1
                    if sc > sc_hi[wi]:
                        for q in range(nq):
                            out[wi, k, mi, q] = np.inf
                        continue
                    # _explained4 for every omega at once: the first two Cholesky columns do not
                    # depend on omega, the rest is branch-free so that the loop vectorises
                    l00 = math.sqrt(s1)
                    l10 = sf / l00
                    z0 = sy / l00
                    d1 = sff - l10 * l10
                    ok1 = d1 > 1e-12 * sff and sff > 0.0
                    l11 = math.sqrt(d1) if ok1 else 1.0
                    z1 = (syf - l10 * z0) / l11 if ok1 else 0.0
                    k1 = 1.0 if ok1 else 0.0
                    for q in range(nq):
                        a20 = acc[0, q]
                        a30 = acc[1, q]
                        a21 = acc[2, q]
                        a31 = acc[3, q]
                        a22 = acc[4, q]
                        a32 = acc[5, q]
                        a33 = acc[6, q]
                        l20 = a20 / l00
                        l30 = a30 / l00
                        l21 = k1 * ((a21 - l20 * l10) / l11)
                        l31 = k1 * ((a31 - l30 * l10) / l11)
                        d2 = a22 - l20 * l20 - l21 * l21
                        ok2 = (d2 > 1e-12 * a22) & (a22 > 0.0)
                        l22 = math.sqrt(d2 if ok2 else 1.0)
                        l32 = ((a32 - l30 * l20 - l31 * l21) / l22) if ok2 else 0.0
                        z2 = ((acc[7, q] - l20 * z0 - l21 * z1) / l22) if ok2 else 0.0
                        d3 = a33 - l30 * l30 - l31 * l31 - l32 * l32
                        ok3 = (d3 > 1e-12 * a33) & (a33 > 0.0)
                        z3 = ((acc[8, q] - l30 * z0 - l31 * z1 - l32 * z2) / math.sqrt(d3 if ok3 else 1.0)) if ok3 else 0.0
                        sse = syy - (z0 * z0 + z1 * z1 + z2 * z2 + z3 * z3)
                        out[wi, k, mi, q] = sse if sse > 0.0 else 0.0
    return out


def lppls_grid_sse_numpy(s, y, start, sc_grid, m_grid, w_grid):
    """Vectorised NumPy specification of :func:`lppls_grid_sse` for one window.

    Builds the design matrices of every candidate at once and solves the least
    squares problems with :func:`numpy.linalg.lstsq` semantics (via ``pinv``),
    returning SSE of shape ``(len(sc_grid), len(m_grid), len(w_grid))``.
    """
    s = np.asarray(s, float)[start:]
    y = np.asarray(y, float)[start:]
    dt = sc_grid[:, None, None, None] - s[None, None, None, :]
    x = np.log(dt)
    f = np.exp(m_grid[None, :, None, None] * x)
    g = f * np.cos(w_grid[None, None, :, None] * x)
    h = f * np.sin(w_grid[None, None, :, None] * x)
    ones = np.ones_like(g)
    f = np.broadcast_to(f, g.shape)
    design = np.stack([ones, f, g, h], axis=-1)  # (K, M, Q, n, 4)
    coef = np.linalg.pinv(design) @ y  # (K, M, Q, 4)
    resid = y - np.einsum("kmqnj,kmqj->kmqn", design, coef)
    return np.sum(resid**2, axis=-1)


def _normal_equations(name, fastmath):
    """The normal-equations kernel written once, compiled as :func:`_lppls_normal` and :func:`_lppls_normal_fast`."""

    def normal(s, y, sc, m, w, beta, jtj, jtr, xb, fb, cb, sb):
        n = s.shape[0]
        row = stack_zeros(7)
        acc_r = stack_zeros(7)
        acc = stack_zeros(7, 7)
        a0, bb, c1, c2 = beta[0], beta[1], beta[2], beta[3]
        for i in range(n):
            dt = sc - s[i]
            x = xb[i]
            f = fb[i]
            cs = cb[i]
            sn = sb[i]
            u = bb + c1 * cs + c2 * sn
            v = -c1 * sn + c2 * cs
            r = y[i] - (a0 + f * u)
            row[0] = 1.0
            row[1] = f
            row[2] = f * cs
            row[3] = f * sn
            row[4] = f / dt * (m * u + w * v)
            row[5] = x * f * u
            row[6] = x * f * v
            for j in range(7):
                acc_r[j] += row[j] * r
                for k in range(7):
                    if k <= j:
                        acc[j, k] += row[j] * row[k]
        for j in range(7):
            jtr[j] = acc_r[j]
            for k in range(j + 1):
                jtj[j, k] = acc[j, k]
                jtj[k, j] = acc[j, k]

    normal.__name__ = normal.__qualname__ = name  # also names numba's cache file: one per variant
    normal.__doc__ = _NORMAL_DOC[name]
    return jit(normal, fastmath=fastmath)


_NORMAL_DOC = {
    "_lppls_normal": """Gauss-Newton normal equations ``J'J``, ``J'r`` in all 7 parameters.

    Parameter order: A, B, C1, C2, sc, m, w (``beta`` holds A..C2 at the
    point; ``xb, fb, cb, sb`` the basis values there from :func:`_lppls_basis_sse`).
    The row of ``J`` and the sums live on the stack
    (:func:`~borrowedtime._numba.stack_zeros`) and the loops over them have
    constant trip counts, so the compiler keeps them in registers.
    """,
    "_lppls_normal_fast": """:func:`_lppls_normal` compiled with the sums reassociated, so that the loop vectorises.""",
}
_lppls_normal = _normal_equations("_lppls_normal", False)
_lppls_normal_fast = _normal_equations("_lppls_normal_fast", {"reassoc", "nsz", "contract"})


@jit
def _lm_step(jtj, jtr, lam, fixed, step, damped, work, delta, rhs):
    """Damped step ``(J'J + lam diag(J'J)) d = J'r`` with the ``fixed`` nonlinear parameters held."""
    for j in range(7):
        for k in range(7):
            damped[j, k] = jtj[j, k]
        damped[j, j] = jtj[j, j] * (1.0 + lam) + 1e-300
        delta[j] = jtr[j]
    for q in range(3):
        if fixed[q]:
            j = 4 + q
            for k in range(7):
                damped[j, k] = 0.0
                damped[k, j] = 0.0
            damped[j, j] = 1.0
            delta[j] = 0.0
    for j in range(7):
        rhs[j] = delta[j]
    solve_spd(damped, rhs, 7, delta, work)
    for q in range(3):
        step[q] = delta[4 + q]


@jit
def _refine(s, y, sc0, m0, w0, lo, hi, max_iter, cutoff, slack, check_at, out):
    """Bounded Levenberg-Marquardt on the profiled LPPLS cost from one start.

    The step is computed from the Jacobian in all seven parameters; a
    nonlinear parameter sitting on a bound of the box ``[lo, hi]`` (sc, m, w)
    whose step points outward is held there (an active set), the others are
    clipped to the box, and the linear parameters are re-solved exactly. A
    step is kept only if it lowers the SSE, so the result is never worse
    than the start.

    Parameters
    ----------
    cutoff, slack, check_at : float, float, int
        Early abandonment: after ``check_at`` cost evaluations a run stops
        when its SSE minus ``slack`` times the Gauss-Newton model's predicted
        decrease is still above ``cutoff`` (``cutoff = inf`` never stops).
    out : ndarray, shape (8,)
        Output: sc, m, w, A, B, C1, C2, SSE.

    Returns
    -------
    int
        Profiled-cost evaluations used.
    """
    beta = np.zeros(4)
    trial = np.zeros(4)
    step = np.zeros(3)
    jtj = np.zeros((7, 7))
    jtr = np.zeros(7)
    damped = np.zeros((7, 7))
    work = np.zeros((7, 7))
    delta = np.zeros(7)
    rhs = np.zeros(7)
    fixed = np.zeros(3, dtype=np.bool_)
    cur = np.array([sc0, m0, w0])
    nxt = np.zeros(3)
    n = s.shape[0]
    xb, fb, cb, sb = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    xt, ft, ct, st = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    sse = _lppls_basis_fast(s, y, cur[0], cur[1], cur[2], beta, xb, fb, cb, sb)
    _lppls_normal_fast(s, y, cur[0], cur[1], cur[2], beta, jtj, jtr, xb, fb, cb, sb)
    lam = 1e-3
    evals = 1
    while evals < max_iter:
        # active set: a parameter on a bound whose descent direction (J'r) points out stays there
        for q in range(3):
            g = jtr[4 + q]
            fixed[q] = (cur[q] <= lo[q] and g < 0.0) or (cur[q] >= hi[q] and g > 0.0)
        _lm_step(jtj, jtr, lam, fixed, step, damped, work, delta, rhs)
        # Gauss-Newton model of the decrease: below 1e-12 there is nothing left worth a pass
        pred = 0.0
        for j in range(7):
            pred += delta[j] * jtr[j]
        if pred < 1e-12 and lam <= 1e-3:
            break
        if evals >= check_at and sse - slack * pred > cutoff:
            break
        moved = False
        for q in range(3):
            v = cur[q] + step[q]
            v = min(max(v, lo[q]), hi[q])
            nxt[q] = v
            if v != cur[q]:
                moved = True
        if not moved:
            break
        new = _lppls_basis_fast(s, y, nxt[0], nxt[1], nxt[2], trial, xt, ft, ct, st)
        evals += 1
        if new < sse:
            gain = sse - new
            for q in range(3):
                cur[q] = nxt[q]
            sse = new
            for j in range(4):
                beta[j] = trial[j]
            lam = max(lam / 5.0, 1e-12)
            if gain <= 1e-15 * (1e-3 + sse):
                break
            xb, xt = xt, xb
            fb, ft = ft, fb
            cb, ct = ct, cb
            sb, st = st, sb
            _lppls_normal_fast(s, y, cur[0], cur[1], cur[2], beta, jtj, jtr, xb, fb, cb, sb)
        else:
            lam *= 8.0
            if lam > 1e10:
                break
    out[0] = cur[0]
    out[1] = cur[1]
    out[2] = cur[2]
    out[3] = beta[0]
    out[4] = beta[1]
    out[5] = beta[2]
    out[6] = beta[3]
    out[7] = sse
    return evals


@jit
def lppls_refine(s, y, sc0, m0, w0, lo, hi, max_iter, out):
    """Bounded Levenberg-Marquardt on the profiled LPPLS cost from one start (see :func:`_refine`).

    Returns the number of profiled-cost evaluations used; ``out`` gets
    sc, m, w, A, B, C1, C2, SSE.
    """
    return _refine(s, y, sc0, m0, w0, lo, hi, max_iter, np.inf, 0.0, 0, out)


@jit
def _local_minima_top(grid, k_best, idx):
    """Indices (flat) of the ``k_best`` lowest local minima of a 3-D grid (26-neighbourhood).

    Fills ``idx`` with flat indices (``-1`` where fewer minima exist) and
    returns how many were found.
    """
    nk, nm, nq = grid.shape
    vals = np.full(k_best, np.inf)
    for i in range(k_best):
        idx[i] = -1
    for a in range(nk):
        for b in range(nm):
            for c in range(nq):
                v = grid[a, b, c]
                if not np.isfinite(v):
                    continue
                is_min = True
                for da in range(-1, 2):
                    aa = a + da
                    if aa < 0 or aa >= nk:
                        continue
                    for db in range(-1, 2):
                        bb = b + db
                        if bb < 0 or bb >= nm:
                            continue
                        for dc in range(-1, 2):
                            cc = c + dc
                            if cc < 0 or cc >= nq or (da == 0 and db == 0 and dc == 0):
                                continue
                            if grid[aa, bb, cc] < v:
                                is_min = False
                                break
                        if not is_min:
                            break
                    if not is_min:
                        break
                if not is_min:
                    continue
                # insert into the sorted top list
                if v < vals[k_best - 1]:
                    j = k_best - 1
                    while j > 0 and vals[j - 1] > v:
                        vals[j] = vals[j - 1]
                        idx[j] = idx[j - 1]
                        j -= 1
                    vals[j] = v
                    idx[j] = (a * nm + b) * nq + c
    found = 0
    for i in range(k_best):
        if idx[i] >= 0:
            found += 1
    return found


@jit(parallel=True)
def lppls_nested_fits(
    t, y, ends, sizes, scale, sc_grid, m_grid, w_grid, sc_lo, sc_hi_days_cap,
    sc_hi_frac, m_lo, m_hi, w_lo, w_hi, n_starts, unit_starts, short_iter, n_keep, max_iter,
    abandon_ratio, abandon_at, out,
):
    """Fit every nested window of every outer window: grid, then refine the best minima.

    Parameters
    ----------
    t : ndarray, shape (n,)
        Observation times in days.
    y : ndarray, shape (n,)
        Log prices.
    ends : ndarray of int, shape (O,)
        Index of the last observation of each outer window (``t2``).
    sizes : ndarray of int, shape (W,)
        Nested window lengths in observations.
    scale : float
        Days per unit of scaled time.
    sc_grid : ndarray
        Candidate critical times after ``t2``, scaled (``(tc - t2) / scale``).
    m_grid, w_grid : ndarray
        Candidate exponents and log-frequencies.
    sc_lo : float
        Smallest scaled ``tc - t2``.
    sc_hi_days_cap, sc_hi_frac : float
        Largest ``tc - t2``: ``min(cap, frac * (t2 - t1))`` (cap scaled).
    m_lo, m_hi, w_lo, w_hi : float
        Box of the search.
    n_starts : int
        Local minima of the grid refined per window.
    unit_starts : ndarray, shape (R, 3)
        Extra starts in the unit cube, mapped to the box of each window
        (log-uniform in ``tc - t2``); drawn by the caller from the seed.
    short_iter, n_keep : int
        Every start first gets ``short_iter`` cost evaluations; the ``n_keep``
        lowest then run to convergence.
    max_iter : int
        Cost evaluations per start in the second phase (the winner gets four
        times as many to polish).
    abandon_ratio, abandon_at : float, int
        A short run still above ``abandon_ratio`` times the lowest SSE reached
        so far in the window after ``abandon_at`` evaluations stops there (the
        warm start runs first, then the grid minima from the lowest).
    out : ndarray, shape (O, W, 10)
        Output per window: sc, m, w, A, B, C1, C2, SSE, grid-best SSE,
        shift (the centring constant added back to A).
    """
    n_outer = ends.shape[0]
    nw = sizes.shape[0]
    nk, nm, nq = sc_grid.shape[0], m_grid.shape[0], w_grid.shape[0]
    for o in prange(n_outer):
        e = ends[o]
        first = e - sizes.max() + 1
        if first < 0:
            first = 0
        length = e - first + 1
        s = np.empty(length)
        yc = np.empty(length)
        shift = y[e]
        for i in range(length):
            s[i] = (t[first + i] - t[e]) / scale
            yc[i] = y[first + i] - shift
        starts = np.empty(nw, dtype=np.int64)
        his = np.empty(nw)
        for wi in range(nw):
            st = length - sizes[wi]
            if st < 0:
                st = 0
            starts[wi] = st
            span = -s[st]
            his[wi] = min(sc_hi_days_cap, sc_hi_frac * span)
        grid = np.empty((nw, nk, nm, nq))
        lppls_grid_sse(s, yc, starts, sc_grid, m_grid, w_grid, his, grid)
        idx = np.empty(n_starts, dtype=np.int64)
        lo = np.empty(3)
        hi = np.empty(3)
        res = np.empty(8)
        best = np.empty(8)
        prev = np.full(8, np.inf)
        for wi in range(nw):
            sw = s[starts[wi]:]
            yw = yc[starts[wi]:]
            lo[0] = sc_lo
            hi[0] = his[wi]
            lo[1] = m_lo
            hi[1] = m_hi
            lo[2] = w_lo
            hi[2] = w_hi
            found = _local_minima_top(grid[wi], n_starts, idx)
            gbest = np.inf
            # phase 1: a short run from every start (grid minima, the seeded random starts, and
            # the previous, longer, nested window's solution clipped to this box)
            n_rand = unit_starts.shape[0]
            warm = 1 if wi > 0 and prev[7] < np.inf else 0
            n_all = found + n_rand + warm
            ends_p = np.empty((n_all, 8))
            incumbent = np.inf
            for jj in range(n_all):
                # the warm start first: it sets the incumbent the other short runs must approach
                j = found + n_rand if warm == 1 and jj == 0 else jj - warm
                if j == found + n_rand:
                    r0 = min(max(prev[0], lo[0]), hi[0])
                    r1 = min(max(prev[1], lo[1]), hi[1])
                    r2 = min(max(prev[2], lo[2]), hi[2])
                elif j < found:
                    flat = idx[j]
                    c = flat % nq
                    b = (flat // nq) % nm
                    a = flat // (nq * nm)
                    gval = grid[wi, a, b, c]
                    if gval < gbest:
                        gbest = gval
                    r0, r1, r2 = sc_grid[a], m_grid[b], w_grid[c]
                else:
                    u = unit_starts[j - found]
                    r0 = math.exp(math.log(lo[0]) + u[0] * (math.log(hi[0]) - math.log(lo[0])))
                    r1 = lo[1] + u[1] * (hi[1] - lo[1])
                    r2 = lo[2] + u[2] * (hi[2] - lo[2])
                _refine(sw, yw, r0, r1, r2, lo, hi, short_iter, abandon_ratio * incumbent, 0.0, abandon_at, res)
                if res[7] < incumbent:
                    incumbent = res[7]
                for q in range(8):
                    ends_p[jj, q] = res[q]
            # phase 2: the most promising ones to convergence, then polish the winner
            rank = np.argsort(ends_p[:, 7])
            best[7] = np.inf
            kept = np.empty(n_keep, dtype=np.int64)
            n_kept = 0
            for jj in range(n_all):
                if n_kept == n_keep:
                    break
                j = rank[jj]
                dup = False  # a start that reached the same point as a kept one adds nothing
                for kk in range(n_kept):
                    i2 = kept[kk]
                    if (abs(ends_p[j, 0] - ends_p[i2, 0]) <= 1e-6 * (hi[0] - lo[0])
                            and abs(ends_p[j, 1] - ends_p[i2, 1]) <= 1e-6
                            and abs(ends_p[j, 2] - ends_p[i2, 2]) <= 1e-5):
                        dup = True
                        break
                if dup:
                    continue
                kept[n_kept] = j
                n_kept += 1
                lppls_refine(sw, yw, ends_p[j, 0], ends_p[j, 1], ends_p[j, 2], lo, hi, max_iter, res)
                if res[7] < best[7]:
                    for q in range(8):
                        best[q] = res[q]
            if best[7] < np.inf:
                lppls_refine(sw, yw, best[0], best[1], best[2], lo, hi, 4 * max_iter, res)
                if res[7] < best[7]:
                    for q in range(8):
                        best[q] = res[q]
            for q in range(8):
                out[o, wi, q] = best[q]
                prev[q] = best[q]
            out[o, wi, 8] = gbest
            out[o, wi, 9] = shift
    return out
