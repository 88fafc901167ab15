"""The live ``sec:TICKER:CONCEPT`` source: the SEC's XBRL company facts, as quarters.

``sec:MSFT:capex`` reads https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json
(the values each filing tagged, with accession number, form and span), keeps
the us-gaap tags of the concept (:data:`TAGS`), turns every tagged value into a
fact of the packaged schema (:mod:`borrowedtime.filings`) and then into
discrete quarters with the **same** function as the packaged data,
:func:`borrowedtime.filings.to_quarters`.

The SEC asks every client to name itself in the ``User-Agent`` header
(https://www.sec.gov/os/accessing-edgar-data): set the environment variable
:data:`ENV_USER_AGENT` (``BORROWEDTIME_SEC_USER_AGENT``) to e.g.
``"Jane Analyst jane@example.com"``. Responses are cached on disk (default
``~/.cache/borrowedtime/sec``, or :data:`ENV_CACHE`) for :data:`MAX_AGE_HOURS`;
offline, a cached copy is used with a warning, and without one the call
fails in one line, as ``fred:`` does.

Which value when several filings tag the same span: the **first filed** (the
figure as first reported; later filings repeat it as a comparative, sometimes
restated). Values are marked ``checked`` false: they are the filing's own
XBRL, not read in the document.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from borrowedtime.errors import DataError, DataQualityWarning
from borrowedtime.filings import COMPANIES, CONCEPTS, INSTANT_CONCEPTS, to_quarters, validate_facts

__all__ = [
    "COMPANYFACTS_URL",
    "ENV_USER_AGENT",
    "ENV_CACHE",
    "MAX_AGE_HOURS",
    "TICKERS",
    "TAGS",
    "FISCAL_YEAR_END_MONTH",
    "companyfacts_to_facts",
    "sec_facts",
    "sec_quarters",
    "load_sec",
]

COMPANYFACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json"
#: Environment variable holding the User-Agent the SEC requires ("Name email").
ENV_USER_AGENT = "BORROWEDTIME_SEC_USER_AGENT"
#: Environment variable overriding the cache folder.
ENV_CACHE = "BORROWEDTIME_CACHE_DIR"
#: A cached response younger than this is used without asking the SEC again.
MAX_AGE_HOURS = 24.0

#: Ticker -> company key of :data:`borrowedtime.filings.COMPANIES`.
TICKERS: dict[str, str] = {
    "MSFT": "msft",
    "GOOGL": "googl",
    "GOOG": "googl",
    "AMZN": "amzn",
    "META": "meta",
    "ORCL": "orcl",
    "NVDA": "nvda",
    "CRWV": "crwv",
}

#: us-gaap tags of each concept, in order of preference (the first tag that
#: states a span wins). Amazon tags capex as PaymentsToAcquireProductiveAssets.
TAGS: dict[str, tuple[str, ...]] = {
    "capex": ("PaymentsToAcquirePropertyPlantAndEquipment", "PaymentsToAcquireProductiveAssets"),
    "finance_lease_principal": (
        "FinanceLeasePrincipalPayments",
        "RepaymentsOfLongTermCapitalLeaseObligations",
    ),
    "operating_cash_flow": (
        "NetCashProvidedByUsedInOperatingActivities",
        "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
    ),
    "revenue": (
        "RevenueFromContractWithCustomerExcludingAssessedTax",
        "Revenues",
        "SalesRevenueNet",
    ),
    "rpo": ("RevenueRemainingPerformanceObligation",),
}

#: Month in which each company's fiscal year ends (NVIDIA: the last Sunday of January).
FISCAL_YEAR_END_MONTH: dict[str, int] = {
    "msft": 6,
    "googl": 12,
    "amzn": 12,
    "meta": 12,
    "orcl": 5,
    "nvda": 1,
    "crwv": 12,
}

_LABELS = {3: "Q", 6: "H1", 9: "9M", 12: "FY"}


# ----------------------------------------------------------------------------- parsing
def _span_months(days: np.ndarray) -> np.ndarray:
    """Length of a span in months (3, 6, 9, 12), 0 when it is none of them."""
    months = np.rint(days / 30.44).astype(int)
    out = np.where(np.isin(months, (3, 6, 9, 12)), months, 0)
    return out


def companyfacts_to_facts(
    payload: dict, company: str, concept: str, *, source: str
) -> pd.DataFrame:
    """Turn one company-facts JSON into facts of the packaged schema.

    Parameters
    ----------
    payload : dict
        The parsed company-facts JSON (``{"cik": ..., "facts": {"us-gaap": {tag: {"units": {"USD": [...]}}}}}``,
        each entry with ``start`` (spans only), ``end``, ``val`` in USD, ``accn``, ``fy``, ``fp``,
        ``form`` and ``filed``).
    company : str
        Company key (``msft``, ...); decides the fiscal calendar.
    concept : str
        One of :data:`TAGS`.
    source : str
        Where the payload came from (for messages).

    Returns
    -------
    pandas.DataFrame
        Validated facts (:func:`borrowedtime.filings.validate_facts`) in USD
        millions, one per span: spans of 3, 6, 9 or 12 months labelled from
        the fiscal calendar (12-month spans that do not end a fiscal year, such
        as trailing-twelve-month columns, are dropped), the first-filed value
        of each span, ``checked`` false, ``note`` naming the tag.

    Raises
    ------
    DataError
        The payload is not company facts, or no tag of the concept is in it.
    """
    if concept not in TAGS:
        raise DataError(
            f"{source}: the SEC connector has no us-gaap tags for {concept!r}; it reads {', '.join(TAGS)}."
        )
    try:
        gaap = payload["facts"]["us-gaap"]
    except (KeyError, TypeError):
        raise DataError(
            f"{source}: not an SEC company-facts response (no facts/us-gaap)."
        ) from None
    rows = []
    for rank, tag in enumerate(TAGS[concept]):
        entries = (gaap.get(tag) or {}).get("units", {}).get("USD", [])
        for e in entries:
            rows.append(
                {
                    "rank": rank,
                    "tag": tag,
                    "start": e.get("start", ""),
                    "end": e.get("end", ""),
                    "val": e.get("val"),
                    "accn": e.get("accn", ""),
                    "form": e.get("form", ""),
                    "filed": e.get("filed", ""),
                }
            )
    if not rows:
        raise DataError(
            f"{source}: none of the tags {', '.join(TAGS[concept])} is in the company facts."
        )
    raw = pd.DataFrame(rows)
    instant = concept in INSTANT_CONCEPTS
    end = pd.to_datetime(raw["end"], format="%Y-%m-%d", errors="coerce")
    start = pd.to_datetime(
        raw["start"].where(raw["start"] != "", None), format="%Y-%m-%d", errors="coerce"
    )
    month = FISCAL_YEAR_END_MONTH[company]
    fy = (
        np.where(end.dt.month <= month, end.dt.year, end.dt.year + 1)
        if month < 12
        else end.dt.year.to_numpy()
    )
    months_to_end = (fy * 12 + month) - (end.dt.year.to_numpy() * 12 + end.dt.month.to_numpy())
    quarter = 4 - np.rint(months_to_end / 3).astype(int)
    if instant:
        keep = start.isna().to_numpy() & end.notna().to_numpy()
        label = np.array([f"Q{q}" if q < 4 else "FY" for q in quarter], dtype=object)
        raw = raw.assign(period_start="")
    else:
        span = _span_months(((end - start).dt.days + 1).fillna(0).to_numpy())
        label = np.array(
            [
                (f"Q{q}" if m == 3 else _LABELS.get(m, "")) if m and (m == 3 or m // 3 == q) else ""
                for m, q in zip(span, quarter, strict=True)
            ],
            dtype=object,
        )
        keep = (label != "") & start.notna().to_numpy() & end.notna().to_numpy()
        raw = raw.assign(period_start=start.dt.strftime("%Y-%m-%d"))
    raw = raw.assign(fiscal_year=fy, fiscal_period=label, period_end=end.dt.strftime("%Y-%m-%d"))[
        keep
    ]
    raw = raw[pd.to_numeric(raw["val"], errors="coerce").notna()]
    # One value per span: the preferred tag, then the first filed.
    raw = raw.sort_values(["rank", "filed", "accn"]).drop_duplicates(
        ["period_start", "period_end"], keep="first"
    )
    raw = raw.drop_duplicates(["fiscal_year", "fiscal_period"], keep="first")
    value = pd.to_numeric(raw["val"]).to_numpy(dtype=float) / 1e6
    if concept in ("capex", "finance_lease_principal"):
        value = np.abs(value)
    cik = COMPANIES[company][1]
    facts = pd.DataFrame(
        {
            "company": company,
            "concept": concept,
            "period_start": raw["period_start"].fillna(""),
            "period_end": raw["period_end"],
            "fiscal_year": raw["fiscal_year"].astype(int).astype(str),
            "fiscal_period": raw["fiscal_period"],
            "value_usd_m": [repr(float(v)) for v in value],
            "form": raw["form"].replace("", "unknown"),
            "accession": raw["accn"],
            "source": [
                f"https://www.sec.gov/Archives/edgar/data/{cik}/{a.replace('-', '')}/"
                for a in raw["accn"]
            ],
            "checked": "false",
            "note": [
                f"us-gaap:{t} (SEC company facts, filed {f})"
                for t, f in zip(raw["tag"], raw["filed"], strict=True)
            ],
        }
    )
    return validate_facts(facts.reset_index(drop=True), where=source)


# ----------------------------------------------------------------------------- fetching
def _cache_dir(cache_dir: str | Path | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(ENV_CACHE)
    return Path(env) / "sec" if env else Path.home() / ".cache" / "borrowedtime" / "sec"


def _user_agent(where: str) -> str:
    ua = os.environ.get(ENV_USER_AGENT, "").strip()
    if not ua:
        raise DataError(
            f"{where}: the SEC requires a User-Agent naming you; set {ENV_USER_AGENT}, "
            "e.g. 'Jane Analyst jane@example.com'."
        )
    return ua


def _http_get(url: str, headers: dict[str, str], timeout: float = 30.0) -> bytes:
    """Fetch a URL with headers (kept separate so tests replace it with a recorded response)."""
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - fixed https host
        return resp.read()


def _companyfacts(
    company: str,
    where: str,
    *,
    fetch: Callable[[str, dict[str, str]], bytes] | None,
    cache_dir: str | Path | None,
    max_age_hours: float,
) -> tuple[dict, str]:
    cik = COMPANIES[company][1]
    url = COMPANYFACTS_URL.format(cik=cik)
    path = _cache_dir(cache_dir) / f"CIK{cik:010d}.json"
    fresh = path.exists() and (time.time() - path.stat().st_mtime) < max_age_hours * 3600
    body: bytes | None = path.read_bytes() if fresh else None
    if body is None:
        headers = {"User-Agent": _user_agent(where), "Accept-Encoding": "identity"}
        try:
            body = (fetch or _http_get)(url, headers)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            if not path.exists():
                raise DataError(
                    f"{where}: could not download {url} ({exc}); are you online?"
                ) from None
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
            warnings.warn(
                f"{where}: could not download {url} ({exc}); using the copy cached on {stamp}.",
                DataQualityWarning,
                stacklevel=3,
            )
            body = path.read_bytes()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(body)
            tmp.replace(path)
    try:
        return json.loads(body.decode("utf-8")), url
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DataError(
            f"{where}: the SEC answered with something that is not JSON ({url})."
        ) from None


def _parse_spec(spec: str) -> tuple[str, str, str]:
    text = spec[4:] if spec.lower().startswith("sec:") else spec
    where = f"sec:{text}"
    ticker, _, concept = text.partition(":")
    company = TICKERS.get(ticker.strip().upper())
    if company is None:
        raise DataError(
            f"{where}: unknown ticker {ticker!r}; the SEC source knows {', '.join(TICKERS)}."
        )
    concept = concept.strip()
    if concept not in TAGS:
        known = ", ".join(TAGS)
        extra = " (not a us-gaap tag; use the packaged filings data)" if concept in CONCEPTS else ""
        raise DataError(f"{where}: unknown concept {concept!r}{extra}; expected one of {known}.")
    return company, concept, where


def sec_facts(
    spec: str,
    *,
    fetch: Callable[[str, dict[str, str]], bytes] | None = None,
    cache_dir: str | Path | None = None,
    max_age_hours: float = MAX_AGE_HOURS,
) -> pd.DataFrame:
    """The stated facts of ``sec:TICKER:CONCEPT`` (one row per span, packaged schema).

    Parameters
    ----------
    spec : str
        ``"sec:MSFT:capex"`` (the ``sec:`` prefix is optional).
    fetch : callable, optional
        ``(url, headers) -> bytes``; tests pass a recorded response.
    cache_dir : str or Path, optional
        Folder of cached responses (default ``~/.cache/borrowedtime/sec``).
    max_age_hours : float
        Use a cached response younger than this without asking the SEC.

    Returns
    -------
    pandas.DataFrame
        Facts as :func:`companyfacts_to_facts` returns them (USD millions).
    """
    company, concept, where = _parse_spec(spec)
    payload, url = _companyfacts(
        company, where, fetch=fetch, cache_dir=cache_dir, max_age_hours=max_age_hours
    )
    return companyfacts_to_facts(payload, company, concept, source=f"{where} ({url})")


def sec_quarters(spec: str, **kwargs) -> pd.DataFrame:
    """Discrete fiscal quarters of ``sec:TICKER:CONCEPT``: :func:`sec_facts` through
    :func:`borrowedtime.filings.to_quarters` (the packaged data's own conversion)."""
    return to_quarters(sec_facts(spec, **kwargs))


def load_sec(spec: str, **kwargs) -> pd.Series:
    """``sec:TICKER:CONCEPT`` as a quarterly series (USD millions), for :func:`borrowedtime.series.load_series`.

    The index is the end of the calendar quarter each fiscal quarter ends in
    (so 52/53-week calendars give regular dates); ``attrs["source"]`` is the
    company-facts address.
    """
    quarters = sec_quarters(spec, **kwargs)
    _, _, where = _parse_spec(spec)
    if quarters.empty:
        raise DataError(f"{where}: no quarterly values in the company facts.")
    index = pd.DatetimeIndex(
        [pd.Period(q, freq="Q").end_time.normalize() for q in quarters["calendar_quarter"]],
        name="date",
    )
    out = pd.Series(quarters["value_usd_m"].to_numpy(dtype=float), index=index, name=where)
    out = out[~out.index.duplicated(keep="last")].sort_index()
    company = TICKERS[where.split(":")[1].upper()]
    out.attrs["source"] = COMPANYFACTS_URL.format(cik=COMPANIES[company][1])
    return out
