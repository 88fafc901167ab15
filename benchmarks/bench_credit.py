"""Benchmark the copula Monte Carlo (issue 13): 1,000,000 scenarios x 1,000 obligors, two factors.

Run from the project root:

    .venv/bin/python benchmarks/bench_credit.py [--paths 1000000] [--repeats 3] [--baseline-paths 1000000]

Each measurement runs in a fresh subprocess (so its peak resident memory,
``ru_maxrss``, is its own) and is repeated ``--repeats`` times; the table
gives the median wall time, the median CPU seconds (user + system of the
process, all threads) and the largest peak memory. Three implementations of
the same book, in the same run:

* ``borrowedtime``: ``CopulaModel.run`` (grouped binomial + Floyd kernel,
  chunks of 10,000 paths on the package's Monte Carlo engine, local threads);
  with and without the second pass for Euler contributions;
* ``numpy baseline``: the straightforward chunked NumPy/SciPy simulation
  (draw every obligor's normal, compare with its threshold, sum the losses);
* ``creditriskengine`` (the named peer, Gaussian copula only), in its own
  environment ``benchmarks/.env-credit`` when present (it needs pandas < 3):

      python3 -m venv benchmarks/.env-credit
      benchmarks/.env-credit/bin/pip install creditriskengine==0.31.0 "pandas<3"

The book: 1,000 obligors in 7 rating grades x 2 sectors (14 groups sharing
PD and loadings), lognormal exposures (USD bn, total about 1,000), LGD 45 %;
factor 1 common, factor 2 sector (loadings (0.40, +0.30) and (0.40, -0.30)).
Results go to ``benchmarks/results_credit.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results_credit.md"
PEER_PY = HERE / ".env-credit" / "bin" / "python"
GRADE_PD = [0.0003, 0.0006, 0.0018, 0.0116, 0.0447, 0.12, 0.2]


def book(n: int = 1000, seed: int = 12):
    rng = np.random.default_rng(seed)
    grade = np.arange(n) % len(GRADE_PD)
    sector = (np.arange(n) // len(GRADE_PD)) % 2
    pd_ = np.asarray(GRADE_PD)[grade]
    ead = rng.lognormal(0.0, 1.0, n)
    ead = ead / ead.sum() * 1000.0
    lgd = np.full(n, 0.45)
    loadings = np.column_stack([np.full(n, 0.40), np.where(sector == 0, 0.30, -0.30)])
    return ead, pd_, lgd, loadings


def run_ours(paths: int, contributions: bool) -> dict:
    from borrowedtime.credit.copula import CopulaModel

    ead, pd_, lgd, b = book()
    m = CopulaModel([f"o{i}" for i in range(ead.size)], ead, pd_, lgd, b)
    m.run(20_000, seed=1, contributions=contributions)  # numba compile (cached) and warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    r = m.run(paths, seed=0, contributions=contributions)
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "el": r.expected_loss, "var999": r.var_at(0.999), "es999": r.es_at(0.999), "groups": m.n_groups}


def run_baseline(paths: int, chunk: int = 10_000) -> dict:
    from scipy import stats

    ead, pd_, lgd, b = book()
    w = ead * lgd
    thr = stats.norm.ppf(pd_)
    sigma = np.sqrt(1.0 - (b**2).sum(axis=1))
    t0, c0 = time.perf_counter(), time.process_time()
    seqs = np.random.SeedSequence(0).spawn(-(-paths // chunk))
    losses = []
    for k, seq in enumerate(seqs):
        n = min(chunk, paths - k * chunk)
        rng = np.random.default_rng(seq)
        z = rng.standard_normal((n, 2))
        x = z @ b.T + sigma * rng.standard_normal((n, ead.size))
        losses.append((x < thr) @ w)
    loss = np.concatenate(losses)
    var = float(np.quantile(loss, 0.999, method="inverted_cdf"))
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "el": float(loss.mean()),
            "var999": var, "es999": float(loss[loss >= var].mean())}


def _child(kind: str, paths: int) -> dict:
    if kind == "ours":
        out = run_ours(paths, contributions=False)
    elif kind == "ours+contrib":
        out = run_ours(paths, contributions=True)
    else:
        out = run_baseline(paths)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return out




def _spawn(args: list[str], python: str = sys.executable) -> dict:
    res = subprocess.run([python, *args], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--baseline-paths", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline-repeats", type=int, default=1)
    ap.add_argument("--child", choices=["ours", "ours+contrib", "baseline"])
    ap.add_argument("--peer", action="store_true", help="also run creditriskengine from benchmarks/.env-credit")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.paths)))
        return
    rows = []
    for kind, paths in (("ours", a.paths), ("ours+contrib", a.paths), ("baseline", a.baseline_paths)):
        n_rep = a.baseline_repeats if kind == "baseline" else a.repeats
        runs = [_spawn([__file__, "--child", kind, "--paths", str(paths)]) for _ in range(n_rep)]
        rows.append((kind, paths, runs))
        med = statistics.median(r["wall"] for r in runs)
        print(f"{kind}: {paths:,} paths, median wall {med:.2f} s", file=sys.stderr)
    peer_note = "creditriskengine: not run (no benchmarks/.env-credit)."
    if a.peer and PEER_PY.exists():
        peer_note = _peer(a)
    write(rows, a, peer_note)


def _peer(a) -> str:
    script = HERE / "peer_credit_run.py"
    runs = []
    for _ in range(a.baseline_repeats):
        runs.append(_spawn([str(script), "--paths", str(a.paths)], python=str(PEER_PY)))
    med = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    r0 = runs[0]
    return (f"creditriskengine {r0['version']} ({r0['what']}): {a.paths:,} paths, median wall {med:.2f} s, "
            f"CPU {cpu:.2f} s, peak RSS {max(r['rss_mb'] for r in runs):,.0f} MB; "
            f"EL {r0['el']:.3f}, VaR 99.9 % {r0['var999']:.2f}, ES 99.9 % {r0['es999']:.2f} USD bn.")


def write(rows, a, peer_note: str) -> None:
    load = os.getloadavg()
    lines = [
        "# Copula Monte Carlo of a loan book: benchmark",
        "",
        f"Written by `benchmarks/bench_credit.py --paths {a.paths} --baseline-paths {a.baseline_paths} "
        f"--repeats {a.repeats} --baseline-repeats {a.baseline_repeats}{' --peer' if a.peer else ''}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores shared with other "
        f"jobs (load average at the end {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}).",
        "",
        "Book: 1,000 obligors, 7 grades x 2 sectors, two factors, LGD 45 %, exposures summing to 1,000 USD bn. "
        f"Median of {a.repeats} runs ({a.baseline_repeats} for the baseline and the peer) in fresh processes; CPU = user + system seconds of the process (all threads); "
        "peak RSS = largest `ru_maxrss`.",
        "",
        "| implementation | scenarios | wall s (median) | CPU s (median) | peak RSS MB | EL | VaR 99.9 % | ES 99.9 % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"ours": "borrowedtime `CopulaModel.run` (loss distribution)",
             "ours+contrib": "borrowedtime, plus Euler contributions (second pass)",
             "baseline": "straightforward NumPy/SciPy (one normal per obligor)"}
    for kind, paths, runs in rows:
        lines.append(
            f"| {names[kind]} | {paths:,} | {statistics.median(r['wall'] for r in runs):.2f} | "
            f"{statistics.median(r['cpu'] for r in runs):.2f} | {max(r['rss_mb'] for r in runs):,.0f} | "
            f"{runs[0]['el']:.3f} | {runs[0]['var999']:.2f} | {runs[0]['es999']:.2f} |")
    lines += ["", peer_note, ""]
    RESULTS.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
