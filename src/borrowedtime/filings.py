"""Facts from the companies' filings, and the one function that turns them into quarters.

A **fact** is one value as a filing states it (like a row of the SEC's
company-facts): a company, a concept, the span it covers (``period_start`` to
``period_end``; no start for an instant value such as a backlog), the fiscal
year and the label of the span in the filing (``Q1`` ... ``Q4`` for three
months, ``H1``, ``9M`` and ``FY`` for year-to-date spans), the value in USD
millions, and the filing it was read from (form, accession number, address).

Cash-flow statements in 10-Qs are year to date, so a second, third or fourth
quarter is often not stated on its own. :func:`to_quarters` is the one place
that turns facts into discrete fiscal quarters: a three-month value is taken
as it is; otherwise the quarter is the difference of year-to-date values
(``Q2 = H1 - Q1``, ``Q3 = 9M - H1``, ``Q4 = FY - 9M``, with a missing
year-to-date value replaced by the sum of the quarters it covers) and is
marked ``derived``. The packaged data (:func:`borrowedtime.datasets.filings`)
and the live ``sec:`` connector (:mod:`borrowedtime.sec`) both go through it.

The CSV schema (:data:`COLUMNS`), one row per stated value:

=================  ==========================================================
``company``        ``msft``, ``googl``, ``amzn``, ``meta``, ``orcl``, ``nvda``, ``crwv``
``concept``        :data:`CONCEPTS`: ``capex`` (purchases of property and
                   equipment), ``finance_lease_principal`` (principal
                   repayments of finance leases), ``operating_cash_flow``,
                   ``revenue``, ``rpo`` (remaining performance obligations /
                   backlog as the company names it, in ``note``),
                   ``data_center_revenue``
``period_start``   ISO date; empty for instant values (``rpo``)
``period_end``     ISO date
``fiscal_year``    the company's fiscal year, as the filing labels it
``fiscal_period``  ``Q1`` ``Q2`` ``Q3`` ``Q4`` ``H1`` ``9M`` ``FY``
``value_usd_m``    USD millions; outflows (capex, lease principal) positive
``form``           ``10-Q``, ``10-K``, ``8-K``, ``20-F``, ``424B4``, ``S-1`` ...
``accession``      ``0000950170-24-008809`` style (may be empty if ``source``
                   is an investor-relations release)
``source``         address of the filing document or release read
``checked``        ``true`` when the figure was read in the filing document
                   itself, ``false`` when it comes from a machine copy of the
                   filing's XBRL
``note``           free text
=================  ==========================================================
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from borrowedtime.errors import DataError

__all__ = [
    "COLUMNS",
    "QUARTER_COLUMNS",
    "COMPANIES",
    "CONCEPTS",
    "FLOW_CONCEPTS",
    "INSTANT_CONCEPTS",
    "FISCAL_PERIODS",
    "read_facts",
    "validate_facts",
    "to_quarters",
    "coverage",
]

#: Columns of a facts CSV, in order.
COLUMNS: tuple[str, ...] = (
    "company",
    "concept",
    "period_start",
    "period_end",
    "fiscal_year",
    "fiscal_period",
    "value_usd_m",
    "form",
    "accession",
    "source",
    "checked",
    "note",
)

#: Columns of the quarterly frame :func:`to_quarters` returns.
QUARTER_COLUMNS: tuple[str, ...] = (
    "company",
    "concept",
    "period_start",
    "period_end",
    "fiscal_year",
    "fiscal_quarter",
    "calendar_quarter",
    "value_usd_m",
    "derived",
    "form",
    "accession",
    "source",
    "checked",
    "note",
)

#: Company keys: (name, SEC central index key).
COMPANIES: dict[str, tuple[str, int]] = {
    "msft": ("Microsoft", 789019),
    "googl": ("Alphabet", 1652044),
    "amzn": ("Amazon", 1018724),
    "meta": ("Meta Platforms", 1326801),
    "orcl": ("Oracle", 1341439),
    "nvda": ("NVIDIA", 1045810),
    "crwv": ("CoreWeave", 1769628),
}

#: Concepts measured over a span (the cash-flow and income statements).
FLOW_CONCEPTS: tuple[str, ...] = (
    "capex",
    "finance_lease_principal",
    "operating_cash_flow",
    "revenue",
    "data_center_revenue",
)
#: Concepts measured at an instant (the balance-sheet date).
INSTANT_CONCEPTS: tuple[str, ...] = ("rpo",)
#: Every concept.
CONCEPTS: tuple[str, ...] = FLOW_CONCEPTS + INSTANT_CONCEPTS
#: Concepts stated as positive outflows (a negative value is a sign error).
_OUTFLOWS = ("capex", "finance_lease_principal")

#: Labels of a span: three-month quarters, then year-to-date spans.
FISCAL_PERIODS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4", "H1", "9M", "FY")
# Length of each span in days (inclusive), wide enough for 52/53-week years
# (NVIDIA: 13 or 14 weeks a quarter) and calendar months.
_SPAN_DAYS = {
    "Q1": (84, 99),
    "Q2": (84, 99),
    "Q3": (84, 99),
    "Q4": (84, 99),
    "H1": (175, 190),
    "9M": (266, 281),
    "FY": (357, 372),
}
# Which quarter a span ends in.
_ENDS_IN_QUARTER = {"Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4, "H1": 2, "9M": 3, "FY": 4}
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ----------------------------------------------------------------------------- reading
def read_facts(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Read and validate one facts CSV.

    Parameters
    ----------
    path : str or Path
        A CSV with the columns :data:`COLUMNS` (the header is line 1).
    label : str, optional
        Name used in error messages (default: the file name).

    Returns
    -------
    pandas.DataFrame
        The facts with typed columns (see :func:`validate_facts`) and a
        ``line`` column (the row's line in the file).

    Raises
    ------
    DataError
        Naming the file, line and field: a missing column, an unknown company,
        concept or fiscal period, a bad date, a span whose length does not fit
        its label, a non-numeric or negative outflow value, a bad accession,
        an empty form or source, a ``checked`` that is not true/false, or two
        rows for the same company, concept and span.
    """
    path = Path(path)
    where = label or path.name
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            records = csv.reader(handle)
            header = next(records, [])
            for i, rec in enumerate(records, start=2):
                if rec and len(rec) != len(header):
                    raise DataError(
                        f"{where}, line {i}: {len(rec)} fields but the header has {len(header)}; "
                        "quote a note that holds commas."
                    )
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, index_col=False)
    except FileNotFoundError:
        raise DataError(f"{where}: no such file.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{where}: not a readable CSV ({exc}).") from None
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{where}: the file is empty (expected a header with {', '.join(COLUMNS)})."
        ) from None
    return validate_facts(raw, where=where)


def _fail(where: str, line: int, field: str, what: str) -> DataError:
    return DataError(f"{where}, line {line}, field '{field}': {what}")


def validate_facts(
    raw: pd.DataFrame, *, where: str = "facts", lines: Iterable[int] | None = None
) -> pd.DataFrame:
    """Check a frame of facts (strings, as read from a CSV) and type its columns.

    Parameters
    ----------
    raw : pandas.DataFrame
        One row per fact with at least the columns :data:`COLUMNS`; values may
        be strings (as read from a CSV) or already typed.
    where : str
        Name of the file or source, for messages.
    lines : iterable of int, optional
        Line number of each row for messages (default: row ``i`` is line
        ``i + 2``, the header being line 1).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS` plus ``line``: dates as ``datetime64``
        (``period_start`` NaT for instants), ``fiscal_year`` int,
        ``value_usd_m`` float, ``checked`` bool.

    Raises
    ------
    DataError
        See :func:`read_facts`.
    """
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(missing)}; a facts file has the columns {', '.join(COLUMNS)}."
        )
    frame = raw.loc[:, list(COLUMNS)].astype(str).apply(lambda col: col.str.strip())
    line_no = np.arange(len(frame)) + 2 if lines is None else np.asarray(list(lines), dtype=int)

    def check(mask: np.ndarray, field: str, what) -> None:
        bad = np.flatnonzero(mask)
        if bad.size:
            i = int(bad[0])
            raise _fail(where, int(line_no[i]), field, what(frame.iloc[i]))

    check(
        ~frame["company"].str.lower().isin(COMPANIES).to_numpy(),
        "company",
        lambda r: f"unknown company {r['company']!r}; expected one of {', '.join(COMPANIES)}.",
    )
    check(
        ~frame["concept"].isin(CONCEPTS).to_numpy(),
        "concept",
        lambda r: f"unknown concept {r['concept']!r}; expected one of {', '.join(CONCEPTS)}.",
    )
    check(
        ~frame["fiscal_period"].isin(FISCAL_PERIODS).to_numpy(),
        "fiscal_period",
        lambda r: (
            f"unknown fiscal period {r['fiscal_period']!r}; expected one of {', '.join(FISCAL_PERIODS)}."
        ),
    )
    check(
        ~frame["fiscal_year"].str.fullmatch(r"(19|20)\d\d").to_numpy(),
        "fiscal_year",
        lambda r: f"expected a four-digit year, got {r['fiscal_year']!r}.",
    )
    check(
        ~frame["period_end"].str.fullmatch(_DATE.pattern).to_numpy(),
        "period_end",
        lambda r: f"expected an ISO date such as 2024-06-30, got {r['period_end']!r}.",
    )
    instant = frame["concept"].isin(INSTANT_CONCEPTS).to_numpy()
    has_start = (frame["period_start"] != "").to_numpy()
    check(
        instant & has_start,
        "period_start",
        lambda r: (
            f"{r['concept']} is an instant value (a balance at period_end); leave period_start empty."
        ),
    )
    check(
        ~instant & ~frame["period_start"].str.fullmatch(_DATE.pattern).to_numpy(),
        "period_start",
        lambda r: (
            f"expected an ISO date such as 2024-04-01 for a {r['concept']} span, got {r['period_start']!r}."
        ),
    )
    end = pd.to_datetime(frame["period_end"], format="%Y-%m-%d", errors="coerce")
    check(
        end.isna().to_numpy(), "period_end", lambda r: f"not a calendar date: {r['period_end']!r}."
    )
    start = pd.to_datetime(
        frame["period_start"].where(has_start, None), format="%Y-%m-%d", errors="coerce"
    )
    check(
        (has_start & start.isna()).to_numpy(),
        "period_start",
        lambda r: f"not a calendar date: {r['period_start']!r}.",
    )
    days = ((end - start).dt.days + 1).to_numpy()
    lo = frame["fiscal_period"].map(lambda p: _SPAN_DAYS[p][0]).to_numpy()
    hi = frame["fiscal_period"].map(lambda p: _SPAN_DAYS[p][1]).to_numpy()
    with np.errstate(invalid="ignore"):
        check(
            ~instant & ((days < lo) | (days > hi)),
            "period_start",
            lambda r: (
                f"the span {r['period_start']} to {r['period_end']} does not fit the label "
                f"{r['fiscal_period']!r} (expected {_SPAN_DAYS[r['fiscal_period']][0]}-"
                f"{_SPAN_DAYS[r['fiscal_period']][1]} days)."
            ),
        )
    value = pd.to_numeric(frame["value_usd_m"].str.replace(",", "", regex=False), errors="coerce")
    check(
        ~np.isfinite(value.to_numpy(dtype=float)),
        "value_usd_m",
        lambda r: f"expected a number in USD millions, got {r['value_usd_m']!r}.",
    )
    check(
        (frame["concept"].isin(_OUTFLOWS) & (value < 0)).to_numpy(),
        "value_usd_m",
        lambda r: f"{r['concept']} is stated as a positive outflow, got {r['value_usd_m']}.",
    )
    check(
        (frame["form"] == "").to_numpy(),
        "form",
        lambda r: "empty; name the form (10-Q, 10-K, 8-K ...).",
    )
    check(
        (frame["source"] == "").to_numpy(),
        "source",
        lambda r: "empty; give the address of the filing read.",
    )
    check(
        (
            (frame["accession"] != "") & ~frame["accession"].str.fullmatch(_ACCESSION.pattern)
        ).to_numpy(),
        "accession",
        lambda r: (
            f"expected an accession number such as 0000950170-24-008809, got {r['accession']!r}."
        ),
    )
    checked = frame["checked"].str.lower()
    check(
        ~checked.isin(("true", "false")).to_numpy(),
        "checked",
        lambda r: f"expected true or false, got {r['checked']!r}.",
    )

    out = pd.DataFrame(
        {
            "company": frame["company"].str.lower(),
            "concept": frame["concept"],
            "period_start": start,
            "period_end": end,
            "fiscal_year": frame["fiscal_year"].astype(int),
            "fiscal_period": frame["fiscal_period"],
            "value_usd_m": value.astype(float),
            "form": frame["form"],
            "accession": frame["accession"],
            "source": frame["source"],
            "checked": checked == "true",
            "note": frame["note"],
            "line": line_no,
        }
    )
    key = ["company", "concept", "period_start", "period_end"]
    dup = out.duplicated(key, keep=False).to_numpy()
    if dup.any():
        first = out.loc[dup].iloc[0]
        same = out.loc[
            dup & (out[key] == first[key]).fillna(True).all(axis=1).to_numpy(), "line"
        ].tolist()
        raise _fail(
            where,
            int(same[-1]),
            "period_end",
            f"duplicate {first['company']} {first['concept']} for the span ending "
            f"{first['period_end'].date()} (lines {', '.join(map(str, same))}); keep one value per span.",
        )
    label = out.duplicated(
        ["company", "concept", "fiscal_year", "fiscal_period"], keep=False
    ).to_numpy()
    if label.any():
        i = int(np.flatnonzero(label)[1])
        r = out.iloc[i]
        raise _fail(
            where,
            int(r["line"]),
            "fiscal_period",
            f"a second {r['company']} {r['concept']} for FY{r['fiscal_year']} {r['fiscal_period']}.",
        )
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------- quarters
def _calendar_quarter(end: pd.Series) -> pd.Series:
    # A span ending in the first days of a month (52/53-week years) belongs to the month before.
    shifted = end - pd.Timedelta(days=7)
    return shifted.dt.year.astype(str) + "Q" + shifted.dt.quarter.astype(str)


def to_quarters(facts: pd.DataFrame) -> pd.DataFrame:
    """Turn stated facts into discrete fiscal quarters (the one place this is done).

    A three-month value (``Q1`` ... ``Q4``) is taken as stated. A quarter that
    is not stated on its own is the difference of year-to-date values of the
    same fiscal year: ``Q2 = H1 - Q1``, ``Q3 = 9M - H1``, ``Q4 = FY - 9M``,
    where a missing year-to-date value is replaced by the sum of the quarters
    it covers (``9M = H1 + Q3``); such a quarter has ``derived`` true, takes
    the form, accession and source of the later year-to-date filing, is
    ``checked`` only if every input was, and its ``note`` names the inputs.
    A quarter whose inputs are missing is absent (never filled). Instant
    values (``rpo``) are kept as stated, in the quarter their date ends.

    Parameters
    ----------
    facts : pandas.DataFrame
        Validated facts (:func:`read_facts` / :func:`validate_facts`), any
        number of companies and concepts.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`QUARTER_COLUMNS`, one row per company, concept and
        fiscal quarter, sorted by company, concept and period end.
        ``fiscal_quarter`` is 1-4, ``calendar_quarter`` the calendar quarter
        the span ends in (``"2025Q2"``), ``value_usd_m`` in USD millions.

    Raises
    ------
    DataError
        When year-to-date spans of one fiscal year do not start on the same
        day, or a stated quarter contradicts the span its year-to-date values
        imply.
    """
    if facts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in QUARTER_COLUMNS})
    flows = facts[facts["concept"].isin(FLOW_CONCEPTS)]
    instants = facts[facts["concept"].isin(INSTANT_CONCEPTS)]
    parts = [_flow_quarters(flows)] if not flows.empty else []
    if not instants.empty:
        inst = instants.assign(
            fiscal_quarter=instants["fiscal_period"].map(_ENDS_IN_QUARTER).astype(int),
            derived=False,
        )
        parts.append(inst)
    out = pd.concat(parts, ignore_index=True)
    out["calendar_quarter"] = _calendar_quarter(out["period_end"])
    out["fiscal_quarter"] = out["fiscal_quarter"].astype(int)
    out["derived"] = out["derived"].astype(bool)
    out["checked"] = out["checked"].astype(bool)
    return (
        out.loc[:, list(QUARTER_COLUMNS)]
        .sort_values(["company", "concept", "period_end"])
        .reset_index(drop=True)
    )


_META = (
    "period_start",
    "period_end",
    "value_usd_m",
    "form",
    "accession",
    "source",
    "checked",
    "note",
)
_YTD = ("Q1", "H1", "9M", "FY")  # the year to date at the end of quarter 1, 2, 3, 4


def _flow_quarters(flows: pd.DataFrame) -> pd.DataFrame:
    key = ["company", "concept", "fiscal_year"]
    flows = flows.assign(checked=flows["checked"].astype(float))
    wide = flows.pivot(index=key, columns="fiscal_period", values=list(_META))
    wide = wide.reindex(columns=pd.MultiIndex.from_product([_META, FISCAL_PERIODS]))
    n = len(wide)

    def col(field: str, p: str, kind: str) -> np.ndarray:
        raw = wide[(field, p)]
        if kind == "f":
            return raw.to_numpy(dtype=float)
        if kind == "t":
            return pd.to_datetime(raw).to_numpy(dtype="M8[ns]")
        return raw.astype(object).fillna("").to_numpy(dtype=object)

    val = {p: col("value_usd_m", p, "f") for p in FISCAL_PERIODS}
    chk = {p: col("checked", p, "f") for p in FISCAL_PERIODS}  # 1, 0 or NaN (no fact)
    end = {p: col("period_end", p, "t") for p in FISCAL_PERIODS}
    start = {p: col("period_start", p, "t") for p in FISCAL_PERIODS}
    # How a note names an input: its accession number, else its form (an IR release has none).
    acc = {
        p: np.where(col("accession", p, "s") == "", col("form", p, "s"), col("accession", p, "s"))
        for p in FISCAL_PERIODS
    }

    def where(j: int) -> str:
        c, k, y = wide.index[j]
        return f"{c} {k} FY{y}"

    # Year-to-date spans of one fiscal year start on the same day.
    starts = np.stack([start[p] for p in _YTD])
    first = pd.DataFrame(starts.T).bfill(axis=1).iloc[:, 0].to_numpy(dtype="M8[ns]")
    clash = (~np.isnat(starts) & (starts != first[None, :])).any(axis=0)
    if clash.any():
        raise DataError(
            f"{where(int(np.flatnonzero(clash)[0]))}: the year-to-date spans ({', '.join(_YTD)}) do not start on "
            "the same day; check period_start of the fiscal year's rows."
        )

    quarters = []
    # The year to date at the end of the previous quarter: value, end, checked, and how it was obtained.
    prev_val = np.zeros(n)
    prev_end = first - np.timedelta64(1, "D")
    prev_chk = np.ones(n)
    prev_how = np.full(n, "", dtype=object)
    for q, (qname, ytd) in enumerate(zip(("Q1", "Q2", "Q3", "Q4"), _YTD, strict=True), start=1):
        stated = ~np.isnan(val[qname])
        if q > 1:
            both = stated & ~np.isnat(end[ytd])
            bad = both & (end[qname] != end[ytd])
            if bad.any():
                raise DataError(
                    f"{where(int(np.flatnonzero(bad)[0]))}: {qname} and {ytd} end on different days."
                )
        derived_val = val[ytd] - prev_val if q > 1 else np.full(n, np.nan)
        use_derived = ~stated & ~np.isnan(derived_val)
        value = np.where(stated, val[qname], derived_val)
        q_end = np.where(stated, end[qname], end[ytd])
        q_start = np.where(stated, start[qname], prev_end + np.timedelta64(1, "D"))
        q_chk = np.where(stated, chk[qname], np.fmin(chk[ytd], prev_chk)) == 1
        frame = pd.DataFrame(
            {
                "company": wide.index.get_level_values(0),
                "concept": wide.index.get_level_values(1),
                "fiscal_year": wide.index.get_level_values(2).astype(int),
                "fiscal_quarter": q,
                "period_start": q_start,
                "period_end": q_end,
                "value_usd_m": value,
                "derived": use_derived,
                "checked": q_chk,
            }
        )
        for field in ("form", "accession", "source", "note"):
            frame[field] = np.where(stated, col(field, qname, "s"), col(field, ytd, "s"))
        how = np.array(
            [f"derived: {ytd} ({a}) - {h}" for a, h in zip(acc[ytd], prev_how, strict=True)],
            dtype=object,
        )
        frame["note"] = np.where(use_derived, how, frame["note"])
        quarters.append(frame[~np.isnan(value)])

        # The year to date at the end of this quarter: stated, else the sum of the quarters so far.
        have = ~np.isnan(val[ytd])
        summed_how = np.array([f"({h} + {qname})" if h else qname for h in prev_how], dtype=object)
        prev_how = np.where(
            have,
            np.array([f"{ytd} ({a})" for a in acc[ytd]], dtype=object),
            summed_how,
        )
        prev_val = np.where(have, val[ytd], prev_val + value)
        prev_end = np.where(have, end[ytd], q_end)
        prev_chk = np.where(
            have,
            chk[ytd],
            np.fmin(prev_chk, np.where(np.isnan(value), np.nan, q_chk.astype(float))),
        )
    out = pd.concat(quarters, ignore_index=True)
    out["period_start"] = pd.to_datetime(out["period_start"])
    out["period_end"] = pd.to_datetime(out["period_end"])
    return out


def coverage(quarters: pd.DataFrame) -> pd.DataFrame:
    """What a quarterly frame covers, per company and concept.

    Parameters
    ----------
    quarters : pandas.DataFrame
        Output of :func:`to_quarters` (or :func:`borrowedtime.datasets.filings`).

    Returns
    -------
    pandas.DataFrame
        One row per company and concept: ``first`` and ``last`` calendar
        quarter, ``n`` quarters, ``gaps`` (calendar quarters missing between
        first and last), ``derived`` and ``checked`` counts.
    """
    cols = ["company", "concept", "first", "last", "n", "gaps", "derived", "checked"]
    if quarters.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (company, concept), g in quarters.groupby(["company", "concept"], sort=True):
        periods = pd.PeriodIndex(g["calendar_quarter"], freq="Q")
        span = (periods.max() - periods.min()).n + 1
        rows.append(
            {
                "company": company,
                "concept": concept,
                "first": str(periods.min()),
                "last": str(periods.max()),
                "n": len(g),
                "gaps": span - periods.nunique(),
                "derived": int(g["derived"].sum()),
                "checked": int(g["checked"].sum()),
            }
        )
    return pd.DataFrame(rows, columns=cols)
