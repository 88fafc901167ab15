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


def child(backend: str, n_series: int, n_obs: int, runs: int, seed: int) -> dict:
    from bench_kinematics import make_panel

    from borrowedtime.distributed import fit_panel_dask
    from borrowedtime.kinematics import KinematicsModel

    model = KinematicsModel()  # seasonal "auto": monthly data get the 12-month seasonal
    panel = make_panel(n_series, n_obs, seed)
    model.fit(panel.iloc[:, :50])  # compile / load the numba cache
    out: dict = {"backend": backend, "n_series": n_series, "n_obs": n_obs}
    client = cluster = None
    if backend == "cluster":
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        out["startup_s"] = time.perf_counter() - t0
        fit_panel_dask(model, panel.iloc[:, :50], client=client)  # warm the workers (numba cache)
        w_cpu0 = sum(client.run(_cpu).values())

    def once():
        if backend == "local":
            return model.fit(panel)
        if backend == "threads":
            return fit_panel_dask(model, panel)
        return fit_panel_dask(model, panel, client=client)

    times = []
    cpu0 = _cpu()
    res = None
    for _ in range(runs):
        res = None
        t0 = time.perf_counter()
        res = once()
        times.append(time.perf_counter() - t0)
    out["wall_s"] = statistics.median(times)
    out["walls"] = times
    out["client_cpu_s"] = (_cpu() - cpu0) / runs
    out["series_per_s"] = n_series / out["wall_s"]
    out["client_peak_mib"] = _hwm_mib()
    if client is not None:
        out["worker_cpu_s"] = (sum(client.run(_cpu).values()) - w_cpu0) / runs
        out["worker_peak_mib"] = sorted(client.run(_hwm_mib).values())
        client.close()
        cluster.close()
    sample = np.random.default_rng(seed).choice(n_series, 20, replace=False)
    ref = model.fit(panel.iloc[:, sample])
    out["equal_to_local"] = bool(
        np.array_equal(res.filtered[sample], ref.filtered)
        and np.array_equal(res.sigma2[sample], ref.sigma2, equal_nan=True)
        and np.array_equal(res.filtered_cov[sample], ref.filtered_cov)
    )
    out["cov_shared_view"] = bool(res.filtered_cov.strides[0] == 0)
    return out


def render(rows: list[dict], cmd: str) -> str:
    from _results import machine

    lines = [
        "# Panel kinematics on Dask: one machine",
        "",
        f"Written by `{cmd}` on {machine()}; other helpers' jobs were running on the same 2 cores, so",
        "times are indicative. Seeded monthly panels of 600 observations (`bench_kinematics.make_panel`),",
        "`KinematicsModel()` (seasonal auto: 12-month seasonal). Each row is a fresh process; wall time",
        "is the median of the runs; CPU seconds are per run (client process, and the sum over workers).",
        "Peak memory is VmHWM (the panel itself is 8 bytes x series x 600 in the client). 'equal' checks",
        "`filtered`, `sigma2` and `filtered_cov` bit for bit against the local fit on 20 sampled series.",
        "",
        "| series | backend | wall s | series/s | client CPU s | worker CPU s | cluster start-up s "
        "| client peak MiB | worker peaks MiB | equal | cov shared |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n_series']:,} | {r['backend']} | {r['wall_s']:.2f} | {r['series_per_s']:,.0f} | "
            f"{r['client_cpu_s']:.2f} | {r.get('worker_cpu_s', float('nan')):.2f} | "
            f"{r.get('startup_s', float('nan')):.2f} | {r['client_peak_mib']:,.0f} | "
            f"{', '.join(f'{m:,.0f}' for m in r.get('worker_peak_mib', [])) or '-'} | "
            f"{r['equal_to_local']} | {r['cov_shared_view']} |"
        )
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
    (HERE / "results_panel_dask.md").write_text(render(rows, cmd.strip()))
    print(render(rows, cmd.strip()))


if __name__ == "__main__":
    main()
