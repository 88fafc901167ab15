"""Inputs of the capex machine: ``capex_inputs.yaml`` and ONE adapter to the complex and the essay.

Both go through the data layer (:mod:`borrowedtime.datasets`): :func:`capex_inputs`
reads the packaged YAML with :func:`~borrowedtime.datasets.packaged_yaml`;
:func:`complex_figures` is the only place in :mod:`borrowedtime.capex` that reads
the complex (filed capex and cash flow, gross debt, the vehicles' debt) and the essay's stated
series (:func:`borrowedtime.essay.essay_series`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from borrowedtime.datasets import packaged_yaml
from borrowedtime.errors import DataError

__all__ = ["capex_inputs", "complex_figures", "vehicle_debt", "ComplexFigures", "FILED_GROUP"]

#: The hyperscalers whose filed capex and operating cash flow make the "filed path" (as the audit).
FILED_GROUP = ("microsoft", "google", "amazon", "meta")
_FILE = "borrowedtime/data/capex_inputs.yaml"


def capex_inputs() -> dict:
    """The packaged ``capex_inputs.yaml`` as a dict (figures with source and as_of; a fresh copy)."""
    data = packaged_yaml("capex_inputs.yaml")
    if not isinstance(data, dict) or "hyperscalers" not in data:
        raise DataError(f"{_FILE}: expected a mapping with 'hyperscalers'")
    return data


@dataclass(frozen=True, eq=False)
class ComplexFigures:
    """What the capex machine reads from the complex and the essay.

    Attributes
    ----------
    filed : pandas.DataFrame
        Long frame ``name, year, capex_usd_bn, operating_cash_flow_usd_bn, source, basis`` of filed
        fiscal-year figures (Microsoft's fiscal year ends 30 June): ``basis`` ``filings`` where they
        are the filings data's calendar-year sums of quarters, ``complex`` where the complex states them.
    essay_capex : pandas.Series
        The essay's aggregate capex by calendar year, USD bn (VII).
    essay_ratio : pandas.Series
        The essay's capex / operating cash flow by calendar year, decimal (VII).
    off_balance_sheet : pandas.DataFrame
        ``sponsor, contract, amount_usd_bn, how`` of vehicle debt attributed to a sponsor
        (:func:`vehicle_debt`).
    debt : pandas.DataFrame
        ``name, year, debt_usd_bn, source`` of each entity's fiscal-year gross debt in the complex
        (its one home; ``capex_inputs.yaml`` holds none).
    """

    filed: pd.DataFrame
    essay_capex: pd.Series
    essay_ratio: pd.Series
    off_balance_sheet: pd.DataFrame
    debt: pd.DataFrame
    guidance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["name", "year", "capex_usd_bn", "source"]))

    def guided_capex(self, name: str, fiscal_year: int) -> float | None:
        """Capex guided for ``fiscal_year`` in the complex (a ``capex_usd_bn`` figure of period
        ``FY<year> guidance``), USD bn, or None."""
        hit = self.guidance[(self.guidance["name"] == name) & (self.guidance["year"] == int(fiscal_year))]
        return None if hit.empty else float(hit["capex_usd_bn"].iloc[-1])

    def debt_at(self, name: str, fiscal_year: int) -> float:
        """Gross debt of ``name`` at the end of fiscal year ``fiscal_year`` (USD bn), from the complex.

        Raises
        ------
        DataError
            The complex has no ``debt_usd_bn`` figure of that entity for period ``FY<year>``.
        """
        hit = self.debt[(self.debt["name"] == name) & (self.debt["year"] == int(fiscal_year))]
        if hit.empty:
            raise DataError(f"complex_2026.yaml, entity {name!r}: no debt_usd_bn figure for period 'FY{fiscal_year}' "
                            "(the capex machine's leverage starts from it).")
        return float(hit["debt_usd_bn"].iloc[-1])


@cache
def _default_figures() -> ComplexFigures:
    return _figures(None, None)


def vehicle_debt(cx) -> pd.DataFrame:
    """Debt of off-balance-sheet vehicles attributed to the hyperscalers that stand behind them.

    Read from the complex's model (:attr:`borrowedtime.complex.Complex.model`): every term loan or
    bond owed by a special-purpose vehicle counts for each hyperscaler that (a) leases from that
    vehicle (a take-or-pay edge to it), (b) guarantees a lease to it, or (c) guarantees the debt
    itself (a residual value guarantee). A vehicle with two such sponsors counts for both.

    Returns
    -------
    pandas.DataFrame
        ``sponsor, contract, amount_usd_bn, how`` (USD bn).
    """
    m = cx.model
    kind, owner, owee = m.edge_kind, m.obligor, m.obligee
    hyper = np.asarray(m.entity_kind == "hyperscaler")
    rows = []
    debts = np.flatnonzero(np.isin(kind, ("term_loan", "bond")) & (owner >= 0))
    for e in debts:
        spv = owner[e]
        if m.entity_kind[spv] != "spv" or not np.isfinite(m.amount[e]):
            continue
        how: dict[int, str] = {}
        for g in np.flatnonzero(m.guarantor[e] > 0):
            if hyper[g]:
                how.setdefault(int(g), f"guarantees {m.edge_names[e]}")
        for lease in np.flatnonzero((kind == "take_or_pay") & (owee == spv)):
            if owner[lease] >= 0 and hyper[owner[lease]]:
                how.setdefault(int(owner[lease]), f"leases from the vehicle ({m.edge_names[lease]})")
            for g in np.flatnonzero(m.guarantor[lease] > 0):
                if hyper[g]:
                    how.setdefault(int(g), f"guarantees the lease {m.edge_names[lease]}")
        for k, text in how.items():
            rows.append({"sponsor": m.labels[k], "contract": m.edge_names[e], "amount_usd_bn": float(m.amount[e]),
                         "how": text})
    return pd.DataFrame(rows, columns=["sponsor", "contract", "amount_usd_bn", "how"])


#: Entities of the complex and their keys in the filings data (:func:`borrowedtime.datasets.filings`).
FILINGS_KEYS = {"microsoft": "msft", "google": "googl", "amazon": "amzn", "meta": "meta", "oracle": "orcl"}
#: Entities whose fiscal year is the calendar year: their FY figures are the filings' calendar-year sums.
_CALENDAR_FISCAL = ("google", "amazon", "meta")
#: Capex as the complex defines it, where it is more than purchases of property and equipment.
_CAPEX_CONCEPTS = {"meta": ("capex", "finance_lease_principal")}  # Meta reports capex incl. lease principal


def _from_filings(filed: pd.DataFrame, data: pd.DataFrame | None) -> pd.DataFrame:
    """Filed years read from the filings data (sums of quarters, calendar years) where they hold the year.

    A row of ``filed`` (an entity's fiscal year in the complex) is replaced when the entity's fiscal year
    is the calendar year and the filings data hold all four quarters of every concept it needs; its
    ``basis`` becomes ``filings`` and its ``source`` names the sum. Other rows keep the complex's figure
    (``basis`` ``complex``): Microsoft's and Oracle's fiscal years are not calendar years, and years the
    filings data do not cover yet stay as the complex states them.
    """
    from borrowedtime.buildout import annual_totals

    filed = filed.assign(basis="complex")
    for name in _CALENDAR_FISCAL:
        key = FILINGS_KEYS[name]
        sums = {}
        try:
            for metric, concepts in (("capex_usd_bn", _CAPEX_CONCEPTS.get(name, ("capex",))),
                                     ("operating_cash_flow_usd_bn", ("operating_cash_flow",))):
                parts = [annual_totals(c, key, data=data) for c in concepts]
                total = parts[0]
                for p in parts[1:]:
                    total = total.add(p).dropna()  # a year counts only where every part holds it
                sums[metric] = total
        except DataError:
            continue  # the company or a concept is not in the filings data: the complex's figures stand
        for i in np.flatnonzero((filed["name"] == name).to_numpy()):
            year = int(filed["year"].iloc[i])
            if all(year in v.index for v in sums.values()):
                for metric, v in sums.items():
                    filed.iloc[i, filed.columns.get_loc(metric)] = float(v.loc[year])
                filed.iloc[i, filed.columns.get_loc("basis")] = "filings"
                filed.iloc[i, filed.columns.get_loc("source")] = (
                    f"filings: {key} {'+'.join(_CAPEX_CONCEPTS.get(name, ('capex',)))} and operating_cash_flow, "
                    f"sum of the four quarters of calendar {year} (borrowedtime.datasets.filings)")
    return filed


def complex_figures(cx=None, *, filings: pd.DataFrame | None = None) -> ComplexFigures:
    """Read filed capex / cash flow, the essay's path and vehicle debt (the one adapter).

    Parameters
    ----------
    cx : borrowedtime.complex.Complex, optional
        A loaded complex; the packaged one (read once per process) when None.
    filings : pandas.DataFrame, optional
        The long quarterly filings frame (:func:`borrowedtime.datasets.filings`, the default):
        annual capex and operating cash flow are its calendar-year sums where it holds the year
        (``filed['basis']`` says which rows).
    """
    return _default_figures() if cx is None and filings is None else _figures(cx, filings)


def _figures(cx, filings: pd.DataFrame | None = None) -> ComplexFigures:
    from borrowedtime.complex import load_complex
    from borrowedtime.essay import essay_series

    cx = load_complex() if cx is None else cx
    rows = []
    debt = []
    guidance = []
    for entity in cx.entities:
        for o in entity.figures:
            p = o.period.split()
            if o.metric == "capex_usd_bn" and len(p) == 2 and p[1] == "guidance" and p[0][2:].isdigit():
                guidance.append({"name": entity.name, "year": int(p[0][2:]), "capex_usd_bn": float(o.value),
                                 "source": o.source})
            if not (o.period.startswith("FY") and o.period[2:].isdigit()):
                continue
            if o.metric == "debt_usd_bn":
                debt.append({"name": entity.name, "year": int(o.period[2:]), "debt_usd_bn": float(o.value),
                             "source": o.source})
            if o.metric not in ("capex_usd_bn", "operating_cash_flow_usd_bn"):
                continue
            rows.append({"name": entity.name, "year": int(o.period[2:]), "metric": o.metric,
                         "value": float(o.value), "source": o.source})
    long = pd.DataFrame(rows, columns=["name", "year", "metric", "value", "source"])
    values = long.pivot_table(index=["name", "year"], columns="metric", values="value", aggfunc="last")
    sources = long.groupby(["name", "year"])["source"].agg("; ".join)
    filed = values.join(sources).reset_index()
    filed = filed.dropna(subset=["capex_usd_bn", "operating_cash_flow_usd_bn"])
    filed.columns.name = None
    filed = _from_filings(filed.reset_index(drop=True), filings)

    obs = vehicle_debt(cx)
    capex = essay_series("hyperscaler_capex")
    ratio = essay_series("capex_to_operating_cash_flow")
    capex.index = capex.index.year
    ratio.index = ratio.index.year
    return ComplexFigures(filed=filed, essay_capex=capex, essay_ratio=ratio,
                          off_balance_sheet=obs,
                          debt=pd.DataFrame(debt, columns=["name", "year", "debt_usd_bn", "source"]),
                          guidance=pd.DataFrame(guidance, columns=["name", "year", "capex_usd_bn", "source"]))
