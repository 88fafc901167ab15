"""Run pyexuber (GPL, benchmark-only peer) on Case-Shiller and NASDAQ; save statistics, episodes, times.

Runs in the peer environment only; ``benchmarks/bench_psy.py`` starts it with the peer's
Python (``--peer-python``) before timing ours, or by hand from the project root:

    benchmarks/.env-peers/bin/python benchmarks/peer_psy_run.py --runs 5 --nrep 1000

Both series are tested in logs (Case-Shiller U.S. National NSA, monthly; NASDAQ
Composite adjusted close, daily) with exuber's default minimum window, at lags
0 to 3. Episodes: ``datestamp(option="gsadf", sig_lvl=95, min_duration=psy_ds(n))``
with ``radf_mc_cv(n, nrep, seed=0)`` (exuber simulates lag 0 only). Writes
``benchmarks/out/psy_peer.json`` (or ``--out``): statistics, every run's wall and CPU
seconds (``time.process_time``) and their medians, the critical values' time.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from exuber import datestamp, psy_ds, radf, radf_mc_cv

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
SERIES = {
    "case_shiller": ("case_shiller_us_national_monthly.csv", "National-US"),
    "nasdaq": ("nasdaq_composite_daily_1994_2000.csv", "Adj Close"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--nrep", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "psy_peer.json")
    ap.add_argument("--no-episodes", action="store_true", help="skip the date-stamping (timings only)")
    args = ap.parse_args()
    out = {"_run": {"started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                    "loadavg_start": list(os.getloadavg())}}
    for name, (file, col) in SERIES.items():
        frame = pd.read_csv(DATA / file)
        dates = frame.iloc[:, 0].astype(str).tolist()
        x = np.log(frame[col].to_numpy(float))
        n = len(x)
        entry = {"n": n, "lags": {}}
        for lag in range(4):
            times, cpu = [], []
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.process_time()
                r = radf(x, lag=lag)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            entry["lags"][lag] = {
                "minw": int(r.minw), "sadf": float(r.sadf[0]), "gsadf": float(r.gsadf[0]),
                "bsadf": r.bsadf[:, 0].tolist(), "seconds_median": float(np.median(times)),
                "cpu_median": float(np.median(cpu)), "seconds_runs": times, "cpu_runs": cpu,
            }
        t0, c0 = time.perf_counter(), time.process_time()
        cv = radf_mc_cv(n, nrep=args.nrep, seed=0)
        entry["mc_seconds"] = time.perf_counter() - t0
        entry["mc_cpu"] = time.process_time() - c0
        entry["nrep"] = args.nrep
        entry["gsadf_cv"] = cv.gsadf_cv.tolist()
        entry["sadf_cv"] = cv.sadf_cv.tolist()
        entry["episodes"] = {}
        for lag in range(0 if args.no_episodes else 4):
            r = radf(x, lag=lag)
            # exuber's cv is simulated at lag 0 (the same seed: the values above); its bsadf path
            # is shorter by `lag` at the start
            cvl = cv
            if lag:
                from dataclasses import replace

                cvl = replace(cv, bsadf_cv=cv.bsadf_cv[lag:], badf_cv=cv.badf_cv[lag:])
            eps = datestamp(r, cvl, min_duration=psy_ds(n)).get("series1", [])
            entry["episodes"][lag] = [
                [dates[e.start], dates[e.end] if e.end is not None else None] for e in eps
            ]
        out[name] = entry
    out["_run"].update({"finished_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                        "loadavg": list(os.getloadavg())})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out))
    for name, e in ((k, v) for k, v in out.items() if not k.startswith("_")):
        print(name, {k: round(v["gsadf"], 3) for k, v in e["lags"].items()}, f"MC {e['mc_seconds']:.1f} s",
              e["episodes"].get(0, [])[:5])


if __name__ == "__main__":
    main()
