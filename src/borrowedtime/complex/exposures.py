r"""Who is owed what by whom: direct and looked-through exposures in the complex.

Three views of one edge list, each computed from the arrays of
:class:`~borrowedtime.complex.model.ComplexModel` (``cx.model``):

* :func:`exposures` -- every contract as an edge (obligee is owed ``amount``
  by obligor), and the same edges looked through intermediaries to the entity
  that ultimately bears them;
* :func:`platform_concentration` -- each platform's backlog split by ultimate
  tenant, next to the share the essay states;
* :func:`lab_exposure` -- ultimate exposure of every creditor to each lab.

Notes
-----
Units: USD bn; shares decimal.

**Amount of an edge.** The contract's ``notional_usd_bn``; for a take-or-pay
contract that states only a ``share_of_obligee_book``, that share times the
obligee's backlog reported at the share's date. Contracts with no disclosed amount stay in the
edge list with a NaN amount (they still carry look-through weights).

**Look-through.** Let :math:`d_c` be the first-hop distribution of contract c
over entities: its ``end_users`` shares where given (an undisclosed split goes
to a group label such as ``cohere|openai``; an unassigned remainder stays with
the obligor), else all on the obligor. A special-purpose vehicle passes
through to its lessees: its row of the pass-through matrix :math:`R` is the
notional-weighted mean of :math:`d_c` over the take-or-pay contracts it is
owed (equal weights where amounts are not disclosed); every other row of
:math:`R` is the identity. The ultimate distribution is
:math:`d_c R^{\infty}`, computed by squaring :math:`R` until it stops
changing (chains of vehicles resolve in :math:`\log_2` of their length).

**Stated shares.** The essay states, for each platform, the share of its book
owed by a group (OpenAI and Anthropic). Where the group's disclosed contracts
fall short of that share times the book, the difference is added as a
``stated residual`` edge: to the one member with no disclosed contract, or to
the group label when none or several have one. Where contracts exceed it, no
edge is added and the gap is reported in :func:`platform_concentration`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.complex.model import Complex, group_label

__all__ = [
    "Exposures",
    "PlatformConcentration",
    "LabExposure",
    "exposures",
    "platform_concentration",
    "lab_exposure",
    "group_label",
]

@dataclass(frozen=True, eq=False)
class Exposures(Summarised):
    """Every contract as an edge, direct and looked through.

    Attributes
    ----------
    edges : pandas.DataFrame
        One row per contract (plus stated-residual rows): ``contract``, ``kind``,
        ``nature`` (owed, contingent, equity, revenue_share), ``obligor``,
        ``obligee``, ``amount_usd_bn`` (with ``low_usd_bn``/``high_usd_bn``),
        ``guaranteed_by``, provenance.
    lookthrough : pandas.DataFrame
        One row per (contract, ultimate obligor): the edge columns plus
        ``ultimate_obligor``, ``weight`` and ``ultimate_usd_bn`` = amount x weight.
    """

    edges: pd.DataFrame
    lookthrough: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The looked-through edge list (one row per contract and ultimate obligor)."""
        return self.lookthrough.copy()

    def matrix(self, view: str = "ultimate", nature: str = "owed") -> pd.DataFrame:
        """Creditor x debtor table of amounts (USD bn).

        Parameters
        ----------
        view : {"ultimate", "direct"}
            Debtor as the legal obligor or as the entity that ultimately bears it.
        nature : str
            ``owed`` (take-or-pay and debt), ``equity``, ``contingent`` or ``all``.
        """
        if view not in ("ultimate", "direct"):
            raise ValueError(f"view must be 'ultimate' or 'direct'. Got {view!r}.")
        df = self.lookthrough
        if nature != "all":
            df = df[df["nature"] == nature]
        col, val = ("ultimate_obligor", "ultimate_usd_bn") if view == "ultimate" else ("obligor", "ultimate_usd_bn")
        return df.pivot_table(index="obligee", columns=col, values=val, aggfunc="sum", fill_value=0.0)

    def owed_to(self, creditor: str, view: str = "ultimate") -> pd.Series:
        """What each debtor owes one creditor (USD bn), largest first."""
        m = self.matrix(view)
        if creditor not in m.index:
            return pd.Series(dtype=float, name=creditor)
        s = m.loc[creditor]
        return s[s > 0].sort_values(ascending=False).rename(creditor)

    def summary(self) -> str:
        owed = self.edges[self.edges["nature"] == "owed"]
        n_nan = int(owed["amount_usd_bn"].isna().sum())
        top = self.matrix("ultimate").sum(axis=0).sort_values(ascending=False).head(5)
        lines = [
            f"Exposures: {len(self.edges)} edges ({len(owed)} owed, {n_nan} with undisclosed amount)",
            f"  owed in total: {owed['amount_usd_bn'].sum():,.1f} USD bn",
            "  largest ultimate debtors: " + ", ".join(f"{k} {v:,.1f}" for k, v in top.items()),
        ]
        return "\n".join(lines)


def exposures(cx: Complex) -> Exposures:
    """Direct and looked-through exposures of a complex.

    Parameters
    ----------
    cx : Complex
        A loaded complex (:func:`borrowedtime.complex.load_complex`).

    Returns
    -------
    Exposures
    """
    m = cx.model
    edges = m.edges_frame.copy()
    U = m.ultimate
    labels = m.labels
    r_idx, c_idx = np.nonzero(U > 1e-12)
    look = edges.iloc[r_idx].reset_index(drop=True)
    look["ultimate_obligor"] = np.asarray(labels, dtype=object)[c_idx]
    look["weight"] = U[r_idx, c_idx]
    look["ultimate_usd_bn"] = look["amount_usd_bn"] * look["weight"]
    return Exposures(edges=edges, lookthrough=look)


@dataclass(frozen=True, eq=False)
class PlatformConcentration(Summarised):
    """Each platform's book split by ultimate tenant, against the stated share.

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``platform``; columns ``backlog_usd_bn`` (latest reported),
        ``backlog_as_of``, ``signed_since_usd_bn`` (take-or-pay signed after
        the report), ``book_usd_bn`` (their sum), one ``<lab>_usd_bn`` per lab
        and ``labs_unsplit_usd_bn`` (disclosed contracts plus stated
        residuals), ``other_usd_bn`` (other identified tenants),
        ``unidentified_usd_bn``, ``lab_share`` (all lab rows / book),
        ``lab_share_disclosed`` (disclosed contracts only),
        ``stated_lab_share`` and ``stated_gap_usd_bn`` (disclosed lab
        contracts less stated share x book; > 0 means the contracts alone
        exceed what the stated share allows).
    labs : tuple of str
    """

    table: pd.DataFrame
    labs: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        lines = ["Platform backlog looked through to the labs (USD bn)"]
        for p, r in self.table.iterrows():
            stated = "" if pd.isna(r["stated_lab_share"]) else f", stated {r['stated_lab_share']:.0%}"
            lines.append(
                f"  {p}: book {r['book_usd_bn']:,.0f}; labs {r['lab_share']:.0%} "
                f"(disclosed contracts {r['lab_share_disclosed']:.0%}{stated})"
            )
        return "\n".join(lines)


def _lab_columns(labels, labs) -> tuple[list[str], list[str]]:
    single = [lab for lab in labs if lab in labels]
    groups = [g for g in labels if "|" in g and all(p in labs for p in g.split("|"))]
    return single, groups


def platform_concentration(cx: Complex, platforms: list[str] | None = None) -> PlatformConcentration:
    """Book of each platform by ultimate tenant (labs first), with the stated share.

    Parameters
    ----------
    cx : Complex
    platforms : list of str, optional
        Entities to tabulate; default every entity with a recorded backlog.

    Returns
    -------
    PlatformConcentration
    """
    labs = tuple(e.name for e in cx.entities if e.kind == "lab")
    if platforms is None:
        platforms = [e.name for e in cx.entities if e.latest("backlog_usd_bn") is not None]
    ex = exposures(cx)
    look = ex.lookthrough
    look = look[(look["nature"] == "owed") & look["obligee"].isin(platforms)]
    pivot = look.pivot_table(index="obligee", columns="ultimate_obligor", values="ultimate_usd_bn",
                             aggfunc="sum", fill_value=0.0).reindex(platforms, fill_value=0.0)
    disclosed = look[~look["stated_residual"]].pivot_table(
        index="obligee", columns="ultimate_obligor", values="ultimate_usd_bn", aggfunc="sum", fill_value=0.0
    ).reindex(platforms, fill_value=0.0)
    single, groups = _lab_columns(list(pivot.columns), labs)
    lab_cols = single + groups
    reported = pd.Series({p: cx.backlog(p) for p in platforms}, dtype=float)
    backlog = pd.Series({p: cx.book(p) for p in platforms}, dtype=float)
    as_of = pd.Series({p: cx.entity(p).latest("backlog_usd_bn").as_of.isoformat() for p in platforms})
    labs_total = pivot[lab_cols].sum(axis=1) if lab_cols else pd.Series(0.0, index=platforms)
    d_single, d_groups = _lab_columns(list(disclosed.columns), labs)
    labs_disclosed = disclosed[d_single + d_groups].sum(axis=1) if d_single + d_groups else labs_total * 0
    other = pivot.drop(columns=lab_cols).sum(axis=1)
    stated = pd.Series({p: np.nan for p in platforms}, dtype=float)
    for k in cx.concentrations:
        if k.platform in stated.index and set(k.obligors) <= set(labs) and k.share is not None:
            stated[k.platform] = k.share.value
    table = pd.DataFrame({"backlog_usd_bn": reported, "backlog_as_of": as_of,
                          "signed_since_usd_bn": backlog - reported, "book_usd_bn": backlog})
    for lab in single:
        table[f"{lab}_usd_bn"] = pivot[lab]
    table["labs_unsplit_usd_bn"] = pivot[groups].sum(axis=1) if groups else 0.0
    table["other_usd_bn"] = other
    table["unidentified_usd_bn"] = backlog - labs_total - other
    table["lab_share"] = labs_total / backlog
    table["lab_share_disclosed"] = labs_disclosed / backlog
    table["stated_lab_share"] = stated
    table["stated_gap_usd_bn"] = labs_disclosed - stated * backlog
    table.attrs["note"] = "book = reported backlog + take-or-pay signed since; shares are of the book"
    table.index.name = "platform"
    return PlatformConcentration(table=table, labs=labs)


@dataclass(frozen=True, eq=False)
class LabExposure(Summarised):
    """Ultimate exposure of every creditor to each lab (owed amounts, USD bn).

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``creditor``; one column per lab (and per undisclosed lab split),
        then ``direct_usd_bn`` (owed by a lab as legal obligor) and
        ``ultimate_usd_bn`` (after look-through), and ``total_owed_usd_bn``.
    """

    table: pd.DataFrame
    labs: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def totals(self) -> pd.Series:
        """Total ultimately owed by each lab (and lab group) across the complex."""
        cols = [c for c in self.table.columns if c.endswith("_usd_bn") is False]
        return self.table[cols].sum(axis=0).sort_values(ascending=False)

    def summary(self) -> str:
        t = self.totals()
        return "Ultimate exposure to the labs (USD bn): " + ", ".join(f"{k} {v:,.1f}" for k, v in t.items())


def lab_exposure(cx: Complex) -> LabExposure:
    """Who is ultimately exposed to each lab, across the whole complex.

    Parameters
    ----------
    cx : Complex

    Returns
    -------
    LabExposure
    """
    labs = tuple(e.name for e in cx.entities if e.kind == "lab")
    ex = exposures(cx)
    look = ex.lookthrough[ex.lookthrough["nature"] == "owed"]
    single, groups = _lab_columns(sorted(set(look["ultimate_obligor"])), labs)
    cols = single + groups
    ult = look[look["ultimate_obligor"].isin(cols)]
    table = ult.pivot_table(index="obligee", columns="ultimate_obligor", values="ultimate_usd_bn",
                            aggfunc="sum", fill_value=0.0).reindex(columns=cols, fill_value=0.0)
    direct = look[look["obligor"].isin(cols)].groupby("obligee")["ultimate_usd_bn"].sum()
    table["direct_usd_bn"] = direct.reindex(table.index).fillna(0.0)
    table["ultimate_usd_bn"] = table[cols].sum(axis=1)
    totals = look.groupby("obligee")["ultimate_usd_bn"].sum()
    table["total_owed_usd_bn"] = totals.reindex(table.index)
    table.index.name = "creditor"
    table.columns.name = None
    table = table[table["ultimate_usd_bn"] > 0]
    return LabExposure(table=table.sort_values("ultimate_usd_bn", ascending=False), labs=labs)
