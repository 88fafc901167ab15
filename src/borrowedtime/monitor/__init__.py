"""The monitor: watch the second derivative of any series in real time (the observe layer).

One file per job, from the ground up:

- ``discrete.py``: growth, acceleration, step-ups and year-over-year growth of a
  few figures, written once (the essay's arithmetic; a turn is defined on YoY).
- ``statespace.py``: the system matrices (trend, seasonal, cycle, averaging)
  and the signal-to-noise ratios fixed by stated principles.
- ``_kalman.py``: the filter and smoother kernels (numba, each with a plain twin).
- ``model.py``: :class:`KinematicsModel`, the specification whose ``fit`` runs
  the filter on a series or a panel; ``result.py``: :class:`KinematicsResult`.
- ``events.py``: P(a turn within h), from the model's forward distribution.
- ``regimes.py``: regimes, calls and borrowed-time windows from the result.
- ``scoring.py``: turns of YoY growth and the scoring of calls against them.
- ``backtest.py``: the real-time run scored beside the named baseline and the naive rule.
- ``calibration.py``: are the one-step predictive intervals honest.
- ``screen.py``: many series at once, ranked.
- ``distributed.py``: a panel's filter on a Dask cluster.
- ``evaluate.py``: every rule's skill at forecasting a turn (AUROC, Brier,
  reliability); ``evaluate_rules.py``: the rules it scores.
- ``recalibrate.py``: an event probability recalibrated in real time on a panel's record.
"""

from borrowedtime.monitor.discrete import acceleration, growth, step_ups, year_over_year

__all__ = [
    "growth",
    "acceleration",
    "step_ups",
    "year_over_year",
    "KinematicsModel",
    "KinematicsResult",
    "p_turn_within",
    "trend_snr",
    "seasonal_snr",
]

# The model, its result and the event probabilities import scipy.stats (about a second); the many
# modules that need only the discrete arithmetic (the treadmill, the verdict, the stress command)
# should not pay for it, so these names are imported on first use.
_LAZY = {
    "KinematicsModel": "borrowedtime.monitor.model",
    "KinematicsResult": "borrowedtime.monitor.result",
    "p_turn_within": "borrowedtime.monitor.events",
    "trend_snr": "borrowedtime.monitor.statespace",
    "seasonal_snr": "borrowedtime.monitor.statespace",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'borrowedtime.monitor' has no attribute {name!r}")
