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

__all__ = ["FilterOutput", "kalman_filter_shared", "rts_smoother_shared"]


@dataclass(frozen=True, eq=False)
class FilterOutput:
    """Raw filter output for one group of series sharing a covariance path."""

    filtered_mean: np.ndarray  # (N, n, m)   a_{t|t}
    filtered_cov: np.ndarray  # (n, m, m)    P_{t|t} / sigma^2
    predicted_mean: np.ndarray  # (N, n, m)  a_{t|t-1}
    predicted_cov: np.ndarray  # (n, m, m)   P_{t|t-1} / sigma^2
    innovation: np.ndarray  # (N, n)         v_t (NaN where y_t is missing)
    innovation_var: np.ndarray  # (n,)       F_t / sigma^2 (NaN where missing)


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
    a_filt = np.empty((N, n, m))
    a_pred = np.empty((N, n, m))
    P_filt = np.empty((n, m, m))
    P_pred = np.empty((n, m, m))
    v_all = np.full((N, n), np.nan)
    F_all = np.full(n, np.nan)
    a = np.array(a0, dtype=float, copy=True)
    P = np.array(P0, dtype=float, copy=True)
    for t in range(n):
        if t > 0:
            a = a @ T[t].T
            P = T[t] @ P @ T[t].T + Q[t]
            P = 0.5 * (P + P.T)
        a_pred[:, t] = a
        P_pred[t] = P
        if observed[t]:
            PZ = P @ Z
            F = float(Z @ PZ) + 1.0
            K = PZ / F
            v = Y[:, t] - a @ Z
            a = a + v[:, None] * K[None, :]
            P = P - np.outer(K, PZ)
            P = 0.5 * (P + P.T)
            v_all[:, t] = v
            F_all[t] = F
        a_filt[:, t] = a
        P_filt[t] = P
    return FilterOutput(a_filt, P_filt, a_pred, P_pred, v_all, F_all)


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
        a_s[:, t] = out.filtered_mean[:, t] + (a_s[:, t + 1] - out.predicted_mean[:, t + 1]) @ J.T
        P_s[t] = out.filtered_cov[t] + J @ (P_s[t + 1] - Pp) @ J.T
    return a_s, P_s
