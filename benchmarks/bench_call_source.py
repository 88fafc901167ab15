"""Issue 22: which of the monitor's probabilities should its calls be made on?

The monitor calls on its projection P(S' + 2y S'' < 0) (the 0.9/0.5 rule of
:class:`~borrowedtime.monitor.regimes.RegimeRule`). Its event probability P(turn within 24 months)
(:mod:`borrowedtime.monitor.events`) ranks turns better; this script scores the same 0.9/0.5 rule
on each (one quarter of persistence, calls only while YoY > 0; issue 11's scoring) on the two
development panels and on Case-Shiller National (NSA and SA, published two months late), beside
the baseline. Nothing is tuned: both probabilities at their defaults, the rule the monitor already
uses.

Run from the project root (under a minute)::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_call_source.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from borrowedtime.monitor.backtest import baseline_calls
from borrowedtime.monitor.evaluate import prepare_panel
from borrowedtime.monitor.evaluate_rules import calls_from_p
from borrowedtime.monitor.events import p_turn_within
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import RegimeRule
from borrowedtime.monitor.scoring import ScoringRule, score_calls
from borrowedtime.monitor.screen import read_panel

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def score(frame: pd.DataFrame, release_lag: int) -> dict[str, np.ndarray]:
    data, _ = prepare_panel(frame)
    kin = KinematicsModel().fit(data.frame)
    turn = p_turn_within(kin, (24,))[..., 0]
    proj = RegimeRule().p_projected_negative(kin)
    k = 1 if data.freq.name == "quarterly" else 3
    acc: dict[str, list] = {}
    for i, n in enumerate(kin.names):
        yoy = data.yoy[n]
        g = np.log1p(yoy.to_numpy(float))
        on = {"baseline": baseline_calls(yoy, persistence=k).to_numpy(),
              "projection P(S'+2y S''<0), 0.9/0.5 (the default)": calls_from_p(
                  g, pd.Series(proj[i], index=kin.index).reindex(yoy.index).to_numpy(float), k),
              "P(turn within 24 months), 0.9/0.5": calls_from_p(
                  g, pd.Series(turn[i], index=kin.index).reindex(yoy.index).to_numpy(float), k)}
        for r, f in on.items():
            sc = score_calls(pd.Series(f, index=yoy.index), yoy, name=r, rule=ScoringRule(), release_lag=release_lag)
            acc.setdefault(r, []).append((len(sc.turns), sc.anticipated, sc.false_alarms, len(sc.calls)))
    return {r: np.array(v).sum(axis=0) for r, v in acc.items()}


def main() -> None:
    cs = pd.read_csv(DATA / "case_shiller_us_national_monthly.csv", index_col=0, parse_dates=True)
    cases = {"FRED-MD, 98 series": (read_panel(DATA / "fred_md_107_monthly_1959_2019.csv"), 0),
             "FHFA states, 51 series": (read_panel(DATA / "fhfa_state_hpi_quarterly_1975_2011.csv"), 0),
             "Case-Shiller National NSA, release lag 2": (cs[["National-US"]], 2),
             "Case-Shiller National SA, release lag 2": (cs[["National-US-SA"]], 2)}
    print("| data | calls on | turns | anticipated | false alarms | calls |\n|---|---|---:|---:|---:|---:|")
    for label, (frame, lag) in cases.items():
        for r, (t, a, fa, c) in score(frame, lag).items():
            print(f"| {label} | {r} | {t} | {a} | {fa} | {c} |")


if __name__ == "__main__":
    main()
