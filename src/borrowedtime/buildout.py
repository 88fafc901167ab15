"""The AI build-out's own quarterly series, from the companies' filings.

The packaged filings data (:func:`borrowedtime.datasets.filings`, one row per
company, concept and fiscal quarter, each value with its filing) become the
series the monitor reads, named like a file on the command line:

``filings:COMPANY:CONCEPT``
    One company's quarterly values, e.g. ``filings:msft:capex``,
    ``filings:orcl:rpo``, ``filings:nvda:data_center_revenue``.
``filings:hyperscalers:CONCEPT``
    The four platforms (Microsoft, Alphabet, Amazon, Meta: :data:`HYPERSCALERS`)
    summed per calendar quarter, only in quarters where all four report a value.
``filings:COMPANY:capex_to_ocf``
    Capital expenditure over operating cash flow, trailing four quarters
    (:func:`capex_to_ocf`); ``filings:hyperscalers:capex_to_ocf`` is the ratio of
    the four platforms' sums.

Dating rule (real time). A fiscal quarter is dated at the end of the calendar
quarter in which it ends: Microsoft's fiscal Q1 (July-September) is dated
September 30; NVIDIA's quarter ending 2025-07-27 is dated 2025-09-30 and
Oracle's ending 2025-08-31 is dated 2025-09-30 too. A value is therefore never
dated before the end of the span it measures, so an estimate at t reads only
quarters that had ended by t (the filing itself comes three to six weeks later:
score calls as published with ``backtest --release-lag 1``). Backlogs (``rpo``)
are stocks measured at the quarter's last day and dated the same way.

Money is in USD billions (the filings data are in USD millions).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from borrowedtime.errors import DataError

__all__ = [
    "HYPERSCALERS",
    "COMPANY_NAMES",
    "CONCEPT_NAMES",
    "STOCK_CONCEPTS",
    "RATIO_CONCEPTS",
    "parse_filings_source",
    "quarterly_panel",
    "filings_series",
    "capex_to_ocf",
    "annual_totals",
    "filings_panel",
]

#: The four platforms summed by ``filings:hyperscalers:CONCEPT``.
HYPERSCALERS: tuple[str, ...] = ("msft", "googl", "amzn", "meta")

#: Company keys of the filings data and how they are printed.
COMPANY_NAMES: dict[str, str] = {
    "msft": "Microsoft", "googl": "Alphabet", "amzn": "Amazon", "meta": "Meta", "orcl": "Oracle",
    "nvda": "NVIDIA", "crwv": "CoreWeave", "hyperscalers": "the four hyperscalers",
}

#: Concepts and how they are printed (the filings data's own plus the ratio below).
CONCEPT_NAMES: dict[str, str] = {
    "capex": "capex",
    "finance_lease_principal": "finance-lease principal",
    "operating_cash_flow": "operating cash flow",
    "revenue": "revenue",
    "rpo": "backlog (RPO)",
    "data_center_revenue": "data-center revenue",
    "capex_to_ocf": "capex / operating cash flow (trailing 4 quarters)",
}

#: Concepts that are stocks at a date (no within-year season), not flows over a quarter.
STOCK_CONCEPTS: frozenset[str] = frozenset({"rpo"})

#: Ratio concepts: name -> (numerator, denominator), each summed over the trailing four quarters.
RATIO_CONCEPTS: dict[str, tuple[str, str]] = {"capex_to_ocf": ("capex", "operating_cash_flow")}

_NEEDED = ("company", "concept", "period_end", "value_usd_m")


def parse_filings_source(text: str) -> tuple[str, str]:
    """``"filings:COMPANY:CONCEPT"`` -> ``(company, concept)``, lower-cased and checked for shape.

    Raises
    ------
    DataError
        Not of the form ``filings:COMPANY:CONCEPT``.
    """
    parts = str(text).split(":")
    if len(parts) != 3 or parts[0].strip().lower() != "filings" or not parts[1].strip() or not parts[2].strip():
        raise DataError(
            f"{text}: expected filings:COMPANY:CONCEPT, e.g. filings:hyperscalers:capex or filings:msft:rpo "
            f"(companies: {', '.join(COMPANY_NAMES)}; concepts: {', '.join(CONCEPT_NAMES)})."
        )
    return parts[1].strip().lower(), parts[2].strip().lower()


def _data(data: pd.DataFrame | None) -> pd.DataFrame:
    if data is None:
        from borrowedtime.datasets import filings

        data = filings()
    missing = [c for c in _NEEDED if c not in data.columns]
    if missing:
        raise DataError(f"filings data: missing column(s) {', '.join(missing)}; expected at least {', '.join(_NEEDED)}.")
    return data


def _quarter_end(period_end: pd.Series) -> pd.DatetimeIndex:
    """End of the calendar quarter in which each period ends (the dating rule of the module docstring)."""
    d = pd.to_datetime(period_end, errors="coerce")
    if d.isna().any():
        i = int(np.flatnonzero(d.isna().to_numpy())[0])
        raise DataError(f"filings data, row {i}, field 'period_end': not a date: {period_end.iloc[i]!r}.")
    return pd.DatetimeIndex(d.dt.to_period("Q").dt.end_time.dt.normalize(), name="date")


def _one(data: pd.DataFrame, company: str, concept: str) -> pd.Series:
    """One company's values of one stored concept on calendar quarter ends, USD bn (may be empty)."""
    rows = data[(data["company"].astype(str).str.lower() == company)
                & (data["concept"].astype(str).str.lower() == concept)]
    if rows.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"))
    idx = _quarter_end(rows["period_end"])
    values = pd.to_numeric(rows["value_usd_m"], errors="coerce").to_numpy(float) / 1000.0
    if not np.isfinite(values).all():
        i = int(np.flatnonzero(~np.isfinite(values))[0])
        raise DataError(f"filings data, {company} {concept} {idx[i].date()}, field 'value_usd_m': "
                        f"not a number: {rows['value_usd_m'].iloc[i]!r}.")
    s = pd.Series(values, index=idx).sort_index()
    dup = s.index[s.index.duplicated(keep=False)]
    if len(dup):
        vals = s.loc[dup[:1]]
        if not np.allclose(vals.to_numpy(), vals.iloc[0]):
            raise DataError(f"filings data: {company} {concept} has {len(vals)} different values in the calendar "
                            f"quarter ending {dup[0].date()} ({', '.join(f'{v:g}' for v in vals * 1000)} USD m).")
        s = s[~s.index.duplicated()]
    return s


def _known(data: pd.DataFrame, company: str, concept: str) -> None:
    companies = set(data["company"].astype(str).str.lower())
    if company != "hyperscalers" and company not in companies:
        have = (f"there are: {', '.join(sorted(companies))}, and hyperscalers ({'+'.join(HYPERSCALERS)})"
                if companies else "the packaged filings data hold no values yet")
        raise DataError(f"filings:{company}:{concept}: no company {company!r} in the filings data; {have}.")
    concepts = set(data["concept"].astype(str).str.lower()) | set(RATIO_CONCEPTS)
    if concept not in concepts:
        raise DataError(f"filings:{company}:{concept}: no concept {concept!r} in the filings data; there are: "
                        f"{', '.join(sorted(concepts))}.")


def quarterly_panel(concept: str, companies: Sequence[str] | None = None, *,
                    data: pd.DataFrame | None = None) -> pd.DataFrame:
    """One stored concept, one column per company, on calendar quarter ends (USD bn; NaN where not reported).

    Parameters
    ----------
    concept : str
        A concept of the filings data (``capex``, ``operating_cash_flow``, ``revenue``, ``rpo``...).
    companies : sequence of str, optional
        Company keys (default: every company that reports the concept).
    data : DataFrame, optional
        The long quarterly frame of :func:`borrowedtime.datasets.filings` (default: the packaged data).
    """
    data = _data(data)
    concept = concept.lower()
    if companies is None:
        sel = data[data["concept"].astype(str).str.lower() == concept]
        companies = sorted(set(sel["company"].astype(str).str.lower()))
    cols = {c: _one(data, c, concept) for c in companies}
    frame = pd.DataFrame(cols)
    frame.index.name = "date"
    return frame.sort_index()


def _summed(data: pd.DataFrame, concept: str) -> pd.Series:
    """The four platforms' sum in quarters where all four report (USD bn)."""
    panel = quarterly_panel(concept, HYPERSCALERS, data=data)
    return panel.dropna(how="any").sum(axis=1)


def _trailing(s: pd.Series) -> pd.Series:
    """Sum over the trailing four calendar quarters, only where all four are present."""
    full = s.asfreq("QE") if len(s) else s
    return full.rolling(4, min_periods=4).sum().dropna()


def capex_to_ocf(company: str, *, data: pd.DataFrame | None = None) -> pd.Series:
    """Capital expenditure over operating cash flow, trailing four quarters.

    Parameters
    ----------
    company : str
        A company key or ``hyperscalers``.
    data : DataFrame, optional
        The long quarterly frame of :func:`borrowedtime.datasets.filings`.

    Returns
    -------
    pandas.Series
        Ratio (decimal; 1.0 is capex equal to the cash operations bring in) at
        each calendar quarter end where the four quarters ending there are all
        present for both concepts: sum of capex over those four quarters
        divided by the sum of operating cash flow over the same four. For
        ``hyperscalers`` both sums are the four platforms' quarterly sums
        (quarters where all four report), so the ratio is of aggregates, the
        essay's "aggregate capex as a share of operating cash flow" (VII).

    Notes
    -----
    Trailing four quarters, not the quarter alone: quarterly operating cash
    flow swings with tax and working-capital timing, and a four-quarter sum is
    comparable with the essay's calendar-year ratios at each Q4. Capex is
    purchases of property and equipment as each company reports it (no
    finance-lease principal).

    Raises
    ------
    DataError
        A four-quarter operating cash flow that is not positive (the ratio has no meaning there).
    """
    data = _data(data)
    if company == "hyperscalers":
        num, den = _summed(data, "capex"), _summed(data, "operating_cash_flow")
    else:
        num, den = _one(data, company, "capex"), _one(data, company, "operating_cash_flow")
    num, den = _trailing(num), _trailing(den)
    both = num.index.intersection(den.index)
    num, den = num.loc[both], den.loc[both]
    if (den <= 0).any():
        d = den.index[den <= 0][0]
        raise DataError(f"filings:{company}:capex_to_ocf: operating cash flow over the four quarters to "
                        f"{d.date()} is {den.loc[d]:.1f} USD bn, not positive: the ratio has no meaning there.")
    out = (num / den).rename("capex_to_ocf")
    out.index.name = "date"
    return out


def filings_series(company: str, concept: str, *, data: pd.DataFrame | None = None) -> pd.Series:
    """One quarterly series of the build-out (the ``filings:COMPANY:CONCEPT`` source).

    Parameters
    ----------
    company : str
        A company key of the filings data (``msft``, ``googl``, ``amzn``, ``meta``,
        ``orcl``, ``nvda``, ``crwv``) or ``hyperscalers`` (the four platforms
        summed per calendar quarter, only quarters where all four report).
    concept : str
        A concept of the filings data or a ratio of :data:`RATIO_CONCEPTS`.
    data : DataFrame, optional
        The long quarterly frame of :func:`borrowedtime.datasets.filings`
        (default: the packaged data).

    Returns
    -------
    pandas.Series
        USD bn per quarter (flows), USD bn at the quarter's end (``rpo``), or
        a decimal ratio; dated at calendar quarter ends (module docstring),
        named ``filings:COMPANY:CONCEPT``. Quarters a company did not report
        are absent (the monitor skips them and widens its bands there).

    Raises
    ------
    DataError
        An unknown company or concept (the message lists those there are), or
        no value at all for the pair.
    """
    data = _data(data)
    company, concept = company.lower(), concept.lower()
    _known(data, company, concept)
    if concept in RATIO_CONCEPTS:
        s = capex_to_ocf(company, data=data)
    elif company == "hyperscalers":
        s = _summed(data, concept)
    else:
        s = _one(data, company, concept)
    name = f"filings:{company}:{concept}"
    if s.empty:
        raise DataError(f"{name}: no value in the filings data"
                        + (f" (the sum needs all of {', '.join(HYPERSCALERS)} in a quarter)" if company == "hyperscalers"
                           else "") + ".")
    s = s.astype(float).rename(name)
    s.index = pd.DatetimeIndex(s.index, name="date")
    return s


def annual_totals(concept: str, company: str = "hyperscalers", *, data: pd.DataFrame | None = None) -> pd.Series:
    """Calendar-year sums of a quarterly flow (USD bn), only for years with all four quarters.

    The annual figures the complex, the capex model and the credit model read
    ("sums of quarters, calendar years"): for ``hyperscalers`` a year counts
    when each of its four quarters has all four platforms.
    """
    if concept.lower() in STOCK_CONCEPTS or concept.lower() in RATIO_CONCEPTS:
        raise DataError(f"annual_totals: {concept!r} is not a flow; a year's sum has no meaning for it.")
    s = filings_series(company, concept, data=data)
    years = s.groupby(s.index.year)
    counts = years.count()
    total = years.sum()[counts == 4]
    total.index.name = "year"
    return total.rename(f"{company} {concept}, USD bn, calendar year")


def filings_panel(text: str, *, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Several build-out series side by side (the ``screen`` source ``filings:COMPANIES:CONCEPTS``).

    Parameters
    ----------
    text : str
        ``filings:COMPANIES:CONCEPTS`` where each part is one key, a
        comma-separated list, or ``all`` (every company with the concept, plus
        ``hyperscalers`` for the concepts all four platforms report; every
        concept of the company, ratios included). ``filings:all:capex`` is each
        company's capex and the platforms' sum.
    data : DataFrame, optional
        The long quarterly frame of :func:`borrowedtime.datasets.filings`.

    Returns
    -------
    pandas.DataFrame
        One column per series, named ``filings:COMPANY:CONCEPT``, on calendar
        quarter ends; NaN where a series has no value.
    """
    data = _data(data)
    company_part, concept_part = parse_filings_source(text)
    stored = sorted(set(data["concept"].astype(str).str.lower()))
    concepts = (stored + [r for r in RATIO_CONCEPTS if r not in stored] if concept_part == "all"
                else [c.strip() for c in concept_part.split(",") if c.strip()])
    cols: dict[str, pd.Series] = {}
    for concept in concepts:
        if company_part == "all":
            reporting = sorted(set(data.loc[data["concept"].astype(str).str.lower()
                                            == (RATIO_CONCEPTS.get(concept, (concept,))[0]), "company"]
                                   .astype(str).str.lower()))
            companies = reporting + (["hyperscalers"] if set(HYPERSCALERS) <= set(reporting) else [])
        else:
            companies = [c.strip() for c in company_part.split(",") if c.strip()]
        for company in companies:
            try:
                s = filings_series(company, concept, data=data)
            except DataError:
                if company_part == "all" or concept_part == "all":
                    continue  # 'all' takes what exists
                raise
            cols[str(s.name)] = s
    if not cols:
        raise DataError(f"{text}: no series in the filings data.")
    frame = pd.DataFrame(cols).sort_index()
    frame.index.name = "date"
    frame.attrs["source"] = text
    return frame
