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

import dataclasses
import threading
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from borrowedtime._montecarlo import map_chunks
from borrowedtime.cascade.draws import central_draws, draw_inputs
from borrowedtime.cascade.model import NEVER, CascadeModel
from borrowedtime.cascade.narrative import narrative
from borrowedtime.cascade.result import STRETCHES, StressResult
from borrowedtime.cascade.run import simulate, simulate_stretches
from borrowedtime.cascade.scenario import INPUTS, Scenario, load_scenario
from borrowedtime.errors import SpecError
from borrowedtime.network import quarter_label

__all__ = ["StressResult", "run_stress", "cascade_kernel", "STRETCHES", "trigger_attribution", "SENSITIVITY",
           "sensitivity_grid"]


def cascade_kernel(rng: np.random.Generator, n: int, start: int, scenario: Scenario, variants: tuple[str, ...],
                   grid: tuple[tuple[str, float], ...] = ()):
    """Run ``n`` paths of the base scenario and of each stretch variant on the same draws.

    Returns a dict of arrays: ``inputs`` (n, K), and per variant ``trigger``
    (n,), ``default_q``, ``distress_q``, ``loss`` (n, N), ``stretch_used`` (n,). The first chunk
    (``start == 0``) also runs the sensitivity ``grid`` (pairs of a ``model`` key and a value) on its
    first :data:`SENSITIVITY_PATHS` paths: ``sensitivity`` holds their trigger quarters and total losses.
    """
    with threadpool_limits(limits=1, user_api="blas"):  # one BLAS thread per chunk worker (Dask workers too)
        return _cascade_chunk(rng, n, start, scenario, variants, grid)


def _cascade_chunk(rng, n, start, scenario, variants, grid) -> dict:
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
    if start == 0 and grid:
        k = min(n, SENSITIVITY_PATHS)
        sub = draws.take(np.arange(k))
        trig, loss = [], []
        for key, value in grid:
            if value == scenario.param(key):  # the base run on these paths (rows do not depend on the batch)
                trig.append(out["base"]["trigger"][:k])
                loss.append(out["base"]["loss"][:k].sum(axis=1))
                continue
            o = simulate(model.with_params(**{key: value}), sub)
            trig.append(o.first_trigger_q.astype(np.int16))
            loss.append(o.loss.sum(axis=1))
        out["sensitivity"] = {"grid": grid, "trigger": np.array(trig), "loss": np.array(loss)}
    return out


#: The inputs and values of the sensitivity table (``StressResult.sensitivity``): the dispersion of the labs'
#: and hyperscalers' growth (1 = as stated) and the half-life of the labs' growth deviation, in quarters; the
#: scenario's own value is added when missing.
SENSITIVITY = {"growth_dispersion_scale": (0.0, 0.5, 1.0, 2.0), "half_life_quarters": (1.0, 2.3, 4.0, 8.0, 40.0)}
#: Paths of each sensitivity run: the first chunk's first paths (the run's own draws).
SENSITIVITY_PATHS = 2_000


def sensitivity_grid(scn: Scenario) -> tuple[tuple[str, float], ...]:
    """The (model key, value) pairs of the sensitivity runs: :data:`SENSITIVITY` plus the scenario's values."""
    return tuple((k, float(v)) for k, vals in SENSITIVITY.items() for v in sorted({*vals, scn.param(k)}))


_MODELS: dict = {}
_MODELS_LOCK = threading.Lock()


def model_for(scn: Scenario) -> CascadeModel:
    """The :class:`CascadeModel` of a scenario, built once and cached (a few most recent scenarios).

    The compiled arrays do not depend on the scenario's ``stretches`` (the stages read those from
    ``model.scenario``), so a stretch variant shares its base scenario's compiled model: only the
    scenario on it differs. Thread-safe: chunk threads asking at once build the model once.
    """
    key = scn.model_dump_json()
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS.clear() if len(_MODELS) > 16 else None
            compiled = scn.model_dump_json(exclude={"stretches"})
            if compiled not in _MODELS:
                _MODELS[compiled] = CascadeModel.from_scenario(scn)
            _MODELS[key] = dataclasses.replace(_MODELS[compiled], scenario=scn)
        return _MODELS[key]


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
    sensitivity: bool = True,
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
    sensitivity : bool, default True
        Also run :meth:`StressResult.sensitivity`'s grid on the first chunk's first
        :data:`SENSITIVITY_PATHS` paths.
    """
    scn = load_scenario(scenario) if isinstance(scenario, str) else scenario
    n = scn.paths if paths is None else int(paths)
    sd = scn.seed if seed is None else int(seed)
    if n < 1:
        raise SpecError(f"paths must be >= 1. Got {n}.")
    variants = tuple(v for v in STRETCHES if stretches and not getattr(scn.stretches, v).enabled)
    grid = sensitivity_grid(scn) if sensitivity else ()
    # the chunk threads are the parallelism: BLAS's own threads would fight them over the cores
    with threadpool_limits(limits=1, user_api="blas"):
        chunks = map_chunks(cascade_kernel, n, seed=sd, chunk_size=chunk_size, args=(scn, variants, grid),
                            client=client, workers=workers, progress=progress, threads=threads)
    runs = {}
    for v in ("base", *variants):
        runs[v] = {k: np.concatenate([c[v][k] for c in chunks]) for k in chunks[0][v]}
    inputs = np.concatenate([c["inputs"] for c in chunks])
    model = model_for(scn)
    return StressResult(scenario=scn, model=model, seed=sd, paths=n, inputs=inputs, runs=runs,
                        central=_central_path(model), chunk_size=int(chunk_size), sens=chunks[0].get("sensitivity"))


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
