"""What a stress run returns: a frozen result over paths and entities, its tables, frames and example path.

:class:`StressResult` holds the per-path arrays of the base case and of each stretch
(:func:`~borrowedtime.cascade.montecarlo.run_stress`); the CLI (``borrowedtime stress``)
and the report's stress section only render it, so for one seed, path count and chunk
size both show the same figures and the same example path.

Units: USD bn; quarters as indices from quarter 0 and as calendar labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime.cascade.model import NEVER, CascadeModel
from borrowedtime.cascade.scenario import INPUTS, Scenario
from borrowedtime.network import quarter_label

__all__ = ["StressResult", "STRETCHES"]

STRETCHES = ("private_round", "backstop", "hyperscaler_leverage")
_QS = (0.05, 0.25, 0.5, 0.75, 0.95)
_PAID_BY = {"private_round": "private investors (the round's buyers)",
            "backstop": "the sovereign or strategic backstop",
            "hyperscaler_leverage": "hyperscalers (added debt)"}


def _q(x: np.ndarray) -> dict:
    return {f"p{int(round(100 * q)):02d}": float(v) for q, v in zip(_QS, np.quantile(x, _QS), strict=True)}


@dataclass(frozen=True, eq=False)
class StressResult:
    """A stress run (frozen): per-path arrays and the summaries the CLI prints."""

    scenario: Scenario
    model: CascadeModel
    seed: int
    paths: int
    inputs: np.ndarray  # (P, K) the drawn inputs, in the order of INPUTS
    runs: dict  # "base" and each stretch -> arrays over paths (see cascade_kernel)
    central: dict | None = None  # the deterministic central path (see central_path)
    chunk_size: int = 5_000  # paths per seeded chunk (the draws depend on it)
    sens: dict | None = field(default=None, repr=False)  # the sensitivity runs (see sensitivity)

    @property
    def names(self) -> tuple[str, ...]:
        return self.model.network.names

    def label(self, q: float) -> str:
        return quarter_label(self.model.network.as_of, int(q))

    def trigger_quarter(self) -> dict:
        t = self.runs["base"]["trigger"]
        hit = t != NEVER
        out = {"no_trigger_share": float(1 - hit.mean())}
        if hit.any():
            qs = _q(t[hit].astype(float))
            out.update({k: v for k, v in qs.items()})
            out["median_label"] = self.label(np.floor(qs["p50"]))
        return out

    def entities(self) -> list[dict]:
        r = self.runs["base"]
        # every entity's loss quantiles in one call (the same interpolation as column by column)
        loss_q = np.quantile(r["loss"], _QS, axis=0)
        rows = []
        for i, name in enumerate(self.names):
            dq = r["distress_q"][:, i]
            rows.append({
                "name": name,
                "kind": self.model.network.kinds[i],
                "p_default": float((r["default_q"][:, i] != NEVER).mean()),
                "loss_usd_bn": {f"p{int(round(100 * q)):02d}": float(v) for q, v in zip(_QS, loss_q[:, i], strict=True)},
                "first_distress_quarter": (float(np.median(dq[dq != NEVER])) if (dq != NEVER).any() else None),
                "p_distress": float((dq != NEVER).mean()),
            })
        return rows

    def stretches(self) -> list[dict]:
        base = self.runs["base"]["trigger"]
        T = self.model.horizon
        out = []
        for v in STRETCHES:
            if v not in self.runs:
                continue
            t = self.runs[v]["trigger"]
            b = np.where(base == NEVER, T, base)
            s = np.where(t == NEVER, T, t)
            bought = (s - b)[base != NEVER]
            st = getattr(self.scenario.stretches, v)
            used = self.runs[v]["stretch_used"]
            out.append({
                "name": v,
                "quarters_bought_median": float(np.median(bought)) if bought.size else 0.0,
                "quarters_bought_mean": float(bought.mean()) if bought.size else 0.0,
                "share_delayed": float((bought > 0).mean()) if bought.size else 0.0,
                "used_share": float((used > 0).mean()),
                "cost_usd_bn_mean": float(used.mean()),
                "paid_by": _PAID_BY[v],
                "source": st.source,
            })
        return out

    def tornado(self) -> list[dict]:
        """Inputs ranked by the spread of outcomes between their top and bottom deciles (same sample).

        Effect on the median trigger quarter (no trigger counted at the horizon)
        and on the mean total loss, E[Y | X in top decile] - E[Y | X in bottom decile]; for the two
        model parameters of :meth:`sensitivity` (``growth_dispersion_scale``, ``half_life_quarters``),
        the run at their highest value minus the run at their lowest, on the same paths (``kind``).
        """
        r = self.runs["base"]
        T = self.model.horizon
        trig = np.where(r["trigger"] == NEVER, T, r["trigger"]).astype(float)
        loss = r["loss"].sum(axis=1)
        rows = []
        for k, name in enumerate(INPUTS):
            x = self.inputs[:, k]
            if np.ptp(x) == 0:
                continue
            lo, hi = np.quantile(x, [0.1, 0.9])
            bot, top = x <= lo, x >= hi
            if not bot.any() or not top.any():
                continue
            rows.append({
                "input": name,
                "low": float(lo), "high": float(hi),
                "trigger_quarter_effect": float(np.median(trig[top]) - np.median(trig[bot])),
                "loss_usd_bn_effect": float(loss[top].mean() - loss[bot].mean()),
                "kind": "drawn input: top minus bottom decile",
            })
        if self.sens is not None:
            grid, k = self.sens["grid"], self.sens["trigger"].shape[1]
            for name in dict.fromkeys(g for g, _ in grid):
                idx = [i for i, (g, _) in enumerate(grid) if g == name]
                lo, hi = min(idx, key=lambda i: grid[i][1]), max(idx, key=lambda i: grid[i][1])
                t = np.where(self.sens["trigger"] == NEVER, T, self.sens["trigger"]).astype(float)
                rows.append({
                    "input": name, "low": float(grid[lo][1]), "high": float(grid[hi][1]),
                    "trigger_quarter_effect": float(np.median(t[hi]) - np.median(t[lo])),
                    "loss_usd_bn_effect": float(self.sens["loss"][hi].mean() - self.sens["loss"][lo].mean()),
                    "kind": f"model parameter: highest minus lowest value, the same {k:,} paths",
                })
        rows.sort(key=lambda d: -abs(d["loss_usd_bn_effect"]) - 1e3 * abs(d["trigger_quarter_effect"]))
        return rows

    def central_path(self) -> dict:
        """The deterministic central path (every input at its median, no shock) beside the treadmill.

        Per lab: the quarter of its first round, the required and achievable step-ups there, the
        trigger quarter (None: none within the horizon) and, for a treadmill lab, the treadmill's own
        numbers for the same inputs (:class:`~borrowedtime.treadmill.rounds.RoundsResult`); and the
        path's timeline.
        """
        if self.central is None:
            from borrowedtime.cascade.montecarlo import _central_path

            return _central_path(self.model)
        return self.central

    def credit_check(self, years: float = 5.0) -> list[dict]:
        """The cascade's P(default) within ``years`` beside the rating-implied PD of ``credit`` (same horizon).

        Ratings are ``credit.books``' (agency ratings, and its stated judgements for the unrated labs);
        PDs from :func:`borrowedtime.credit.pd.rating_pd` (cumulative, S&P default study). Defaults in the
        cascade are structural (clearing); the rating PD is the outside view of the same name.
        """
        from borrowedtime.credit.books import AGENCY_RATINGS, ASSUMED_RATINGS
        from borrowedtime.credit.pd import rating_pd

        years = min(float(years), self.model.horizon / 4.0)
        q = int(round(4 * years))
        dq = self.runs["base"]["default_q"]
        out = []
        for name, rating in {**AGENCY_RATINGS, **ASSUMED_RATINGS}.items():
            if name not in self.names:
                continue
            i = self.names.index(name)
            out.append({"name": name, "rating": rating, "assumed_rating": name in ASSUMED_RATINGS, "years": years,
                        "rating_pd": float(rating_pd(rating, years)),
                        "cascade_p_default": float(((dq[:, i] != NEVER) & (dq[:, i] < q)).mean())})
        return out

    def sensitivity(self) -> list[dict]:
        """The trigger share against the growth dynamics' two parameters, on the same draws.

        Each row re-runs the base case with one ``model`` value changed, on the first ``paths`` paths of
        the run (the first chunk's, up to :data:`~borrowedtime.cascade.montecarlo.SENSITIVITY_PATHS`): the
        same draws, so rows differ only by the value. The scenario's own value is the base run on those
        paths. ``trigger_share``: the share of paths on which any lab's round fails within the horizon.
        """
        if self.sens is None:
            return []
        own = {g: self.scenario.param(g) for g, _ in self.sens["grid"]}
        k = self.sens["trigger"].shape[1]
        return [{"input": g, "value": float(v), "trigger_share": float((self.sens["trigger"][i] != NEVER).mean()),
                 "paths": k, "scenario_value": bool(v == own[g])}
                for i, (g, v) in enumerate(self.sens["grid"])]

    def rests_on(self) -> str:
        """One sentence: how the trigger share moves with the growth dynamics' parameters (measured)."""
        rows = self.sensitivity()
        if not rows:
            return "the trigger share's sensitivity was not run"
        parts = []
        for name, what in (("growth_dispersion_scale", "the growth dispersions scaled"),
                           ("half_life_quarters", "the growth deviation's half-life")):
            r = sorted((x for x in rows if x["input"] == name), key=lambda x: x["value"])
            if r:
                unit = "x" if name == "growth_dispersion_scale" else " quarters"
                parts.append(f"{r[0]['trigger_share']:.0%} to {r[-1]['trigger_share']:.0%} with {what} "
                             f"{r[0]['value']:g}{unit} to {r[-1]['value']:g}{unit}")
        own = next(x for x in rows if x["scenario_value"])
        return (f"the trigger share rests on the growth dynamics, assumptions: {own['trigger_share']:.0%} as run on "
                f"the first {own['paths']:,} paths; " + "; ".join(parts) + " (same draws)")

    def to_frame(self) -> pd.DataFrame:
        """One row per path: the drawn inputs, the trigger quarter (<NA>: none) and the total loss, base and stretches."""
        df = pd.DataFrame(self.inputs, columns=list(INPUTS))
        for v, r in self.runs.items():
            sfx = "" if v == "base" else f"_{v}"
            df[f"trigger_quarter{sfx}"] = pd.array(np.where(r["trigger"] == NEVER, -1, r["trigger"]),
                                                   dtype="Int16")
            df.loc[r["trigger"] == NEVER, f"trigger_quarter{sfx}"] = pd.NA
            df[f"total_loss_usd_bn{sfx}"] = r["loss"].sum(axis=1)
            df[f"defaults{sfx}"] = (r["default_q"] != NEVER).sum(axis=1)
            if v != "base":
                df[f"stretch_used_usd_bn{sfx}"] = r["stretch_used"]
        return df.rename_axis("path")

    def entity_frame(self) -> pd.DataFrame:
        """One row per entity (base case): P(default), P(distress), loss quantiles (USD bn), median first distress."""
        rows = []
        for e in self.entities():
            rows.append({"entity": e["name"], "kind": e["kind"], "p_default": e["p_default"],
                         "p_distress": e["p_distress"],
                         **{f"loss_{k}_usd_bn": v for k, v in e["loss_usd_bn"].items()},
                         "first_distress_quarter": e["first_distress_quarter"]})
        return pd.DataFrame(rows).set_index("entity")

    def loss_frame(self, variant: str = "base") -> pd.DataFrame:
        """Loss by path (rows) and entity (columns) over the horizon, USD bn."""
        return pd.DataFrame(self.runs[variant]["loss"], columns=list(self.names)).rename_axis("path")

    def example_path(self) -> dict:
        """The first path (in path order) on which a round fails, re-drawn and run quarter by quarter.

        Its draws come from its chunk's generator in the one Monte Carlo engine
        (:func:`borrowedtime._montecarlo.chunk_generator`: the same seed, chunk size and chunk as the
        run), so the timeline is the path's in this result; the path is path 0 when none triggers.
        """
        from borrowedtime._montecarlo import chunk_generator
        from borrowedtime.cascade.draws import draw_inputs
        from borrowedtime.cascade.narrative import narrative
        from borrowedtime.cascade.run import simulate

        hit = np.flatnonzero(self.runs["base"]["trigger"] != NEVER)
        i = int(hit[0]) if hit.size else 0
        rng, start, n = chunk_generator(i, self.paths, seed=self.seed, chunk_size=self.chunk_size)
        draws = draw_inputs(self.model, rng, n).take(np.array([i - start]))
        out = simulate(self.model, draws, record=True)
        t = int(self.runs["base"]["trigger"][i])
        return {"path": i, "trigger": None if t == NEVER else self.label(t),
                "timeline": narrative(self.model, out, 0)}

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario.name,
            "paths": self.paths,
            "seed": self.seed,
            "horizon_quarters": self.model.horizon,
            "quarter_0": self.label(0),
            "trigger_quarter": self.trigger_quarter(),
            "entities": self.entities(),
            "stretches": self.stretches(),
            "tornado": self.tornado(),
            "sensitivity": self.sensitivity(),
            "credit_check": self.credit_check(),
            "central_path": self.central_path(),
            "example_path": self.example_path(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    def summary(self) -> str:
        t = self.trigger_quarter()
        lines = [
            f"Stress '{self.scenario.name}': {self.paths:,} paths, seed {self.seed}, {self.model.horizon} quarters "
            f"from {self.label(0)}",
            f"  trigger: no trigger in {t['no_trigger_share']:.0%} of paths"
            + (f"; median {t['median_label']} (q{t['p50']:.0f}), 5-95%: q{t['p05']:.0f}-q{t['p95']:.0f}"
               if "p50" in t else ""),
            f"  {self.rests_on()}",
        ]
        ents = sorted(self.entities(), key=lambda d: -d["loss_usd_bn"]["p50"])[:8]
        for e in ents:
            fd = e["first_distress_quarter"]
            lines.append(f"  {e['name']:22s} P(default) {e['p_default']:.2f}  loss median {e['loss_usd_bn']['p50']:7.1f} bn"
                         f"  first distress {self.label(fd) if fd is not None else '-'}")
        for s in self.stretches():
            lines.append(f"  stretch {s['name']}: buys {s['quarters_bought_median']:.0f} quarters (median), "
                         f"{s['cost_usd_bn_mean']:.0f} bn put in on average by {s['paid_by']}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<StressResult {self.scenario.name!r} paths={self.paths} seed={self.seed}>"

    def __str__(self) -> str:
        return self.summary()
