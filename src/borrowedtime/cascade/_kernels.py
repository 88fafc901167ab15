"""The cascade's clearing stage as one compiled pass per path (:mod:`borrowedtime._numba` conventions).

:func:`clearing_rows` is :func:`~borrowedtime.cascade.stages.stage_clearing_numpy` (covenants,
acceleration, guarantees, Rogers-Veraart clearing by Picard iteration from full payment, losses
and cash) written path by path: every sum runs over the edges in their order, every expression
is evaluated in the same order, so the result is the NumPy stage's bit for bit
(``tests/cascade/test_speed.py``), at a fraction of its cost (the NumPy stage makes ~60 passes
over (paths x edges) arrays per quarter).
"""

from __future__ import annotations

import numpy as np

from borrowedtime._numba import jit

__all__ = ["clearing_rows"]


@jit(nogil=True)
def clearing_rows(q, sched_q, remaining, cut, frozen, roll_share, debt_edge, guarantor, default_q, tracks,
                  opex, dscr_min, src, dst, cash, cash0, ocf_q, lab_index, lab_cash, revenue, noncontract,
                  relet, alpha, beta, tie, tol, max_iter, loss, due_out, paid_out, new_default):
    """One quarter's clearing on every path; updates ``remaining``, ``cash``, ``lab_cash``, ``default_q``,
    ``loss`` in place and fills ``due_out``, ``paid_out``, ``new_default``. Returns the number of paths
    whose Picard iteration did not settle within ``max_iter`` (0 when all did)."""
    P, m = remaining.shape
    n = cash.shape[1]
    L = lab_index.shape[0]
    unsettled = 0
    sched = np.empty(m)
    contracted = np.empty(m)
    due = np.empty(m)
    topup = np.empty(m)
    owed = np.empty(m)
    share = np.empty(m)
    paid = np.empty(m)
    accel = np.zeros(m, dtype=np.bool_)
    dead = np.zeros(n, dtype=np.bool_)
    s_top = np.empty(n)
    promised = np.empty(n)
    service = np.empty(n)
    e = np.empty(n)
    e_in = np.empty(n)
    pbar = np.empty(n)
    full_in = np.empty(n)
    pr = np.empty(n)
    new = np.empty(n)
    inflow = np.empty(n)
    pay = np.empty(n)
    default = np.zeros(n, dtype=np.bool_)
    for p in range(P):
        roll = 0.0 if frozen[p] else roll_share
        for k in range(m):
            sched[k] = min(sched_q[k], remaining[p, k])
            r = roll * (1.0 if debt_edge[k] else 0.0)
            contracted[k] = sched[k] * (1.0 - r)
            due[k] = contracted[k] * (1.0 - cut[p, k])
            topup[k] = 0.0
        for i in range(n):
            dead[i] = default_q[p, i] != -1
        for k in range(m):
            g = guarantor[k]
            if g >= 0:
                topup[k] = (contracted[k] - due[k]) if default_q[p, g] == -1 else 0.0
        # the guarantors' top-ups are their losses
        for i in range(n):
            s_top[i] = 0.0
        for k in range(m):
            if guarantor[k] >= 0:
                s_top[guarantor[k]] += 1.0 * topup[k]
        for i in range(n):
            loss[p, i] += s_top[i]
        # covenant on the contractual service
        for i in range(n):
            promised[i] = 0.0
            service[i] = 0.0
        for k in range(m):
            promised[dst[k]] += 1.0 * (due[k] + topup[k])
        for k in range(m):
            service[src[k]] += 1.0 * (min(sched_q[k], remaining[p, k]) if debt_edge[k] else 0.0)
        for k in range(m):
            b = src[k]
            cov = (1.0 - opex[b]) * promised[b]
            breach = (tracks[b] and service[b] > 0 and cov < dscr_min * service[b] * (1.0 - 1e-9)
                      and not dead[b])
            accel[k] = breach and debt_edge[k]
            o = remaining[p, k] * (1.0 - cut[p, k]) if accel[k] else due[k]
            owed[k] = 0.0 if dead[src[k]] else o
        # external assets
        for i in range(n):
            e[i] = (cash[p, i] if tracks[i] else cash0[i]) + ocf_q[i]
        for li in range(L):
            e[lab_index[li]] = max(lab_cash[p, li] + revenue[p, li] / 4.0 - noncontract[li], 0.0)
        for i in range(n):
            s_top[i] = 0.0
        for k in range(m):
            s_top[dst[k]] += 1.0 * topup[k]
        for i in range(n):
            e_in[i] = e[i] + s_top[i]
        # clearing (clear_batch): full payment first, Picard from there on a path that falls short
        for i in range(n):
            pbar[i] = 0.0
            full_in[i] = 0.0
        for k in range(m):
            pbar[src[k]] += 1.0 * owed[k]
        for k in range(m):
            full_in[dst[k]] += 1.0 * owed[k]
        short_any = False
        for i in range(n):
            pay[i] = pbar[i]
            default[i] = False
            if e_in[i] + full_in[i] < pbar[i] * (1 - tie):
                short_any = True
        if short_any:
            for k in range(m):
                pb = pbar[src[k]]
                share[k] = owed[k] / (pb if pb > 0 else 1.0) if pb > 0 else 0.0
            for i in range(n):
                short = e_in[i] + full_in[i] < pbar[i] * (1 - tie)
                pr[i] = alpha * e_in[i] + beta * full_in[i] if short else pbar[i]
            settled = False
            for _ in range(max_iter):
                for i in range(n):
                    inflow[i] = 0.0
                for k in range(m):
                    inflow[dst[k]] += 1.0 * (share[k] * pr[src[k]])
                big = 0.0
                for i in range(n):
                    if e_in[i] + inflow[i] >= pbar[i] * (1 - tie):
                        new[i] = pbar[i]
                    else:
                        new[i] = alpha * e_in[i] + beta * inflow[i]
                    d = abs(new[i] - pr[i])
                    if d > big:
                        big = d
                for i in range(n):
                    pr[i] = new[i]
                if big <= tol:
                    settled = True
                    break
            if not settled:
                unsettled += 1
            for i in range(n):
                inflow[i] = 0.0
            for k in range(m):
                inflow[dst[k]] += 1.0 * (share[k] * pr[src[k]])
            for i in range(n):
                pay[i] = pr[i]
                default[i] = e_in[i] + inflow[i] < pbar[i] * (1 - tie)
        # what each edge received, the creditors' losses (re-let value recovers part of a cut)
        for k in range(m):
            pb = pbar[src[k]]
            sh = owed[k] / pb if pb > 0 else 0.0
            paid[k] = sh * pay[src[k]]
        for i in range(n):
            inflow[i] = 0.0
            s_top[i] = 0.0
        for k in range(m):
            inflow[dst[k]] += 1.0 * paid[k]
        for k in range(m):
            sf = max(contracted[k] - paid[k] - topup[k], 0.0)
            # an accelerated edge of a defaulter: stage 6 books all of it (what is unpaid stays owed below)
            if dead[src[k]] or sf < 1e-9 or (accel[k] and default[src[k]]):
                sf = 0.0
            s_top[dst[k]] += 1.0 * (sf * (1.0 - relet[p]))
        for i in range(n):
            loss[p, i] += s_top[i]
        for k in range(m):
            if accel[k]:
                # accelerated: paid in full, or still owed what was not paid (the creditors' claim in default)
                cleared = paid[k] if default[src[k]] else remaining[p, k]
            else:
                cleared = contracted[k]
            remaining[p, k] = max(remaining[p, k] - cleared, 0.0)
            due_out[p, k] = owed[k]
            paid_out[p, k] = paid[k]
        for i in range(n):
            nd = default[i] and not dead[i] and pbar[i] > 0
            new_default[p, i] = nd
            solvent = e_in[i] + inflow[i] - pay[i]
            if tracks[i]:
                cash[p, i] = 0.0 if default[i] else solvent
            e[i] = solvent
        for li in range(L):
            j = lab_index[li]
            lab_cash[p, li] = 0.0 if (new_default[p, j] or dead[j]) else e[j]
        for i in range(n):
            if new_default[p, i]:
                default_q[p, i] = q
    return unsettled


@jit(nogil=True)
def equity_keys(default_q, loss, equity0, h_key, direct, changed):
    """Stage 5's direct distress in one pass per path (:func:`~borrowedtime.cascade.stages.stage_equity`).

    Fills ``direct`` (P, N): 1 for a defaulted entity (``default_q != -1``), else
    ``min(1, loss / equity0)`` with NumPy's ``minimum`` and division semantics (a NaN stays NaN; x / 0 is
    inf or NaN); updates ``h_key`` (P, N) in place to the key DebtRank's distress was computed from (2 for
    a defaulted entity, else the direct distress) and sets ``changed[p]`` where a path's key moved
    (NaN counts as moved, as NumPy's ``!=``). Element by element the arithmetic of
    :func:`equity_keys_numpy`, so the same bits.
    """
    P, n = loss.shape
    for p in range(P):
        moved = False
        for i in range(n):
            if default_q[p, i] != -1:
                d = 1.0
                key = 2.0
            else:
                e = equity0[i]
                x = loss[p, i]
                if e != 0.0:
                    r = x / e
                elif x > 0.0:
                    r = np.inf
                elif x < 0.0:
                    r = -np.inf
                else:
                    r = np.nan
                d = 1.0 if r >= 1.0 else r  # np.minimum(1.0, r): NaN stays NaN
                key = d
            direct[p, i] = d
            if key != h_key[p, i]:
                moved = True
            h_key[p, i] = key
        changed[p] = moved
    return changed


def equity_keys_numpy(default_q, loss, equity0, h_key, direct, changed):
    """:func:`equity_keys` in NumPy over all paths at once (the specification it is tested against)."""
    dead = default_q != -1
    with np.errstate(divide="ignore", invalid="ignore"):
        direct[:] = np.where(dead, 1.0, np.minimum(1.0, loss / equity0[None, :]))
    key = np.where(dead, 2.0, direct)
    changed[:] = (key != h_key).any(axis=1)
    h_key[:] = key
    return changed


@jit(nogil=True)
def net_need_sum(ex, rev, out, use):
    """Stage 1's projected need (:func:`~borrowedtime.cascade.stages._net_need`) after NumPy's ``exp``.

    ``ex`` (P, L, K) is ``exp(dev + dg * j / 4)``; ``rev`` and ``out`` (L, K) the plan's revenue rate and
    outflow over the next K quarters; ``use`` (L, K) which of them count. Returns (P, L)
    ``sum_j max(out - rev * ex / 4, 0) * use`` with NumPy's arithmetic element by element and NumPy's
    pairwise summation over the K terms (one accumulator below 8 terms, eight from 8 to 128), so the same
    bits as :func:`net_need_sum_numpy`; K above 128 is the caller's to sum in NumPy.
    """
    P, L, K = ex.shape
    res = np.empty((P, L))
    v = np.empty(K)
    r = np.empty(8)
    for p in range(P):
        for li in range(L):
            for j in range(K):
                x = out[li, j] - rev[li, j] * ex[p, li, j] / 4.0
                x = x if (x >= 0.0 or x != x) else 0.0  # np.maximum(x, 0.0): NaN stays NaN
                v[j] = x * (1.0 if use[li, j] else 0.0)
            res[p, li] = pairwise_sum(v, K, r)
    return res


def net_need_sum_numpy(ex, rev, out, use):
    """:func:`net_need_sum` in NumPy (its specification: the expression :func:`_net_need` evaluated)."""
    return (np.maximum(out[None, :, :] - rev[None] * ex / 4.0, 0.0) * use[None]).sum(axis=2)


@jit(nogil=True)
def pairwise_sum(v, K, r):
    """NumPy's sum of ``v[:K]`` (float64, contiguous, K <= 128) in NumPy's order: one accumulator from 0.0
    below 8 terms, else eight accumulators (``r``, length 8, scratch) added pairwise, then the remainder."""
    if K < 8:
        t = 0.0
        for j in range(K):
            t += v[j]
        return t
    for j in range(8):
        r[j] = v[j]
    i = 8
    while i < K - (K % 8):
        for j in range(8):
            r[j] += v[i + j]
        i += 8
    t = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < K:
        t += v[i]
        i += 1
    return t


@jit(nogil=True)
def strong_buy_rows(D, remaining, default_q, h, loss, bought, fire_sale, relet, src, dst, guarantor, debt_edge,
                    tracks, ltv, lgd_secured, lgd_unsecured, hyper, ocf_q):
    """Stage 6 (:func:`~borrowedtime.cascade.stages._strong_buy`) path by path, on paths with a new seizure.

    ``D`` (P, n) the new defaults; updates ``loss``, ``remaining`` and ``bought`` in place. Element by element
    the arithmetic of the NumPy stage, its edge sums in edge order (as ``EdgeSum``) and the assets sold summed
    in NumPy's pairwise order (:func:`pairwise_sum`; the caller keeps n <= 128), so the same bits.
    """
    P, m = remaining.shape
    n = loss.shape[1]
    owed = np.empty(m)
    E = np.zeros(m, dtype=np.bool_)
    total = np.empty(n)
    bk = np.empty(n)
    lgd = np.empty(n)
    s1 = np.empty(n)
    s2 = np.empty(n)
    v = np.empty(n)
    r8 = np.empty(8)
    sold = np.empty(P)
    any_sold = False
    for p in range(P):
        for i in range(n):
            total[i] = 0.0
            bk[i] = 0.0
            s1[i] = 0.0
            s2[i] = 0.0
        for k in range(m):
            e = D[p, src[k]]
            E[k] = e
            owed[k] = remaining[p, k] if e else 0.0
        for k in range(m):
            total[src[k]] += 1.0 * owed[k]
        for k in range(m):
            bk[src[k]] += 1.0 * (remaining[p, k] if (E[k] and debt_edge[k]) else 0.0)
        for i in range(n):
            book = bk[i] / ltv
            if tracks[i]:
                a = fire_sale[p] * book
                b = total[i]
                pr = a if (a <= b or a != a) else b  # np.minimum
            else:
                pr = 0.0
            cover = pr / total[i] if total[i] > 0 else 0.0
            lgd[i] = cover * lgd_secured + (1.0 - cover) * lgd_unsecured
            v[i] = book if tracks[i] else 0.0
        for k in range(m):
            lost = owed[k] * lgd[src[k]] if tracks[src[k]] else owed[k] * (1.0 - relet[p])
            g = guarantor[k]
            w = g >= 0 and default_q[p, g] == -1
            if dst[k] >= 0:
                s1[dst[k]] += 1.0 * (0.0 if w else lost)
            if g >= 0:
                s2[g] += 1.0 * (lost if w else 0.0)
        for i in range(n):
            loss[p, i] = loss[p, i] + s1[i]
        for i in range(n):
            loss[p, i] = loss[p, i] + s2[i]
        for k in range(m):
            if E[k] or D[p, dst[k]]:
                remaining[p, k] = 0.0
        t = pairwise_sum(v, n, r8)
        sold[p] = t
        if t > 0:
            any_sold = True
    if hyper.shape[0] > 0 and any_sold:
        for p in range(P):
            best = 0
            bv = h[p, hyper[0]] - 1e-9 * ocf_q[hyper[0]]
            for j in range(1, hyper.shape[0]):
                x = h[p, hyper[j]] - 1e-9 * ocf_q[hyper[j]]
                if bv != bv:
                    break  # np.argmin: the first NaN
                if x != x or x < bv:
                    best = j
                    bv = x
            bought[p, hyper[best]] += sold[p]
    return sold
