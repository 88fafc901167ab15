r"""DebtRank: distress short of default, propagated through balance-sheet exposures.

Distress :math:`h_i \in [0, 1]` is the relative loss of equity of entity i
(0 untouched, 1 wiped out). The interbank **leverage matrix**

.. math:: \Lambda_{ij} = A_{ij} / E_i(0)

is i's claim on j over i's initial equity: a loss of value of j's liabilities
moves i's distress by :math:`\Lambda_{ij}` times it. Three dynamics:

* **Original DebtRank** (Battiston et al. 2012): each entity propagates its
  distress once, in the round after it becomes distressed, then is inactive;
  :math:`h_i(t) = \min\{1, h_i(t-1) + \sum_{j \in D(t-1)} \min(1, \Lambda_{ij})
  h_j(t-1)\}`. No walk revisits a node, so a cycle reverberates only once.
* **Linear DebtRank** (Bardoscia et al. 2015): every increment of distress
  propagates, :math:`h_i(t+1) = \min\{1, h_i(t) + \sum_j \Lambda_{ij}
  [h_j(t) - h_j(t-1)]\}`. When no cap binds the limit is
  :math:`h^* = (I - \Lambda)^{-1} h(1)`, which exists and is reached when the
  largest eigenvalue of :math:`\Lambda` is below 1 (the stability condition).
* **Non-linear DebtRank** (Bardoscia et al. 2016): the value lost on a claim is
  :math:`p_j = h_j e^{\alpha (h_j - 1)}` (the probability of default given the
  distress), :math:`h_i(t+1) = \min\{1, h_i(t) + \sum_j \Lambda_{ij}
  [p_j(t) - p_j(t-1)]\}`. :math:`\alpha = 0` is the linear case;
  :math:`\alpha \to \infty` the threshold (Furfine) model, where only default
  (:math:`h_j = 1`) propagates.

Units: distress is a decimal share of equity; exposures and equity in USD bn.

References
----------
.. [1] Battiston, S., Puliga, M., Kaushik, R., Tasca, P. and Caldarelli, G.
   (2012). "DebtRank: too central to fail? Financial networks, the FED and
   systemic risk." Scientific Reports 2, 541.
.. [2] Bardoscia, M., Battiston, S., Caccioli, F. and Caldarelli, G. (2015).
   "DebtRank: a microscopic foundation for shock propagation." PLoS ONE 10(6),
   e0130406.
.. [3] Bardoscia, M., Caccioli, F., Perotti, J. I., Vivaldo, G. and Caldarelli,
   G. (2016). "Distress propagation in complex networks: the case of
   non-linear DebtRank." PLoS ONE 11(10), e0163825.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from borrowedtime.errors import ConvergenceError, DataError, SpecError
from borrowedtime.network._describe import Described

__all__ = [
    "DebtRankResult",
    "leverage_matrix",
    "debtrank",
    "linear_debtrank",
    "nonlinear_debtrank",
    "spectral_radius",
    "nonlinear_debtrank_batch",
]


def leverage_matrix(claims, equity) -> np.ndarray:
    r"""The leverage matrix :math:`\Lambda_{ij} = A_{ij} / E_i`.

    Parameters
    ----------
    claims : array (n, n)
        ``A[i, j]``: what j owes i (i's asset on j), USD bn.
    equity : array (n,)
        Initial equity, USD bn (> 0).
    """
    A = np.asarray(claims, float)
    E = np.asarray(equity, float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or E.shape != (A.shape[0],):
        raise DataError(f"claims must be (n, n) and equity (n,); got {A.shape} and {E.shape}.")
    if not np.all(np.isfinite(A)) or (A < 0).any():
        raise DataError("claims: expected finite amounts >= 0 (USD bn).")
    if not np.all(np.isfinite(E)) or (E <= 0).any():
        i = int(np.flatnonzero(~np.isfinite(E) | (E <= 0))[0])
        raise DataError(f"equity[{i}] is {E[i]!r}; DebtRank needs positive initial equity (USD bn).")
    return A / E[:, None]


def spectral_radius(Lambda) -> float:
    """Largest absolute eigenvalue of the leverage matrix (linear DebtRank is stable below 1)."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(Lambda, float))), initial=0.0))


def _check(Lambda, h1) -> tuple[np.ndarray, np.ndarray]:
    L = np.asarray(Lambda, float)
    h = np.asarray(h1, float)
    if L.ndim != 2 or L.shape[0] != L.shape[1]:
        raise DataError(f"Lambda: expected a square (n, n) leverage matrix; got shape {L.shape}.")
    if h.shape != (L.shape[0],):
        raise DataError(f"shock: expected shape ({L.shape[0]},); got {h.shape}.")
    if not np.all(np.isfinite(L)) or (L < 0).any():
        raise DataError("Lambda: expected finite entries >= 0.")
    if not np.all(np.isfinite(h)) or (h < 0).any() or (h > 1).any():
        i = int(np.flatnonzero(~np.isfinite(h) | (h < 0) | (h > 1))[0])
        raise DataError(f"shock[{i}] is {h[i]!r}; initial distress must be a share in [0, 1].")
    return L, h


@dataclass(frozen=True, eq=False, repr=False)
class DebtRankResult(Described):
    """Distress after propagation (frozen).

    Attributes
    ----------
    h : array (n,)
        Final distress, share of initial equity lost.
    shock : array (n,)
        Initial distress :math:`h(1)`.
    path : array (rounds + 1, n)
        Distress after each round (row 0 is the shock).
    method : str
        ``"original"``, ``"linear"`` or ``"nonlinear"``.
    """

    names: tuple[str, ...]
    h: np.ndarray
    shock: np.ndarray
    path: np.ndarray
    method: str
    alpha: float = 0.0

    def debtrank(self, weights=None) -> float:
        """Weighted distress added by propagation, :math:`\\sum_i v_i (h_i - h_i(1))`, weights summing to 1."""
        v = np.full(self.h.size, 1.0 / self.h.size) if weights is None else np.asarray(weights, float)
        v = v / v.sum()
        return float(v @ (self.h - self.shock))

    def equity(self, initial) -> np.ndarray:
        """Equity after propagation, :math:`E_i(0)(1 - h_i)` (USD bn)."""
        return np.asarray(initial, float) * (1.0 - self.h)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"shock": self.shock, "h": self.h}, index=pd.Index(self.names, name="entity"))

    def summary(self) -> str:
        top = np.argsort(-self.h)[:3]
        worst = ", ".join(f"{self.names[i]} {self.h[i]:.2f}" for i in top if self.h[i] > 0)
        return (
            f"DebtRank ({self.method}{f', alpha={self.alpha:g}' if self.method == 'nonlinear' else ''}): "
            f"{self.path.shape[0] - 1} rounds, added distress {self.debtrank():.4f}, "
            f"{int((self.h >= 1).sum())} wiped out; most distressed: {worst or 'none'}"
        )

    def _repr_details(self) -> str:
        return f"{self.method} n={self.h.size} debtrank={self.debtrank():.4f}"


def _names(names, n):
    return tuple(str(i) for i in range(n)) if names is None else tuple(names)


def debtrank(Lambda, shock, names=None) -> DebtRankResult:
    """Original DebtRank (Battiston et al. 2012): each node propagates its distress once.

    Parameters
    ----------
    Lambda : array (n, n)
        Leverage matrix, ``Lambda[i, j]`` = i's claim on j over i's equity (impact of j on i).
    shock : array (n,)
        Initial distress in [0, 1].
    """
    L, h = _check(Lambda, shock)
    W = np.minimum(L, 1.0)
    n = h.size
    state = np.where(h > 0, 1, 0)  # 0 sound, 1 distressed (propagates next), 2 inactive
    path = [h.copy()]
    for _ in range(n + 1):
        active = state == 1
        if not active.any():
            break
        h = np.minimum(1.0, h + W[:, active] @ h[active])
        state = np.where(active, 2, np.where((state == 0) & (h > 0), 1, state))
        path.append(h.copy())
    return DebtRankResult(_names(names, n), h, path[0], np.array(path), "original")


def nonlinear_debtrank(
    Lambda, shock, alpha: float = 0.0, names=None, *, tol: float = 1e-14, max_iter: int = 100_000
) -> DebtRankResult:
    """Non-linear DebtRank (Bardoscia et al. 2016); ``alpha=0`` is linear DebtRank (2015).

    Parameters
    ----------
    Lambda : array (n, n)
        Leverage matrix.
    shock : array (n,)
        Initial distress :math:`h(1)` in [0, 1].
    alpha : float, default 0
        Non-linearity: value lost on a claim is :math:`h e^{\\alpha(h-1)}`.
    """
    if not alpha >= 0:
        raise SpecError(f"The 'alpha' parameter of nonlinear_debtrank must be >= 0. Got {alpha!r} instead.")
    L, h1 = _check(Lambda, shock)

    def value_lost(h):
        return h * np.exp(alpha * (h - 1.0))

    h_prev = np.zeros_like(h1)
    h = h1.copy()
    path = [h.copy()]
    for _ in range(max_iter):
        new = np.minimum(1.0, h + L @ (value_lost(h) - value_lost(h_prev)))
        path.append(new)
        if np.max(np.abs(new - h), initial=0.0) <= tol:
            method = "linear" if alpha == 0 else "nonlinear"
            return DebtRankResult(_names(names, h.size), new, h1, np.array(path), method, alpha)
        h_prev, h = h, new
    raise ConvergenceError(
        f"DebtRank did not settle within {max_iter} rounds; the largest eigenvalue of Lambda is "
        f"{spectral_radius(L):.3f} (below 1 is stable)."
    )


def linear_debtrank(Lambda, shock, names=None, *, tol: float = 1e-14, max_iter: int = 100_000) -> DebtRankResult:
    """Linear DebtRank (Bardoscia et al. 2015): every increment of distress propagates.

    When no cap binds, the result is :math:`(I - \\Lambda)^{-1} h(1)`.
    """
    return nonlinear_debtrank(Lambda, shock, 0.0, names, tol=tol, max_iter=max_iter)


def nonlinear_debtrank_batch(Lambda, shock, alive=None, alpha: float = 0.0, *, tol: float = 1e-14,
                             max_iter: int = 100_000) -> np.ndarray:
    r"""Non-linear DebtRank (:func:`nonlinear_debtrank`'s dynamics) of many shocks at once, one per row.

    Row :math:`r` runs :math:`h(t+1) = \min\{1, h(t) + \Lambda [p(t) - p(t-1)]\}` from
    :math:`h(1) = ` ``shock[r]`` with :math:`p_j = h_j e^{\alpha (h_j - 1)}\,a_j`: the value lost on
    claims on :math:`j`, where ``alive`` :math:`a_j` is 0 for a debtor that has defaulted (its loss is
    counted elsewhere, so its distress propagates no further). With ``alive`` all ones a row equals
    :func:`nonlinear_debtrank` on it (``tests/network/test_debtrank.py``). Each row stops when it
    settles (largest change at most ``tol``) and the products run row by row over the non-zero entries
    of :math:`\Lambda` in a fixed order, so a row's result does not depend on the batch.

    Parameters
    ----------
    Lambda : array (n, n) or scipy sparse
        Leverage matrix (:func:`leverage_matrix`), shared by all rows.
    shock : array (P, n)
        Initial distress of each row, shares in [0, 1].
    alive : array (P, n), optional
        1 where the debtor still stands, 0 where it has defaulted (default: all ones).
    alpha : float, default 0
        Non-linearity as in :func:`nonlinear_debtrank` (0: linear DebtRank).

    Returns
    -------
    array (P, n)
        Final distress per row.

    Raises
    ------
    ConvergenceError
        A row has not settled within ``max_iter`` rounds.
    """
    if not alpha >= 0:
        raise SpecError(f"The 'alpha' parameter of nonlinear_debtrank_batch must be >= 0. Got {alpha!r} instead.")
    h1 = np.asarray(shock, float)
    if h1.ndim != 2:
        raise DataError(f"shock: expected a (rows, n) array; got shape {h1.shape}.")
    n = h1.shape[1]
    if hasattr(Lambda, "tocoo"):
        coo = Lambda.tocoo()
        ii, jj, w = coo.row.astype(np.intp), coo.col.astype(np.intp), coo.data.astype(float)
    else:
        L = np.asarray(Lambda, float)
        if L.shape != (n, n):
            raise DataError(f"Lambda: expected shape ({n}, {n}); got {L.shape}.")
        ii, jj = np.nonzero(L)
        w = L[ii, jj]
    order = np.lexsort((jj, ii))  # by creditor, then debtor: a fixed order of the sums
    ii, jj, w = ii[order], jj[order], w[order]
    from borrowedtime.network._kernels import debtrank_step

    ii, jj, w = np.ascontiguousarray(ii, np.intp), np.ascontiguousarray(jj, np.intp), np.ascontiguousarray(w)
    a = np.ones_like(h1) if alive is None else np.ascontiguousarray(alive, float)

    out = h1.copy()
    act = np.arange(h1.shape[0])
    h, am = np.ascontiguousarray(h1), a
    p_prev = np.zeros_like(h1)
    for _ in range(max_iter):
        if act.size == 0:
            return out
        # the value lost p = h exp(alpha (h - 1)) a: NumPy's exp here, the rest of the round compiled
        new, p_now, big = debtrank_step(h, np.exp(alpha * (h - 1.0)), am, p_prev, jj, w, ii, n)
        moving = big > tol
        out[act] = new
        act, h, am, p_prev = act[moving], new[moving], am[moving], p_now[moving]
    if act.size == 0:
        return out
    raise ConvergenceError(
        f"DebtRank did not settle within {max_iter} rounds on {act.size} rows; the largest eigenvalue of "
        f"Lambda is {spectral_radius(Lambda.toarray() if hasattr(Lambda, 'toarray') else Lambda):.3f} "
        "(below 1 is stable)."
    )
