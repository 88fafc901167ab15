"""PSY: borrowedtime against pyexuber on Case-Shiller national and NASDAQ.

Steps (from the project root):

    benchmarks/.env-peers/bin/python benchmarks/peer_psy_run.py --runs 5 --nrep 1000
    .venv/bin/python benchmarks/bench_psy.py --runs 5 --reps 1000

Both series in logs, exuber's default minimum window (PSY's rule at the full sample
size: ``PSYTest(min_window="hindsight")``, passed explicitly since the product's
default is the real-time window), lags 0-3. Compares the
SADF/GSADF statistics and the BSADF sequences at the same lag, the
date-stamped episodes (95%, minimum duration round(log n)), and wall times:
statistics (median of ``--runs``) and the Monte Carlo critical values (one
uncached run, then the cached read). Both date-stamp with the PSY (2015,
eq. 7) critical value (SADF on the sample up to each date) and only when the
full-sample GSADF rejects, as exuber does. The simulations differ: exuber
draws a driftless walk at lag 0 from its own generator; we draw PSY's null
with drift 1/n at the test's own lag, seeded.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from _results import machine, write_section

from borrowedtime.detectors.psy import (
    PSYTest,
    psy_critical_values,
    psy_min_window,
    realtime_min_window,
)
from borrowedtime.series import load_series

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
SERIES = {
    "case_shiller": ("case_shiller_us_national_monthly.csv", "National-US", "Case-Shiller U.S. National NSA, monthly, 1975-01..2024-07"),
    "nasdaq": ("nasdaq_composite_daily_1994_2000.csv", "Adj Close", "NASDAQ Composite, daily, 1994-01-03..2000-03-10"),
}


def _fmt_eps(eps) -> str:
    if not eps:
        return "none"
    return "; ".join(f"{s}..{e if e is not None else 'open'}" for s, e in eps)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reps", type=int, default=1000)
    args = ap.parse_args()
    peer_file = HERE / "out" / "psy_peer.json"
    peer = json.loads(peer_file.read_text()) if peer_file.exists() else None
    run = peer.get("_run", {}) if peer else {}
    lines = ["## PSY: borrowedtime vs pyexuber 0.1.0 (exuber's core)\n",
             f"Peer run finished {run.get('finished_utc', '?')} UTC, load average then "
             f"{'/'.join(f'{v:.1f}' for v in run.get('loadavg', []))} (1/5/15 min); ours started "
             f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, load average "
             + "/".join(f"{v:.1f}" for v in os.getloadavg()) + ".\n",
             f"Machine: {machine()}. Shared with other sessions' jobs while this ran (up to 8 helpers "
             "on the 2 cores), so absolute times are inflated; the peer ran just before, under similar load. "
             "Statistics are single-threaded on both sides (CPU-s = wall). Lags >= 1: each window start's "
             "cross-products are updated one observation at a time and the t-ratio is read off their LDL' "
             "factors (no refit).\n"]
    PSYTest(min_window="hindsight", reps=20, cache=False).statistics(
        load_series(DATA / SERIES["nasdaq"][0], column="Adj Close").iloc[:80])  # compile
    psy_critical_values(60, reps=20, cache=False)  # compile
    for key, (file, col, label) in SERIES.items():
        series = load_series(DATA / file, column=col)
        n = len(series)
        mw = psy_min_window(n)
        lines.append(f"### {label} (log, n = {n}, minimum window {mw} rows)\n")
        lines.append("| lag | SADF ours | SADF exuber | GSADF ours | GSADF exuber | max abs diff BSADF | "
                     "stats s ours (median) | CPU-s ours (median) | stats s exuber (median) | CPU-s exuber (median) | "
                     "exuber / ours, CPU-s |")
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        worst = 0.0
        for lag in range(4):
            test = PSYTest(lag=lag, min_window="hindsight", cache=False)  # exuber's rule
            times, cpu = [], []
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.process_time()
                sadf, gsadf, seq = test.statistics(series)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            if peer:
                p = peer[key]["lags"][str(lag)]
                diff = float(np.max(np.abs(seq[mw + lag:] - np.asarray(p["bsadf"]))))
                worst = max(worst, diff, abs(sadf - p["sadf"]), abs(gsadf - p["gsadf"]))
                lines.append(f"| {lag} | {sadf:.4f} | {p['sadf']:.4f} | {gsadf:.4f} | {p['gsadf']:.4f} | "
                             f"{diff:.1e} | {np.median(times):.4f} | {np.median(cpu):.4f} | {p['seconds_median']:.4f} | "
                             f"{p.get('cpu_median', float('nan')):.4f} | "
                             f"{p.get('cpu_median', float('nan')) / np.median(cpu):.1f}x |")
            else:
                lines.append(f"| {lag} | {sadf:.4f} | n/a | {gsadf:.4f} | n/a | n/a | {np.median(times):.4f} | "
                             f"{np.median(cpu):.4f} | n/a | n/a | n/a |")
        lines.append("")
        lines.append(f"Largest absolute difference in SADF, GSADF or any BSADF value over the four lags: "
                     f"**{worst:.1e}** (tolerance used in the tests: 1e-8).\n")
        # Monte Carlo critical values, cold then cached
        with tempfile.TemporaryDirectory() as tmp:
            t0, c0 = time.perf_counter(), time.process_time()
            cv = psy_critical_values(n, mw, 0, reps=args.reps, seed=0, cache=tmp)
            cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
            t0 = time.perf_counter()
            psy_critical_values(n, mw, 0, reps=args.reps, seed=0, cache=tmp)
            warm = time.perf_counter() - t0
        pmc = (f"{peer[key]['mc_seconds']:.1f} s wall, {peer[key].get('mc_cpu', float('nan')):.1f} CPU-s "
               f"(exuber / ours by CPU-s: {peer[key].get('mc_cpu', float('nan')) / cold_cpu:.1f}x), "
               "GSADF 90/95/99% ") + "/".join(
            f"{v:.3f}" for v in peer[key]["gsadf_cv"]) if peer else "n/a"
        lines.append(f"Critical values at lag 0, {args.reps} replications, seed 0: ours {cold:.1f} s wall, "
                     f"{cold_cpu:.1f} CPU-s (numba threads) "
                     f"(cached read {warm * 1e3:.0f} ms), GSADF 90/95/99% "
                     + "/".join(f"{v:.3f}" for v in cv.gsadf) + f"; exuber's radf_mc_cv {pmc}.\n")
        lines.append("Date-stamped episodes (95%, minimum duration round(log n) observations; start..end, "
                     "end = first date back below):\n")
        lines.append("| lag | ours | exuber |")
        lines.append("|---:|---|---|")
        for lag in range(4):
            res = PSYTest(lag=lag, min_window="hindsight", reps=args.reps, seed=0, cache=True,
                         sensitivity_lags=()).fit(series)
            ours = [(s.date().isoformat(), e.date().isoformat() if e is not None else None)
                    for s, e in res.episodes()]
            theirs = [tuple(x) for x in peer[key]["episodes"][str(lag)]] if peer else None
            shown = _fmt_eps(ours) if res.rejects else (
                f"none: GSADF {res.gsadf:.2f} < 95% cv {res.cv.gsadf[1]:.2f} (the real-time monitor, "
                f"which cannot know the full-sample test, has {len(ours)}: {_fmt_eps(ours[-2:])} ...)")
            lines.append(f"| {lag} | {shown} | {_fmt_eps(theirs) if theirs is not None else 'n/a'} |")
        lines.append("")
        rt = PSYTest(lag=0, min_window="realtime", reps=args.reps, seed=0, cache=True, sensitivity_lags=()).fit(series)
        warn = [(w.date().isoformat(), e.date().isoformat() if e is not None else None) for w, e in rt.warnings()]
        lines.append(f"Real-time mode (`min_window=\"realtime\"`: {rt.cv.min_window} rows from a decade of "
                     f"observations at the data's frequency, null drift 1/{realtime_min_window(series.index)[1]}), "
                     f"lag 0, 95%: {len(warn)} warnings (date confirmed..end), the last: {_fmt_eps(warn[-3:])}.\n")
    lines.append("Command: `.venv/bin/python benchmarks/bench_psy.py --runs 5 --reps 1000` after "
                 "`benchmarks/.env-peers/bin/python benchmarks/peer_psy_run.py --runs 5 --nrep 1000`. "
                 "Our critical values for the episodes are cached under `$BORROWEDTIME_CACHE` "
                 "(default `~/.cache/borrowedtime/psy`).")
    lines.append(f"\nOurs finished {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, load average "
                 + "/".join(f"{v:.1f}" for v in os.getloadavg()) + ".")
    write_section("psy", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
