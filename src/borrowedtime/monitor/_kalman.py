"""Kalman filter and RTS smoother kernels, vectorised over a panel.

The model is scale-free: every variance is a multiple of the observation
noise variance, which is concentrated out of the likelihood (Harvey 1989,
sec. 3.4). The state covariance recursion then depends only on the time
grid and on which observations are missing, never on the data, so series
that share a grid and a missing-value pattern share one covariance path and
the panel costs one matrix product per time step.

Shapes: ``Y`` is ``(N, n)`` (series, time); ``T`` and ``Q`` are ``(n, m, m)``
(the transition into period t and its disturbance covariance); ``Z`` is
``(m,)``; states come back as ``(N, n, m)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from borrowedtime._numba import jit, prange

__all__ = [
    "FilterOutput",
    "kalman_filter_shared",
    "rts_smoother_shared",
    "covariance_path",
    "run_mean_path",
    "run_dense_mean_path",
]


@dataclass(frozen=True, eq=False)
class FilterOutput:
    """Raw filter output for one group of series sharing a covariance path.

    The predicted means a_{t|t-1} = T_t a_{t-1|t-1} are not stored (for a
    seasonal panel they are as large as the filtered means); ``predicted_mean``
    recomputes them on demand with the same product the filter used.
    """

    filtered_mean: np.ndarray  # (N, n, m)   a_{t|t}
    filtered_cov: np.ndarray  # (n, m, m)    P_{t|t} / sigma^2
    predicted_cov: np.ndarray  # (n, m, m)   P_{t|t-1} / sigma^2
    innovation: np.ndarray  # (N, n)         v_t (NaN where y_t is missing)
    innovation_var: np.ndarray  # (n,)       F_t / sigma^2 (NaN where missing)
    prior_mean: np.ndarray  # (N, m)         a_{0|-1} = a0
    transition: np.ndarray  # (n, m, m)      T_t

    @property
    def predicted_mean(self) -> np.ndarray:
        """a_{t|t-1}, shape (N, n, m), recomputed (allocates a new array)."""
        N, n, m = self.filtered_mean.shape
        a_pred = np.empty((n, N, m))
        a_pred[0] = self.prior_mean
        for t in range(1, n):
            np.matmul(self.filtered_mean[:, t - 1], self.transition[t].T, out=a_pred[t])
        return a_pred.transpose(1, 0, 2)


def kalman_filter_shared(
    Y: np.ndarray,
    T: np.ndarray,
    Q: np.ndarray,
    Z: np.ndarray,
    a0: np.ndarray,
    P0: np.ndarray,
    observed: np.ndarray,
) -> FilterOutput:
    """Filter a panel whose series share one covariance path.

    Parameters
    ----------
    Y : ndarray, shape (N, n)
        Observations (log levels); entries where ``observed`` is False are ignored.
    T, Q : ndarray, shape (n, m, m)
        Transition into period t and disturbance covariance (units of sigma^2).
        ``T[0]`` and ``Q[0]`` are unused (the prior applies at t = 0).
    Z : ndarray, shape (m,)
        Observation vector; the observation noise variance is 1 (sigma^2).
    a0 : ndarray, shape (N, m)
        Prior mean of the state at t = 0.
    P0 : ndarray, shape (m, m)
        Prior covariance at t = 0 (units of sigma^2).
    observed : ndarray of bool, shape (n,)
        Which periods carry an observation (shared by every series).
    """
    N, n = Y.shape
    m = Z.shape[0]
    # Time-major buffers: step t reads and writes one contiguous (N, m) block
    # (series-major storage made every step a strided scatter over N rows).
    # Returned as (N, n, m) views; the arithmetic is unchanged, bit for bit.
    a_filt = np.empty((n, N, m))
    a_pred = np.empty((N, m))  # a_{t|t-1} for the current step only
    P_filt = np.empty((n, m, m))
    P_pred = np.empty((n, m, m))
    v_all = np.full((n, N), np.nan)
    F_all = np.full(n, np.nan)
    Y_t = np.ascontiguousarray(np.asarray(Y, dtype=float).T)
    a_pred[:] = a0
    P = np.array(P0, dtype=float, copy=True)
    for t in range(n):
        if t > 0:
            np.matmul(a_filt[t - 1], T[t].T, out=a_pred)
            P = T[t] @ P @ T[t].T + Q[t]
            P = 0.5 * (P + P.T)
        a = a_pred
        P_pred[t] = P
        if observed[t]:
            PZ = P @ Z
            F = float(Z @ PZ) + 1.0
            K = PZ / F
            v = np.subtract(Y_t[t], a @ Z, out=v_all[t])
            np.multiply(v[:, None], K[None, :], out=a_filt[t])
            a_filt[t] += a
            P = P - np.outer(K, PZ)
            P = 0.5 * (P + P.T)
            F_all[t] = F
        else:
            a_filt[t] = a
        P_filt[t] = P
    return FilterOutput(
        filtered_mean=a_filt.transpose(1, 0, 2),
        filtered_cov=P_filt,
        predicted_cov=P_pred,
        innovation=v_all.T,
        innovation_var=F_all,
        prior_mean=np.array(a0, dtype=float, copy=True),
        transition=T,
    )


def rts_smoother_shared(out: FilterOutput, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rauch-Tung-Striebel fixed-interval smoother (hindsight: uses all data).

    Returns
    -------
    mean : ndarray, shape (N, n, m)
    cov : ndarray, shape (n, m, m), units of sigma^2
    """
    a_s = out.filtered_mean.copy()
    P_s = out.filtered_cov.copy()
    n = a_s.shape[1]
    for t in range(n - 2, -1, -1):
        Pp = out.predicted_cov[t + 1]
        J = out.filtered_cov[t] @ T[t + 1].T @ np.linalg.pinv(Pp)
        predicted = np.matmul(out.filtered_mean[:, t], T[t + 1].T)  # a_{t+1|t}
        a_s[:, t] = out.filtered_mean[:, t] + (a_s[:, t + 1] - predicted) @ J.T
        P_s[t] = out.filtered_cov[t] + J @ (P_s[t + 1] - Pp) @ J.T
    return a_s, P_s


# --------------------------------------------------------------------------- fast path
#
# With the covariance path shared, the filtered mean of each series is a
# scalar recursion: predict with the structured transition (trend: three
# multiply-adds; dummy seasonal: a sum and a shift), then add the innovation
# times the shared gain. ``covariance_path`` computes the gains once;
# ``mean_path`` runs the recursion per series (numba, parallel over series)
# and accumulates the real-time scale estimate on the way. The dense
# ``kalman_filter_shared`` above is the reference it is tested against.


def covariance_path(
    T: np.ndarray, Q: np.ndarray, Z: np.ndarray, P0: np.ndarray, observed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gains, innovation variances and filtered covariances of the shared path.

    Returns
    -------
    K : ndarray, shape (n, m)
        Kalman gain at each period (zero where nothing is observed).
    F : ndarray, shape (n,)
        Innovation variance / sigma^2 (NaN where nothing is observed).
    P_filt : ndarray, shape (n, m, m)
        P_{t|t} / sigma^2.
    """
    n, m = T.shape[0], Z.shape[0]
    K_all = np.zeros((n, m))
    F_all = np.full(n, np.nan)
    P_filt = np.empty((n, m, m))
    P = np.array(P0, dtype=float, copy=True)
    for t in range(n):
        if t > 0:
            P = T[t] @ P @ T[t].T + Q[t]
            P = 0.5 * (P + P.T)
        if observed[t]:
            PZ = P @ Z
            F = float(Z @ PZ) + 1.0
            K = PZ / F
            K_all[t] = K
            F_all[t] = F
            P = P - K[:, None] * PZ[None, :]  # np.outer(K, PZ), the same products
            P = 0.5 * (P + P.T)
        P_filt[t] = P
    return K_all, F_all, P_filt


#: Series filtered side by side by one task of :func:`mean_path` (its "lanes"), and
#: periods per block of output it buffers before copying each series' rows out.
_LANES = 32
_BLOCK = 256


def _mean_path(Y, K, K_sum, F, observed, dt, n_season, first, burn_in, trend, season0, sigma2, innov,
               has_cycle, phi, discount):
    """Structured filtered-mean recursion for every series (reference; compiled below).

    Y : (N, n) log levels; K : (n, m) shared gains; F : (n,) innovation variances;
    dt : (n,) years into each period; n_season : seasonal states (s - 1, or 0);
    first : index of the first observation; burn_in : observations spent on the
    diffuse prior. Writes trend (N, n, 3), season0 (N, n) when n_season > 0, sigma2 (N, n)
    and the one-step innovations innov (N, n; NaN where nothing is observed).
    has_cycle : 1 if the last state is a stationary AR(1) cycle c_t = phi c_{t-1} + shock
    (observed additively, like the seasonal), else 0. discount : weight of the
    past in the running scale per period (1.0: the plain running mean, the ML
    estimate; below 1 an exponentially weighted mean that forgets old volatility).

    How it runs (issue 25): each task takes ``_LANES`` series and advances them
    side by side, one period at a time; every state is a row of ``_LANES``
    numbers, so each step is a handful of short loops over the lanes that the
    compiler turns into vector instructions, and the series' dependency chains
    overlap instead of waiting on each other. The outputs of ``_BLOCK`` periods
    are buffered per lane and then copied out, each series' rows written
    front to back (writing 32 series' rows a number at a time would make
    every store miss the cache; a series at a time, one period per step, as
    before, left the recursion waiting on its own latency). Each lane does exactly the arithmetic of the
    one-series-at-a-time recursion, in the same order, so the numbers are the
    same bit for bit (``tests/test_kalman_kernels.py``). The division by F is
    safe: F >= 1 (the observation noise variance is 1).
    """
    N, n = Y.shape
    ns = n_season
    kc = 3 + ns
    nblk = min(_BLOCK, n)
    for b in prange((N + _LANES - 1) // _LANES):
        i0 = b * _LANES
        nl = min(_LANES, N - i0)
        # The seasonal states live in a ring: g_j = ring[(head + j) % ns]. The
        # dummy-seasonal step g'_0 = -sum(g), g'_j = g_{j-1} then moves the head
        # back one slot (over the g_{ns-1} that drops out) and needs the sum,
        # which is carried along: after the step it is -g_{ns-1}(old).
        ring = np.zeros((max(ns, 1), nl))
        total = np.zeros(nl)
        lev = np.empty(nl)
        vel = np.zeros(nl)
        acc = np.zeros(nl)
        cyc = np.zeros(nl)
        cum = np.zeros(nl)
        v = np.zeros(nl)
        out_lev = np.empty((nblk, nl))
        out_vel = np.empty((nblk, nl))
        out_acc = np.empty((nblk, nl))
        out_v = np.empty((nblk, nl))
        out_s2 = np.empty((nblk, nl))
        out_g = np.empty((nblk, nl))
        for j in range(nl):
            lev[j] = Y[i0 + j, first]
        head = 0
        count = 0
        used = 0.0
        for t0 in range(0, n, nblk):
            t1 = min(n, t0 + nblk)
            for t in range(t0, t1):
                r = t - t0
                if t > 0:
                    d = dt[t]
                    for j in range(nl):
                        lev[j] = lev[j] + d * vel[j] + 0.5 * d * d * acc[j]
                        vel[j] = vel[j] + d * acc[j]
                    if ns > 0:
                        head = head - 1 if head > 0 else ns - 1
                        g = ring[head]
                        for j in range(nl):
                            dropped = g[j]
                            g[j] = -total[j]
                            total[j] = -dropped
                    if has_cycle:
                        for j in range(nl):
                            cyc[j] = phi * cyc[j]
                    if discount != 1.0:  # the scale forgets with time, observed or not
                        for j in range(nl):
                            cum[j] *= discount
                        used *= discount
                if observed[t]:
                    # v = y - fit, fit = level (+ seasonal g_0) (+ cycle), summed in that order
                    for j in range(nl):
                        v[j] = lev[j]
                    if ns > 0:
                        g = ring[head]
                        for j in range(nl):
                            v[j] = v[j] + g[j]
                    if has_cycle:
                        for j in range(nl):
                            v[j] = v[j] + cyc[j]
                    for j in range(nl):
                        v[j] = Y[i0 + j, t] - v[j]
                    k0 = K[t, 0]
                    k1 = K[t, 1]
                    k2 = K[t, 2]
                    for j in range(nl):
                        lev[j] += v[j] * k0
                        vel[j] += v[j] * k1
                        acc[j] += v[j] * k2
                    if has_cycle:
                        kk = K[t, kc]
                        for j in range(nl):
                            cyc[j] += v[j] * kk
                    if ns > 0:
                        # the gains of g_0, g_1, ... run over the ring from the head, then wrapped
                        k = 3
                        for q in range(head, ns):
                            kk = K[t, k]
                            g = ring[q]
                            for j in range(nl):
                                g[j] += v[j] * kk
                            k += 1
                        for q in range(0, head):
                            kk = K[t, k]
                            g = ring[q]
                            for j in range(nl):
                                g[j] += v[j] * kk
                            k += 1
                        kk = K_sum[t]
                        for j in range(nl):
                            total[j] += v[j] * kk
                    count += 1
                    if count > burn_in:
                        ft = F[t]
                        for j in range(nl):
                            cum[j] += v[j] * v[j] / ft
                        used += 1.0
                    for j in range(nl):
                        out_v[r, j] = v[j]
                else:
                    for j in range(nl):
                        out_v[r, j] = np.nan
                for j in range(nl):
                    out_lev[r, j] = lev[j]
                    out_vel[r, j] = vel[j]
                    out_acc[r, j] = acc[j]
                if used > 0:
                    for j in range(nl):
                        out_s2[r, j] = cum[j] / used
                else:
                    for j in range(nl):
                        out_s2[r, j] = np.nan
                if ns > 0:
                    g = ring[head]
                    for j in range(nl):
                        out_g[r, j] = g[j]
            # Copied out in tiles of 8 lanes x 16 periods (the tile's buffer lines stay in
            # the first-level cache while its 8 series' rows are written front to back).
            for jb in range(0, nl, 8):
                for tb in range(t0, t1, 16):
                    te = min(t1, tb + 16)
                    for j in range(jb, min(nl, jb + 8)):
                        i = i0 + j
                        for t in range(tb, te):
                            trend[i, t, 0] = out_lev[t - t0, j]
                            trend[i, t, 1] = out_vel[t - t0, j]
                            trend[i, t, 2] = out_acc[t - t0, j]
                        for t in range(tb, te):
                            innov[i, t] = out_v[t - t0, j]
                        for t in range(tb, te):
                            sigma2[i, t] = out_s2[t - t0, j]
                        if ns > 0:
                            for t in range(tb, te):
                                season0[i, t] = out_g[t - t0, j]
    return trend


mean_path = jit(_mean_path, parallel=True, error_model="numpy")


def run_mean_path(
    Y: np.ndarray, K: np.ndarray, F: np.ndarray, observed: np.ndarray, dt: np.ndarray,
    n_season: int, burn_in: int, *, compiled: bool = True, phi: float | None = None,
    discount: float = 1.0, out: tuple | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Filtered trend means, seasonal, the real-time scale and the innovations of every series.

    Returns ``trend`` (N, n, 3), ``season0`` (N, n; None without a seasonal),
    ``sigma2`` (N, n): the running mean of v^2/F over the observations
    after the first ``burn_in`` (NaN before), i.e. the concentrated ML scale
    on data dated <= t; and ``innovation`` (N, n): the one-step prediction
    errors v_t = y_t - E[y_t | data < t] (NaN where y_t is missing).
    ``phi`` (optional): the state vector ends with an AR(1) cycle of that
    coefficient (the gains K then have 3 + n_season + 1 columns). ``discount``
    < 1 makes the scale an exponentially weighted mean of v^2/F. ``out``
    (optional): ``(trend, season0, sigma2, innovation)`` arrays of those shapes
    (C-contiguous float64; ``season0`` None without a seasonal) to write into
    instead of allocating, e.g. rows of a shared-memory file.
    """
    Y = np.ascontiguousarray(Y, dtype=np.float64)
    N, n = Y.shape
    if out is None:
        out = (np.empty((N, n, 3)), np.empty((N, n)) if n_season > 0 else None,
               np.empty((N, n)), np.empty((N, n)))
    for a, shape in zip(out, ((N, n, 3), (N, n), (N, n), (N, n)), strict=True):  # numba does not bound-check
        if a is not None and (a.shape != shape or a.dtype != np.float64 or not a.flags.writeable):
            raise ValueError(f"run_mean_path: an out array must be writable float64 of shape {shape}.")
    trend, season0, sigma2, innov = out
    if season0 is None:
        season0 = np.empty((1, 1))
    first = int(np.argmax(observed))
    fn = mean_path if compiled else _mean_path
    K = np.ascontiguousarray(K)
    K_sum = K[:, 3 : 3 + n_season].sum(axis=1) if n_season > 0 else np.zeros(n)
    fn(Y, K, K_sum, F, np.ascontiguousarray(observed),
       np.ascontiguousarray(dt, dtype=np.float64), int(n_season), first, int(burn_in),
       trend, season0, sigma2, innov, 0 if phi is None else 1, 0.0 if phi is None else float(phi),
       float(discount))
    return trend, (season0 if n_season > 0 else None), sigma2, innov


def run_dense_mean_path(
    Y: np.ndarray, T: np.ndarray, K: np.ndarray, Z: np.ndarray, observed: np.ndarray, a0: np.ndarray,
    burn_in: int, *, season_state: int | None = None, discount: float = 1.0, F: np.ndarray,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """The filtered-mean recursion with a dense transition, vectorised over the panel.

    For state vectors the structured kernel does not know (an index's averaging
    keeps lagged states): a_{t|t-1} = T_t a_{t-1|t-1}, v_t = y_t - Z a_{t|t-1},
    a_{t|t} = a_{t|t-1} + K_t v_t, one (N, m) product per period with the shared
    gains K of :func:`covariance_path`. Same outputs and scale as
    :func:`run_mean_path`: trend (N, n, 3), the seasonal state ``season_state``
    (N, n) or None, the running scale sigma2 (N, n) (discounted mean of v^2/F after
    ``burn_in`` observations) and the innovations (N, n; NaN where unobserved).
    ``a0`` (N, m) is the prior mean.
    """
    from scipy.signal import lfilter

    Y = np.asarray(Y, dtype=float)
    N, n = Y.shape
    m = Z.size
    trend = np.empty((n, N, 3))
    season0 = np.empty((n, N)) if season_state is not None else None
    innov = np.full((n, N), np.nan)
    Yt = np.ascontiguousarray(Y.T)
    a = np.array(a0, dtype=float, copy=True)
    buf = np.empty((N, m))
    for t in range(n):
        if t > 0:
            np.matmul(a, T[t].T, out=buf)
            a, buf = buf, a
        if observed[t]:
            v = np.subtract(Yt[t], a @ Z, out=innov[t])
            a += v[:, None] * K[t][None, :]
        trend[t] = a[:, :3]
        if season0 is not None:
            season0[t] = a[:, season_state]
    used = observed & (np.cumsum(observed) > burn_in)
    x = np.where(used[:, None], np.nan_to_num(innov) ** 2 / np.where(used, F, 1.0)[:, None], 0.0)
    cum = lfilter([1.0], [1.0, -discount], x, axis=0)
    count = lfilter([1.0], [1.0, -discount], used.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(count[:, None] > 0, cum / count[:, None], np.nan)
    return (trend.transpose(1, 0, 2), None if season0 is None else season0.T, sigma2.T, innov.T)


def _scan_panel(values, n_obs):
    """One pass over a panel's raw values (N, n): what :meth:`KinematicsModel.fit` checks.

    Writes ``n_obs[i]``, the number of non-NaN values of series i, and returns
    flags: 1 if some value is infinite, 2 if some value is <= 0 (NaN is
    neither: it is a missing value). The caller names the first bad entry
    (issue 25: this replaced three full NumPy passes over the panel).
    """
    N, n = values.shape
    flags = 0
    for i in range(N):
        c = 0
        for t in range(n):
            x = values[i, t]
            if x == x:
                c += 1
                if x == np.inf or x == -np.inf:
                    flags |= 1
                if x <= 0.0:
                    flags |= 2
        n_obs[i] = c
    return flags


scan_panel = jit(_scan_panel)
