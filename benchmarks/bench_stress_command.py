"""Benchmark the stress command as users run it (issue 25): the CLI, its defaults, no environment variables.

Usage::

    .venv/bin/python benchmarks/bench_stress_command.py --paths 100000 --repeats 3 [--reference out.json]

Runs ``borrowedtime stress base --paths N --seed 0 --json`` ``--repeats`` times in a row, each in a fresh
process (imports, the model, the Monte Carlo with the three stretches and the sensitivity grid, the JSON),
and prints per run: wall seconds, CPU seconds (user + system of the child, from ``os.wait4``), peak RSS and
the load average before and after; then the medians, and whether every output is byte-identical (to the
first run, and to ``--reference`` when given: a saved output of an earlier commit). No timing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def run_once(exe: str, paths: int, seed: int) -> dict:
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen([exe, "stress", "base", "--paths", str(paths), "--seed", str(seed), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"stress exited with {os.waitstatus_to_exitcode(status)}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024,
            "load": (load0, os.getloadavg()[0]), "sha256": hashlib.sha256(out).hexdigest(), "bytes": out}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reference", type=Path, help="a saved output to compare with, byte for byte")
    ap.add_argument("--exe", default=shutil.which("borrowedtime") or str(Path(sys.executable).with_name("borrowedtime")))
    a = ap.parse_args(argv)
    runs = []
    for i in range(a.repeats):
        r = run_once(a.exe, a.paths, a.seed)
        runs.append(r)
        print(f"run {i + 1}: wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s, peak RSS {r['rss_mb']:,.0f} MB, "
              f"load {r['load'][0]:.2f} -> {r['load'][1]:.2f}, sha256 {r['sha256'][:12]}", flush=True)
    med = {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s", "rss_mb")}
    same = len({r["sha256"] for r in runs}) == 1
    print(f"median of {a.repeats}: wall {med['wall_s']:.1f} s, CPU {med['cpu_s']:.1f} s, peak RSS "
          f"{med['rss_mb']:,.0f} MB; outputs identical across runs: {same}")
    if a.reference is not None:
        print(f"identical to {a.reference}: {runs[0]['bytes'] == a.reference.read_bytes()}")


if __name__ == "__main__":
    main()
