"""Benchmark the hybrid-ARM cohort model (issue 5): 10 million loans x 84 months, and the kernel twins.

Run from the project root (reads ../shared/data):

    .venv/bin/python benchmarks/bench_arm.py [--loans 10000000] [--repeats 3] [--sample 2000]

Two measurements, each the median of ``--repeats`` runs:

1. the whole model, ``ArmSpec().run(case_shiller, n_loans)`` with the numba
   kernel on all CPUs, each run in a fresh subprocess so its peak resident
   memory (``ru_maxrss``) is its own; numba's compile is cached and excluded
   by a warm-up run;
2. the hot loop on a sample of loans: the numba kernel against the plain
   per-loan Python loop (the reference twin) on the same random draws, which
   must give identical results.

The results are appended to ``benchmarks/results_arm.md``.
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
PRICES = Path("../shared/data/case_shiller_us_national_monthly.csv")


def _load():
    from borrowedtime.series import load_series

    return load_series(PRICES, column="National-US")


def one_run(n_loans: int, seed: int) -> None:
    """Child process: one full run; prints JSON with seconds and peak RSS."""
    from borrowedtime.treadmill.arm import ArmSpec

    prices = _load()
    ArmSpec(vintages=(2003,)).run(prices, n_loans=1200, seed=0)  # compile / load the numba cache
    start = time.perf_counter()
    result = ArmSpec().run(prices, n_loans=n_loans, seed=seed)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    frame = result.to_frame()
    print(json.dumps({
        "seconds": seconds,
        "peak_rss_mb": peak_mb,
        "loans": result.n_loans,
        "refinanced_by_2006_end": frame["refinanced_by_2006_end"].round(4).to_dict(),
        "defaulted_by_2008_end": frame["defaulted_by_2008_end"].round(4).to_dict(),
        "reset_exposed": frame["reset_exposed"].round(4).to_dict(),
        "default_rate_turn": result.default_rate_turn().date().isoformat(),
    }))


def kernel_sample(n: int, repeats: int) -> dict:
    """Numba kernel vs the plain per-loan Python loop on the same draws of one 2005-01 vintage block."""
    from borrowedtime.treadmill import _kernels
    from borrowedtime.treadmill.arm import ArmSpec, balance_factor

    spec = ArmSpec()
    prices = _load()
    H = spec.horizon_months
    logp = np.log(prices["2005-01-01":].to_numpy())
    dlp = logp[1 : H + 1] - logp[0]
    bal = balance_factor(spec.teaser_rate, np.arange(1, H + 1))
    draws = spec._draw(np.random.default_rng(np.random.SeedSequence(0).spawn(1)[0]), n, H)
    shock = np.where(draws["reset_age"] == 24, *spec.shocks())
    args = (draws["ltv0"], draws["reset_age"], shock, draws["z"], draws["u"], dlp, bal, H,
            spec.idio_vol / np.sqrt(12), spec.ltv_limit, spec.refi_cost, spec.prepay_penalty,
            np.full(H, spec.refi_intensity), spec.base_hazard, spec.beta_equity, spec.beta_shock)

    def timed(kernel):
        times, out = [], None
        for _ in range(repeats):
            out = (np.zeros(n, np.int32), np.zeros(n, np.int8), np.zeros(n, np.bool_))
            t = time.perf_counter()
            kernel(*args, *out)
            times.append(time.perf_counter() - t)
        return statistics.median(times), out

    _kernels.simulate_loans(*args, np.zeros(n, np.int32), np.zeros(n, np.int8), np.zeros(n, np.bool_))
    t_numba, out_numba = timed(_kernels.simulate_loans)
    t_python, out_python = timed(_kernels.simulate_loans_python)
    identical = all(np.array_equal(a, b) for a, b in zip(out_numba, out_python, strict=True))
    return {"sample_loans": n, "numba_s": t_numba, "python_s": t_python, "ratio": t_python / t_numba,
            "identical": identical}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="Do not append to results_arm.md.")
    args = parser.parse_args()
    if args.child:
        one_run(args.loans, args.seed)
        return

    runs = []
    for k in range(args.repeats):
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--loans", str(args.loans), "--seed", str(args.seed)],
            check=True, capture_output=True, text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"run {k + 1}: {runs[-1]['seconds']:.1f} s, peak {runs[-1]['peak_rss_mb']:.0f} MB", file=sys.stderr)
    same = all(r["refinanced_by_2006_end"] == runs[0]["refinanced_by_2006_end"] for r in runs)
    sample = kernel_sample(args.sample, args.repeats)
    secs = [r["seconds"] for r in runs]
    mem = [r["peak_rss_mb"] for r in runs]
    loan_months = runs[0]["loans"] * 84
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba

    lines = [
        f"## Hybrid-ARM cohorts (treadmill.arm), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_arm.py --loans {args.loans} --repeats {args.repeats} "
        f"--sample {args.sample}`  ",
        f"Machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, NumPy {np.__version__}, "
        f"numba {numba.__version__}",
        "",
        "| measurement | median | runs |",
        "| --- | --- | --- |",
        f"| full model, {runs[0]['loans']:,} loans x 84 months, numba, {os.cpu_count()} threads | "
        f"{statistics.median(secs):.1f} s | {', '.join(f'{s:.1f}' for s in secs)} s |",
        f"| peak resident memory of that run | {statistics.median(mem):,.0f} MB | "
        f"{', '.join(f'{m:,.0f}' for m in mem)} MB |",
        f"| throughput | {loan_months / statistics.median(secs) / 1e6:,.0f} M loan-months/s | |",
        f"| kernel, {sample['sample_loans']:,} loans: numba | {sample['numba_s'] * 1e3:.2f} ms | |",
        f"| kernel, same loans: plain per-loan Python loop | {sample['python_s'] * 1e3:,.0f} ms | |",
        f"| Python loop / numba | {sample['ratio']:,.0f}x | |",
        "",
        f"Identical results for identical seeds: numba vs Python loop on the sample: {sample['identical']}; "
        f"vintage shares equal across the {args.repeats} full runs (seed {args.seed}): {same}.  ",
        f"Full run, seed {args.seed}: 2003 vintage refinanced by 2006-12: "
        f"{runs[0]['refinanced_by_2006_end']['2003']:.3f}; default rate turned up {runs[0]['default_rate_turn']}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with open(HERE / "results_arm.md", "a") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
