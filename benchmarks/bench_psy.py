"""PSY: borrowedtime against pyexuber on Case-Shiller national and NASDAQ, side by side in one run.

From the project root, with the peer environment made once (outside the project is fine):

    python3 -m venv benchmarks/.env-peers
    benchmarks/.env-peers/bin/pip install -r benchmarks/requirements-peers.txt
    .venv/bin/python benchmarks/bench_psy.py --runs 5 --reps 1000 --rounds 3

The peer's Python is ``--peer-python``, else ``$BORROWEDTIME_PEER_PYTHON``, else
``benchmarks/.env-peers/bin/python``. Each round runs the peer's script
(``peer_psy_run.py``, in its own process and environment) and straight after it ours, so
both sides see the same load; the statistics' CPU seconds are medians over every run of
every round (``--runs`` per round), the critical values' over the rounds (one cold run each).
``--no-peer`` times ours alone.

Both series in logs, exuber's default minimum window (PSY's rule at the full sample
size: ``PSYTest(min_window="hindsight")``, passed explicitly since the product's
default is the real-time window), lags 0-3. Compares the
SADF/GSADF statistics and the BSADF sequences at the same lag, the
date-stamped episodes (95%, minimum duration round(log n)), and times:
statistics and the Monte Carlo critical values (uncached runs, then the cached read).
Both date-stamp with the PSY (2015,
eq. 7) critical value (SADF on the sample up to each date) and only when the
full-sample GSADF rejects, as exuber does. The simulations differ: exuber
draws a driftless walk at lag 0 from its own generator; we draw PSY's null
with drift 1/n at the test's own lag, seeded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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


def _peer_python(given: Path | None) -> Path:
    """The peer environment's Python: ``--peer-python``, ``$BORROWEDTIME_PEER_PYTHON`` or the default venv."""
    env = os.environ.get("BORROWEDTIME_PEER_PYTHON")
    path = given or (Path(env) if env else HERE / ".env-peers" / "bin" / "python")
    if not path.exists():
        sys.exit(f"bench_psy: no peer Python at {path}; make the peer environment (see this file's docstring), "
                 "pass --peer-python PATH or set BORROWEDTIME_PEER_PYTHON, or run with --no-peer.")
    return path


def _run_peer(python: Path, runs: int, nrep: int, out: Path, episodes: bool) -> dict:
    cmd = [str(python), str(HERE / "peer_psy_run.py"), "--runs", str(runs), "--nrep", str(nrep), "--out", str(out)]
    if not episodes:
        cmd.append("--no-episodes")
    subprocess.run(cmd, check=True, cwd=HERE.parent, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def _load(values) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each statistic per round, each side")
    ap.add_argument("--reps", type=int, default=1000, help="Monte Carlo replications of the critical values")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of (peer, then ours)")
    ap.add_argument("--peer-python", type=Path, default=None, help="the peer environment's Python")
    ap.add_argument("--no-peer", action="store_true", help="time ours alone")
    args = ap.parse_args()
    python = None if args.no_peer else _peer_python(args.peer_python)
    PSYTest(min_window="hindsight", reps=20, cache=False).statistics(
        load_series(DATA / SERIES["nasdaq"][0], column="Adj Close").iloc[:80])  # compile
    for lag in range(1, 4):
        PSYTest(lag=lag, min_window="hindsight", cache=False).statistics(
            load_series(DATA / SERIES["nasdaq"][0], column="Adj Close").iloc[:80])
    psy_critical_values(60, reps=20, cache=False)  # compile
    series = {key: load_series(DATA / file, column=col) for key, (file, col, _) in SERIES.items()}
    cpu = {(key, lag): [] for key in SERIES for lag in range(4)}
    wall = {(key, lag): [] for key in SERIES for lag in range(4)}
    mc_cpu = {key: [] for key in SERIES}
    mc_wall = {key: [] for key in SERIES}
    peers, rounds_text = [], []
    stats = {}
    for rnd in range(args.rounds):
        begun = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        if python is not None:
            peers.append(_run_peer(python, args.runs, args.reps, HERE / "out" / f"psy_peer_round{rnd}.json",
                                   episodes=rnd == 0))
        ours_from, load_from = time.strftime("%H:%M:%S", time.gmtime()), os.getloadavg()
        for key, y in series.items():
            n = len(y)
            for lag in range(4):
                test = PSYTest(lag=lag, min_window="hindsight", cache=False)  # exuber's rule
                for _ in range(args.runs):
                    t0, c0 = time.perf_counter(), time.process_time()
                    stats[key, lag] = test.statistics(y)
                    wall[key, lag].append(time.perf_counter() - t0)
                    cpu[key, lag].append(time.process_time() - c0)
            with tempfile.TemporaryDirectory() as tmp:
                t0, c0 = time.perf_counter(), time.process_time()
                psy_critical_values(n, psy_min_window(n), 0, reps=args.reps, seed=0, cache=tmp)
                mc_wall[key].append(time.perf_counter() - t0)
                mc_cpu[key].append(time.process_time() - c0)
        peer_note = ""
        if peers:
            r = peers[-1]["_run"]
            peer_note = (f"exuber {r['started_utc'][11:]}-{r['finished_utc'][11:]} (load average "
                         f"{_load(r['loadavg_start'])} then {_load(r['loadavg'])}), ")
        rounds_text.append(f"round {rnd + 1} ({begun[:10]}): {peer_note}ours {ours_from}-"
                           f"{time.strftime('%H:%M:%S', time.gmtime())} (load average {_load(load_from)} then "
                           f"{_load(os.getloadavg())})")
    peer = peers[0] if peers else None

    def peer_runs(key: str, lag: int, field: str) -> list[float]:
        return [x for p in peers for x in p[key]["lags"][str(lag)][field]]

    lines = ["## PSY: borrowedtime vs pyexuber 0.1.0 (exuber's core)\n",
             f"Side by side in one run of `bench_psy.py`, {args.rounds} rounds, each the peer's script in its "
             "own process and straight after it ours:\n",
             *[f"- {t}" for t in rounds_text], "",
             f"Machine: {machine()}. Load average: 1/5/15 minutes (2 cores: above 2 means jobs waited for a "
             "core). Statistics are single-threaded on both sides; CPU seconds are `time.process_time` "
             "(all threads of the process). Medians over "
             f"{args.rounds} x {args.runs} runs per statistic, over {args.rounds} cold runs per critical-value "
             "set. Lags >= 1: each window start's cross-products are updated one observation at a time and "
             "the t-ratio is read off their LDL' factors (no refit), 8 window starts side by side.\n"]
    for key, (_, _, label) in SERIES.items():
        y = series[key]
        n = len(y)
        mw = psy_min_window(n)
        lines.append(f"### {label} (log, n = {n}, minimum window {mw} rows)\n")
        lines.append("| lag | SADF ours | SADF exuber | GSADF ours | GSADF exuber | max abs diff BSADF | "
                     "stats s ours (median) | CPU-s ours (median) | stats s exuber (median) | CPU-s exuber (median) | "
                     "exuber / ours, CPU-s |")
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        worst = 0.0
        for lag in range(4):
            sadf, gsadf, seq = stats[key, lag]
            ours_wall, ours_cpu = np.median(wall[key, lag]), np.median(cpu[key, lag])
            if peer:
                p = peer[key]["lags"][str(lag)]
                diff = float(np.max(np.abs(seq[mw + lag:] - np.asarray(p["bsadf"]))))
                worst = max(worst, diff, abs(sadf - p["sadf"]), abs(gsadf - p["gsadf"]))
                p_wall = np.median(peer_runs(key, lag, "seconds_runs"))
                p_cpu = np.median(peer_runs(key, lag, "cpu_runs"))
                lines.append(f"| {lag} | {sadf:.4f} | {p['sadf']:.4f} | {gsadf:.4f} | {p['gsadf']:.4f} | "
                             f"{diff:.1e} | {ours_wall:.4f} | {ours_cpu:.4f} | {p_wall:.4f} | {p_cpu:.4f} | "
                             f"{p_cpu / ours_cpu:.1f}x |")
            else:
                lines.append(f"| {lag} | {sadf:.4f} | n/a | {gsadf:.4f} | n/a | n/a | {ours_wall:.4f} | "
                             f"{ours_cpu:.4f} | n/a | n/a | n/a |")
        lines.append("")
        if peer:
            lines.append(f"Largest absolute difference in SADF, GSADF or any BSADF value over the four lags: "
                         f"**{worst:.1e}** (tolerance used in the tests: 1e-8).\n")
        # Monte Carlo critical values: the rounds' cold runs, then the cached read
        with tempfile.TemporaryDirectory() as tmp:
            cv = psy_critical_values(n, mw, 0, reps=args.reps, seed=0, cache=tmp)
            t0 = time.perf_counter()
            psy_critical_values(n, mw, 0, reps=args.reps, seed=0, cache=tmp)
            warm = time.perf_counter() - t0
        cold, cold_cpu = np.median(mc_wall[key]), np.median(mc_cpu[key])
        if peer:
            p_mc_wall = np.median([p[key]["mc_seconds"] for p in peers])
            p_mc_cpu = np.median([p[key]["mc_cpu"] for p in peers])
            pmc = (f"{p_mc_wall:.1f} s wall, {p_mc_cpu:.1f} CPU-s (median of {len(peers)}; exuber / ours by "
                   f"CPU-s: {p_mc_cpu / cold_cpu:.1f}x), GSADF 90/95/99% "
                   + "/".join(f"{v:.3f}" for v in peer[key]["gsadf_cv"]))
        else:
            pmc = "n/a"
        lines.append(f"Critical values at lag 0, {args.reps} replications, seed 0: ours {cold:.1f} s wall, "
                     f"{cold_cpu:.1f} CPU-s (median of {args.rounds}, numba threads) "
                     f"(cached read {warm * 1e3:.0f} ms), GSADF 90/95/99% "
                     + "/".join(f"{v:.3f}" for v in cv.gsadf) + f"; exuber's radf_mc_cv {pmc}.\n")
        lines.append("Date-stamped episodes (95%, minimum duration round(log n) observations; start..end, "
                     "end = first date back below):\n")
        lines.append("| lag | ours | exuber |")
        lines.append("|---:|---|---|")
        for lag in range(4):
            res = PSYTest(lag=lag, min_window="hindsight", reps=args.reps, seed=0, cache=True,
                         sensitivity_lags=()).fit(y)
            ours = [(s.date().isoformat(), e.date().isoformat() if e is not None else None)
                    for s, e in res.episodes()]
            theirs = [tuple(x) for x in peer[key]["episodes"][str(lag)]] if peer else None
            shown = _fmt_eps(ours) if res.rejects else (
                f"none: GSADF {res.gsadf:.2f} < 95% cv {res.cv.gsadf[1]:.2f} (the real-time monitor, "
                f"which cannot know the full-sample test, has {len(ours)}: {_fmt_eps(ours[-2:])} ...)")
            lines.append(f"| {lag} | {shown} | {_fmt_eps(theirs) if theirs is not None else 'n/a'} |")
        lines.append("")
        rt = PSYTest(lag=0, min_window="realtime", reps=args.reps, seed=0, cache=True, sensitivity_lags=()).fit(y)
        warn = [(w.date().isoformat(), e.date().isoformat() if e is not None else None) for w, e in rt.warnings()]
        lines.append(f"Real-time mode (`min_window=\"realtime\"`: {rt.cv.min_window} rows from a decade of "
                     f"observations at the data's frequency, null drift 1/{realtime_min_window(y.index)[1]}), "
                     f"lag 0, 95%: {len(warn)} warnings (date confirmed..end), the last: {_fmt_eps(warn[-3:])}.\n")
    lines.append(f"Command: `.venv/bin/python benchmarks/bench_psy.py --runs {args.runs} --reps {args.reps} "
                 f"--rounds {args.rounds}` (the peer's Python from `--peer-python`, `$BORROWEDTIME_PEER_PYTHON` "
                 "or `benchmarks/.env-peers/bin/python`). "
                 "Our critical values for the episodes are cached under `$BORROWEDTIME_CACHE` "
                 "(default `~/.cache/borrowedtime/psy`).")
    lines.append(f"\nOurs finished {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, load average "
                 + _load(os.getloadavg()) + ".")
    write_section("psy", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
