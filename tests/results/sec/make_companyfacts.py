"""Write recorded SEC company-facts responses whose numbers are the packaged filings facts.

The files follow the published company-facts schema
(https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json: ``cik``, ``entityName``,
``facts -> us-gaap -> TAG -> units -> USD -> [{start, end, val, accn, fy, fp, form, filed}]``);
every ``val`` is a packaged ``value_usd_m`` times 1e6, so the ``sec:`` connector read on them must
give back the packaged quarters. What is NOT from a filing, and is written here so the tests can
exercise the connector's choices:

* ``accn`` of a packaged row read from an investor-relations release (no accession in the CSV)
  is the placeholder ``0000000000-00-000000``; ``filed`` is the day after ``end`` + 30 days
  (a placeholder date, used only to order entries);
* each three-month entry is repeated as a later filing's comparative (same span and value,
  ``filed`` one year later, accession ``9999999999-99-999999``): the connector must keep the first;
* one trailing-twelve-month entry (a 12-month span that does not end the fiscal year, value
  1e18 USD) per company: the connector must drop it.

Run from the project root: ``python tests/results/sec/make_companyfacts.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from borrowedtime.datasets import filing_facts
from borrowedtime.filings import COMPANIES
from borrowedtime.sec import TAGS

HERE = Path(__file__).resolve().parent
PLACEHOLDER = "0000000000-00-000000"
COMPARATIVE = "9999999999-99-999999"


def _entries(rows: pd.DataFrame) -> list[dict]:
    out = []
    for r in rows.itertuples():
        filed = (r.period_end + pd.Timedelta(days=30)).strftime("%Y-%m-%d")
        entry = {
            "end": r.period_end.strftime("%Y-%m-%d"),
            "val": int(round(r.value_usd_m * 1e6)),
            "accn": r.accession or PLACEHOLDER,
            "fy": int(r.fiscal_year),
            "fp": "FY"
            if r.fiscal_period == "FY"
            else (
                "Q" + r.fiscal_period[-1]
                if r.fiscal_period[0] == "Q"
                else {"H1": "Q2", "9M": "Q3"}[r.fiscal_period]
            ),
            "form": "10-K" if r.fiscal_period == "FY" else "10-Q",
            "filed": filed,
        }
        if not pd.isna(r.period_start):
            entry = {"start": r.period_start.strftime("%Y-%m-%d"), **entry}
        out.append(entry)
        if r.fiscal_period in ("Q1", "Q2", "Q3", "Q4"):
            later = dict(
                entry,
                accn=COMPARATIVE,
                filed=(r.period_end + pd.Timedelta(days=395)).strftime("%Y-%m-%d"),
            )
            out.append(later)
    return out


def main() -> None:
    facts = filing_facts()
    for company in sorted(facts["company"].unique()):
        cik = COMPANIES[company][1]
        mine = facts[facts["company"] == company]
        gaap: dict = {}
        for concept, rows in mine.groupby("concept"):
            if concept not in TAGS:
                continue
            tag = (
                TAGS[concept][-1] if company == "amzn" and concept == "capex" else TAGS[concept][0]
            )
            gaap[tag] = {
                "label": tag,
                "description": "recorded for tests",
                "units": {"USD": _entries(rows)},
            }
        # A trailing-twelve-month span ending in the middle of a fiscal year.
        first = next(iter(gaap.values()))["units"]["USD"]
        q = next(
            e
            for e in first
            if "start" in e and e["fp"] in ("Q1", "Q2", "Q3") and e["accn"] != COMPARATIVE
        )
        end = pd.Timestamp(q["end"])
        first.append(
            {
                "start": (end - pd.DateOffset(years=1) + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                "end": q["end"],
                "val": 10**18,
                "accn": COMPARATIVE,
                "fy": q["fy"],
                "fp": q["fp"],
                "form": "10-Q",
                "filed": q["filed"],
            }
        )
        payload = {"cik": cik, "entityName": COMPANIES[company][0], "facts": {"us-gaap": gaap}}
        path = HERE / f"CIK{cik:010d}.json"
        path.write_text(json.dumps(payload, indent=1) + "\n")
        print(path.name, sum(len(t["units"]["USD"]) for t in gaap.values()), "entries")


if __name__ == "__main__":
    main()
