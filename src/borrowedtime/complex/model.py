r"""The complex as a model: a stable entity index and the obligations as arrays.

This is the type every stress mechanism builds on (credit, capex, network,
cascade). Load a complex with :func:`borrowedtime.complex.load_complex`; its
``.model`` is a :class:`ComplexModel`::

    from borrowedtime.complex import load_complex
    m = load_complex().model
    m.entities                    # ('openai', 'anthropic', ..., 'vantage-stargate-spv'): YAML order, stable
    i = m.index("openai")         # position of an entity in every array below
    O = m.obligations()           # (L, L) USD bn: O[i, j] = what i owes j (take-or-pay and debt)
    U = m.obligations(view="ultimate")   # the same, debtor looked through vehicles to who bears it
    K = m.obligations_by_kind()   # (kinds, L, L), kinds in m.owed_kinds order
    s = m.schedule()              # remaining payments by calendar year: s.by_year (Y, L, L), s.years
    G = m.guarantees()            # (L, L): G[g, j] = owed to j that g guarantees
    m.secured, m.recourse         # (E,) per obligation edge: collateral, recourse, seniority

Index and shapes
----------------
``entities`` are the complex's entities in file order (an overlay's new
entities come after the base's), so ``index(name)`` is stable for a given
set of files. ``labels`` extends them with the **groups** that look-through
needs when a split between end users is not disclosed (``cohere|openai``);
they appear only as ultimate debtors. Every entity matrix is ``(L, L)`` over
``labels``, ``L = len(labels) >= N = len(entities)``; ``m.n_entities`` is
``N``, so ``A[:N, :N]`` is the entity-only block and a stress layer that
draws states ``(paths, entities)`` uses the first ``N`` columns.

Edges
-----
Every contract is an **edge** ``e`` (plus one ``stated residual`` edge per
platform whose stated lab share exceeds the disclosed lab contracts; see
:mod:`borrowedtime.complex.exposures`). Edge arrays have shape ``(E,)``:
``edge_names``, ``edge_kind``, ``nature`` (``owed``, ``contingent``,
``equity``, ``revenue_share``), ``obligor`` and ``obligee`` (indices into
``labels``; ``-1`` for a funding round's group of participants),
``amount``/``amount_low``/``amount_high`` (USD bn; NaN where not disclosed),
``status``, ``stated_residual``, and the security of the edge:
``collateral`` (description or None), ``secured``, ``recourse``,
``seniority``.

Look-through
------------
``first_hop`` ``D`` (E, L) spreads each edge over its end users (an edge
without ``end_users`` stays on its obligor); ``passthrough`` ``R`` (L, L) is
the identity except for special-purpose vehicles, whose row is the
notional-weighted mean of the first hops of the leases they are owed, raised
to the fixed point :math:`R^\infty`; ``ultimate`` ``U = D R^\infty`` for owed
edges and ``D`` for the others (an equity stake or a guarantee does not pass
through a vehicle). Every view in :mod:`borrowedtime.complex.exposures` is
computed from these arrays.

Guarantees and collateral
-------------------------
``guarantor`` (E, L) is 1 where entity ``g`` guarantees edge ``e`` (a
``guarantee`` or ``residual_value_guarantee`` contract that ``covers`` it);
:meth:`ComplexModel.guarantees` aggregates the guaranteed amounts into
``(guarantor, creditor)``. Collateral is a description in the dataset, so it
travels as ``collateral`` (E,) with the boolean ``secured``, and ``recourse``
(``full``/``limited``/``non_recourse``) and ``seniority`` per edge;
``bankruptcy_remote`` (L,) marks vehicles.

Schedule
--------
:meth:`ComplexModel.schedule` spreads each owed edge's amount evenly in time
from its start (``start``, else its ``as_of``; payments before the amount's
``as_of`` are not in it, as a remaining performance obligation is stated
from its report date) to its end (``end``, else start + ``term_years``), and
sums it by calendar year. Edges without an end are ``undated`` (an amount
with no disclosed term).

Units: USD bn; shares decimal; years as calendar years.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.complex.schema import (
    CONTRACT_KINDS,
    GUARANTEE_KINDS,
    OWED_KINDS,
    ComplexSpec,
    Concentration,
    Contract,
    Entity,
)
from borrowedtime.errors import SpecError

__all__ = ["Complex", "ComplexModel", "ObligationSchedule", "NATURE", "group_label"]

#: Nature of each contract kind: ``owed`` money, ``contingent`` (guarantees), ``equity``, ``revenue_share``.
NATURE: dict[str, str] = {
    **{k: "owed" for k in OWED_KINDS},
    **{k: "contingent" for k in GUARANTEE_KINDS},
    "equity_stake": "equity",
    "funding_round": "equity",
    "revenue_share": "revenue_share",
}
assert set(NATURE) == set(CONTRACT_KINDS)


def group_label(names) -> str:
    """Label of an undisclosed split among several entities (``anthropic|openai``)."""
    return "|".join(sorted(names))


@dataclass(frozen=True)
class Complex(Summarised):
    """A validated complex: the spec plus lookups by name; ``.model`` gives the arrays.

    Attributes
    ----------
    spec : ComplexSpec
        Entities, contracts and stated concentrations.
    files : tuple of str
        The files it was read from, base first, then overlays.
    """

    spec: ComplexSpec
    files: tuple[str, ...] = ()
    _entities: dict[str, Entity] = field(default_factory=dict, repr=False, compare=False)
    _contracts: dict[str, Contract] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._entities.update({e.name: e for e in self.spec.entities})
        self._contracts.update({c.name: c for c in self.spec.contracts})

    @property
    def entities(self) -> tuple[Entity, ...]:
        return self.spec.entities

    @property
    def contracts(self) -> tuple[Contract, ...]:
        return self.spec.contracts

    @property
    def concentrations(self) -> tuple[Concentration, ...]:
        return self.spec.concentrations

    @property
    def as_of(self):
        return self.spec.as_of

    def entity(self, name: str) -> Entity:
        try:
            return self._entities[name]
        except KeyError:
            raise SpecError(f"no entity named {name!r} in the complex.") from None

    def contract(self, name: str) -> Contract:
        try:
            return self._contracts[name]
        except KeyError:
            raise SpecError(f"no contract named {name!r} in the complex.") from None

    def has_entity(self, name: str) -> bool:
        return name in self._entities

    def backlog(self, name: str) -> float:
        """Latest reported backlog (RPO) of an entity, USD bn; NaN when none is recorded."""
        obs = self.entity(name).latest("backlog_usd_bn")
        return float("nan") if obs is None else obs.value

    def signed_since(self, name: str) -> list[Contract]:
        """Take-or-pay contracts owed to ``name`` signed after its latest reported backlog.

        Those marked ``in_backlog: false`` and dated after the backlog's as_of;
        once a newer backlog is overlaid, they drop out (the report includes them).
        """
        obs = self.entity(name).latest("backlog_usd_bn")
        if obs is None:
            return []
        return [c for c in self.contracts
                if c.kind == "take_or_pay" and c.obligee == name and not c.in_backlog
                and c.as_of > obs.as_of and c.notional_usd_bn is not None]

    def book(self, name: str) -> float:
        """Pro forma book, USD bn: latest reported backlog plus take-or-pay signed since.

        Notes
        -----
        The essay's "$2.1 trillion backlog" adds to the platforms' reported
        backlogs commitments announced after the report date; this is that sum.
        NaN when no backlog is recorded.
        """
        return self.backlog(name) + sum(c.notional_usd_bn.value for c in self.signed_since(name))

    def entities_frame(self):
        """One row per entity: kind, rating, parent, latest backlog (and pro forma book), its source."""
        import pandas as pd

        rows = []
        for e in self.entities:
            b = e.latest("backlog_usd_bn")
            rows.append({
                "name": e.name, "label": e.display, "kind": e.kind, "rating": e.rating,
                "parent": e.parent, "backlog_usd_bn": None if b is None else b.value,
                "book_usd_bn": None if b is None else self.book(e.name),
                "backlog_as_of": None if b is None else b.as_of.isoformat(),
                "backlog_source": None if b is None else b.source, "n_figures": len(e.figures),
            })
        return pd.DataFrame(rows).set_index("name")

    def figures_frame(self):
        """Every observation of every entity, with provenance (long format)."""
        import pandas as pd

        rows = [
            {"entity": e.name, "metric": o.metric, "period": o.period, "value": o.value, "low": o.low,
             "high": o.high, "source": o.source, "as_of": o.as_of.isoformat()}
            for e in self.entities for o in e.figures
        ]
        return pd.DataFrame(rows)

    def contracts_frame(self):
        """One row per contract: kind, parties, notional (with range), provenance."""
        import pandas as pd

        rows = []
        for c in self.contracts:
            n = c.notional_usd_bn
            rows.append({
                "name": c.name, "kind": c.kind, "obligor": c.obligor, "obligee": c.obligee,
                "notional_usd_bn": None if n is None else n.value,
                "low": None if n is None else n.range[0], "high": None if n is None else n.range[1],
                "share_of_obligee_book": None if c.share_of_obligee_book is None else c.share_of_obligee_book.value,
                "end_users": ", ".join(c.end_users) or None, "covers": c.covers, "status": c.status,
                "source": c.source, "as_of": c.as_of.isoformat(),
            })
        return pd.DataFrame(rows).set_index("name")

    def summary(self) -> str:
        kinds = defaultdict(int)
        for e in self.entities:
            kinds[e.kind] += 1
        ck = defaultdict(int)
        for c in self.contracts:
            ck[c.kind] += 1
        return "\n".join([
            f"Complex as of {self.as_of} ({', '.join(self.files) or 'in memory'})",
            f"  entities: {len(self.entities)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})",
            f"  contracts: {len(self.contracts)} ({', '.join(f'{k} {v}' for k, v in sorted(ck.items()))})",
            f"  stated concentrations: {len(self.concentrations)}",
        ])

    @cached_property
    def model(self) -> ComplexModel:
        """The complex as arrays (:class:`ComplexModel`), built once per complex."""
        return ComplexModel.from_complex(self)


# ============================================================================ arrays
def _amount(cx: Complex, c: Contract) -> tuple[float, float, float]:
    if c.notional_usd_bn is not None:
        lo, hi = c.notional_usd_bn.range
        return c.notional_usd_bn.value, lo, hi
    if c.kind == "take_or_pay" and c.share_of_obligee_book is not None and c.obligee:
        # the share is of the backlog reported at the share's date, not of a later one
        obs = cx.entity(c.obligee).as_of_date("backlog_usd_bn", c.share_of_obligee_book.as_of)
        if obs is not None:
            s, (slo, shi), (blo, bhi) = c.share_of_obligee_book.value, c.share_of_obligee_book.range, obs.figure.range
            return s * obs.value, slo * blo, shi * bhi
    return np.nan, np.nan, np.nan


def _first_hop(c: Contract) -> dict[str, float]:
    if not c.end_users:
        return {c.obligor: 1.0}
    known = {k: f.value for k, f in c.end_users.items() if f is not None}
    unknown = [k for k, f in c.end_users.items() if f is None]
    rest = max(0.0, 1.0 - sum(known.values()))
    out = dict(known)
    if rest > 1e-12:
        key = group_label(unknown) if unknown else c.obligor
        out[key] = out.get(key, 0.0) + rest
    return out


def _edges_frame(cx: Complex) -> pd.DataFrame:
    """Every contract as an edge, plus the stated-residual edges (the exposures' ``edges`` table)."""
    guarantors: dict[str, list[str]] = {}
    for c in cx.contracts:
        if c.kind in GUARANTEE_KINDS and c.covers:
            guarantors.setdefault(c.covers, []).append(c.obligor)
    rows = []
    for c in cx.contracts:
        amt, lo, hi = _amount(cx, c)
        rows.append({
            "contract": c.name, "kind": c.kind, "nature": NATURE[c.kind], "obligor": c.obligor,
            "obligee": c.obligee if c.obligee is not None else group_label(c.participants),
            "amount_usd_bn": amt, "low_usd_bn": lo, "high_usd_bn": hi, "status": c.status,
            "guaranteed_by": ", ".join(guarantors.get(c.name, [])) or None,
            "stated_residual": False, "source": c.source, "as_of": c.as_of.isoformat(),
        })
    frame = pd.DataFrame(rows)
    residual = _residual_edges(cx, frame)
    if not residual.empty:
        frame = pd.concat([frame, residual], ignore_index=True)
    num = ["amount_usd_bn", "low_usd_bn", "high_usd_bn"]
    frame[num] = frame[num].astype(float)
    frame["stated_residual"] = frame["stated_residual"].astype(bool)
    return frame


def _residual_edges(cx: Complex, direct: pd.DataFrame) -> pd.DataFrame:
    rows = []
    owed = direct[direct["nature"] == "owed"]
    for k in cx.concentrations:
        obs = cx.entity(k.platform).latest("backlog_usd_bn")
        if obs is None or k.share is None:
            continue
        book = cx.book(k.platform)
        added = book - obs.value
        mine = owed[(owed["obligee"] == k.platform) & owed["obligor"].isin(k.obligors)]
        disclosed = float(mine["amount_usd_bn"].sum())
        residual = k.share.value * book - disclosed
        if residual <= 1e-9:
            continue
        without = [o for o in k.obligors if o not in set(mine["obligor"])]
        who = without[0] if len(without) == 1 else group_label(without or k.obligors)
        (slo, shi), (blo, bhi) = k.share.range, obs.figure.range
        rows.append({
            "contract": f"{k.platform}:stated-residual", "kind": "take_or_pay", "nature": "owed",
            "obligor": who, "obligee": k.platform, "amount_usd_bn": residual,
            "low_usd_bn": max(0.0, slo * (blo + added) - disclosed),
            "high_usd_bn": max(0.0, shi * (bhi + added) - disclosed),
            "status": "active", "guaranteed_by": None, "stated_residual": True,
            "source": f"{k.source}: stated share {k.share.value:.0%} of backlog less disclosed contracts",
            "as_of": k.as_of.isoformat(),
        })
    return pd.DataFrame(rows, columns=direct.columns)


def _pass_through(cx: Complex, hops: list[dict[str, float]], edges: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The resolved pass-through matrix R^inf and its labels (entities, then undisclosed-split groups)."""
    labels = [e.name for e in cx.entities]
    for h in hops:
        labels += [k for k in h if k not in labels]
    pos = {n: i for i, n in enumerate(labels)}
    n = len(labels)
    R = np.eye(n)
    spvs = [e.name for e in cx.entities if e.kind == "spv"]
    leases = edges[(edges["kind"] == "take_or_pay") & edges["obligee"].isin(spvs)]
    for spv in spvs:
        rows = leases.index[leases["obligee"] == spv]
        if rows.size == 0:
            continue
        amt = edges.loc[rows, "amount_usd_bn"].to_numpy(dtype=float)
        w = amt / amt.sum() if np.all(np.isfinite(amt)) and amt.sum() > 0 else np.full(rows.size, 1.0 / rows.size)
        vec = np.zeros(n)
        for weight, r in zip(w, rows, strict=True):
            for k, v in hops[r].items():
                vec[pos[k]] += weight * v
        R[pos[spv]] = vec
    for _ in range(64):
        nxt = R @ R
        if np.allclose(nxt, R, atol=1e-12):
            break
        R = nxt
    return R, labels


def _year_fraction(d: date) -> float:
    start = date(d.year, 1, 1)
    return d.year + (d - start).days / (366.0 if pd.Timestamp(d).is_leap_year else 365.0)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class ObligationSchedule:
    """Remaining owed payments by calendar year (USD bn).

    Attributes
    ----------
    years : numpy.ndarray of int, shape (Y,)
    by_year : numpy.ndarray, shape (Y, L, L)
        ``by_year[y, i, j]``: what ``i`` pays ``j`` in calendar year ``years[y]``.
    undated : numpy.ndarray, shape (L, L)
        Amounts whose edges have no end date or term.
    labels : tuple of str
    view : str
        ``direct`` or ``ultimate`` (debtor looked through vehicles).
    """

    years: np.ndarray
    by_year: np.ndarray
    undated: np.ndarray
    labels: tuple[str, ...]
    view: str

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``year`` (None for undated), ``debtor``, ``creditor``, ``amount_usd_bn`` (non-zero rows)."""
        rows = []
        for y, mat in [*zip(self.years.tolist(), self.by_year, strict=True), (None, self.undated)]:
            i, j = np.nonzero(mat)
            rows += [{"year": y, "debtor": self.labels[a], "creditor": self.labels[b], "amount_usd_bn": mat[a, b]}
                     for a, b in zip(i, j, strict=True)]
        return pd.DataFrame(rows, columns=["year", "debtor", "creditor", "amount_usd_bn"])

    def total_by_year(self, debtor: str | None = None) -> pd.Series:
        """Payments per year (of one debtor, or of all), USD bn."""
        m = self.by_year if debtor is None else self.by_year[:, self.labels.index(debtor), :]
        return pd.Series(m.reshape(len(self.years), -1).sum(axis=1), index=pd.Index(self.years, name="year"),
                         name="payments_usd_bn")

    def __repr__(self) -> str:
        span = f"{self.years[0]}-{self.years[-1]}" if self.years.size else "none"
        return (f"ObligationSchedule({self.view}, years {span}, dated {self.by_year.sum():,.1f} bn, "
                f"undated {self.undated.sum():,.1f} bn)")


@dataclass(frozen=True, eq=False)
class ComplexModel:
    """The complex as arrays over a stable entity index (see the module docstring for the whole API).

    Build with :meth:`from_complex` or ``Complex.model``. Arrays are read-only.
    """

    complex: Complex
    labels: tuple[str, ...]
    n_entities: int
    # per label (L,)
    entity_kind: np.ndarray
    rating: np.ndarray
    bankruptcy_remote: np.ndarray
    # per edge (E,)
    edge_names: tuple[str, ...]
    edge_kind: np.ndarray
    nature: np.ndarray
    obligor: np.ndarray
    obligee: np.ndarray
    amount: np.ndarray
    amount_low: np.ndarray
    amount_high: np.ndarray
    status: np.ndarray
    stated_residual: np.ndarray
    collateral: np.ndarray
    secured: np.ndarray
    recourse: np.ndarray
    seniority: np.ndarray
    # look-through and guarantees
    first_hop: np.ndarray
    passthrough: np.ndarray
    ultimate: np.ndarray
    guarantor: np.ndarray
    edges_frame: pd.DataFrame = field(repr=False)
    _pos: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_complex(cls, cx: Complex) -> ComplexModel:
        """Arrays of a loaded complex (:func:`borrowedtime.complex.load_complex`)."""
        edges = _edges_frame(cx)
        by_name = {c.name: c for c in cx.contracts}
        hops = [
            _first_hop(by_name[name]) if name in by_name else {obl: 1.0}
            for name, obl in zip(edges["contract"], edges["obligor"], strict=True)
        ]
        R, labels = _pass_through(cx, hops, edges)
        pos = {n: i for i, n in enumerate(labels)}
        L, E = len(labels), len(edges)
        D = np.zeros((E, L))
        for r, h in enumerate(hops):
            for k, v in h.items():
                D[r, pos[k]] = v
        nature = edges["nature"].to_numpy(dtype=object)
        # Direct debt of an SPV resolves to its lessees; an equity stake or a
        # guarantee does not pass through a vehicle (only the owed edges do).
        U = np.where((nature == "owed")[:, None], D @ R, D)
        G = np.zeros((E, L))
        row_of = {name: r for r, name in enumerate(edges["contract"])}
        for c in cx.contracts:
            if c.kind in GUARANTEE_KINDS and c.covers in row_of:
                G[row_of[c.covers], pos[c.obligor]] = 1.0
        contract = [by_name.get(n) for n in edges["contract"]]
        ents = {e.name: e for e in cx.entities}
        n = len(cx.entities)

        def per_label(f, default):
            return np.array([f(ents[x]) if x in ents else default for x in labels], dtype=object)

        def per_edge(f):
            return np.array([None if c is None else f(c) for c in contract], dtype=object)

        collateral = per_edge(lambda c: c.collateral)
        ro = _readonly
        return cls(
            complex=cx, labels=tuple(labels), n_entities=n,
            entity_kind=ro(per_label(lambda e: e.kind, "group")),
            rating=ro(per_label(lambda e: e.rating, "NR")),
            bankruptcy_remote=ro(np.array([ents[x].bankruptcy_remote if x in ents else False for x in labels])),
            edge_names=tuple(edges["contract"]),
            edge_kind=ro(edges["kind"].to_numpy(dtype=object)),
            nature=ro(nature),
            obligor=ro(np.array([pos.get(x, -1) for x in edges["obligor"]], dtype=np.intp)),
            obligee=ro(np.array([pos.get(x, -1) for x in edges["obligee"]], dtype=np.intp)),
            amount=ro(edges["amount_usd_bn"].to_numpy(dtype=float)),
            amount_low=ro(edges["low_usd_bn"].to_numpy(dtype=float)),
            amount_high=ro(edges["high_usd_bn"].to_numpy(dtype=float)),
            status=ro(edges["status"].to_numpy(dtype=object)),
            stated_residual=ro(edges["stated_residual"].to_numpy(dtype=bool)),
            collateral=ro(collateral),
            secured=ro(np.array([x is not None for x in collateral], dtype=bool)),
            recourse=ro(per_edge(lambda c: c.recourse)),
            seniority=ro(per_edge(lambda c: c.seniority)),
            first_hop=ro(D), passthrough=ro(R), ultimate=ro(U), guarantor=ro(G),
            edges_frame=edges, _pos=pos,
        )

    # ------------------------------------------------------------------ index
    @property
    def entities(self) -> tuple[str, ...]:
        """Entity names in a stable order (the file order; overlays' new entities last)."""
        return self.labels[: self.n_entities]

    def index(self, name: str) -> int:
        """Position of an entity (or undisclosed-split group) in every array."""
        try:
            return self._pos[name]
        except KeyError:
            raise SpecError(f"no entity named {name!r} in the complex.") from None

    # ------------------------------------------------------------------ selections
    def _mask(self, kinds, statuses) -> np.ndarray:
        kinds = OWED_KINDS if kinds is None else ((kinds,) if isinstance(kinds, str) else tuple(kinds))
        bad = [k for k in kinds if k not in CONTRACT_KINDS]
        if bad:
            raise SpecError(f"unknown contract kind(s) {bad}; expected some of {', '.join(CONTRACT_KINDS)}.")
        m = np.isin(self.edge_kind, kinds) & (self.obligee >= 0)
        if statuses is not None:
            m &= np.isin(self.status, tuple(statuses))
        return m

    def _values(self, bound: str) -> np.ndarray:
        try:
            v = {"value": self.amount, "low": self.amount_low, "high": self.amount_high}[bound]
        except KeyError:
            raise SpecError(f"bound must be 'value', 'low' or 'high'. Got {bound!r}.") from None
        return np.nan_to_num(v, nan=0.0)  # undisclosed amounts count 0 (see ``undisclosed``)

    def _debtor_weights(self, view: str) -> np.ndarray:
        if view == "direct":
            W = np.zeros((len(self.edge_names), len(self.labels)))
            ok = self.obligor >= 0
            W[np.flatnonzero(ok), self.obligor[ok]] = 1.0
            return W
        if view == "ultimate":
            return self.ultimate
        raise SpecError(f"view must be 'direct' or 'ultimate'. Got {view!r}.")

    def _scatter(self, edge_values: np.ndarray, W: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(L, L): out[i, j] = sum over masked edges e to j of edge_values[e] * W[e, i]."""
        L = len(self.labels)
        C = np.zeros((len(self.edge_names), L))
        idx = np.flatnonzero(mask)
        C[idx, self.obligee[idx]] = 1.0
        return (W * (edge_values * mask)[:, None]).T @ C

    # ------------------------------------------------------------------ views
    def obligations(
        self,
        kinds: str | tuple[str, ...] | None = None,
        *,
        view: str = "direct",
        bound: str = "value",
        statuses: tuple[str, ...] | None = None,
    ) -> np.ndarray:
        """The obligation matrix: ``O[i, j]`` = USD bn that ``i`` owes ``j``.

        Parameters
        ----------
        kinds : str or tuple of str, optional
            Contract kinds; default the owed kinds (take-or-pay, loans, notes,
            bonds, margin loans: :data:`~borrowedtime.complex.schema.OWED_KINDS`).
        view : {"direct", "ultimate"}
            Debtor as the legal obligor, or looked through vehicles and end
            users to who ultimately bears it.
        bound : {"value", "low", "high"}
            The central amount or an end of its stated range.
        statuses : tuple of str, optional
            Keep only edges with these statuses (``active``, ``proposed``,
            ``ended``); default all.

        Returns
        -------
        numpy.ndarray, shape (L, L)
            Over ``labels``; undisclosed amounts count 0 (:meth:`undisclosed`).
        """
        mask = self._mask(kinds, statuses)
        return self._scatter(self._values(bound), self._debtor_weights(view), mask)

    @property
    def owed_kinds(self) -> tuple[str, ...]:
        """The kinds along the first axis of :meth:`obligations_by_kind`."""
        return OWED_KINDS

    def obligations_by_kind(self, *, view: str = "direct", bound: str = "value") -> np.ndarray:
        """``(K, L, L)``: the obligation matrix of each owed kind, in :attr:`owed_kinds` order."""
        return np.stack([self.obligations(k, view=view, bound=bound) for k in OWED_KINDS])

    def undisclosed(self, kinds: str | tuple[str, ...] | None = None) -> tuple[str, ...]:
        """Names of the edges of these kinds (default owed) whose amount is not disclosed."""
        mask = self._mask(kinds, None) & ~np.isfinite(self.amount)
        return tuple(np.asarray(self.edge_names, dtype=object)[mask])

    def guarantees(self, *, bound: str = "value") -> np.ndarray:
        """``G[g, j]``: USD bn owed to ``j`` on edges that entity ``g`` guarantees (shape (L, L))."""
        mask = np.ones(len(self.edge_names), dtype=bool) & (self.obligee >= 0)
        return self._scatter(self._values(bound), self.guarantor, mask)

    def guaranteed(self) -> np.ndarray:
        """``(E,)`` bool: the edge has at least one guarantor."""
        return self.guarantor.any(axis=1)

    def schedule(
        self,
        kinds: str | tuple[str, ...] | None = None,
        *,
        view: str = "direct",
        years: range | None = None,
    ) -> ObligationSchedule:
        """Remaining payments by calendar year (see the module notes for the timing rule).

        Parameters
        ----------
        kinds : str or tuple of str, optional
            Default the owed kinds.
        view : {"direct", "ultimate"}
        years : range, optional
            Calendar years of the table; default from the first start year
            to the last end year of the dated edges selected (then every
            dated payment is in the table: ``by_year.sum() + undated.sum()``
            equals :meth:`obligations` ``.sum()``).
        """
        mask = self._mask(kinds, None)
        values = self._values("value")
        W = self._debtor_weights(view)
        spans: list[tuple[float, float] | None] = []
        for name in self.edge_names:
            c = self.complex._contracts.get(name)
            if c is None:
                spans.append(None)
                continue
            start = c.start or c.as_of
            end = c.end
            if end is None and c.term_years is not None:
                end_f = _year_fraction(start) + c.term_years
            elif end is not None:
                end_f = _year_fraction(end)
            else:
                spans.append(None)
                continue
            spans.append((max(_year_fraction(start), _year_fraction(c.as_of)), end_f))
        dated = np.array([s is not None for s in spans])
        if years is None:
            live = [s for s, m in zip(spans, mask, strict=True) if s is not None and m]
            first = min((int(np.floor(s[0])) for s in live), default=self.complex.as_of.year)
            last = max((int(np.ceil(s[1])) - 1 for s in live), default=first)
            years = range(first, last + 1)
        yrs = np.asarray(list(years), dtype=int)
        share = np.zeros((len(self.edge_names), yrs.size))
        for e, s in enumerate(spans):
            if s is None or s[1] <= s[0]:
                continue
            lo = np.clip(s[0], yrs, yrs + 1)
            hi = np.clip(s[1], yrs, yrs + 1)
            share[e] = (hi - lo) / (s[1] - s[0])
        by_year = np.stack([self._scatter(values * share[:, y], W, mask & dated) for y in range(yrs.size)]) \
            if yrs.size else np.zeros((0, len(self.labels), len(self.labels)))
        undated = self._scatter(values, W, mask & ~dated)
        return ObligationSchedule(years=yrs, by_year=by_year, undated=undated, labels=self.labels, view=view)

    # ------------------------------------------------------------------ frames
    def to_frame(self, matrix: np.ndarray | None = None) -> pd.DataFrame:
        """A (L, L) matrix (default :meth:`obligations`) as a labelled frame: debtors x creditors."""
        m = self.obligations() if matrix is None else matrix
        return pd.DataFrame(m, index=pd.Index(self.labels, name="debtor"), columns=pd.Index(self.labels, name="creditor"))

    def summary(self) -> str:
        owed = self.obligations()
        return (f"ComplexModel: {self.n_entities} entities (+{len(self.labels) - self.n_entities} groups), "
                f"{len(self.edge_names)} edges; owed {owed.sum():,.1f} bn "
                f"({len(self.undisclosed())} owed edges undisclosed), guaranteed {self.guarantees().sum():,.1f} bn")

    def __repr__(self) -> str:
        return f"<{self.summary()}>"
