"""Run the `lppls` package (peer, benchmark-only) on the NASDAQ series, README configuration.

Runs in the peer environment only (``benchmarks/.env-peers``, see ``bench_lppls.py``);
never imported by borrowedtime. Writes every nested fit and the confidence
indicator to ``benchmarks/out/lppls_peer_<tag>.npz`` and prints the wall time.

    benchmarks/.env-peers/bin/python benchmarks/peer_lppls_run.py --tag run1
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from lppls import lppls

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "nasdaq_composite_daily_1994_2000.csv"
KEYS = ("t1", "t2", "tc", "m", "w", "a", "b", "c", "c1", "c2", "O", "D")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tag", default="run1")
    ap.add_argument("--last", type=int, default=0, help="only the last N outer windows (0: all)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    data = pd.read_csv(DATA)
    t = np.array([pd.Timestamp(d).toordinal() for d in data["Date"]], dtype=float)
    p = np.log(data["Adj Close"].to_numpy())
    obs = np.array([t, p])
    if args.last:
        obs = obs[:, -(120 + args.last - 1):]
    model = lppls.LPPLS(observations=obs)
    # warm the numba kernels in this process (the workers compile their own copies)
    model.fit(1, obs=obs[:, :60])
    t0 = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = model.mp_compute_nested_fits(
        workers=args.workers, window_size=120, smallest_window_size=30,
        outer_increment=1, inner_increment=5, max_searches=25,
    )
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    ind = model.compute_indicators(res)
    fits = np.array([[f[k] for k in KEYS] for r in res for f in r["res"]], dtype=float)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    np.savez(
        out / f"lppls_peer_{args.tag}.npz", fits=fits, keys=np.array(KEYS), wall=wall, cpu=cpu,
        t2=ind["time"].to_numpy(float), pos_conf=ind["pos_conf"].to_numpy(float),
        neg_conf=ind["neg_conf"].to_numpy(float),
    )
    print(f"peer lppls: {len(res)} outer windows, {len(fits)} fits, {wall:.1f} s wall, "
          f"{len(fits) / wall:.1f} fits/s, {cpu:.1f} CPU s in the workers")


if __name__ == "__main__":
    main()
