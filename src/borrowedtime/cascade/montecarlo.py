"""Monte Carlo over the cascade: trigger-quarter distribution, defaults and losses per entity, tornado.

The paths run in chunks through the project's one Monte Carlo engine
(:func:`borrowedtime._montecarlo.map_chunks`: chunk ``i`` seeded by
``SeedSequence(seed).spawn(n_chunks)[i]``, local threads or Dask), so the
numbers depend on ``seed`` and ``chunk_size`` only, not on the backend.

Every draw of a path happens in :func:`~borrowedtime.cascade.draws.draw_inputs`
in a fixed order, so a stretch run with the same seed sees the same world:
the quarters a stretch buys are paired differences, path by path.

Units: USD bn; quarters as indices from quarter 0 and as calendar labels.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from borrowedtime._montecarlo import map_chunks
from borrowedtime.cascade.draws import central_draws, draw_inputs
from borrowedtime.cascade.model import NEVER, CascadeModel
from borrowedtime.cascade.narrative import narrative
from borrowedtime.cascade.scenario import INPUTS, Scenario, load_scenario
from borrowedtime.cascade.stages import simulate, simulate_stretches
from borrowedtime.errors import SpecError
from borrowedtime.network import quarter_label

__all__ = ["StressResult", "run_stress", "cascade_kernel", "STRETCHES", "trigger_attribution"]

STRETCHES = ("private_round", "backstop", "hyperscaler_leverage")
_QS = (0.05, 0.25, 0.5, 0.75, 0.95)


def cascade_kernel(rng: np.random.Generator, n: int, start: int, scenario: Scenario, variants: tuple[str, ...]):
    """Run ``n`` paths of the base scenario and of each stretch variant on the same draws.

    Returns a dict of arrays: ``inputs`` (n, K), and per variant ``trigger``
    (n,), ``default_q``, ``distress_q``, ``loss`` (n, N), ``stretch_used`` (n,).
    """
    model = model_for(scenario)
    draws = draw_inputs(model, rng, n)
    out = {"inputs": draws.inputs}
    runs = simulate_stretches(model, draws, {v: model_for(scenario.with_stretch(v)) for v in variants})
    for v in ("base", *variants):
        o = runs[v]
        # quarters as int16 (a horizon is at most 200 quarters): a million paths stay well inside 4 GB
        out[v] = {
            "trigger": o.first_trigger_q.astype(np.int16), "default_q": o.default_q.astype(np.int16),
            "distress_q": o.distress_q.astype(np.int16),
            "loss": o.loss, "bought": o.bought,
            "stretch_used": o.stretch_used.get(v, np.zeros(n)) if v != "base" else np.zeros(n),
        }
    return out


#: The inputs and values of the sensitivity table (``StressResult.sensitivity``): the dispersion of the labs'
#: and hyperscalers' growth (1 = as stated) and the half-life of the labs' growth deviation, in quarters.
SENSITIVITY = {"growth_dispersion_scale": (0.0, 0.5, 1.0, 2.0), "half_life_quarters": (1.0, 2.3, 4.0, 8.0, 40.0)}
#: Paths of each sensitivity run: the first paths of the main run (same seed and chunks, so the same draws).
SENSITIVITY_PATHS = 2_000


def sensitivity_kernel(rng: np.random.Generator, n: int, start: int, scenario: Scenario,
                       grid: tuple[tuple[str, float], ...]) -> np.ndarray:
    """(len(grid), n) bool: does any lab trigger, for each (input, value) of ``grid``, on the same draws."""
    model = model_for(scenario)
    draws = draw_inputs(model, rng, n)
    return np.array([simulate(model.with_params(**{k: v}), draws).first_trigger_q != NEVER for k, v in grid])


_MODELS: dict = {}


def model_for(scn: Scenario) -> CascadeModel:
    """The :class:`CascadeModel` of a scenario, built once and cached (a few most recent scenarios)."""
    key = scn.model_dump_json()
    if key not in _MODELS:
        _MODELS.clear() if len(_MODELS) > 8 else None
        _MODELS[key] = CascadeModel.from_scenario(scn)
    return _MODELS[key]


def _q(x: np.ndarray) -> dict:
    return {f"p{int(round(100 * q)):02d}": float(v) for q, v in zip(_QS, np.quantile(x, _QS), strict=True)}


@dataclass(frozen=True, eq=False)
class StressResult:
    """A stress run (frozen): per-path arrays and the summaries the CLI prints."""

    scenario: Scenario
    model: CascadeModel
    seed: int
    paths: int
    inputs: np.ndarray
    runs: dict  # variant -> dict of arrays
    central: dict | None = None  # the deterministic central path (see central_path)

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
        rows = []
        for i, name in enumerate(self.names):
            dq = r["distress_q"][:, i]
            rows.append({
                "name": name,
                "kind": self.model.network.kinds[i],
                "p_default": float((r["default_q"][:, i] != NEVER).mean()),
                "loss_usd_bn": _q(r["loss"][:, i]),
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
                "paid_by": {"private_round": "private investors (the round's buyers)",
                            "backstop": "the sovereign or strategic backstop",
                            "hyperscaler_leverage": "hyperscalers (added debt)"}[v],
                "source": st.source,
            })
        return out

    def tornado(self) -> list[dict]:
        """Inputs ranked by the spread of outcomes between their top and bottom deciles (same sample).

        Effect on the median trigger quarter (no trigger counted at the horizon)
        and on the mean total loss, E[Y | X in top decile] - E[Y | X in bottom decile].
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
        return self.central if self.central is not None else _central_path(self.model)

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
            "credit_check": self.credit_check(),
            "central_path": self.central_path(),
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


def run_stress(
    scenario: Scenario | str = "base",
    *,
    paths: int | None = None,
    seed: int | None = None,
    stretches: bool = True,
    chunk_size: int = 5_000,
    client=None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    threads: int | None = None,
) -> StressResult:
    """Run the cascade as Monte Carlo (and each stretch on the same draws).

    Parameters
    ----------
    scenario : Scenario or str
        A scenario or the name/path of one (default: the packaged base case).
    paths, seed : int, optional
        Override the scenario's.
    stretches : bool, default True
        Also run each stretch switched on, paired with the base paths.
    client, workers
        A Dask client, or a number of LocalCluster workers; local threads when neither.
    progress : callable, optional
        ``progress(done_chunks, total_chunks)`` after every chunk.
    threads : int, optional
        Local threads (default: one per core).
    """
    scn = load_scenario(scenario) if isinstance(scenario, str) else scenario
    n = scn.paths if paths is None else int(paths)
    sd = scn.seed if seed is None else int(seed)
    if n < 1:
        raise SpecError(f"paths must be >= 1. Got {n}.")
    variants = tuple(v for v in STRETCHES if stretches and not getattr(scn.stretches, v).enabled)
    chunks = map_chunks(cascade_kernel, n, seed=sd, chunk_size=chunk_size, args=(scn, variants),
                        client=client, workers=workers, progress=progress, threads=threads)
    runs = {}
    for v in ("base", *variants):
        runs[v] = {k: np.concatenate([c[v][k] for c in chunks]) for k in chunks[0][v]}
    inputs = np.concatenate([c["inputs"] for c in chunks])
    model = model_for(scn)
    return StressResult(scenario=scn, model=model, seed=sd, paths=n, inputs=inputs, runs=runs,
                        central=_central_path(model))


def _central_path(model: CascadeModel) -> dict:
    out = simulate(model, central_draws(model), record=True)
    as_of = model.network.as_of
    labs = []
    for li, lab in enumerate(model.labs):
        first = next((st for st in out.history if np.isfinite(st.required[0, li])), None)
        row = {"lab": lab, "first_round": None, "required_step_up": None, "achievable_step_up": None,
               "trigger": None}
        if first is not None:
            mark = float(model.lab_mark0[li])
            row.update(first_round=quarter_label(as_of, first.q),
                       required_step_up=float(first.required[0, li] / mark),
                       achievable_step_up=float(first.achievable[0, li] / mark))
        t = int(out.trigger_q[0, li])
        row["trigger"] = None if t == NEVER else quarter_label(as_of, t)
        r = model.treadmill.get(lab)
        if r is not None:
            row["treadmill"] = {"next_date": r.next_date.date().isoformat(),
                                "required_raise_usd_bn": float(r.next_raise_required()),
                                "required_step_up": float(r.required_step_up()),
                                "achievable_step_up": float(r.achievable_step_up()),
                                "achievable": str(r.spec.achievable), "trigger": bool(r.trigger),
                                "compute": r.spec.compute,
                                "undated_term_years": r.contracted_compute.attrs.get("undated_term_years"),
                                "dilution": float(r.dilution_limit)}
        labs.append(row)
    return {"labs": labs, "timeline": narrative(model, out, 0)}


#: The drawn families of :func:`trigger_attribution`: each input alone, and the quarterly growth shocks.
SHOCKS = ("growth_shocks",)


def trigger_attribution(scenario: Scenario | str = "base", *, paths: int = 2_000, seed: int = 0) -> list[dict]:
    """Which drawn inputs make paths trigger: each drawn alone, every other at its central value.

    For every input of :data:`~borrowedtime.cascade.scenario.INPUTS` and for the quarterly growth
    shocks (revenue and capex shocks and the labs' spread of accelerations, ``growth_shocks``), the
    paths are the central path (:func:`~borrowedtime.cascade.draws.central_draws`) with that one
    family drawn as in the Monte Carlo (same seed); all drawn is the last row.

    Returns
    -------
    list of dict
        ``drawn``, ``triggered_share`` (any lab within the horizon), ``first_round_share`` (a treadmill
        lab fails its scheduled round, the treadmill's test) per row.
    """
    scn = load_scenario(scenario) if isinstance(scenario, str) else scenario
    model = model_for(scn)
    full = draw_inputs(model, np.random.default_rng(seed), paths)
    center = central_draws(model, paths)
    first = model.lab_first_test_q
    rows = []
    for name in (*INPUTS, *SHOCKS, "all"):
        if name == "all":
            d = full
        elif name == "growth_shocks":
            d = center.replace(lab_z=full.lab_z, rev_shock=full.rev_shock, capex_shock=full.capex_shock)
        else:
            k = INPUTS.index(name)
            x = center.inputs.copy()
            x[:, k] = full.inputs[:, k]
            d = center.replace(inputs=x)
        o = simulate(model, d)
        at_round = (o.trigger_q == first[None, :]) & (first[None, :] >= 0)
        rows.append({"drawn": name, "triggered_share": float((o.first_trigger_q != NEVER).mean()),
                     "first_round_share": float(at_round.any(axis=1).mean())})
    return rows
