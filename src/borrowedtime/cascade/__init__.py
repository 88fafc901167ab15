"""The cascade run forward: the six steps of essay XI, the three stretches, Monte Carlo over paths.

- :mod:`~borrowedtime.cascade.scenario`: YAML scenarios, validated (packaged: base, each stretch,
  anthropic_unwrapped, correlation_of_one, no_trigger).
- :mod:`~borrowedtime.cascade.model`: a scenario compiled to arrays (:class:`CascadeModel`).
- :mod:`~borrowedtime.cascade.draws`: every random number of the paths (:class:`Draws`).
- :mod:`~borrowedtime.cascade.state`: the state after a quarter and what a run returns.
- :mod:`~borrowedtime.cascade.stages`: the six stages over (paths, entities) arrays.
- :mod:`~borrowedtime.cascade.run`: the quarterly loop (:func:`simulate`) and the stretches beside the base.
- :mod:`~borrowedtime.cascade.narrative`: one path as a timeline.
- :mod:`~borrowedtime.cascade.stretches`: what each stretch buys and costs.
- :mod:`~borrowedtime.cascade.montecarlo`: the paths in seeded chunks (:func:`run_stress`), sensitivity runs.
- :mod:`~borrowedtime.cascade.result`: :class:`StressResult` (tables, frames, tornado, example path).
"""

from borrowedtime.cascade.draws import Draws, central_draws, draw_inputs
from borrowedtime.cascade.model import NEVER, CascadeModel
from borrowedtime.cascade.montecarlo import STRETCHES, StressResult, model_for, run_stress
from borrowedtime.cascade.narrative import narrative
from borrowedtime.cascade.run import simulate
from borrowedtime.cascade.scenario import INPUTS, Scenario, load_scenario, packaged_scenarios
from borrowedtime.cascade.state import CascadeState, Outcome
from borrowedtime.cascade.stretches import stretch_table

__all__ = [
    "CascadeModel",
    "CascadeState",
    "Draws",
    "NEVER",
    "Outcome",
    "central_draws",
    "draw_inputs",
    "narrative",
    "simulate",
    "STRETCHES",
    "StressResult",
    "run_stress",
    "model_for",
    "INPUTS",
    "Scenario",
    "load_scenario",
    "packaged_scenarios",
    "stretch_table",
]
