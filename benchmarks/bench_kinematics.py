"""Filtered kinematics on a panel vs statsmodels' per-series Kalman filter.

A seeded panel of synthetic monthly series (log random walks whose growth
drifts, plus a fixed seasonal pattern and noise) goes through
``KinematicsModel(seasonal=...).fit(panel)`` in one vectorised pass. The
reference is statsmodels' state-space ``KalmanFilter`` on the same model and
parameters (system matrices from ``borrowedtime.monitor.statespace._system``; the
tests check those against an independent Van Loan construction), run one
series at a time over a seeded sample of columns; its time is extrapolated
to the whole panel and its filtered states are compared with ours.

Timings are medians over ``--runs`` runs. Peak memory is measured in a fresh
subprocess per setting (one fit): ``ru_maxrss`` of the whole process (Python,
the panel and the fit) and the ``tracemalloc`` peak of the fit alone.

Usage::

    .venv/bin/python benchmarks/bench_kinematics.py            # full: 10,000 x 600
    .venv/bin/python benchmarks/bench_kinematics.py --n-series 200 --runs 2 --out -
    .venv/bin/python benchmarks/bench_kinematics.py --profile --runs 9   # where a warm fit's CPU goes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import scipy
import statsmodels
from statsmodels.tsa.statespace.kalman_filter import KalmanFilter

from borrowedtime.monitor._kalman import kalman_filter_shared
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.statespace import _system

HERE = Path(__file__).resolve().parent
DIFFUSE = 1e7  # the prior of KinematicsModel: P0 = 1e7 I
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def make_panel(n_series: int, n_obs: int, seed: int) -> pd.DataFrame:
    """Seeded monthly panel: log random walks with drifting growth, a season and noise."""
    rng = np.random.default_rng(seed)
    growth = 0.04 / 12 + np.cumsum(rng.normal(0.0, 0.0008, (n_obs, n_series)), axis=0)
    pattern = rng.normal(0.0, 0.02, (12, n_series))
    pattern -= pattern.mean(axis=0)
    log_y = np.log(100.0) + np.cumsum(growth, axis=0) + pattern[np.arange(n_obs) % 12]
    log_y += rng.normal(0.0, 0.004, (n_obs, n_series))
    index = pd.date_range("1975-01-01", periods=n_obs, freq="MS", name="date")
    return pd.DataFrame(np.exp(log_y), index=index, columns=[f"s{j:05d}" for j in range(n_series)])


def statsmodels_filter(log_y: np.ndarray, Z: np.ndarray, T: np.ndarray, Q: np.ndarray):
    """One series through a new statsmodels KalmanFilter: filtered states (n, m), covs (n, m, m).

    A new model per series on purpose: re-binding one ``KalmanFilter`` to the next
    series (statsmodels 0.15.0) kept filtering the first series' data with the new
    initial state, so that faster-looking loop computes the wrong numbers.
    """
    m = Z.size
    kf = KalmanFilter(k_endog=1, k_states=m, k_posdef=m)
    kf.bind(log_y[:, None].copy())
    kf["design"] = Z[None, :]
    kf["obs_cov"] = np.eye(1)
    kf["transition"] = T
    kf["selection"] = np.eye(m)
    kf["state_cov"] = Q
    a0 = np.zeros(m)
    a0[0] = log_y[0]
    kf.initialize_known(a0, DIFFUSE * np.eye(m))
    res = kf.filter()
    return res.filtered_state.T, np.moveaxis(res.filtered_state_cov, 2, 0)


def _high_water_mib() -> tuple[float, float]:
    """Current and peak resident set of this process (Linux /proc; else ru_maxrss twice).

    VmHWM, unlike ru_maxrss, is not inherited from the parent across fork + exec.
    """
    try:
        with open("/proc/self/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


def _median_time(fn, runs: int) -> tuple[float, list[float], object]:
    """Median wall time, all wall times, the last output; CPU seconds of the runs in ``_LAST_CPU``."""
    times, cpu, out = [], [], None
    for _ in range(runs):
        out = None  # let the previous result go before the next run
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    _LAST_CPU[:] = cpu
    return statistics.median(times), times, out


_LAST_CPU: list[float] = []


def profile(args: argparse.Namespace) -> None:
    """Where a warm fit's CPU time goes: the steps ``KinematicsModel`` calls, timed in place.

    Each named step of :mod:`borrowedtime.monitor.model` is wrapped with a CPU clock
    (``time.process_time``, all threads); "rest" is the fit's CPU time minus the named
    steps (the log of the panel, its missing-value mask, pandas and the result's
    assembly). Medians over ``--runs`` warm fits; printed, not written.
    """
    import borrowedtime.monitor.model as model_mod

    steps = ("scan_panel", "covariance_path", "run_mean_path", "_missing_patterns", "_effective_dof", "_system")
    spent: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **k):
            c0 = time.process_time()
            out = fn(*a, **k)
            if name == "_missing_patterns":  # a generator: time the patterns it yields
                out = list(out)
            spent[name] = spent.get(name, 0.0) + time.process_time() - c0
            return out
        return wrapper

    originals = {name: getattr(model_mod, name) for name in steps}
    for name, fn in originals.items():
        setattr(model_mod, name, timed(name, fn))
    panel = make_panel(args.n_series, args.n_obs, args.seed)
    try:
        for seasonal in args.seasonal or ["auto", "none"]:
            model = KinematicsModel(seasonal=seasonal)
            model.fit(panel.iloc[:, :5])
            rows: dict[str, list[float]] = {}
            for _ in range(args.runs):
                spent.clear()
                c0, t0 = time.process_time(), time.perf_counter()
                model.fit(panel)
                cpu, wall = time.process_time() - c0, time.perf_counter() - t0
                for name in steps:
                    rows.setdefault(name, []).append(spent.get(name, 0.0))
                rows.setdefault("rest", []).append(cpu - sum(spent.values()))
                rows.setdefault("fit, CPU-s", []).append(cpu)
                rows.setdefault("fit, wall s", []).append(wall)
            print(f"seasonal={seasonal}, {args.n_series:,} x {args.n_obs}, medians of {args.runs} warm fits, "
                  f"load {os.getloadavg()[0]:.2f}")
            for name, vals in rows.items():
                print(f"  {name:20s} {statistics.median(vals):.4f}")
    finally:
        for name, fn in originals.items():
            setattr(model_mod, name, fn)


def _memory_child(args: argparse.Namespace) -> None:
    """Fresh process: build the panel, fit once; report peak RSS and traced peak."""
    panel = make_panel(args.n_series, args.n_obs, args.seed)
    _, hwm_before = _high_water_mib()
    tracemalloc.start()
    KinematicsModel(seasonal=args.seasonal).fit(panel)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _, hwm_peak = _high_water_mib()
    record = {"rss_before_mib": hwm_before, "rss_peak_mib": hwm_peak}
    print(json.dumps({**record, "traced_peak_mib": traced_peak / 2**20}))


def _first_fit_child(args: argparse.Namespace) -> None:
    """Fresh process: the kernels loaded by a 5-series fit, then three fits of the panel, each timed
    (wall, CPU = user + system of all threads, system alone, minor page faults)."""
    panel = make_panel(args.n_series, args.n_obs, args.seed)
    model = KinematicsModel(seasonal=args.seasonal)
    model.fit(panel.iloc[:, :5])
    runs = []
    for _ in range(3):
        r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        model.fit(panel)
        wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
        runs.append({"wall": wall, "cpu": r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime,
                     "sys": r1.ru_stime - r0.ru_stime, "faults": r1.ru_minflt - r0.ru_minflt})
    print(json.dumps(runs))


def _measure_first_fit(args: argparse.Namespace, seasonal: str) -> dict:
    cmd = [sys.executable, __file__, "--first-child", "--seasonal", seasonal, "--n-series", str(args.n_series),
           "--n-obs", str(args.n_obs), "--seed", str(args.seed)]
    firsts, warms = [], []
    for _ in range(args.runs):
        runs = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        firsts.append(runs[0])
        warms.extend(runs[1:])
    med = {k: statistics.median(r[k] for r in firsts) for k in firsts[0]}
    wmed = {k: statistics.median(r[k] for r in warms) for k in warms[0]}
    return {"first": med, "warm": wmed}


def _measure_memory(args: argparse.Namespace, seasonal: str) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--memory-child",
        "--seasonal",
        seasonal,
        "--n-series",
        str(args.n_series),
        "--n-obs",
        str(args.n_obs),
        "--seed",
        str(args.seed),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_setting(args: argparse.Namespace, panel: pd.DataFrame, seasonal: str) -> dict:
    model = KinematicsModel(seasonal=seasonal)
    ours, ours_all, result = _median_time(lambda: model.fit(panel), args.runs)
    ours_cpu_all = list(_LAST_CPU)
    # The same fit with numba's kernels on one thread (numba.set_num_threads(1)), same process.
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one_wall, _, _ = _median_time(lambda: model.fit(panel), args.runs)
        one_cpu = statistics.median(_LAST_CPU)
    finally:
        numba.set_num_threads(threads)

    # The same model and parameters for statsmodels (and for the bare kernel).
    n = panel.shape[0]
    T, Q, Z = _system(np.full(n, 1 / 12), result.q, result.season, result.q_s)
    m = Z.size
    log_y = result.log_level  # (N, n)
    a0 = np.zeros((log_y.shape[0], m))
    a0[:, 0] = log_y[:, 0]
    kernel, _, _ = _median_time(
        lambda: kalman_filter_shared(log_y, T, Q, Z, a0, DIFFUSE * np.eye(m), np.ones(n, bool)),
        args.runs,
    )

    sample = np.sort(
        np.random.default_rng(args.seed + 1).choice(panel.shape[1], args.sample, replace=False)
    )

    def loop():
        return [statsmodels_filter(log_y[i], Z, T[1], Q[1]) for i in sample]

    sm_sample, _, sm_out = _median_time(loop, args.runs)
    sm_cpu = statistics.median(_LAST_CPU) / sample.size * panel.shape[1]
    ours_cpu = statistics.median(ours_cpu_all)
    sm_per_series = sm_sample / sample.size
    sm_extrapolated = sm_per_series * panel.shape[1]

    state_err = max(
        np.abs(result.filtered[i] - st[:, :3]).max()
        for i, (st, _) in zip(sample, sm_out, strict=True)
    )
    if result.season:
        state_err = max(
            state_err,
            max(
                np.abs(result.seasonal[i] - st[:, 3]).max()
                for i, (st, _) in zip(sample, sm_out, strict=True)
            ),
        )
    cov_rel = max(
        (
            np.abs(result.filtered_cov[i] - cv[:, :3, :3]) / np.maximum(np.abs(cv[:, :3, :3]), 1e-6)
        ).max()
        for i, (_, cv) in zip(sample, sm_out, strict=True)
    )
    memory = _measure_memory(args, seasonal)
    first = _measure_first_fit(args, seasonal)
    return {
        "ours_cpu": ours_cpu,
        "threads": threads,
        "one_wall": one_wall,
        "one_cpu": one_cpu,
        "ratio_cpu_one": sm_cpu / one_cpu,
        "ours_cpu_all": ours_cpu_all,
        "sm_cpu": sm_cpu,
        "ratio_cpu": sm_cpu / ours_cpu,
        "first": first,
        "seasonal": seasonal,
        "period": result.season or "none",
        "m": m,
        "ours_s": ours,
        "ours_all": ours_all,
        "kernel_s": kernel,
        "sm_sample_s": sm_sample,
        "sm_per_series_ms": sm_per_series * 1e3,
        "sm_extrapolated_s": sm_extrapolated,
        "ratio": sm_extrapolated / ours,
        "state_err": state_err,
        "cov_rel": cov_rel,
        **memory,
    }


def machine() -> dict:
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?"
            )
    except OSError:
        cpu = platform.processor() or "?"
    blas = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "statsmodels": statsmodels.__version__,
        "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
        "os": platform.platform(),
    }


def render(
    args: argparse.Namespace, command: str, info: dict, rows: list[dict], load: tuple
) -> str:
    N = f"{args.n_series:,}"
    cols = [f"seasonal={r['seasonal']} (period {r['period']}, m={r['m']})" for r in rows]

    def line(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(r) for r in rows) + " |"

    def target(r: dict) -> str:
        fast, small = r["ratio"] >= 100, r["rss_peak_mib"] < 2048
        return f"speed {'yes' if fast else 'NO'}, memory {'yes' if small else 'NO'}"

    table = [
        "| | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(rows),
        line(
            "ours: `KinematicsModel(seasonal=...).fit(panel)`, median s",
            lambda r: f"{r['ours_s']:.2f}",
        ),
        line(
            "dense NumPy reference filter (`kalman_filter_shared`, the smoother's path), median s",
            lambda r: f"{r['kernel_s']:.2f}",
        ),
        line(
            "statsmodels, new `KalmanFilter` per series: ms/series",
            lambda r: f"{r['sm_per_series_ms']:.2f}",
        ),
        line(
            f"statsmodels, same, x {N} (extrapolated) s", lambda r: f"{r['sm_extrapolated_s']:.1f}"
        ),
        line("**speed-up**: statsmodels est. / ours fit, wall", lambda r: f"**{r['ratio']:.1f}x**"),
        line("ours: CPU-s of the fit (numba threads: default), median",
             lambda r: f"{r['ours_cpu']:.3f} ({r['threads']} threads)"),
        line(f"statsmodels: CPU-s x {N} (extrapolated)", lambda r: f"{r['sm_cpu']:.1f}"),
        line("**speed-up by CPU-s**: statsmodels / ours", lambda r: f"**{r['ratio_cpu']:.0f}x**"),
        line("ours on one numba thread (`numba.set_num_threads(1)`): CPU-s / wall s, median",
             lambda r: f"{r['one_cpu']:.3f} / {r['one_wall']:.2f}"),
        line("speed-up by CPU-s, one thread: statsmodels / ours", lambda r: f"{r['ratio_cpu_one']:.0f}x"),
        line("fresh process: first fit, wall s / CPU-s / system s / minor faults (median of runs)",
             lambda r: "{wall:.2f} / {cpu:.2f} / {sys:.2f} / {faults:,.0f}".format(**r["first"]["first"])),
        line("same processes: 2nd and 3rd fits, wall s / CPU-s / system s / minor faults (median)",
             lambda r: "{wall:.2f} / {cpu:.2f} / {sys:.2f} / {faults:,.0f}".format(**r["first"]["warm"])),
        line("first / warm, wall and CPU-s", lambda r: f"{r['first']['first']['wall'] / r['first']['warm']['wall']:.2f}x, "
             f"{r['first']['first']['cpu'] / r['first']['warm']['cpu']:.2f}x"),
        line(
            "statsmodels est. / dense NumPy reference",
            lambda r: f"{r['sm_extrapolated_s'] / r['kernel_s']:.1f}x",
        ),
        line(
            "**peak RSS**, fresh process, one fit, MiB (before the fit)",
            lambda r: f"**{r['rss_peak_mib']:,.0f}** ({r['rss_before_mib']:,.0f})",
        ),
        line(
            "fit's own allocations, tracemalloc peak, MiB", lambda r: f"{r['traced_peak_mib']:,.0f}"
        ),
        line(
            f"max abs diff, filtered states, {args.sample} series",
            lambda r: f"{r['state_err']:.1e}",
        ),
        line("max rel diff, filtered covariances (floor 1e-6)", lambda r: f"{r['cov_rel']:.1e}"),
        line("target met (>= 100x wall, < 2 GiB)", target),
        line("all runs of fit(panel), CPU-s", lambda r: ", ".join(f"{t:.2f}" for t in r["ours_cpu_all"])),
        line("all runs of fit(panel), s", lambda r: ", ".join(f"{t:.2f}" for t in r["ours_all"])),
    ]
    blas_threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset (OpenBLAS default)")
    head = [
        "# Kinematics: panel filter vs statsmodels, per-series loop",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: nproc {info['nproc']} ({info['cpu']}), {info['os']}; Python {info['python']}, "
        f"NumPy {info['numpy']} ({info['blas']}; OPENBLAS_NUM_THREADS {blas_threads}), "
        f"SciPy {info['scipy']}, pandas {info['pandas']}, statsmodels {info['statsmodels']}. "
        f"Load average (1 min): {load[0]:.2f} at start, {load[1]:.2f} at end.",
        "",
        f"Panel: {N} synthetic monthly series x {args.n_obs} months (seed {args.seed}): log random "
        "walks with drifting growth, a fixed seasonal pattern and noise. Timings are medians of "
        f"{args.runs} runs. statsmodels runs the same model and parameters "
        f"(`statsmodels.tsa.statespace.kalman_filter.KalmanFilter`, `initialize_known(a0, 1e7 I)`) "
        f"on {args.sample} seeded columns, one at a time; its time is scaled by {N}/{args.sample}. "
        "(A new model per series: re-binding one `KalmanFilter` to the next series kept the "
        "first series' data in statsmodels 0.15.0.) The differences below compare statsmodels "
        "with ours on those columns (states: level, velocity, acceleration and the seasonal, absolute; "
        "covariances in units of the noise variance, relative to max(|entry|, 1e-6)).",
        "",
        "Peak RSS: VmHWM of a fresh process that builds the panel and runs one fit (includes the "
        "interpreter, imports and the panel; the figure in brackets is before the fit). "
        "tracemalloc: peak of the fit's own allocations.",
        "",
    ]
    return "\n".join(head + table) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-series", type=int, default=10_000)
    parser.add_argument("--n-obs", type=int, default=600)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=20, help="series timed through statsmodels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seasonal",
        action="append",
        choices=["auto", "none"],
        help="setting(s) to run; default: auto and none",
    )
    parser.add_argument(
        "--out",
        default=str(HERE / "results_kinematics.md"),
        help="markdown file to write ('-' for none)",
    )
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="print where a warm fit's CPU time goes, then stop")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args)
        return
    if args.first_child:
        args.seasonal = (args.seasonal or ["auto"])[0]
        _first_fit_child(args)
        return
    if args.memory_child:
        args.seasonal = (args.seasonal or ["auto"])[0]
        _memory_child(args)
        return
    raw = sys.argv[1:] if argv is None else argv
    env = [f"{k}={os.environ[k]}" for k in _THREAD_VARS if k in os.environ]
    command = shlex.join([*env, ".venv/bin/python", "benchmarks/bench_kinematics.py", *raw])
    load_before = os.getloadavg()[0]
    panel = make_panel(args.n_series, args.n_obs, args.seed)
    rows = [bench_setting(args, panel, s) for s in (args.seasonal or ["auto", "none"])]
    table = render(args, command, machine(), rows, (load_before, os.getloadavg()[0]))
    print(table)
    if args.out != "-":
        Path(args.out).write_text(table)


if __name__ == "__main__":
    main()
