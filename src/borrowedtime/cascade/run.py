"""The quarterly loop: the six stages in order over every path, and the stretches run beside the base case.

:func:`simulate` runs one model over the paths of a :class:`~borrowedtime.cascade.draws.Draws`;
:func:`simulate_stretches` runs the base case and the stretches on the same draws, only what differs.
"""

from __future__ import annotations

import numpy as np

from borrowedtime.cascade.draws import Draws
from borrowedtime.cascade.model import CascadeModel
from borrowedtime.cascade.stages import (
    stage_clearing,
    stage_equity,
    stage_freeze,
    stage_growth,
    stage_marks,
    stage_pullback,
    stage_strong_buy,
)
from borrowedtime.cascade.state import CascadeState, Outcome, initial_state

__all__ = ["simulate", "simulate_stretches", "FORKED"]


def simulate(model: CascadeModel, draws: Draws, *, record: bool = False) -> Outcome:
    """Run the cascade over the paths in ``draws`` (from :func:`draw_inputs`).

    Parameters
    ----------
    record : bool
        Keep the :class:`CascadeState` after every quarter (``Outcome.history``).
    """
    P = draws.n
    s = initial_state(model, P)
    history = []
    for q in range(model.horizon):
        s.q = q
        stage_growth(model, s, draws, q)
        stage_marks(model, s, draws, q)
        stage_pullback(model, s, draws, q)
        new_default = stage_clearing(model, s, draws, q)
        stage_freeze(model, s, draws, q, new_default)
        stage_strong_buy(model, s, draws, q, new_default)
        stage_equity(model, s, draws, q)
        if record:
            history.append(s.copy())
    return Outcome(
        trigger_q=s.trigger_q, default_q=s.default_q, distress_q=s.distress_q, loss=s.loss, h=s.h,
        bought=s.bought, flipped_q=s.flipped_q, frozen_q=s.frozen_q, stretch_used=s.stretch_used,
        inputs=draws.inputs, history=tuple(history),
    )


#: Stretches that act only when a round fails (stage 1): a path runs as in the base case until its first
#: failing round at or after the stretch's quarter, so :func:`simulate_stretches` forks it there.
FORKED = ("private_round", "backstop")
_MARK_FIELDS = ("lab_cash", "mark", "required", "achievable", "raised", "trigger_q")
_OUT_FIELDS = ("trigger_q", "default_q", "distress_q", "loss", "h", "bought", "flipped_q", "frozen_q")


def _stages_after_marks(model: CascadeModel, s: CascadeState, draws: Draws, q: int) -> None:
    stage_pullback(model, s, draws, q)
    new_default = stage_clearing(model, s, draws, q)
    stage_freeze(model, s, draws, q, new_default)
    stage_strong_buy(model, s, draws, q, new_default)
    stage_equity(model, s, draws, q)


def _outcome(s: CascadeState, inputs: np.ndarray) -> Outcome:
    return Outcome(trigger_q=s.trigger_q, default_q=s.default_q, distress_q=s.distress_q, loss=s.loss, h=s.h,
                   bought=s.bought, flipped_q=s.flipped_q, frozen_q=s.frozen_q, stretch_used=s.stretch_used,
                   inputs=inputs)


def simulate_stretches(model: CascadeModel, draws: Draws, variants: dict[str, CascadeModel]) -> dict[str, Outcome]:
    """The base case and each stretch on the same draws, running only what differs.

    A stretch of :data:`FORKED` changes a path only from the quarter of its first round that fails at or
    after the stretch's ``quarter``: until then the path is the base case's, so it is copied from the
    base run there (the state before that quarter's marks) and run on with the stretch. Any other
    variant (``hyperscaler_leverage`` acts from quarter 0) runs in full on the shared draws. Every
    stage works row by row, so the result equals ``simulate(variant_model, draws)`` bit for bit
    (``tests/cascade/test_speed.py``).

    Returns
    -------
    dict
        ``"base"`` and each variant's name -> :class:`~borrowedtime.cascade.state.Outcome`.
    """
    out = {v: simulate(m, draws) for v, m in variants.items() if v not in FORKED}
    forks = {v: m for v, m in variants.items() if v in FORKED}
    P = draws.n
    s = initial_state(model, P)
    subs: dict[str, tuple[np.ndarray, CascadeState, Draws] | None] = {v: None for v in forks}
    forked = {v: np.zeros(P, dtype=bool) for v in forks}
    start = {v: int(getattr(m.scenario.stretches, v).quarter or 0) for v, m in forks.items()}
    for q in range(model.horizon):
        s.q = q
        stage_growth(model, s, draws, q)
        for v, sub in subs.items():
            if sub is not None:
                sub[1].q = q
                stage_growth(forks[v], sub[1], sub[2], q)
        before = {f: getattr(s, f).copy() for f in _MARK_FIELDS} if forks else {}
        stage_marks(model, s, draws, q)
        fails = (s.trigger_q == q).any(axis=1)
        grown: dict[int, tuple[np.ndarray, Draws]] = {}  # forks with the same start fork alike: one copy of draws
        for v, m in forks.items():
            new = np.flatnonzero(fails & ~forked[v]) if q >= start[v] else np.empty(0, np.intp)
            if new.size:
                forked[v][new] = True
                fresh = s.take(new)
                for f in _MARK_FIELDS:
                    setattr(fresh, f, before[f][new])
                rows = new if subs[v] is None else np.concatenate([subs[v][0], new])
                shared = grown.get(start[v])
                if shared is not None and np.array_equal(shared[0], rows):
                    sub_draws = shared[1]  # the stages only read the draws
                else:
                    sub_draws = draws.take(new) if subs[v] is None else Draws.concat(subs[v][2], draws.take(new))
                    grown[start[v]] = (rows, sub_draws)
                subs[v] = (rows, fresh if subs[v] is None else CascadeState.concat(subs[v][1], fresh), sub_draws)
            if subs[v] is not None and (new.size or subs[v][0].size):
                stage_marks(m, subs[v][1], subs[v][2], q)
                _stages_after_marks(m, subs[v][1], subs[v][2], q)
        _stages_after_marks(model, s, draws, q)
    out["base"] = _outcome(s, draws.inputs)
    for v in forks:  # the base paths, with the forked ones replaced (copies of the outcome's fields only)
        o = {f: getattr(s, f).copy() for f in _OUT_FIELDS}
        used = {k: a.copy() for k, a in s.stretch_used.items()}
        if subs[v] is not None:
            rows, sub, _ = subs[v]
            for f in _OUT_FIELDS:
                o[f][rows] = getattr(sub, f)
            for k in used:
                used[k][rows] = sub.stretch_used[k]
        out[v] = Outcome(**o, stretch_used=used, inputs=draws.inputs)
    return out
