r"""Clearing payments in a network of obligations: Eisenberg-Noe with Rogers-Veraart default costs.

Entity :math:`i` owes entity :math:`j` the nominal amount :math:`L_{ij}`
(USD bn) and holds external (non-network) assets :math:`e_i \ge 0`. Its total
obligation is :math:`\bar p_i = \sum_j L_{ij}` and the relative liabilities are
:math:`\Pi_{ij} = L_{ij} / \bar p_i`. A **clearing vector** :math:`p` is a fixed
point of

.. math::

    \Phi_i(p) = \begin{cases}
        \bar p_i & \text{if } e_i + \sum_j \Pi_{ji} p_j \ge \bar p_i \quad\text{(solvent)}\\
        \alpha e_i + \beta \sum_j \Pi_{ji} p_j & \text{otherwise (in default)}
    \end{cases}

with default costs :math:`\alpha, \beta \in (0, 1]`: a defaulting entity
realises only the share :math:`\alpha` of its external assets and :math:`\beta`
of its claims on others (Rogers and Veraart 2013, eq. 2.3). With
:math:`\alpha = \beta = 1` this is Eisenberg and Noe (2001), whose map is
continuous, :math:`\Phi(p) = \min(\bar p, e + \Pi^\top p)`.

:math:`\Phi` is monotone, so the clearing vectors form a lattice with a
greatest element (Tarski). Two independent solvers find it:

* ``"gcv"``: the **Greatest Clearing Vector Algorithm** of Rogers and Veraart
  (2013, Section 3.3, Algorithm GA): start with nobody in default; given the
  default set :math:`D`, solve the linear system
  :math:`p_D = \alpha e_D + \beta (\Pi^\top)_{DD} p_D + \beta (\Pi^\top)_{DS} \bar p_S`,
  :math:`p_S = \bar p_S`; add every entity that cannot pay at that vector; stop
  when the default set stops growing (at most :math:`n` rounds). The
  fictitious default algorithm of Eisenberg and Noe (2001) is its
  :math:`\alpha=\beta=1` case.
* ``"picard"``: iterate :math:`p \leftarrow \Phi(p)` from :math:`p = \bar p`. The
  sequence decreases to the greatest fixed point (at a jump of :math:`\Phi` the
  limit from above is still a fixed point; from below it need not be). It is
  exact after depth-plus-one steps on an acyclic network and geometric, at rate
  :math:`\beta` times the spectral radius of :math:`\Pi` restricted to the
  defaulters, otherwise.

:func:`all_clearing_vectors` enumerates every default set (small networks
only) to show where uniqueness fails; :func:`clear_batch` runs the Picard
iteration on many scenarios at once over an edge list (the Monte Carlo path).

Units: money in USD bn (any unit works, consistently); shares decimal.

References
----------
.. [1] Eisenberg, L. and Noe, T. H. (2001). "Systemic risk in financial
   systems." Management Science 47(2), 236-249.
.. [2] Rogers, L. C. G. and Veraart, L. A. M. (2013). "Failure and rescue in an
   interbank network." Management Science 59(4), 882-898.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from borrowedtime.errors import ConvergenceError, DataError, SpecError
from borrowedtime.network._describe import Described
from borrowedtime.network._kernels import gather_scatter

__all__ = [
    "ClearingModel",
    "ClearingResult",
    "clearing_map",
    "all_clearing_vectors",
    "clear_batch",
]

_ENUMERATE_MAX = 16
#: clear_batch: an entity whose assets fall short of its obligations by less than this relative amount
#: is solvent (a lease that exactly services a loan must not default on rounding in the last digit).
_TIE = 1e-12


def _check_inputs(liabilities, external_assets) -> tuple[np.ndarray, np.ndarray]:
    L = np.asarray(liabilities, dtype=float)
    e = np.asarray(external_assets, dtype=float)
    if L.ndim != 2 or L.shape[0] != L.shape[1]:
        raise DataError(f"liabilities: expected a square (n, n) matrix, L[i, j] owed by i to j; got shape {L.shape}.")
    n = L.shape[0]
    if e.shape != (n,):
        raise DataError(f"external_assets: expected shape ({n},) to match liabilities; got {e.shape}.")
    if not np.all(np.isfinite(L)) or (L < 0).any():
        i, j = np.argwhere(~np.isfinite(L) | (L < 0))[0]
        raise DataError(f"liabilities[{i}, {j}] is {L[i, j]!r}; liabilities must be finite and >= 0 (USD bn).")
    if np.any(np.diag(L) != 0):
        i = int(np.flatnonzero(np.diag(L) != 0)[0])
        raise DataError(f"liabilities[{i}, {i}] is {L[i, i]!r}; an entity cannot owe itself (diagonal must be 0).")
    if not np.all(np.isfinite(e)) or (e < 0).any():
        i = int(np.flatnonzero(~np.isfinite(e) | (e < 0))[0])
        raise DataError(f"external_assets[{i}] is {e[i]!r}; external assets must be finite and >= 0 (USD bn).")
    return L, e


def _check_costs(alpha: float, beta: float, where: str) -> None:
    for name, v in (("alpha", alpha), ("beta", beta)):
        if not 0.0 < v <= 1.0:
            raise SpecError(
                f"The '{name}' parameter of {where} must be a share in (0, 1] (1: no default cost). Got {v!r} instead."
            )


def _relative(L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pbar = L.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        Pi = np.where(pbar[:, None] > 0, L / np.where(pbar > 0, pbar, 1.0)[:, None], 0.0)
    return pbar, Pi


def clearing_map(p: np.ndarray, liabilities, external_assets, alpha: float = 1.0, beta: float = 1.0) -> np.ndarray:
    r"""The Rogers-Veraart map :math:`\Phi(p)` (a clearing vector is a fixed point of it).

    Parameters
    ----------
    p : array (n,)
        Payments made by each entity, USD bn.
    liabilities : array (n, n)
        ``L[i, j]``: nominal amount entity i owes entity j, USD bn.
    external_assets : array (n,)
        External assets of each entity, USD bn.
    alpha, beta : float
        Shares of external and network assets realised in default.
    """
    L, e = _check_inputs(liabilities, external_assets)
    pbar, Pi = _relative(L)
    inflow = np.asarray(p, float) @ Pi
    return np.where(e + inflow >= pbar, pbar, alpha * e + beta * inflow)


@dataclass(frozen=True)
class ClearingModel:
    """Settings of a clearing: default costs and the solver.

    Parameters
    ----------
    alpha : float, default 1.0
        Share of external assets a defaulting entity realises (Rogers-Veraart
        :math:`\\alpha`); 1 with ``beta=1`` is Eisenberg-Noe.
    beta : float, default 1.0
        Share of claims on the network a defaulting entity realises.
    method : {"gcv", "picard"}, default "gcv"
        Greatest-clearing-vector algorithm or Picard iteration from full payment.
    tol : float, default 1e-12
        Picard: stop when no payment moves by more than this (USD bn).
    max_iter : int, default 100_000
        Picard: iterations before :class:`~borrowedtime.errors.ConvergenceError`.
    """

    alpha: float = 1.0
    beta: float = 1.0
    method: str = "gcv"
    tol: float = 1e-12
    max_iter: int = 100_000

    def __post_init__(self) -> None:
        _check_costs(self.alpha, self.beta, type(self).__name__)
        if self.method not in ("gcv", "picard"):
            raise SpecError(f"The 'method' parameter of ClearingModel must be 'gcv' or 'picard'. Got {self.method!r}.")
        if not self.tol > 0 or not self.max_iter >= 1:
            raise SpecError(f"ClearingModel: tol must be > 0 and max_iter >= 1. Got {self.tol!r}, {self.max_iter!r}.")

    def clear(self, liabilities, external_assets, names: list[str] | None = None) -> ClearingResult:
        """Find the greatest clearing vector.

        Parameters
        ----------
        liabilities : array (n, n) or pandas.DataFrame
            ``L[i, j]``: nominal amount i owes j, USD bn (a DataFrame's index names the entities).
        external_assets : array (n,) or pandas.Series
            External assets, USD bn.
        names : list of str, optional
            Entity names (default: the DataFrame index, else ``0..n-1``).
        """
        if names is None and isinstance(liabilities, pd.DataFrame):
            names = [str(x) for x in liabilities.index]
        L, e = _check_inputs(liabilities, external_assets)
        n = L.shape[0]
        names = [str(i) for i in range(n)] if names is None else list(names)
        if len(names) != n:
            raise DataError(f"names: expected {n} names, got {len(names)}.")
        pbar, Pi = _relative(L)
        if self.method == "gcv":
            p, rounds = _gcv(pbar, Pi, e, self.alpha, self.beta)
            iterations = len(rounds)
        else:
            p, iterations = _picard(pbar, Pi, e, self.alpha, self.beta, self.tol, self.max_iter)
            rounds = ()
        inflow = p @ Pi
        default = e + inflow < pbar
        return ClearingResult(
            names=tuple(names), liabilities=L, external_assets=e, payments=p, default=default,
            iterations=iterations, default_rounds=tuple(rounds), model=self,
        )


def _solve_defaulters(pbar, Pi, e, alpha, beta, D: np.ndarray) -> np.ndarray:
    p = pbar.copy()
    if not D.any():
        return p
    S = ~D
    PiT = Pi.T
    A = np.eye(int(D.sum())) - beta * PiT[np.ix_(D, D)]
    b = alpha * e[D] + beta * PiT[np.ix_(D, S)] @ pbar[S]
    try:
        p[D] = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        raise ConvergenceError(
            "clearing: the defaulters' linear system is singular (a closed ring of defaulters with no default "
            "cost); use beta < 1 or method='picard'."
        ) from None
    return p


def _gcv(pbar, Pi, e, alpha, beta) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Rogers-Veraart (2013) Algorithm GA; returns p and the default set after each round."""
    n = pbar.size
    D = np.zeros(n, dtype=bool)
    rounds: list[tuple[int, ...]] = []
    for _ in range(n + 1):
        p = _solve_defaulters(pbar, Pi, e, alpha, beta, D)
        newD = D | (e + p @ Pi < pbar)
        rounds.append(tuple(int(i) for i in np.flatnonzero(D)))
        if np.array_equal(newD, D):
            return p, rounds
        D = newD
    raise ConvergenceError("clearing: the default set kept growing after n rounds (should not happen).")


def _picard(pbar, Pi, e, alpha, beta, tol, max_iter) -> tuple[np.ndarray, int]:
    p = pbar.copy()
    for k in range(1, max_iter + 1):
        inflow = p @ Pi
        new = np.where(e + inflow >= pbar, pbar, alpha * e + beta * inflow)
        if np.max(np.abs(new - p), initial=0.0) <= tol:
            return new, k
        p = new
    raise ConvergenceError(
        f"clearing: Picard iteration did not settle within {max_iter} steps (tol {tol}); raise max_iter or use 'gcv'."
    )


def all_clearing_vectors(liabilities, external_assets, alpha: float = 1.0, beta: float = 1.0) -> list[np.ndarray]:
    """Every clearing vector, by enumerating the default sets (n <= 16).

    For each subset D of entities, solve the defaulters' linear system and keep
    the vector when exactly the entities in D cannot pay at it. Used to show
    non-uniqueness and to check that the solvers return the greatest vector.

    Returns
    -------
    list of array (n,)
        Sorted from greatest (by total payments) to smallest.
    """
    _check_costs(alpha, beta, "all_clearing_vectors")
    L, e = _check_inputs(liabilities, external_assets)
    n = L.shape[0]
    if n > _ENUMERATE_MAX:
        raise SpecError(f"all_clearing_vectors enumerates 2^n default sets; n must be <= {_ENUMERATE_MAX}. Got {n}.")
    pbar, Pi = _relative(L)
    out = []
    for k in range(n + 1):
        for combo in combinations(range(n), k):
            D = np.zeros(n, dtype=bool)
            D[list(combo)] = True
            try:
                p = _solve_defaulters(pbar, Pi, e, alpha, beta, D)
            except ConvergenceError:
                continue
            if np.array_equal(e + p @ Pi < pbar, D):
                out.append(p)
    return sorted(out, key=lambda v: -float(v.sum()))


@dataclass(frozen=True, eq=False, repr=False)
class ClearingResult(Described):
    """The greatest clearing vector and who defaults (frozen). Money in USD bn."""

    names: tuple[str, ...]
    liabilities: np.ndarray
    external_assets: np.ndarray
    payments: np.ndarray
    default: np.ndarray
    iterations: int
    default_rounds: tuple[tuple[int, ...], ...] = field(default=())
    model: ClearingModel = field(default_factory=ClearingModel)

    @property
    def total_liabilities(self) -> np.ndarray:
        return self.liabilities.sum(axis=1)

    @property
    def recovery(self) -> np.ndarray:
        """Payments over obligations (1 for an entity that owes nothing)."""
        pbar = self.total_liabilities
        return np.where(pbar > 0, self.payments / np.where(pbar > 0, pbar, 1.0), 1.0)

    @property
    def equity(self) -> np.ndarray:
        """Assets received plus external assets minus payments (USD bn), before default costs."""
        _, Pi = _relative(self.liabilities)
        return self.external_assets + self.payments @ Pi - self.payments

    @property
    def losses(self) -> np.ndarray:
        """Shortfall each creditor suffers on what it is owed (USD bn)."""
        return self.liabilities.sum(axis=0) - self.payments @ _relative(self.liabilities)[1]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "owes_usd_bn": self.total_liabilities,
                "pays_usd_bn": self.payments,
                "recovery": self.recovery,
                "default": self.default,
                "external_assets_usd_bn": self.external_assets,
                "creditor_loss_usd_bn": self.losses,
            },
            index=pd.Index(self.names, name="entity"),
        )

    def summary(self) -> str:
        d = [self.names[i] for i in np.flatnonzero(self.default)]
        m = self.model
        return (
            f"Clearing ({m.method}, alpha={m.alpha:g}, beta={m.beta:g}): {len(d)} of {len(self.names)} in default"
            f"{': ' + ', '.join(d[:8]) + (' ...' if len(d) > 8 else '') if d else ''}; "
            f"paid {self.payments.sum():,.2f} of {self.total_liabilities.sum():,.2f} bn owed; "
            f"{self.iterations} {'rounds' if m.method == 'gcv' else 'iterations'}"
        )

    def _repr_details(self) -> str:
        return f"n={len(self.names)} defaults={int(self.default.sum())}"


class EdgeSum:
    """Sums (P, m) edge values into (P, n) entity totals by each edge's entity (-1: none).

    Row by row, edge by edge in a fixed order (:func:`~borrowedtime.network._kernels.gather_scatter`),
    so a row's totals do not depend on which other rows share the batch (a BLAS product's rounding may).
    """

    def __init__(self, index: np.ndarray, n: int) -> None:
        self.index = np.ascontiguousarray(index, np.intp)
        self.n = int(n)
        self._src = np.arange(self.index.size, dtype=np.intp)
        self._w = np.ones(self.index.size)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return gather_scatter(np.ascontiguousarray(values, float), self._src, self._w, self.index, self.n)


def _incidence(index: np.ndarray, n: int) -> EdgeSum:
    return EdgeSum(index, n)


def _scatter_rows(values: np.ndarray, inc: EdgeSum) -> np.ndarray:
    """(P, m) edge values summed into (P, n) by entity."""
    return inc(values)


def clear_batch(
    src: np.ndarray,
    dst: np.ndarray,
    owed: np.ndarray,
    external_assets: np.ndarray,
    *,
    alpha: float = 1.0,
    beta: float = 1.0,
    tol: float = 1e-10,
    max_iter: int = 1_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Greatest clearing vectors of many scenarios at once (Picard from full payment).

    The network is an edge list shared by all scenarios; the amounts owed and
    the external assets vary by scenario (Monte Carlo path).

    Parameters
    ----------
    src, dst : int arrays (m,)
        Edge k: entity ``src[k]`` owes entity ``dst[k]``.
    owed : array (paths, m)
        Amount owed on each edge in each scenario, USD bn (>= 0).
    external_assets : array (paths, n)
        External assets, USD bn (>= 0).
    alpha, beta : float
        Default costs as in :class:`ClearingModel`.

    Returns
    -------
    payments : array (paths, n)
        What each entity pays in all, USD bn.
    default : bool array (paths, n)
        Who cannot pay in full.

    Notes
    -----
    Solvency is tested with a relative tolerance of ``1e-12`` (:data:`_TIE`): an entity
    exactly on its obligations stays solvent whatever the rounding of the sums, so a
    path's result does not depend on which other paths share its batch.
    """
    _check_costs(alpha, beta, "clear_batch")
    owed = np.asarray(owed, float)
    e = np.asarray(external_assets, float)
    P, n = e.shape
    src = np.asarray(src, np.intp)
    dst = np.asarray(dst, np.intp)
    if owed.shape != (P, src.size):
        raise DataError(f"owed: expected shape ({P}, {src.size}); got {owed.shape}.")
    out_inc = _incidence(src, n)  # (n, m): sums edges by debtor
    in_inc = _incidence(dst, n)  # (n, m): sums edges by creditor
    pbar = _scatter_rows(owed, out_inc)
    p = pbar.copy()
    # the first Picard step from full payment needs no shares (everyone pays what it owes): a scenario in
    # which everyone then covers its obligations is settled at full payment, the greatest clearing vector
    full_in = _scatter_rows(owed, in_inc)
    short = e + full_in < pbar * (1 - _TIE)
    default = np.zeros((P, n), dtype=bool)
    rows = np.flatnonzero(short.any(axis=1))
    if rows.size == 0:
        return p, default
    o, pb, em = owed[rows], pbar[rows], e[rows]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pb[:, src] > 0, o / np.where(pb[:, src] > 0, pb[:, src], 1.0), 0.0)
    pr = np.where(short[rows], alpha * em + beta * full_in[rows], pb)
    moving = np.ones(rows.size, dtype=bool)  # each scenario stops when it settles: results do not depend on the batch
    for _ in range(max_iter):
        k = np.flatnonzero(moving)
        pm = pr[k]
        inflow = _scatter_rows(share[k] * pm[:, src], in_inc)
        new = np.where(em[k] + inflow >= pb[k] * (1 - _TIE), pb[k], alpha * em[k] + beta * inflow)
        settled = np.max(np.abs(new - pm), axis=1, initial=0.0) <= tol
        pr[k] = new
        moving[k[settled]] = False
        if not moving.any():
            inflow = _scatter_rows(share * pr[:, src], in_inc)
            p[rows] = pr
            default[rows] = em + inflow < pb * (1 - _TIE)
            return p, default
    raise ConvergenceError(f"clear_batch: Picard iteration did not settle within {max_iter} steps.")
