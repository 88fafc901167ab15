"""The screen's probability transform: every date's t CDF against thresholds on t statistics.

``Screen.run`` used to label each series by ``RegimeRule.classify``: a Student-t CDF
(``scipy.stats.t.cdf``) at every date of every series, twice (P(S' + H S'' < 0) and
P(S' > 0)), then compares the probabilities with the thresholds. It now uses
``RegimeRule.labels_and_calls`` (t statistics against t quantiles, the CDF only
within 1e-9 of a quantile) and ``RegimeRule.probabilities_at`` (the CDF at each
series' last date only). Both paths run here on the same fit, in the screen's blocks
of 1,000 series, alternately, ``--runs`` times each; medians of wall and CPU seconds.
The outputs are checked equal (labels, calls, last-date probabilities) before timing.

Usage::

    .venv/bin/python benchmarks/bench_screen_probability.py             # 10,000 x 600
    .venv/bin/python benchmarks/bench_screen_probability.py --n-series 500 --runs 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-series", type=int, default=10_000)
    ap.add_argument("--n-obs", type=int, default=600)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from bench_kinematics import make_panel

    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.monitor.regimes import RegimeRule
    from borrowedtime.monitor.screen import _last_observed, _slice

    load0 = os.getloadavg()
    kin = KinematicsModel().fit(make_panel(args.n_series, args.n_obs, seed=0))
    rule = RegimeRule()
    last = _last_observed(kin.observed)
    blocks = [(a, min(a + 1000, kin.n_series)) for a in range(0, kin.n_series, 1000)]

    def old():
        out = []
        for a, b in blocks:
            part = _slice(kin, a, b)
            reg = rule.classify(part)
            i = np.arange(b - a)
            out.append((reg.label_code, reg.call, reg.p_projected_negative[i, last[a:b]],
                        reg.p_velocity_positive[i, last[a:b]]))
        return out

    def new():
        out = []
        for a, b in blocks:
            part = _slice(kin, a, b)
            label, call = rule.labels_and_calls(part)
            i = np.arange(b - a)
            out.append((label, call, *rule.probabilities_at(part, i, last[a:b])))
        return out

    for x, y in zip(old(), new(), strict=True):
        for u, v in zip(x, y, strict=True):
            np.testing.assert_array_equal(u, v)
    times = {"old": ([], []), "new": ([], [])}
    for _ in range(args.runs):
        for name, fn in (("old", old), ("new", new)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[name][0].append(time.perf_counter() - t0)
            times[name][1].append(time.process_time() - c0)
    med = {k: (statistics.median(w), statistics.median(c)) for k, (w, c) in times.items()}
    load1 = os.getloadavg()
    print(f"Command: `.venv/bin/python benchmarks/bench_screen_probability.py --n-series {args.n_series} "
          f"--runs {args.runs}`; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; load average "
          f"{load0[0]:.1f} at the start, {load1[0]:.1f} at the end (1 min).\n")
    print(f"| {args.n_series:,} x {args.n_obs}, blocks of 1,000 | wall s (median) | CPU-s (median) | all CPU-s |")
    print("|---|---:|---:|---|")
    for name, label in (("old", "`classify` (t CDF at every date, twice)"),
                        ("new", "`labels_and_calls` + `probabilities_at`")):
        print(f"| {label} | {med[name][0]:.3f} | {med[name][1]:.3f} | "
              + ", ".join(f"{c:.2f}" for c in times[name][1]) + " |")
    print(f"| **old / new** | **{med['old'][0] / med['new'][0]:.1f}x** | **{med['old'][1] / med['new'][1]:.1f}x** | |")
    print("\nOutputs equal bit for bit (labels, calls, last-date probabilities).")


if __name__ == "__main__":
    main()
