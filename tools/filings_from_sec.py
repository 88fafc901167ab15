"""Write facts from the SEC's company facts in the packaged filings schema (needs the network).

    BORROWEDTIME_SEC_USER_AGENT="Jane Analyst jane@example.com" \
        python tools/filings_from_sec.py MSFT GOOGL AMZN -o sec_facts.csv

Every row is one value a filing tagged in XBRL (``checked`` false: read from the machine copy,
not from the document), with its accession number; the first-filed value of each span is kept,
as ``sec:`` does. Review the rows before moving any into ``src/borrowedtime/data/filings/``:
a row there must not repeat a span another file already holds.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from borrowedtime.errors import DataError
from borrowedtime.filings import COLUMNS
from borrowedtime.sec import TAGS, sec_facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickers", nargs="+", help="MSFT GOOGL AMZN META ORCL NVDA CRWV")
    parser.add_argument("--concept", action="append", choices=sorted(TAGS), help="default: all")
    parser.add_argument("-o", "--output", required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    frames = []
    try:
        for ticker in args.tickers:
            for concept in args.concept or sorted(TAGS):
                try:
                    frames.append(sec_facts(f"sec:{ticker}:{concept}"))
                except DataError as exc:
                    if "none of the tags" not in str(exc):
                        raise
                    print(f"skipped: {exc}", file=sys.stderr)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = pd.concat(frames, ignore_index=True)
    out["period_start"] = out["period_start"].dt.strftime("%Y-%m-%d").fillna("")
    out["period_end"] = out["period_end"].dt.strftime("%Y-%m-%d")
    out["checked"] = out["checked"].map({True: "true", False: "false"})
    out.loc[:, list(COLUMNS)].to_csv(args.output, index=False)
    print(f"{len(out)} facts -> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
