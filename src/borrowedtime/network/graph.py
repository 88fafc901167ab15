r"""The complex as a directed, weighted network of obligations (arrays inside, networkx at the edge).

:func:`network_from_complex` is the **one adapter** between the complex's
array model (:class:`borrowedtime.complex.model.ComplexModel`: entity index,
edges with parties, amounts, status, recourse and guarantors) and the
quarterly arrays every stress mechanism here reads.

Notes
-----
Units: USD bn; quarters counted from the quarter of the complex's ``as_of``
(quarter 0).

**Which contracts are obligations.** Contracts whose notional is money owed
(take-or-pay, term loans, notes, bonds, margin loans) and whose status is
``active``. A ``proposed`` contract (SoftBank's margin loan) and a contract
whose amount is not disclosed (``microsoft-lambda``, the TPU lease, the
Hyperion lease, the Vantage lease) are *listed* in ``skipped`` with the reason,
never silently dropped. Guarantees attach to the edge they cover
(``guarantor``), the guarantor pays a shortfall on it.

**Remaining schedule.** A contract pays its notional evenly over its term
(``term_years``; when not stated, :data:`DEFAULT_TERM_YEARS` by kind, an
assumption of this project), from its ``start`` (when in the future) or from
quarter 0. The notional of a take-or-pay contract is read as the remaining
commitment (the complex schema's convention).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from borrowedtime.errors import SpecError
from borrowedtime.network._describe import Described

__all__ = ["ExposureNetwork", "network_from_complex", "DEFAULT_TERM_YEARS", "quarter_label"]

#: Term assumed when a contract states none (years), by kind; an assumption of this project:
#: five years is the term of the disclosed take-or-pay contracts (Oracle, Nebius, IREN, CoreWeave)
#: and of the DDTL facilities; bonds of project vehicles run longer.
DEFAULT_TERM_YEARS = {"take_or_pay": 5.0, "term_loan": 5.0, "abs_note": 5.0, "bond": 10.0, "margin_loan": 2.0}


def quarter_label(as_of: date, q: int) -> str:
    """Calendar label (``2027Q2``) of quarter ``q`` counted from the quarter of ``as_of``."""
    k = as_of.year * 4 + (as_of.month - 1) // 3 + int(q)
    return f"{k // 4}Q{k % 4 + 1}"


def _quarter_offset(as_of: date, when: date) -> int:
    return (when.year * 4 + (when.month - 1) // 3) - (as_of.year * 4 + (as_of.month - 1) // 3)


@dataclass(frozen=True, eq=False, repr=False)
class ExposureNetwork(Described):
    """Obligations between the entities of the complex as arrays.

    Attributes
    ----------
    names, kinds : tuple of str (n,)
        Entity index and each entity's kind (lab, hyperscaler, neocloud, ...).
    src, dst : int arrays (m,)
        Edge k: entity ``src[k]`` owes entity ``dst[k]``.
    amount_usd_bn : array (m,)
        Remaining amount owed on each edge, USD bn.
    start_q, term_q : int arrays (m,)
        First quarter of payment (from quarter 0) and number of quarters.
    guarantor : int array (m,)
        Index of the entity guaranteeing the edge, -1 when none.
    non_recourse : bool array (m,)
        Debt secured only by the assets it financed (seized on default).
    contracts, contract_kinds : tuple of str (m,)
    skipped : tuple of (contract, reason)
        Contracts in the complex that are not edges here, and why.
    as_of : date
        Quarter 0.
    """

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    src: np.ndarray
    dst: np.ndarray
    amount_usd_bn: np.ndarray
    start_q: np.ndarray
    term_q: np.ndarray
    guarantor: np.ndarray
    non_recourse: np.ndarray
    contracts: tuple[str, ...]
    contract_kinds: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    as_of: date

    @property
    def n(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise SpecError(f"no entity named {name!r} in the network.") from None

    def of_kind(self, *kinds: str) -> np.ndarray:
        """Boolean mask (n,) of the entities of the given kinds."""
        return np.isin(np.array(self.kinds), kinds)

    def schedule(self, horizon: int) -> np.ndarray:
        """Amount due on each edge in each quarter, array (horizon, m), USD bn."""
        q = np.arange(horizon)[:, None]
        live = (q >= self.start_q) & (q < self.start_q + self.term_q)
        return np.where(live, self.amount_usd_bn / self.term_q, 0.0)

    def liabilities(self) -> np.ndarray:
        """Remaining obligations as a matrix ``L[i, j]`` owed by i to j (USD bn)."""
        L = np.zeros((self.n, self.n))
        np.add.at(L, (self.src, self.dst), self.amount_usd_bn)
        return L

    def to_frame(self) -> pd.DataFrame:
        """One row per edge: contract, kind, debtor, creditor, amount, schedule, guarantor."""
        return pd.DataFrame({
            "contract": self.contracts,
            "kind": self.contract_kinds,
            "debtor": [self.names[i] for i in self.src],
            "creditor": [self.names[j] for j in self.dst],
            "amount_usd_bn": self.amount_usd_bn,
            "start": [quarter_label(self.as_of, s) for s in self.start_q],
            "quarters": self.term_q,
            "guarantor": [self.names[g] if g >= 0 else None for g in self.guarantor],
            "non_recourse": self.non_recourse,
        })

    def to_networkx(self):
        """A ``networkx.DiGraph``: nodes carry ``kind``, edges ``amount_usd_bn`` and ``contracts``."""
        import networkx as nx

        g = nx.DiGraph()
        for name, kind in zip(self.names, self.kinds, strict=True):
            g.add_node(name, kind=kind)
        for k in range(self.src.size):
            a, b = self.names[self.src[k]], self.names[self.dst[k]]
            if g.has_edge(a, b):
                g[a][b]["amount_usd_bn"] += float(self.amount_usd_bn[k])
                g[a][b]["contracts"].append(self.contracts[k])
            else:
                g.add_edge(a, b, amount_usd_bn=float(self.amount_usd_bn[k]), contracts=[self.contracts[k]])
        return g

    def summary(self) -> str:
        return (
            f"Exposure network as of {self.as_of}: {self.n} entities, {self.src.size} obligations, "
            f"{self.amount_usd_bn.sum():,.0f} bn owed; {len(self.skipped)} contracts not priced as edges"
        )

    def _repr_details(self) -> str:
        return f"n={self.n} edges={self.src.size} owed={self.amount_usd_bn.sum():,.0f}bn"


def network_from_complex(cx=None, *, extra_edges: list[dict] | None = None) -> ExposureNetwork:
    """The obligations of a complex as an :class:`ExposureNetwork` (the one adapter).

    Parameters
    ----------
    cx : borrowedtime.complex.Complex, optional
        The complex (default: the packaged essay world).
    extra_edges : list of dict, optional
        Obligations the complex does not hold but a model needs, each
        ``{"contract", "kind", "debtor", "creditor", "amount_usd_bn", "term_years",
        "non_recourse"}``; a creditor not in the complex is added as a
        ``lender`` entity. Used by the cascade for the neoclouds' debt.
    """
    from borrowedtime.complex import load_complex

    cx = load_complex() if cx is None else cx
    model = cx.model  # the complex's arrays (complex/model.py): entity index, edges, guarantees
    names = list(model.entities)
    kinds = [str(k) for k in model.entity_kind[: len(names)]]
    idx = {n: i for i, n in enumerate(names)}
    rows, skipped = [], []
    for k, contract in enumerate(model.edge_names):
        if model.nature[k] != "owed":
            continue
        if model.stated_residual[k]:
            skipped.append((contract, "stated residual of a book (a share the essay states, not a contract)"))
            continue
        if model.status[k] != "active":
            skipped.append((contract, f"status {model.status[k]}"))
            continue
        amount = float(model.amount[k])
        if not np.isfinite(amount):
            skipped.append((contract, "amount not disclosed"))
            continue
        c = cx.contract(contract)
        term = c.term_years if c.term_years is not None else DEFAULT_TERM_YEARS[c.kind]
        start = max(0, _quarter_offset(cx.as_of, c.start)) if c.start is not None else 0
        g = np.flatnonzero(model.guarantor[k, : len(names)] > 0)
        rows.append(dict(
            contract=contract, kind=c.kind, debtor=names[model.obligor[k]], creditor=names[model.obligee[k]],
            amount_usd_bn=amount, start_q=start, term_q=max(1, round(4 * term)),
            guarantor=int(g[0]) if g.size else -1, non_recourse=model.recourse[k] == "non_recourse",
        ))
    for k, e in enumerate(extra_edges or []):
        for key in ("contract", "debtor", "creditor", "amount_usd_bn"):
            if key not in e:
                raise SpecError(f"extra_edges[{k}]: missing {key!r}.")
        for party in (e["debtor"], e["creditor"]):
            if party not in idx:
                if party == e["debtor"]:
                    raise SpecError(f"extra_edges[{k}]: unknown debtor {party!r}.")
                idx[party] = len(names)
                names.append(party)
                kinds.append("lender")
        if not (np.isfinite(e["amount_usd_bn"]) and e["amount_usd_bn"] >= 0):
            raise SpecError(f"extra_edges[{k}].amount_usd_bn: expected a finite amount >= 0, got {e['amount_usd_bn']!r}.")
        kind = e.get("kind", "term_loan")
        term = float(e.get("term_years", DEFAULT_TERM_YEARS.get(kind, 5.0)))
        rows.append(dict(
            contract=e["contract"], kind=kind, debtor=e["debtor"], creditor=e["creditor"],
            amount_usd_bn=float(e["amount_usd_bn"]), start_q=int(e.get("start_q", 0)),
            term_q=max(1, round(4 * term)), guarantor=-1, non_recourse=bool(e.get("non_recourse", True)),
        ))
    return ExposureNetwork(
        names=tuple(names),
        kinds=tuple(kinds),
        src=np.array([idx[r["debtor"]] for r in rows], dtype=np.intp),
        dst=np.array([idx[r["creditor"]] for r in rows], dtype=np.intp),
        amount_usd_bn=np.array([r["amount_usd_bn"] for r in rows], dtype=float),
        start_q=np.array([r["start_q"] for r in rows], dtype=np.intp),
        term_q=np.array([r["term_q"] for r in rows], dtype=np.intp),
        guarantor=np.array([r["guarantor"] for r in rows], dtype=np.intp),
        non_recourse=np.array([r["non_recourse"] for r in rows], dtype=bool),
        contracts=tuple(r["contract"] for r in rows),
        contract_kinds=tuple(r["kind"] for r in rows),
        skipped=tuple(skipped),
        as_of=cx.as_of,
    )
