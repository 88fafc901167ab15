"""Calibration of the monitor's one-step forecasts on the FRED-MD panel and the national index (issue 11).

Targets (issue 11): 90 % one-step intervals cover 87-93 % on the median series and
85-95 % on at least 80 % of series; 50 % intervals cover 45-55 % on the median; the
innovations' lag-1 autocorrelation |rho| <= 0.2 on the median series.

Run from the project root::

    .venv/bin/python benchmarks/bench_calibration.py

With ``--monitor`` it also scores the monitor's calls under the opt-in observation settings
(:func:`borrowedtime.monitor.backtest.score_panel`, the issue's turn / anticipation / false-alarm rules;
the national index with Case-Shiller's two-month release lag), beside the default.

It rewrites ``benchmarks/results_calibration.md`` with every model setting in SETTINGS
(``averaging=3``: Case-Shiller's three-month moving average, applied to FRED-MD too so
that every setting is scored on both; ``predictive``: the one-step predictive's shape).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from borrowedtime.datasets import reference_path
from borrowedtime.monitor.calibration import Calibration
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.series import load_series

OUT = Path(__file__).resolve().parent / "results_calibration.md"

SETTINGS = [
    ("trend + seasonal + white noise, expanding scale (before issue 11)", KinematicsModel(scale_memory_years=None)),
    ("same, scale memory 7 y (the default)", KinematicsModel(scale_memory_years=7.0)),
    ("+ AR(1) cycle (momentum), expanding scale", KinematicsModel(momentum="ar1", scale_memory_years=None)),
    ("+ AR(1) cycle, scale memory 7 y", KinematicsModel(momentum="ar1", scale_memory_years=7.0)),
    ("+ AR(1) cycle, scale memory 3 y", KinematicsModel(momentum="ar1", scale_memory_years=3.0)),
    ("+ AR(1) cycle, scale memory 15 y", KinematicsModel(momentum="ar1", scale_memory_years=15.0)),
    # issue 11, item 1: an index's three-month averaging with a white sampling error beside it
    ("3-month averaging (white latent noise) + sampling error, scale memory 7 y", KinematicsModel(averaging=3)),
    ("3-month averaging + AR(1) cycle + sampling error, scale memory 7 y",
     KinematicsModel(averaging=3, momentum="ar1")),
    ("3-month averaging + AR(1) cycle + sampling error, expanding scale",
     KinematicsModel(averaging=3, momentum="ar1", scale_memory_years=None)),
    # issue 11, item 2: the one-step predictive's shape from past standardised innovations (stated before scoring)
    ("default + fitted-t predictive", KinematicsModel(predictive="fitted-t")),
    ("default + empirical predictive", KinematicsModel(predictive="empirical")),
    ("+ AR(1) cycle, fitted-t predictive", KinematicsModel(momentum="ar1", predictive="fitted-t")),
    ("3-month averaging + AR(1) cycle, fitted-t predictive",
     KinematicsModel(averaging=3, momentum="ar1", predictive="fitted-t")),
    ("3-month averaging + AR(1) cycle, empirical predictive",
     KinematicsModel(averaging=3, momentum="ar1", predictive="empirical")),
]


def _row(label: str, f: pd.DataFrame, wall: float, cpu: float) -> str:
    c90 = f["coverage_0.9"]
    in_band = ((c90 >= 0.85) & (c90 <= 0.95)).mean()
    return (
        f"| {label} | {len(f)} | {f['coverage_0.5'].median():.1%} | {f['coverage_0.8'].median():.1%} | "
        f"{c90.median():.1%} | {in_band:.0%} | {f['innovation_acf1'].median():+.2f} | "
        f"{f['innovation_sd'].median():.2f} | {(f['ljung_box_pvalue'] < 0.05).mean():.0%} | {wall:.1f} | {cpu:.1f} |"
    )


def main() -> None:
    d = pd.read_csv(reference_path("fred_md"), index_col=0, parse_dates=True)
    panel = d.loc[:, (d > 0).all()]
    national = load_series(reference_path("case_shiller"), column="National-US")
    lines = [
        "# Calibration of the monitor's real-time one-step forecasts",
        "",
        f"Written by `benchmarks/bench_calibration.py` on {pd.Timestamp.now('UTC'):%Y-%m-%d %H:%M} UTC; "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores shared with other "
        f"jobs. FRED-MD: the {panel.shape[1]} strictly positive series, {panel.index[0]:%Y-%m} to "
        f"{panel.index[-1]:%Y-%m}; national: Case-Shiller U.S. National NSA (`National-US`).",
        "",
        "Targets (issue 11): 90 % intervals cover 87-93 % on the median series and 85-95 % on >= 80 % of "
        "series; 50 % intervals 45-55 % on the median; median |lag-1 autocorrelation| <= 0.2.",
        "",
        "| setting / data | series | cov. 50 % (median) | cov. 80 % | cov. 90 % | share of series with 90 % in 85-95 % "
        "| innovation acf(1) (median) | innovation sd | Ljung-Box p < 0.05 | wall s | CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, model in SETTINGS:
        for name, data in (("FRED-MD", panel), ("national", national)):
            t0, c0 = time.perf_counter(), time.process_time()
            res = Calibration(model=model).fit(data)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            lines.append(_row(f"{label} / {name}", res.to_frame(), wall, cpu))
    if "--monitor" in sys.argv:
        lines += _monitor_lines(panel, national)
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


MONITOR_SETTINGS = [
    ("default", KinematicsModel()),
    ("AR(1) cycle (momentum='ar1')", KinematicsModel(momentum="ar1")),
    ("3-month averaging + sampling error (averaging=3)", KinematicsModel(averaging=3)),
    ("3-month averaging + AR(1) cycle + sampling error", KinematicsModel(averaging=3, momentum="ar1")),
]


def _monitor_lines(panel: pd.DataFrame, national: pd.Series) -> list[str]:
    """The monitor's calls under each observation model (the predictive shape does not move them)."""
    from borrowedtime.monitor.backtest import MONITOR, score_panel, summarise_panel

    out = [
        "",
        "## The monitor's calls under each observation model",
        "",
        "Same rule (RegimeRule defaults) and scoring as `benchmarks/bench_monitor_panel.py`; national: "
        "release lag 2 months. The predictive shape changes no call.",
        "",
        "| model | FRED-MD anticipated | median lead (months) | false alarms per 100 series-years "
        "| national anticipated | national median lead | national false alarms | wall s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, model in MONITOR_SETTINGS:
        t0 = time.perf_counter()
        f = summarise_panel(score_panel(panel, model=model))
        f = f[f.rule == MONITOR].iloc[0]
        g = summarise_panel(score_panel(national.to_frame(), model=model, release_lag=2))
        g = g[g.rule == MONITOR].iloc[0]
        out.append(
            f"| {label} | {f.anticipated}/{f.turns} | {f.median_lead_months:.1f} | "
            f"{f.false_alarms_per_100_series_years:.2f} | {g.anticipated}/{g.turns} | {g.median_lead_months:.1f} | "
            f"{g.false_alarms} | {time.perf_counter() - t0:.1f} |"
        )
    return out


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
