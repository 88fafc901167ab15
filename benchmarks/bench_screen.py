"""``borrowedtime screen`` end to end: series per second, including reading the file.

Two panels:

- FRED-MD, 107 real monthly series 1959-2019 (``../shared/data``; 9 are skipped as not
  strictly positive), through the command line exactly as a user runs it
  (``borrowedtime screen FILE --json``, a fresh process: interpreter start, imports,
  reading, fitting, ranking, JSON out);
- 10,000 seeded synthetic monthly series x 600 months (``bench_kinematics.make_panel``),
  written once as CSV and as Parquet, then read and screened in a fresh process.

Each setting runs ``--runs`` times in a fresh subprocess; medians are reported with
the process's CPU seconds beside wall time (the filter is parallel over series) and
its peak resident memory (``ru_maxrss``). The baseline in the same run is the bare
panel fit (``KinematicsModel().fit`` on the in-memory panel), the part the panel
benchmark measures.

Usage::

    .venv/bin/python benchmarks/bench_screen.py             # prints a markdown section
    .venv/bin/python benchmarks/bench_screen.py --runs 1 --n-series 500
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FRED_MD = ROOT.parent / "shared" / "data" / "fred_md_107_monthly_1959_2019.csv"
CLI = Path(sys.executable).with_name("borrowedtime")

_STAGES = r"""
import json, resource, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
from borrowedtime.monitor.screen import Screen, read_panel
from borrowedtime.monitor.model import KinematicsModel
t1 = time.perf_counter()
mode, path = sys.argv[1], sys.argv[2]
frame = read_panel(path)
t2 = time.perf_counter()
if mode == "fit":
    import pandas as pd
    f = frame.apply(pd.to_numeric, errors="coerce")
    f = f.loc[:, ~(f <= 0).any()]  # the series the filter can take (FRED-MD: 98 of 107)
    KinematicsModel().fit(f)
    n = f.shape[1]
else:
    res = Screen().run(frame)
    n = len(res.table) + len(res.skipped)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "read": t2 - t1, "work": t3 - t2, "total": t3 - t0,
                  "cpu": time.process_time() - c0, "n": n,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _stages(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _STAGES, mode, str(path)], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    return json.loads(out.stdout)


_CLI = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
data = json.loads(out.stdout)
print(json.dumps({"total": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mib": ru.ru_maxrss / 1024,
                  "n": len(data["series"]) + len(data["skipped"])}))
"""


def _cli(path: Path) -> dict:
    """The command as a user runs it, in a fresh parent so that its rusage is this run's alone."""
    out = subprocess.run([sys.executable, "-c", _CLI, str(CLI), "screen", str(path), "--json"], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n-series", type=int, default=10_000)
    ap.add_argument("--n-obs", type=int, default=600)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from bench_kinematics import make_panel

    rows = []
    if FRED_MD.exists():
        cli = [_cli(FRED_MD) for _ in range(args.runs)]
        st = [_stages("screen", FRED_MD) for _ in range(args.runs)]
        fit = [_stages("fit", FRED_MD) for _ in range(args.runs)]
        rows.append(("FRED-MD, 107 x 728 (CSV), `borrowedtime screen --json` (fresh process)", cli, None))
        rows.append(("FRED-MD, read + screen in a fresh process (incl. imports)", st, "stages"))
        rows.append(("FRED-MD, baseline: read + bare panel fit (no ranking)", fit, "stages"))
    with tempfile.TemporaryDirectory() as tmp:
        panel = make_panel(args.n_series, args.n_obs, seed=0)
        csv, pq = Path(tmp) / "panel.csv", Path(tmp) / "panel.parquet"
        panel.to_csv(csv, index_label="date")
        panel.to_parquet(pq)
        label = f"{args.n_series:,} x {args.n_obs}"
        rows.append((f"synthetic {label}, CSV ({csv.stat().st_size / 2**20:.0f} MiB), `screen --json`",
                     [_cli(csv) for _ in range(args.runs)], None))
        rows.append((f"synthetic {label}, Parquet, read + screen", [_stages("screen", pq) for _ in range(args.runs)],
                     "stages"))
        rows.append((f"synthetic {label}, Parquet, baseline: read + bare panel fit",
                     [_stages("fit", pq) for _ in range(args.runs)], "stages"))
    load = os.getloadavg()
    lines = [
        f"Command: `.venv/bin/python benchmarks/bench_screen.py --runs {args.runs}` "
        f"(medians of {args.runs} fresh processes each). {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores shared with other jobs (load average at the end "
        f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}).",
        "",
        "| panel and path | series | wall s (median) | CPU s | of which reading s | series / s end to end | peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, runs, kind in rows:
        n = runs[0]["n"]
        total = _median(runs, "total")
        read = f"{_median(runs, 'read'):.2f}" if kind else "—"
        lines.append(f"| {name} | {n:,} | {total:.2f} | {_median(runs, 'cpu'):.2f} | {read} | "
                     f"{n / total:,.0f} | {_median(runs, 'rss_mib'):,.0f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
