"""P(a turn within h) as a forecast of turns: pooled AUROC beside the monitor's P(S'+2y S''<0) and the baseline (issue 22).

The event and the scores follow issue 22: at a date t of a series where year-over-year growth
is positive (and the filter shows an estimate, and h months of data follow), the event is "a
turn follows within h months", a turn being the first date YoY growth is negative after at
least 24 months positive (:func:`borrowedtime.monitor.scoring.find_turns`). Each rule's
real-time score at t is ranked against the event over all (series, date) pairs of a panel:

- ``p_turn``: :func:`borrowedtime.monitor.events.p_turn_within` at the same h (default model);
- ``monitor``: the monitor's P(S' + 2y S'' < 0) (:meth:`RegimeRule.p_projected_negative`);
- ``baseline``: minus the named baseline's z, the six-month change of YoY log growth over its
  real-time expanding RMS (36 changes before the first score on monthly data, 12 on quarterly).

Nothing is tuned here: p_turn is the model's own forward distribution with the default
settings fixed before this issue. The pairs where any rule has no score are dropped for all
three, so every AUROC is on the same pairs. The ``evaluate`` command (issue 22, part 2) is the
reference scorer with bootstrap intervals; this script is the monitor's own cross-check. Run
from the project root::

    .venv/bin/python benchmarks/bench_p_turn.py

It rewrites ``benchmarks/results_p_turn.md``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from borrowedtime.datasets import shared_data_dir
from borrowedtime.monitor.backtest import _baseline_gz
from borrowedtime.monitor.discrete import year_over_year
from borrowedtime.monitor.events import HORIZONS_MONTHS, _run_lengths, p_turn_within
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import RegimeRule
from borrowedtime.monitor.scoring import find_turns
from borrowedtime.series import as_series

HERE = Path(__file__).resolve().parent
#: The rules scored (every one in real time): P(turn within h) as the monitor gives it, the same
#: without the 24-month condition (the model alone), the monitor's P(S'+2y S''<0), the baseline's
#: -z, and those two gated by the event's own definition (the lowest score where the current
#: positive run cannot be 24 months old by t + h, so no turn can follow within h): the gate is
#: what the 24-month condition gives P(turn within h) for free, applied to the others too.
RULES = ("p_turn", "p_turn_any", "monitor", "baseline", "monitor_gated", "baseline_gated")
PANELS = (("FRED-MD, monthly", "fred_md_107_monthly_1959_2019.csv"),
          ("FHFA states, quarterly", "fhfa_state_hpi_quarterly_1975_2011.csv"))


def auroc(score: np.ndarray, event: np.ndarray) -> float:
    """Mann-Whitney AUROC (ties count one half)."""
    rank = rankdata(score)
    n1, n0 = int(event.sum()), int((~event).sum())
    return float((rank[event].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def score_panel(path: Path) -> list[dict]:
    panel = pd.read_csv(path, index_col=0, parse_dates=True)
    panel = panel.loc[:, (panel > 0).all()]  # growth is measured on logs
    fit = KinematicsModel().fit(panel)
    per_year = int(round(fit.frequency.periods_per_year))
    t0 = time.perf_counter()
    p_turn = p_turn_within(fit)
    seconds = time.perf_counter() - t0
    p_any = p_turn_within(fit, min_positive_months=0)  # the model alone: any first negative reading
    run = _run_lengths(_yoy_log(fit))  # as p_turn_within reads it, data <= t
    p_monitor = RegimeRule().p_projected_negative(fit)
    n = fit.index.size
    rows = []
    for k, h in enumerate(HORIZONS_MONTHS):
        steps = h * per_year // 12
        scores, events, gates = {r: [] for r in RULES}, [], []
        need = 24 * per_year // 12
        for i, name in enumerate(panel.columns):
            s = as_series(panel[name], name=name)
            yoy = year_over_year(s)
            turns = fit.index.get_indexer(find_turns(yoy, 24))
            event = np.zeros(n, dtype=bool)
            for tp in turns:
                event[max(tp - steps, 0):tp] = True  # a turn within (t, t + h]
            _, z = _baseline_gz(yoy, 3 * per_year)
            base = pd.Series(-z, index=yoy.index).reindex(fit.index).to_numpy()
            positive = yoy.reindex(fit.index).to_numpy() > 0
            keep = positive & fit.ready[i] & (np.arange(n) < n - steps)
            # a turn within h is impossible by its definition where the run cannot reach 24 months in time
            possible = run[i] + steps >= need
            scores["p_turn"].append(p_turn[i, keep, k])
            scores["p_turn_any"].append(p_any[i, keep, k])
            scores["monitor"].append(p_monitor[i, keep])
            scores["baseline"].append(base[keep])
            scores["monitor_gated"].append(np.where(possible, p_monitor[i], -1.0)[keep])
            scores["baseline_gated"].append(np.where(possible | np.isnan(base), base, -1e300)[keep])
            gates.append(possible[keep])
            events.append(event[keep])
        cat = {r: np.concatenate(v) for r, v in scores.items()}
        ev = np.concatenate(events)
        ok = np.all([np.isfinite(v) for v in cat.values()], axis=0)
        pt, e = cat["p_turn"][ok], ev[ok]
        gate = np.concatenate(gates)[ok]
        rows.append({"h": h, "pairs": int(ok.sum()), "events": int(e.sum()),
                     **{r: auroc(v[ok], e) for r, v in cat.items()},
                     "possible": int(gate.sum()), "possible_events": int(e[gate].sum()),
                     **{f"{r}_possible": auroc(cat[r][ok][gate], e[gate]) for r in ("p_turn", "monitor", "baseline")},
                     "brier": float(np.mean((pt - e) ** 2)), "climatology": float(e.mean() * (1 - e.mean())),
                     "reliability": reliability(pt, e)})
    return rows, fit.n_series, n, seconds


def _yoy_log(fit) -> np.ndarray:
    per_year = int(round(fit.frequency.periods_per_year))
    y = fit.log_level
    out = np.full(y.shape, np.nan)
    out[:, per_year:] = y[:, per_year:] - y[:, :-per_year]
    return out


def reliability(p: np.ndarray, event: np.ndarray) -> list[tuple[str, int, float, float]]:
    """Pairs, mean forecast and observed frequency in each of ten equal-width bins of P."""
    edges = np.linspace(0, 1, 11)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, 9)
    return [(f"{edges[b]:.1f}-{edges[b + 1]:.1f}", int((which == b).sum()),
             float(p[which == b].mean()) if (which == b).any() else float("nan"),
             float(event[which == b].mean()) if (which == b).any() else float("nan")) for b in range(10)]


def main() -> None:
    folder = shared_data_dir()
    lines = ["# P(a turn within h): pooled AUROC beside the monitor and the baseline (issue 22)", "",
             "Command: `.venv/bin/python benchmarks/bench_p_turn.py`. Event: a turn (first negative YoY after",
             ">= 24 months positive) within h months of a date with positive YoY growth; scores in real time;",
             "every rule on the same (series, date) pairs. No setting was tuned: default model, 1,024",
             "quasi-Monte Carlo points, seed 0. 'Same, any first negative': P(turn within h) without the",
             "24-month condition (`min_positive_months=0`), the model alone. 'Gated': the rule given the",
             "lowest score where the current positive run cannot be 24 months old by t + h (no turn can",
             "follow within h by the event's definition), the information the 24-month condition gives",
             "P(turn within h); comparing gated with gated is the fair comparison of the models.", ""]
    for label, file in PANELS:
        rows, n_series, n_dates, seconds = score_panel(folder / file)
        lines += [f"## {label} ({n_series} series x {n_dates} dates; `../shared/data/{file}`)", "",
                  "| h (months) | pairs | events | P(turn within h) | same, any first negative | monitor "
                  "P(S'+2y S''<0) | baseline -z | monitor, gated | baseline, gated |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['h']} | {r['pairs']:,} | {r['events']:,} | "
                  + " | ".join(f"{r[rule]:.3f}" for rule in RULES) + " |" for r in rows]
        lines += ["", "Only the pairs where a turn can follow within h (the current positive run is at least "
                  "24 months old by t + h):", "",
                  "| h (months) | pairs | events | P(turn within h) | monitor | baseline |", "|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['h']} | {r['possible']:,} | {r['possible_events']:,} | {r['p_turn_possible']:.3f} | "
                  f"{r['monitor_possible']:.3f} | {r['baseline_possible']:.3f} |" for r in rows]
        lines += ["", "Brier score of P(turn within h) (climatology: the event rate's p(1 - p), the score of always "
                  "forecasting the base rate):", ""]
        lines += [f"- h = {r['h']}: {r['brier']:.4f} (climatology {r['climatology']:.4f})" for r in rows]
        for r in rows:
            if r["h"] in (6, 12):
                lines += ["", f"Reliability of P(turn within {r['h']} months):", "",
                          "| P bin | pairs | mean P | observed frequency |", "|---|---:|---:|---:|"]
                lines += [f"| {b} | {k:,} | {m:.3f} | {o:.3f} |" for b, k, m, o in r["reliability"]]
        lines += ["", f"p_turn_within over the whole panel, every date: {seconds:.1f} s wall (indicative: shared "
                      "machine).", ""]
    (HERE / "results_p_turn.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
