"""PSY kernels: ADF statistics of every window, the sup statistics and the null simulation.

PSY regressions put the lagged level ``y_{t-1}`` *last*, so that the ADF
t-statistic is ``beta * L[p-1, p-1] / sigma`` with ``L`` the Cholesky factor of
``X'X`` (:func:`borrowedtime.detectors._linalg.solve_spd`). Kernels are compiled
by :func:`borrowedtime._numba.jit`; :func:`adf_window_stats_numpy` is the NumPy
specification of one window.
"""

from __future__ import annotations

import math

import numpy as np

from borrowedtime._numba import jit, prange, stack_zeros
from borrowedtime.detectors._linalg import solve_spd

__all__ = ["adf_all_windows", "adf_sup", "adf_window_stats_numpy", "psy_null_sup_stats", "sup_stats"]



@jit
def _lagged_design(y, k):
    """Rows of the ADF regression for ``y`` with ``k`` lagged differences.

    Row ``r`` (for observation ``t = r + k + 1``) holds
    ``[dy_t, 1, dy_{t-1}, ..., dy_{t-k}, y_{t-1}]``.
    """
    n = y.shape[0]
    rows = n - k - 1
    p = k + 2
    z = np.empty((rows, p + 1))
    for r in range(rows):
        t = r + k + 1
        z[r, 0] = y[t] - y[t - 1]
        z[r, 1] = 1.0
        for j in range(1, k + 1):
            z[r, 1 + j] = y[t - j] - y[t - j - 1]
        z[r, p] = y[t - 1]
    return z


@jit
def adf_all_windows(y, k, minw, stats):
    """ADF t-statistics of every window with at least ``minw`` regression rows.

    Windows are ranges of observations ``y[i0..i1]`` (inclusive); the
    regression inside uses the rows whose dependent observation lies in
    ``[i0 + k + 1, i1]`` (lags never reach before the window), so a window of
    ``minw`` rows spans ``minw + k + 1`` observations, as in exuber.
    ``stats[i0, i1]`` gets the statistic, NaN elsewhere.
    """
    n = y.shape[0]
    z = _lagged_design(y, k)
    p = k + 2
    for i in range(n):
        for j in range(n):
            stats[i, j] = np.nan
    a = np.zeros((p, p))
    b = np.zeros(p)
    beta = np.zeros(p)
    work = np.zeros((p, p))
    # a window y[i0..i1] has rows r with t = r + k + 1 in [i0 + k + 1, i1]
    for i0 in range(n - minw - k):
        for u in range(p):
            b[u] = 0.0
            for v in range(p):
                a[u, v] = 0.0
        yy = 0.0
        nrow = 0
        for i1 in range(i0 + k + 1, n):
            r = i1 - k - 1
            for u in range(p):
                zu = z[r, 1 + u]
                b[u] += zu * z[r, 0]
                for v in range(u + 1):
                    a[u, v] += zu * z[r, 1 + v]
            yy += z[r, 0] * z[r, 0]
            nrow += 1
            if nrow < minw:
                continue
            for u in range(p):
                for v in range(u + 1, p):
                    a[u, v] = a[v, u]
            explained, piv = solve_spd(a, b, p, beta, work)
            dof = nrow - p
            if dof <= 0 or piv == 0.0:
                continue
            ssr = yy - explained
            if ssr <= 0.0:
                continue
            sigma = math.sqrt(ssr / dof)
            stats[i0, i1] = beta[p - 1] * piv / sigma
    return stats


@jit
def _ldl_tstat(cp, m, dof, lo, dg):
    """ADF t-statistic of the last regressor from the augmented cross-product matrix, by LDL'.

    ``cp[:m, :m]`` (lower triangle) is ``W'W`` for ``W = [X, d]``: the
    ``p = m - 1`` regressors with the lagged level last, then the dependent
    variable. Its LDL' factorisation ``W'W = L D L'`` holds the whole fit:
    ``D[p]`` is the residual sum of squares and the Cholesky factor of
    ``X'X`` is ``L sqrt(D)``, so the t-ratio ``beta_p / se(beta_p)`` is
    ``L[p, p-1] sqrt(D[p-1] dof / D[p])`` with one square root and no
    back-substitution. Regressor columns whose pivot falls below ``1e-12``
    of their diagonal are dropped, as in :func:`~borrowedtime.detectors._linalg.solve_spd`.
    Returns NaN when the level column is dropped or the residual sum of
    squares is not positive.
    """
    p = m - 1
    for j in range(m):
        s = cp[j, j]
        for q in range(j):
            s -= lo[j, q] * lo[j, q] * dg[q]
        if j < p and (not (s > 1e-12 * cp[j, j]) or not (cp[j, j] > 0.0)):
            dg[j] = 0.0
            for i in range(j + 1, m):
                lo[i, j] = 0.0
            continue
        dg[j] = s
        if j == p:
            break
        inv = 1.0 / s
        for i in range(j + 1, m):
            s2 = cp[i, j]
            for q in range(j):
                s2 -= lo[i, q] * lo[j, q] * dg[q]
            lo[i, j] = s2 * inv
    if dg[p - 1] == 0.0 or not (dg[p] > 0.0):
        return np.nan
    return lo[p, p - 1] * math.sqrt(dg[p - 1] * dof / dg[p])


@jit
def adf_sup(y, k, minw, bsadf, badf):
    """SADF, GSADF and the BSADF sequence without storing every window's statistic.

    Same windows and statistics as :func:`adf_all_windows` followed by
    :func:`sup_stats`; the sup over starts is kept as a running maximum, and
    with no lags (two regressors) the statistic comes in closed form. With
    lags, each start's cross-products are updated one observation at a time
    as the end advances and the t-ratio is read off their LDL' factors
    (:func:`_adf_sup_generic`; at lags 1-3 a kernel compiled for that lag,
    :func:`_adf_sup_fixed_lag`, run with several window starts side by side,
    :func:`_adf_sup_fixed_lag_lanes`, equal to it bit for bit). The lagged level is centred on the window's
    first value (the intercept absorbs the shift; the t-ratio is unchanged) to keep the sums exact.

    Parameters
    ----------
    bsadf : ndarray, shape (n,)
        Output: BSADF at each end, NaN before the first complete window.
    badf : ndarray, shape (n,)
        Output: ADF of the window from the first observation to each end
        (the forward recursive sequence), NaN before the first complete window.

    Returns
    -------
    (float, float)
        SADF and GSADF.
    """
    n = y.shape[0]
    z = _lagged_design(y, k)
    for i in range(n):
        bsadf[i] = -np.inf
        badf[i] = np.nan
    if k == 0:
        sadf = _adf_sup_lag0(y, z, minw, bsadf, badf)
    elif k == 1:
        sadf = _adf_sup_lag1_starts(y, z, minw, bsadf, badf)
    elif k == 2:
        sadf = _adf_sup_lag2_starts(y, z, minw, bsadf, badf)
    elif k == 3:
        sadf = _adf_sup_lag3_starts(y, z, minw, bsadf, badf)
    else:
        sadf = _adf_sup_generic(y, z, k, minw, bsadf, badf)
    gsadf = -np.inf
    for i in range(n):
        if bsadf[i] == -np.inf:
            bsadf[i] = np.nan
        elif bsadf[i] > gsadf:
            gsadf = bsadf[i]
    return sadf, gsadf


@jit
def _adf_sup_generic(y, z, k, minw, bsadf, badf):
    """:func:`adf_sup`'s running sups for any lag; returns SADF (see :func:`_ldl_tstat`).

    For each window start the cross-products of the regressors and the
    dependent variable are updated one observation at a time as the window
    end advances, and each window's t-ratio is read off their LDL'
    factorisation (no refit, no back-substitution). Lag 0 has a closed form.
    """
    n = y.shape[0]
    p = k + 2
    cp = np.zeros((p + 1, p + 1))
    lo = np.zeros((p + 1, p + 1))
    dg = np.zeros(p + 1)
    w = np.zeros(p + 1)
    sadf = -np.inf
    for i0 in range(n - minw - k):
        c = y[i0]
        n_r = 0.0
        s1 = s2 = sd = sxd = sdd = 0.0
        if p > 2:
            for u in range(p + 1):
                for v in range(p + 1):
                    cp[u, v] = 0.0
        for i1 in range(i0 + k + 1, n):
            r = i1 - k - 1
            d = z[r, 0]
            sdd += d * d
            n_r += 1.0
            if p == 2:
                x = z[r, 2] - c
                s1 += x
                s2 += x * x
                sd += d
                sxd += x * d
                if n_r < minw:
                    continue
                det = n_r * s2 - s1 * s1
                if not det > 0.0:
                    continue
                bet = (n_r * sxd - s1 * sd) / det
                alpha = (sd - bet * s1) / n_r
                ssr = sdd - alpha * sd - bet * sxd
                if not ssr > 0.0:
                    continue
                stat = bet / math.sqrt(ssr / (n_r - 2.0) * n_r / det)
            else:
                # running cross-products of w = [regressors (level centred), d]
                m = p + 1
                for u in range(p):
                    w[u] = z[r, 1 + u]
                w[p - 1] -= c
                w[p] = d
                for u in range(m):
                    wu = w[u]
                    for v in range(u + 1):
                        cp[u, v] += wu * w[v]
                if n_r < minw:
                    continue
                stat = _ldl_tstat(cp, m, n_r - p, lo, dg)
                if stat != stat:
                    continue
            if stat > bsadf[i1]:
                bsadf[i1] = stat
            if i0 == 0:
                badf[i1] = stat
                if stat > sadf:
                    sadf = stat
    return sadf


def _adf_sup_fixed_lag(k):
    """:func:`_adf_sup_generic` for one lag ``k`` that the compiler knows: the kernel for that lag.

    The same recursion (cross-products of ``[X, d]`` updated one observation at a
    time, the t-ratio read off their LDL' factors, intercept first and the
    lagged level last), with every size a constant: the cross-products ``s``,
    the factors ``lo`` and the pivots ``dg`` are small arrays on the kernel's
    stack (:func:`~borrowedtime._numba.stack_zeros`) and every loop runs a
    constant number of times (triangular loops run the full range under a
    condition), so the compiler unrolls them and keeps the numbers in
    registers: as fast as the kernels once written out by hand per lag, and
    bitwise equal to them. The intercept's cross-products are the count
    ``n_r`` and the plain sums ``s[i, 0]``; pivots of the regressors below
    ``1e-12`` of their diagonal drop that column, as in :func:`_ldl_tstat`.
    """
    p = k + 2  # regressors: intercept, k lagged differences, lagged level (last)
    m = p + 1  # and the dependent variable

    def adf_sup_lag(y, z, minw, bsadf, badf):
        n = y.shape[0]
        s = stack_zeros(m, m)
        lo = stack_zeros(m, m)
        dg = stack_zeros(m)
        w = stack_zeros(m)
        sadf = -np.inf
        for i0 in range(n - minw - k):
            c = y[i0]
            n_r = 0.0
            for i in range(m):
                for j in range(m):
                    s[i, j] = 0.0
            for r in range(i0, n - k - 1):
                for i in range(1, p - 1):
                    w[i] = z[r, i + 1]
                w[p - 1] = z[r, p] - c
                w[p] = z[r, 0]
                n_r += 1.0
                for i in range(1, m):
                    s[i, 0] += w[i]
                    for j in range(1, m):
                        if j <= i:
                            s[i, j] += w[i] * w[j]
                if n_r < minw:
                    continue
                inv0 = 1.0 / n_r
                for i in range(1, m):
                    lo[i, 0] = s[i, 0] * inv0
                for j in range(1, m):
                    d = s[j, j] - lo[j, 0] * s[j, 0]
                    for q in range(1, m):
                        if q < j:
                            d -= lo[j, q] * lo[j, q] * dg[q]
                    if j < p:
                        if d > 1e-12 * s[j, j] and s[j, j] > 0.0:
                            inv = 1.0 / d
                        else:
                            d = 0.0
                            inv = 0.0
                        for i in range(1, m):
                            if i > j:
                                t = s[i, j] - lo[i, 0] * s[j, 0]
                                for q in range(1, m):
                                    if q < j:
                                        t -= lo[i, q] * lo[j, q] * dg[q]
                                lo[i, j] = t * inv
                    dg[j] = d
                if dg[p - 1] == 0.0 or not dg[p] > 0.0:
                    continue
                stat = lo[p, p - 1] * math.sqrt(dg[p - 1] * (n_r - p) / dg[p])
                i1 = r + k + 1
                if stat > bsadf[i1]:
                    bsadf[i1] = stat
                if i0 == 0:
                    badf[i1] = stat
                    if stat > sadf:
                        sadf = stat
        return sadf

    adf_sup_lag.__name__ = adf_sup_lag.__qualname__ = f"_adf_sup_lag{k}"
    return jit(adf_sup_lag)


def _adf_sup_fixed_lag_lanes(k, lanes):
    """:func:`_adf_sup_fixed_lag` with ``lanes`` window starts side by side: the kernel :func:`adf_sup` runs at lag ``k``.

    The same windows, running cross-products and LDL' arithmetic as the
    one-start kernel, in the same order, so every statistic equals that
    kernel's bit for bit; only the loops are arranged differently. A block of
    ``lanes`` consecutive window starts walks down the rows together, and at
    each row the innermost loops run over the block's starts: one updates
    each start's cross-products, the next reads each start's t-ratio off
    their LDL' factors. Neither has a branch (a start not yet reached keeps
    its sums; a pivot below ``1e-12`` of its diagonal drops that column
    through a select; 1 stands in for the divisor of a dropped column or a
    skipped window, so nothing divides by zero) nor a dependence between the
    starts, so the compiler computes several starts per instruction, their
    divisions and square root included (``error_model="numpy"``), where the
    one-start kernel waits on each division in turn. Until the block's first
    start has ``minw`` rows only the sums are updated. The running maximum
    over the block is taken after the innermost loops, as in
    :func:`_adf_sup_lag0`.

    Every start's numbers live in one flat array, ``lanes`` slots per
    quantity at offsets the compiler knows: cross-products ``s[i, j]`` at
    ``(i m + j) lanes`` (``s[i, 0]`` the sum of ``w_i``, ``s[0, 0]`` the row
    count; ``w`` = intercept, lagged differences, level less the window's
    first value, difference), the factor ``lo[i, j]`` at ``(m^2 + i m + j)
    lanes``, the pivots ``dg[j]`` at ``(2 m^2 + j) lanes``, then the first
    values and the statistics. (With separate arrays, or the factors in
    small scratch arrays shared by the starts, the compiler could not prove
    the starts independent and left the loops scalar.)
    """
    p = k + 2  # regressors: intercept, k lagged differences, lagged level (last)
    m = p + 1  # and the dependent variable
    L = lanes
    LO = m * m  # offsets, in units of L, in the flat state (see above)
    DG = 2 * m * m
    FIRST = DG + m
    STAT = FIRST + 1

    def adf_sup_lag(y, z, minw, bsadf, badf):
        n = y.shape[0]
        n_starts = n - minw - k
        a = np.zeros((STAT + 1) * L)
        w = stack_zeros(m)
        sadf = -np.inf
        for s0 in range(0, n_starts, L):
            live = min(L, n_starts - s0)
            for b in range(L):
                a[FIRST * L + b] = y[s0 + b] if b < live else 0.0
                for i in range(m):
                    for j in range(m):
                        a[(i * m + j) * L + b] = 0.0
            for r in range(s0, n - k - 1):
                for i in range(1, p - 1):
                    w[i] = z[r, i + 1]
                w[p] = z[r, 0]
                lv = z[r, p]
                for b in range(L):  # the cross-products of the starts this row reaches
                    on = (r >= s0 + b) & (b < live)
                    x = lv - a[FIRST * L + b]
                    t = a[b] + 1.0
                    a[b] = t if on else a[b]
                    for i in range(1, m):
                        wi = x if i == p - 1 else w[i]
                        t = a[i * m * L + b] + wi
                        a[i * m * L + b] = t if on else a[i * m * L + b]
                        for j in range(1, m):
                            if j <= i:
                                wj = x if j == p - 1 else w[j]
                                t = a[(i * m + j) * L + b] + wi * wj
                                a[(i * m + j) * L + b] = t if on else a[(i * m + j) * L + b]
                if r < s0 + minw - 1:  # no start of the block has a full window yet
                    continue
                for b in range(L):  # the t-ratios: LDL' of the cross-products, intercept first
                    n_r = a[b]
                    inv0 = 1.0 / (n_r if n_r > 0.0 else 1.0)
                    for i in range(1, m):
                        a[(LO + i * m) * L + b] = a[i * m * L + b] * inv0
                    for j in range(1, m):
                        d = a[(j * m + j) * L + b] - a[(LO + j * m) * L + b] * a[j * m * L + b]
                        for q in range(1, m):
                            if q < j:
                                lq = a[(LO + j * m + q) * L + b]
                                d -= lq * lq * a[(DG + q) * L + b]
                        if j < p:
                            sjj = a[(j * m + j) * L + b]
                            keep = (d > 1e-12 * sjj) & (sjj > 0.0)
                            inv = 1.0 / (d if keep else 1.0)
                            inv = inv if keep else 0.0
                            d = d if keep else 0.0
                            for i in range(1, m):
                                if i > j:
                                    t = a[(i * m + j) * L + b] - a[(LO + i * m) * L + b] * a[j * m * L + b]
                                    for q in range(1, m):
                                        if q < j:
                                            t -= (a[(LO + i * m + q) * L + b] * a[(LO + j * m + q) * L + b]
                                                  * a[(DG + q) * L + b])
                                    a[(LO + i * m + j) * L + b] = t * inv
                        a[(DG + j) * L + b] = d
                    level = a[(DG + p - 1) * L + b]
                    resid = a[(DG + p) * L + b]
                    ok = (n_r >= minw) & (level != 0.0) & (resid > 0.0)
                    num = level * (n_r - p) if ok else 1.0
                    stat = a[(LO + p * m + p - 1) * L + b] * math.sqrt(num / (resid if ok else 1.0))
                    a[STAT * L + b] = stat if ok else -np.inf
                i1 = r + k + 1
                best = bsadf[i1]
                for b in range(L):
                    if a[STAT * L + b] > best:
                        best = a[STAT * L + b]
                bsadf[i1] = best
                first = a[STAT * L]
                if s0 == 0 and first > -np.inf:  # the first start: the forward sequence and SADF
                    badf[i1] = first
                    if first > sadf:
                        sadf = first
        return sadf

    adf_sup_lag.__name__ = adf_sup_lag.__qualname__ = f"_adf_sup_lag{k}_starts"
    return jit(adf_sup_lag, error_model="numpy")


@jit(error_model="numpy")
def _adf_sup_lag0(y, z, minw, bsadf, badf):
    """:func:`_adf_sup_generic` at lag 0 (two regressors): the t-ratio in closed form, one division.

    With ``n`` rows, ``x`` the lagged level (centred on the window's first
    value) and ``d`` the difference, write ``det = n Sxx - Sx^2`` and
    ``num = n Sxd - Sx Sd``. Then ``n det SSR = det (n Sdd - Sd^2) - num^2 =: q``
    and the t-ratio ``beta / se(beta)`` is ``num sqrt((n - 2) / q)``: one
    division and one square root per window (the textbook route through
    ``beta``, ``alpha``, ``SSR`` and ``se`` takes five divisions). Windows with
    ``det <= 0`` or ``q <= 0`` (no residual variance) are skipped, as there.

    ``_START_LANES`` window starts advance side by side, one per lane: at each
    row the innermost loop updates every lane's sums and statistic with no
    branch (a lane not yet started keeps its sums; 1 stands in for a divisor
    of a skipped window), so the compiler vectorises it
    (``error_model="numpy"``), and the running maximum over the lanes is taken
    after. Each window's arithmetic is that of one start at a time, so the
    results are the same bit for bit.
    """
    n = y.shape[0]
    L = _START_LANES
    n_starts = n - minw
    acc = np.zeros((7, L))  # rows: first value, sums of x, x^2, d, x d, d^2, row count
    stat_b = np.empty(L)
    sadf = -np.inf
    for s0 in range(0, n_starts, L):
        c = acc[0]
        s1 = acc[1]
        s2 = acc[2]
        sd = acc[3]
        sxd = acc[4]
        sdd = acc[5]
        nr = acc[6]
        live = min(L, n_starts - s0)
        for b in range(L):
            c[b] = y[s0 + b] if b < live else 0.0
            s1[b] = 0.0
            s2[b] = 0.0
            sd[b] = 0.0
            sxd[b] = 0.0
            sdd[b] = 0.0
            nr[b] = 0.0
        for r in range(s0, n - 1):
            d = z[r, 0]
            lv = z[r, 2]
            for b in range(L):
                on = (r >= s0 + b) & (b < live)
                x = lv - c[b]
                a1 = s1[b] + x
                a2 = s2[b] + x * x
                ad = sd[b] + d
                axd = sxd[b] + x * d
                add = sdd[b] + d * d
                m = nr[b] + 1.0
                a1 = a1 if on else s1[b]
                a2 = a2 if on else s2[b]
                ad = ad if on else sd[b]
                axd = axd if on else sxd[b]
                add = add if on else sdd[b]
                m = m if on else nr[b]
                s1[b] = a1
                s2[b] = a2
                sd[b] = ad
                sxd[b] = axd
                sdd[b] = add
                nr[b] = m
                det = m * a2 - a1 * a1
                num = m * axd - a1 * ad
                q = det * (m * add - ad * ad) - num * num
                ok = on & (m >= minw) & (det > 0.0) & (q > 0.0)
                stat = num * math.sqrt(((m - 2.0) if ok else 1.0) / (q if ok else 1.0))
                stat_b[b] = stat if ok else -np.inf
            best = bsadf[r + 1]
            for b in range(L):
                if stat_b[b] > best:
                    best = stat_b[b]
            bsadf[r + 1] = best
            if s0 == 0 and stat_b[0] > -np.inf:  # the first start: the forward sequence and SADF
                badf[r + 1] = stat_b[0]
                if stat_b[0] > sadf:
                    sadf = stat_b[0]
    return sadf


_START_LANES = 16
"""Window starts :func:`_adf_sup_lag0` advances side by side."""

@jit(error_model="numpy")
def _adf_sup_lag0_lanes(y, minw, bsadf, badf, sadf_out):
    """:func:`_adf_sup_lag0` for several series at once, one per lane: the simulation's kernel.

    ``y`` is (n, R): R series side by side, time along the rows. Every series
    goes through the same windows in the same order with the same arithmetic
    as in :func:`_adf_sup_lag0` (bit for bit), but the innermost loop runs
    over the series, with no branch and no dependence between them, so the
    compiler computes several lanes per instruction (its division and square
    root included; ``error_model="numpy"``, and the divisor is never zero:
    1 is put in where the window is skipped). ``bsadf`` (n, R) gets -inf
    where no window ends, ``badf`` (n, R) NaN; ``sadf_out`` (R,) the SADF.
    """
    n, R = y.shape
    acc = np.zeros((6, R))  # rows: window's first value, sums of x, x^2, d, x d, d^2
    for i in range(n):
        for b in range(R):
            bsadf[i, b] = -np.inf
            badf[i, b] = np.nan
    for b in range(R):
        sadf_out[b] = -np.inf
    for i0 in range(n - minw):
        c = acc[0]
        s1 = acc[1]
        s2 = acc[2]
        sd = acc[3]
        sxd = acc[4]
        sdd = acc[5]
        for b in range(R):
            c[b] = y[i0, b]
            s1[b] = 0.0
            s2[b] = 0.0
            sd[b] = 0.0
            sxd[b] = 0.0
            sdd[b] = 0.0
        n_r = 0.0
        for r in range(i0, n - 1):
            n_r += 1.0
            yr = y[r]
            yn = y[r + 1]
            if n_r < minw:
                for b in range(R):
                    d = yn[b] - yr[b]
                    x = yr[b] - c[b]
                    s1[b] += x
                    s2[b] += x * x
                    sd[b] += d
                    sxd[b] += x * d
                    sdd[b] += d * d
                continue
            out = bsadf[r + 1]
            for b in range(R):  # the sums and the statistic in one pass (the sums stay in registers)
                d = yn[b] - yr[b]
                x = yr[b] - c[b]
                a1 = s1[b] + x
                a2 = s2[b] + x * x
                ad = sd[b] + d
                axd = sxd[b] + x * d
                add = sdd[b] + d * d
                s1[b] = a1
                s2[b] = a2
                sd[b] = ad
                sxd[b] = axd
                sdd[b] = add
                det = n_r * a2 - a1 * a1
                num = n_r * axd - a1 * ad
                q = det * (n_r * add - ad * ad) - num * num
                ok = (det > 0.0) & (q > 0.0)
                stat = num * math.sqrt((n_r - 2.0) / (q if ok else 1.0))
                v = stat if ok else -np.inf
                old = out[b]
                out[b] = v if v > old else old
            if i0 == 0:
                for b in range(R):
                    det = n_r * s2[b] - s1[b] * s1[b]
                    num = n_r * sxd[b] - s1[b] * sd[b]
                    q = det * (n_r * sdd[b] - sd[b] * sd[b]) - num * num
                    if det > 0.0 and q > 0.0:
                        stat = num * math.sqrt((n_r - 2.0) / q)
                        badf[r + 1, b] = stat
                        if stat > sadf_out[b]:
                            sadf_out[b] = stat


# the kernels adf_sup runs at lags 1-3 (lag 0: _adf_sup_lag0; others: _adf_sup_generic)
_STARTS_SIDE_BY_SIDE = 8
"""Window starts the lag 1-3 kernels advance together (8 to 32 ran alike on NASDAQ here; 4 was slower)."""
_adf_sup_lag1_starts = _adf_sup_fixed_lag_lanes(1, _STARTS_SIDE_BY_SIDE)
_adf_sup_lag2_starts = _adf_sup_fixed_lag_lanes(2, _STARTS_SIDE_BY_SIDE)
_adf_sup_lag3_starts = _adf_sup_fixed_lag_lanes(3, _STARTS_SIDE_BY_SIDE)
# one start at a time: the specification the kernels above equal bit for bit (tests/test_kernel_twins.py)
_adf_sup_lag1 = _adf_sup_fixed_lag(1)
_adf_sup_lag2 = _adf_sup_fixed_lag(2)
_adf_sup_lag3 = _adf_sup_fixed_lag(3)


def adf_window_stats_numpy(y, k, i0, i1):
    """NumPy specification of one window's ADF t-statistic (see :func:`adf_all_windows`)."""
    y = np.asarray(y, float)
    t = np.arange(i0 + k + 1, i1 + 1)
    dy = np.diff(y)  # dy[t-1] = y[t] - y[t-1]
    cols = [np.ones(t.size)] + [dy[t - 1 - j] for j in range(1, k + 1)] + [y[t - 1]]
    x = np.column_stack(cols)
    target = dy[t - 1]
    coef, *_ = np.linalg.lstsq(x, target, rcond=None)
    resid = target - x @ coef
    dof = t.size - x.shape[1]
    sigma2 = resid @ resid / dof
    cov = sigma2 * np.linalg.pinv(x.T @ x)  # a column that is all zero is dropped, as in the kernels
    return coef[-1] / np.sqrt(cov[-1, -1])


@jit
def sup_stats(stats, k, minw, bsadf):
    """BSADF sequence (sup over starts for each end) of a window-stat matrix; returns (SADF, GSADF).

    ``bsadf[i1]`` is set for ``i1 >= minw + k`` (the first complete window).
    """
    n = stats.shape[0]
    sadf = -np.inf
    gsadf = -np.inf
    for i1 in range(minw + k, n):
        best = -np.inf
        for i0 in range(0, i1 - k - minw + 1):
            v = stats[i0, i1]
            if v > best:
                best = v
        bsadf[i1] = best
        if stats[0, i1] > sadf:
            sadf = stats[0, i1]
        if best > gsadf:
            gsadf = best
    return sadf, gsadf


@jit(parallel=True)
def psy_null_sup_stats(eps, k, minw, drift, bsadf_out, sadf_out, gsadf_out, badf_out):
    """Simulate the PSY null and record SADF, GSADF and the BSADF sequence per replication.

    Each replication is the random walk ``y_t = drift + y_{t-1} + eps_t`` with
    ``y_0 = 0`` (Phillips, Shi and Yu 2015, eq. 5, with ``d T^-eta = drift``).

    Parameters
    ----------
    eps : ndarray, shape (reps, n)
        Standard normal shocks (drawn by the caller from a seeded Generator).
    bsadf_out, badf_out : ndarray, shape (reps, n)
        Output BSADF and forward ADF sequences; NaN before the first complete window.
    """
    reps, n = eps.shape
    if k == 0:
        # lag 0: blocks of replications side by side (_adf_sup_lag0_lanes), the blocks in parallel;
        # each replication's numbers do not depend on the blocking. Blocks of at least 24 walks: the
        # Monte Carlo's chunks of 50 make two blocks of 25, one per core of a two-core machine (three
        # blocks of 16-17 left one core idle a third of the time, and 25 walks side by side cost less
        # per walk than 16)
        n_blocks = max(1, reps // 24)
        for blk in prange(n_blocks):
            lo = blk * reps // n_blocks
            m = (blk + 1) * reps // n_blocks - lo
            walks = np.empty((n, m))
            for j in range(m):
                acc = 0.0
                for i in range(n):
                    acc += drift + eps[lo + j, i]
                    walks[i, j] = acc
            seq = np.empty((n, m))
            fwd = np.empty((n, m))
            sadf = np.empty(m)
            _adf_sup_lag0_lanes(walks, minw, seq, fwd, sadf)
            for j in range(m):
                gsadf = -np.inf
                for i in range(n):
                    v = seq[i, j]
                    if v == -np.inf:
                        v = np.nan
                    elif v > gsadf:
                        gsadf = v
                    bsadf_out[lo + j, i] = v
                    badf_out[lo + j, i] = fwd[i, j]
                sadf_out[lo + j] = sadf[j]
                gsadf_out[lo + j] = gsadf
        return bsadf_out
    for r in prange(reps):
        y = np.empty(n)
        acc = 0.0
        for i in range(n):
            acc += drift + eps[r, i]
            y[i] = acc
        seq = np.empty(n)
        fwd = np.empty(n)
        sadf, gsadf = adf_sup(y, k, minw, seq, fwd)
        for i in range(n):
            bsadf_out[r, i] = seq[i]
            badf_out[r, i] = fwd[i]
        sadf_out[r] = sadf
        gsadf_out[r] = gsadf
    return bsadf_out
