"""Issue 22: the Bayes call on a probability calibrated on the *other* development panel.

Principle (fixed before this script was run; after bench_evaluate's third run had shown that the
real-time recalibration on a panel's own past pairs gives worse calls): a call claims "a turn within
24 months" -- exactly the test that makes it a false alarm or not -- so at equal costs of a missed
turn and a false alarm the Bayes call stands while the *calibrated* P(turn within 24 months) > 1/2.
Here the calibration map (Platt 1999: logistic regression of the event on logit P) is fitted on all
the pairs of one development panel (a hindsight fit on that panel) and applied, fixed, to the other:
FRED-MD -> FHFA states and FHFA states -> FRED-MD. Calls: enter after one quarter of readings > 1/2
(three months, or one quarter), release after as many <= 1/2; only while YoY > 0; scored by issue
11's rules (:mod:`borrowedtime.monitor.scoring`), beside the baseline and the monitor's own 0.9/0.5
rule on the raw probability.

Run from the project root (about a minute)::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_call_threshold.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from borrowedtime.monitor.backtest import baseline_calls
from borrowedtime.monitor.evaluate import prepare_panel
from borrowedtime.monitor.evaluate_rules import calls_from_p
from borrowedtime.monitor.events import DRAWS, p_turn_within
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.scoring import ScoringRule, score_calls, turn_within
from borrowedtime.monitor.screen import read_panel

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PANELS = {"FRED-MD": DATA / "fred_md_107_monthly_1959_2019.csv",
          "FHFA states": DATA / "fhfa_state_hpi_quarterly_1975_2011.csv"}
H = 24
LO = 0.5 / DRAWS


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, LO, 1.0 - LO)
    return np.log(q) - np.log1p(-q)


def raw_p(path: Path):
    data, _ = prepare_panel(read_panel(path))
    kin = KinematicsModel().fit(data.frame)
    p = p_turn_within(kin, (H,))[..., 0]
    return data, {n: pd.Series(p[i], index=kin.index).reindex(data.yoy[n].index) for i, n in enumerate(kin.names)}


def platt(data, p) -> tuple[float, float, int, int]:
    xs, ys = [], []
    for n, g in data.yoy.items():
        known = (g.index + pd.DateOffset(months=H)) <= g.index[-1]
        x = _logit(p[n].to_numpy(float))
        ok = known & np.isfinite(x)
        xs.append(x[ok])
        ys.append(turn_within(g, H)[ok])
    x, y = np.concatenate(xs), np.concatenate(ys).astype(float)
    a, b = sm.Logit(y, sm.add_constant(x)).fit(disp=0).params
    return float(a), float(b), int(x.size), int(y.sum())


def calls(data, p, a: float, b: float) -> dict[str, tuple[int, int, int, int]]:
    k = 1 if data.freq.name == "quarterly" else 3
    acc: dict[str, list] = {}
    for n, yoy in data.yoy.items():
        g = np.log1p(yoy.to_numpy(float))
        raw = p[n].to_numpy(float)
        cal = 1.0 / (1.0 + np.exp(-(a + b * _logit(raw))))
        flags = {"baseline": baseline_calls(yoy, persistence=k).to_numpy(),
                 "monitor, raw P, 0.9/0.5": calls_from_p(g, raw, k),
                 "monitor, P calibrated on the other panel, > 1/2": calls_from_p(g, cal, k, 0.5, 0.5)}
        for r, f in flags.items():
            sc = score_calls(pd.Series(f, index=yoy.index), yoy, name=r, rule=ScoringRule())
            acc.setdefault(r, []).append((len(sc.turns), sc.anticipated, sc.false_alarms, len(sc.calls)))
    return {r: tuple(int(v) for v in np.array(x).sum(axis=0)) for r, x in acc.items()}


def main() -> None:
    t0 = time.process_time()
    got = {k: raw_p(v) for k, v in PANELS.items()}
    maps = {k: platt(*v) for k, v in got.items()}
    lines = ["| map fitted on | a | b | pairs | events | raw P at calibrated 1/2 |", "|---|---:|---:|---:|---:|---:|"]
    for k, (a, b, n, e) in maps.items():
        lines.append(f"| {k} | {a:.3f} | {b:.3f} | {n} | {e} | {1.0 / (1.0 + np.exp(a / b)):.3f} |")
    lines += ["", "| calls on | map from | rule | turns | anticipated | false alarms | calls |",
              "|---|---|---|---:|---:|---:|---:|"]
    for k, (data, p) in got.items():
        other = next(o for o in PANELS if o != k)
        for r, (t, an, fa, c) in calls(data, p, *maps[other][:2]).items():
            lines.append(f"| {k} | {other} | {r} | {t} | {an} | {fa} | {c} |")
    lines.append(f"\nCPU s: {time.process_time() - t0:.1f}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
