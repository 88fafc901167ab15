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
