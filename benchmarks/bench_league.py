"""League table on the real series: the second-derivative monitor, LPPLS and PSY GSADF in real time.

    .venv/bin/python benchmarks/bench_league.py

NASDAQ Composite (daily, to the 2000-03-10 peak; turn = its maximum) and the
Case-Shiller U.S. National NSA index (monthly; turn 2006-07-01, the peak of
the seasonally adjusted index: the series' own maximum is in 2024). Default
settings of ``borrowedtime detectors``; the first run uses an empty critical
value cache (cold), the GSADF lag sensitivity reuses the cache.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from _results import machine, write_section

from borrowedtime.detectors.league import _score, league_table
from borrowedtime.detectors.psy import PSYTest
from borrowedtime.series import load_series

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
CASES = [
    ("NASDAQ Composite, daily 1994-01-03..2000-03-10", "nasdaq_composite_daily_1994_2000.csv", "Adj Close", None),
    ("Case-Shiller U.S. National NSA, monthly 1975-01..2024-07", "case_shiller_us_national_monthly.csv",
     "National-US", "2006-07-01"),
]


def main() -> None:
    lines = ["## League table on the real series\n",
             f"Machine: {machine()}. Command: `.venv/bin/python benchmarks/bench_league.py` "
             "(the same as `borrowedtime detectors FILE --column C [--turn DATE] --json`). "
             "Warnings: borrowedtime = the monitor's real-time windows "
             "(`backtest.monitor_windows`); lppls = positive-bubble confidence >= 0.2; gsadf = "
             "PSY episodes (lag 0, 95%, 1000 replications), dated when they had lasted round(log n) "
             "observations. An episode anticipates the turn if it starts by the turn and is still on "
             "within 730 days before it; false alarms are episodes that ended before that.\n"]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BORROWEDTIME_CACHE"] = tmp
        for label, file, col, turn in CASES:
            series = load_series(DATA / file, column=col)
            t0 = time.perf_counter()
            table = league_table(series, turn=turn)
            total = time.perf_counter() - t0
            lines.append(f"### {label}; turn {table.turn.date()}\n")
            lines.append("| detector | first warning | lead (days) | episodes | false alarms | seconds (cold) |")
            lines.append("|---|---|---:|---:|---:|---:|")
            for e in table.entries:
                fw = e.first_warning.date().isoformat() if e.first_warning is not None else "none"
                lines.append(f"| {e.name} | {fw} | {e.lead_days if e.lead_days is not None else '-'} | "
                             f"{len(e.warnings)} | {e.false_alarms} | {e.seconds:.2f} |")
            lines.append("")
            lines.append(f"Total {total:.1f} s (numba kernels loaded from their on-disk cache). Notes: "
                         + "; ".join(f"{e.name}: {e.note}" for e in table.entries) + ".\n")
            lines.append("GSADF lag sensitivity (statistic, its 95% critical value simulated at that lag, "
                         "first warning for this turn):\n")
            lines.append("| lag | GSADF | 95% cv | rejects overall | first warning (real time) | lead (days) |")
            lines.append("|---:|---:|---:|---|---|---:|")
            for lag in range(4):
                res = PSYTest(lag=lag, sensitivity_lags=()).fit(series)
                entry = _score("gsadf", res.warnings(), table.turn, table.horizon_days, 0.0)
                fw = entry.first_warning.date().isoformat() if entry.first_warning is not None else "none"
                lines.append(f"| {lag} | {res.gsadf:.2f} | {res.cv.gsadf[1]:.2f} | {res.rejects} | {fw} | "
                             f"{entry.lead_days if entry.lead_days is not None else '-'} |")
            lines.append("")
            lines.append("The real-time warnings are not gated by the full-sample GSADF test (a monitor "
                         "cannot know it); exuber's date-stamping is, see the PSY section.\n")
    write_section("league", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
