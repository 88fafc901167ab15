"""The cascade run forward: the six steps of essay XI, the three stretches, Monte Carlo over paths.

- :mod:`~borrowedtime.cascade.scenario`: YAML scenarios, validated (packaged: base, each stretch,
  anthropic_unwrapped, correlation_of_one, no_trigger).
- :mod:`~borrowedtime.cascade.engine`: quarterly stages over (paths, entities) arrays; narrative timeline.
- :mod:`~borrowedtime.cascade.stretches`: what each stretch buys and costs.
- :mod:`~borrowedtime.cascade.montecarlo`: trigger-quarter distribution, defaults, losses, tornado.
"""

from borrowedtime.cascade.engine import (
    CascadeModel,
    CascadeState,
    Outcome,
    central_draws,
    draw_inputs,
    narrative,
    simulate,
)
from borrowedtime.cascade.montecarlo import STRETCHES, StressResult, model_for, run_stress
from borrowedtime.cascade.scenario import INPUTS, Scenario, load_scenario, packaged_scenarios
from borrowedtime.cascade.stretches import stretch_table

__all__ = [
    "CascadeModel",
    "CascadeState",
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
