"""League table on the real series: the monitor, LPPLS, PSY GSADF, the baseline and the naive rule in real time.

    .venv/bin/python benchmarks/bench_league.py

NASDAQ Composite (daily, to the 2000-03-10 peak; turn = its maximum; no
release lag: prices are known the same day) and the Case-Shiller U.S.
National NSA index (monthly; turn 2006-07-01, the peak of the seasonally
adjusted index: the series' own maximum is in 2024; release lag 2
observations: the index is published about two months after its reference
month). Default settings of ``borrowedtime detectors`` (PSY with the
real-time minimum window); the first run uses an empty critical value cache
(cold), the GSADF lag sensitivity simulates each lag's critical values once.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from _results import machine, write_section

from borrowedtime.detectors.league import HORIZONS_DAYS, EpisodeRule, _score, league_table
from borrowedtime.detectors.psy import PSYTest
from borrowedtime.monitor.scoring import lag_calls
from borrowedtime.series import load_series

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
CASES = [  # (label, file, column, turn, release lag in observations)
    ("NASDAQ Composite, daily 1994-01-03..2000-03-10", "nasdaq_composite_daily_1994_2000.csv", "Adj Close", None, 0),
    ("Case-Shiller U.S. National NSA, monthly 1975-01..2024-07", "case_shiller_us_national_monthly.csv",
     "National-US", "2006-07-01", 2),
]


def main() -> None:
    lines = ["## League table on the real series\n",
             "Command: `.venv/bin/python benchmarks/bench_league.py` (the same as `borrowedtime detectors FILE "
             "--column C [--turn DATE] [--release-lag N] --json`). Signals, each from data dated <= its date: "
             "borrowedtime = P(S'+2y S''<0) >= 0.9 while P(S'>0) >= 0.5 (the monitor's condition without its own "
             "persistence); lppls = positive-bubble confidence >= 0.2 (tc bounds counted in observations on "
             "monthly data); gsadf = BSADF above its 95% critical value (lag 0, 1000 replications, the real-time "
             "minimum window: PSY's rule at a decade of observations, 115 rows daily, 20 monthly); baseline = "
             "issue 11's named baseline's condition (YoY log growth > 0 and its six-month change below -1 "
             "real-time RMS, after three years of observations); naive = YoY growth positive and below its "
             "previous value. One episode rule for all (issue 11): a warning starts once its signal has held "
             "for 28 days (>= 2 observations), dated then, and ends when the signal is off; with a release lag "
             "of N observations every signal is first moved N observations later (dated as published). Hit at "
             "h days = a warning standing h days before the turn; first warning = the one standing 90 days "
             "before; move = change in the series from the first warning to the turn; false alarms = warnings "
             "that ended more than 90 days before the turn.\n"]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BORROWEDTIME_CACHE"] = tmp
        for label, file, col, turn, release_lag in CASES:
            series = load_series(DATA / file, column=col)
            t0, c0 = time.perf_counter(), time.process_time()
            table = league_table(series, turn=turn, release_lag=release_lag)
            total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
            lines.append(f"### {label}; turn {table.turn.date()}; release lag {release_lag} observation(s)\n")
            lines.append("| detector | first warning | lead (days) | standing 30/90/180/365 d before | "
                         "move to turn | episodes | false alarms | seconds (cold) |")
            lines.append("|---|---|---:|---|---:|---:|---:|---:|")
            for e in table.entries:
                fw = e.first_warning.date().isoformat() if e.first_warning is not None else "none"
                hits = "/".join("y" if e.hits.get(h) else "n" for h in HORIZONS_DAYS)
                move = "-" if e.move_to_turn is None else f"{e.move_to_turn:+.0%}"
                lines.append(f"| {e.name} | {fw} | {e.lead_days if e.lead_days is not None else '-'} | {hits} | "
                             f"{move} | {len(e.warnings)} | {e.false_alarms} | {e.seconds:.2f} |")
            lines.append("")
            lines.append(f"Total {total:.1f} s wall, {total_cpu:.1f} CPU-s (LPPLS and the PSY Monte Carlo use numba "
                         f"threads; kernels loaded from their on-disk cache); {machine()}, shared with other "
                         "helpers' jobs. Notes: " + "; ".join(f"{e.name}: {e.note}" for e in table.entries) + ".\n")
            lines.append("GSADF lag sensitivity (real-time minimum window; statistic, its 95% critical value "
                         "simulated at that lag, first warning for this turn as published):\n")
            lines.append("| lag | min window | GSADF | 95% cv | rejects overall | first warning (real time) | "
                         "lead (days) |")
            lines.append("|---:|---:|---:|---:|---|---|---:|")
            for lag in range(4):
                res = PSYTest(lag=lag, sensitivity_lags=()).fit(series)
                eps = EpisodeRule().episodes(lag_calls(res.to_frame()["above"], release_lag))
                entry = _score("gsadf", eps, table.turn, table.horizon_days, 0.0)
                fw = entry.first_warning.date().isoformat() if entry.first_warning is not None else "none"
                lines.append(f"| {lag} | {res.cv.min_window} | {res.gsadf:.2f} | {res.cv.gsadf[1]:.2f} | "
                             f"{res.rejects} | {fw} | {entry.lead_days if entry.lead_days is not None else '-'} |")
            lines.append("")
            lines.append("The real-time warnings are not gated by the full-sample GSADF test (a monitor "
                         "cannot know it); exuber's date-stamping is, see the PSY section (which uses PSY's "
                         "full-sample window, hindsight, to compare with exuber).\n")
    write_section("league", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
