"""Score the monitor, the named baseline and the naive rule on the FRED-MD panel (issue 11, item 3).

Every rule is scored by the same definitions (:mod:`borrowedtime.scoring`): a turn is
the first month YoY growth is negative after >= 24 months positive; it is anticipated
when a call stands six months before it and began at most 24 months before it; a false
alarm is a call with no turn within 24 months of its start. The panel is the 98 strictly
positive series of ``../shared/data/fred_md_107_monthly_1959_2019.csv`` (final-vintage
data, so no release lag is applied: the scores are an upper bound on what a user of
first releases would have seen).

The monitor's default settings were fixed by stated principles before any score was
seen (cutoff: the shortest business cycle; horizon: the 2/28 teaser period; confidence:
IPCC "very likely"; scale memory: the seven years of X-13's seasonal filter); the
baseline's are the issue's. The other monitor settings below
are the sensitivity runs we tried, all reported, none chosen by score.

Run from the project root::

    .venv/bin/python benchmarks/bench_monitor_panel.py

It rewrites ``benchmarks/results_monitor_panel.md``.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import pandas as pd

from borrowedtime.backtest import MONITOR, score_panel, summarise_panel
from borrowedtime.datasets import reference_path
from borrowedtime.kinematics import KinematicsModel
from borrowedtime.regimes import RegimeRule

OUT = Path(__file__).resolve().parent / "results_monitor_panel.md"

# (label, model, rule): the first is the default; the rest are every other setting tried.
SETTINGS = [
    ("default (cutoff 1.5 y, H 2 y, confidence 0.9, scale memory 7 y)", KinematicsModel(), RegimeRule()),
    ("expanding scale (the filter before issue 11)", KinematicsModel(scale_memory_years=None), RegimeRule()),
    ("AR(1) cycle for momentum (momentum='ar1')", KinematicsModel(momentum="ar1"), RegimeRule()),
    ("confidence 0.8", KinematicsModel(), RegimeRule(confidence=0.8)),
    ("horizon 1 y", KinematicsModel(), RegimeRule(horizon_years=1.0)),
    ("horizon inf (sign of S'')", KinematicsModel(), RegimeRule(horizon_years=float("inf"))),
    ("cutoff 3 y", KinematicsModel(cutoff_years=3.0), RegimeRule()),
    ("no seasonal component", KinematicsModel(seasonal="none"), RegimeRule()),
]


def load_panel() -> pd.DataFrame:
    d = pd.read_csv(reference_path("fred_md"), index_col=0, parse_dates=True)
    return d.loc[:, (d > 0).all()]


def main() -> None:
    panel = load_panel()
    blocks = []
    peers = None
    for label, model, rule in SETTINGS:
        t0, c0 = time.perf_counter(), time.process_time()
        table = summarise_panel(score_panel(panel, model=model, rule=rule))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        mon = table[table.rule == MONITOR].iloc[0]
        blocks.append((label, mon, wall, cpu))
        if peers is None:
            peers = table
    fmt = "| {rule} | {turns} | {anticipated} | {share:.1%} | {lead:.1f} | {calls} | {fa} | {fa100:.2f} |"
    lines = [
        "# The monitor on the FRED-MD panel: timeliness and false alarms",
        "",
        f"Written by `benchmarks/bench_monitor_panel.py` on {pd.Timestamp.now('UTC'):%Y-%m-%d %H:%M} UTC; "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores shared with "
        "other jobs. Panel: the "
        f"{panel.shape[1]} strictly positive FRED-MD series, {panel.index[0]:%Y-%m} to {panel.index[-1]:%Y-%m}, "
        "final vintage (no release lag).",
        "",
        "Definitions (issue 11): turn = first month YoY growth < 0 after >= 24 months > 0; anticipated = a call "
        "standing 6 months before the turn and begun at most 24 months before it; lead = months from that call's "
        "start to the turn (median over anticipated turns, pooled); false alarm = a call with no turn within 24 "
        "months of its start.",
        "",
        "## Default settings, side by side",
        "",
        "| rule | turns | anticipated | share | median lead (months) | calls | false alarms | per 100 series-years |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in peers.itertuples(index=False):
        lines.append(fmt.format(rule=r.rule, turns=r.turns, anticipated=r.anticipated, share=r.anticipated_share,
                                lead=r.median_lead_months, calls=r.calls, fa=r.false_alarms,
                                fa100=r.false_alarms_per_100_series_years))
    lines += [
        "",
        "## Every monitor setting tried (the first is the default, fixed before scoring)",
        "",
        "| monitor setting | anticipated | share | median lead | false alarms per 100 series-years | wall s | CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, m, wall, cpu in blocks:
        lines.append(f"| {label} | {m.anticipated}/{m.turns} | {m.anticipated_share:.1%} | "
                     f"{m.median_lead_months:.1f} | {m.false_alarms_per_100_series_years:.2f} | {wall:.1f} | {cpu:.1f} |")
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
