"""Panel kinematics on one machine: local fit vs fit_panel_dask on threads and on a LocalCluster(2).

Each (size, backend) runs in a fresh child process so that peak memory is its
own. Measured: wall time (median of ``--runs``), CPU seconds of the client and
of the workers, series per second, peak resident memory (VmHWM) of the client
and of each worker, and -- for the cluster -- its start-up time (reported
apart: the target is that a LocalCluster costs no more than its start-up over
the local fit). Results are checked equal to the local fit on a sample of
series. Writes ``benchmarks/results_panel_dask.md``.

    .venv/bin/python benchmarks/bench_panel_dask.py --sizes 10000 100000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _hwm_mib() -> float:
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmHWM"].split()[0]) / 1024


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _usage() -> tuple[float, float, int]:
    """(CPU s, of which system s, minor page faults) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_stime, r.ru_minflt


def child(backend: str, n_series: int, n_obs: int, runs: int, seed: int) -> dict:
    from bench_kinematics import make_panel

    from borrowedtime.monitor.distributed import fit_panel_dask
    from borrowedtime.monitor.model import KinematicsModel

    model = KinematicsModel()  # seasonal "auto": monthly data get the 12-month seasonal
    panel = make_panel(n_series, n_obs, seed)
    model.fit(panel.iloc[:, :50])  # compile / load the numba cache
    out: dict = {"backend": backend, "n_series": n_series, "n_obs": n_obs}
    client = cluster = None
    if backend == "cluster":
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
        out["startup_s"] = time.perf_counter() - t0
        fit_panel_dask(model, panel.iloc[:, :50], client=client)  # warm the workers (numba cache)
        w0 = np.sum(list(client.run(_usage).values()), axis=0)

    def once():
        if backend == "local":
            return model.fit(panel)
        if backend == "threads":
            return fit_panel_dask(model, panel)
        return fit_panel_dask(model, panel, client=client)

    times = []
    u0 = np.array(_usage())
    res = None
    for _ in range(runs):
        res = None
        t0 = time.perf_counter()
        res = once()
        times.append(time.perf_counter() - t0)
    out["wall_s"] = statistics.median(times)
    out["walls"] = times
    du = (np.array(_usage()) - u0) / runs
    out["client_cpu_s"], out["client_sys_s"], out["client_minflt"] = du.tolist()
    out["series_per_s"] = n_series / out["wall_s"]
    out["client_peak_mib"] = _hwm_mib()
    if client is not None:
        dw = (np.sum(list(client.run(_usage).values()), axis=0) - w0) / runs
        out["worker_cpu_s"], out["worker_sys_s"], out["worker_minflt"] = dw.tolist()
        out["worker_peak_mib"] = sorted(client.run(_hwm_mib).values())
        # the load of the shared machine moves between rows: time the local fit and the cluster
        # alternately in this process too (after the peaks above, which these runs would mix)
        pairs: list[tuple[float, float]] = []
        for _ in range(runs):
            walls = []
            for fn in (lambda: model.fit(panel), once):
                res = None
                t0 = time.perf_counter()
                res = fn()
                walls.append(time.perf_counter() - t0)
            pairs.append((walls[0], walls[1]))
        out["paired_local_s"] = statistics.median(p[0] for p in pairs)
        out["paired_cluster_s"] = statistics.median(p[1] for p in pairs)
        client.close()
        cluster.close()
    sample = np.random.default_rng(seed).choice(n_series, 20, replace=False)
    ref = model.fit(panel.iloc[:, sample])
    fields = ("filtered", "filtered_cov", "sigma2", "dof", "seasonal", "innovation", "innovation_var",
              "log_level", "observed")
    out["equal_to_local"] = res.names == tuple(panel.columns) and all(
        np.array_equal(getattr(res, f)[sample], getattr(ref, f), equal_nan=True) for f in fields
    )
    out["cov_shared_view"] = bool(res.filtered_cov.strides[0] == 0)
    return out


def render(rows: list[dict], cmd: str, load_start: tuple[float, ...]) -> str:
    from _results import machine

    lines = [
        "# Panel kinematics on Dask: one machine",
        "",
        f"Written by `{cmd}` on {machine()}, at the start "
        f"{'/'.join(f'{x:.1f}' for x in load_start)}; other helpers' jobs were running on the same 2 cores, so",
        "times are indicative. Seeded monthly panels of 600 observations (`bench_kinematics.make_panel`),",
        "`KinematicsModel()` (seasonal auto: 12-month seasonal). Each row is a fresh process; wall time",
        "is the median of the runs; CPU seconds are per run (client process, and the sum over workers),",
        "with the system (kernel) part and the minor page faults (thousands) beside them.",
        "Peak memory is VmHWM (the panel itself is 8 bytes x series x 600 in the client). 'equal' checks",
        "every per-series field (`filtered`, `filtered_cov`, `sigma2`, `dof`, `seasonal`, `innovation`,",
        "`innovation_var`, `log_level`, `observed`) bit for bit against the local fit of 20 sampled",
        "series, and the names. Backends: `local` is `model.fit(panel)`; `threads` is",
        "`fit_panel_dask(model, panel)` without a client (chunks of 10,000 series in turn, the numba kernel",
        "on both cores); `cluster` is a `LocalCluster(n_workers=2, threads_per_worker=1)` of processes",
        "(one numba thread per worker). The cluster's result arrays live in `/dev/shm` (shared memory,",
        "counted by `free` as shared), so they are not in the client's peak until they are read.",
        "",
        "| series | backend | wall s | series/s | client CPU s (sys) | worker CPU s (sys) "
        "| client / worker faults k | cluster start-up s | client peak MiB | worker peaks MiB | equal "
        "| cov shared |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    paired = []
    for r in rows:
        worker = "-"
        faults = f"{r['client_minflt'] / 1e3:,.0f}"
        if "worker_cpu_s" in r:
            worker = f"{r['worker_cpu_s']:.2f} ({r['worker_sys_s']:.2f})"
            faults += f" / {r['worker_minflt'] / 1e3:,.0f}"
        startup = f"{r['startup_s']:.2f}" if "startup_s" in r else "-"
        peaks = ", ".join(f"{m:,.0f}" for m in r.get("worker_peak_mib", [])) or "-"
        lines.append(
            f"| {r['n_series']:,} | {r['backend']} | {r['wall_s']:.2f} | {r['series_per_s']:,.0f} | "
            f"{r['client_cpu_s']:.2f} ({r['client_sys_s']:.2f}) | {worker} | {faults} | {startup} | "
            f"{r['client_peak_mib']:,.0f} | {peaks} | {r['equal_to_local']} | {r['cov_shared_view']} |"
        )
        if "paired_local_s" in r:
            extra = r["paired_cluster_s"] - r["paired_local_s"]
            paired.append(
                f"| {r['n_series']:,} | {r['paired_local_s']:.2f} | {r['paired_cluster_s']:.2f} | "
                f"{extra:+.2f} | {r['startup_s']:.2f} | {'yes' if extra <= r['startup_s'] else 'no'} |"
            )
    if paired:
        lines += [
            "",
            "Local fit and cluster timed alternately in the cluster's process (same moments of the",
            "machine's load; medians of the runs). Target: the cluster costs no more than its start-up",
            "over the local fit.",
            "",
            "| series | local s | cluster s | cluster - local s | start-up s | target met |",
            "|---:|---:|---:|---:|---:|---|",
            *paired,
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--n-obs", type=int, default=600)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--child", nargs=2, metavar=("BACKEND", "N"))
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.n_obs, args.runs, args.seed)))
        return
    rows = []
    load_start = os.getloadavg()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for n in args.sizes:
        for backend in ("local", "threads", "cluster"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", backend, str(n), "--n-obs", str(args.n_obs),
                 "--runs", str(args.runs), "--seed", str(args.seed)],
                capture_output=True, text=True, check=True, env=env,
            )
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(rows[-1], file=sys.stderr)
    cmd = "python benchmarks/bench_panel_dask.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = render(rows, cmd.strip(), load_start)
    (HERE / "results_panel_dask.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
