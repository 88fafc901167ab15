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

from borrowedtime.detectors.league import EpisodeRule, _score, league_table
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
             "Signals: borrowedtime = P(S'+2y S''<0) >= 0.9 while P(S'>0) >= 0.5 (the monitor's "
             "condition without its own persistence); lppls = positive-bubble confidence >= 0.2 (tc bounds "
             "counted in observations on monthly data); gsadf = BSADF above its 95% critical value (lag 0, "
             "1000 replications). One episode rule for all (issue 11): a warning starts once its signal has "
             "held for 28 days (>= 2 observations), dated then, and ends when the signal is off. Hit at h "
             "days = a warning standing h days before the turn; first warning = the one standing 90 days "
             "before; move = change in the series from the first warning to the turn; false alarms = "
             "warnings that ended more than 90 days before the turn.\n"]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BORROWEDTIME_CACHE"] = tmp
        for label, file, col, turn in CASES:
            series = load_series(DATA / file, column=col)
            t0 = time.perf_counter()
            table = league_table(series, turn=turn)
            total = time.perf_counter() - t0
            lines.append(f"### {label}; turn {table.turn.date()}\n")
            lines.append("| detector | first warning | lead (days) | standing 30/90/180/365 d before | "
                         "move to turn | episodes | false alarms | seconds (cold) |")
            lines.append("|---|---|---:|---|---:|---:|---:|---:|")
            for e in table.entries:
                fw = e.first_warning.date().isoformat() if e.first_warning is not None else "none"
                hits = "/".join("y" if e.hits.get(h) else "n" for h in (30, 90, 180, 365))
                move = "-" if e.move_to_turn is None else f"{e.move_to_turn:+.0%}"
                lines.append(f"| {e.name} | {fw} | {e.lead_days if e.lead_days is not None else '-'} | {hits} | "
                             f"{move} | {len(e.warnings)} | {e.false_alarms} | {e.seconds:.2f} |")
            lines.append("")
            lines.append(f"Total {total:.1f} s (numba kernels loaded from their on-disk cache). Notes: "
                         + "; ".join(f"{e.name}: {e.note}" for e in table.entries) + ".\n")
            lines.append("GSADF lag sensitivity (statistic, its 95% critical value simulated at that lag, "
                         "first warning for this turn):\n")
            lines.append("| lag | GSADF | 95% cv | rejects overall | first warning (real time) | lead (days) |")
            lines.append("|---:|---:|---:|---|---|---:|")
            for lag in range(4):
                res = PSYTest(lag=lag, sensitivity_lags=()).fit(series)
                entry = _score("gsadf", EpisodeRule().episodes(res.to_frame()["above"]), table.turn,
                               table.horizon_days, 0.0)
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
