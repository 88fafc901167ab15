"""The state of the cascade after a quarter over (paths, ...) arrays, and what a run returns per path.

Money in USD bn; quarters as indices from quarter 0, ``NEVER`` (-1) for not yet / not within the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from borrowedtime.cascade.model import NEVER, CascadeModel

__all__ = ["CascadeState", "Outcome", "initial_state"]


@dataclass
class CascadeState:
    """Everything the cascade knows after a quarter, arrays over (paths, ...).

    Money in USD bn; ``*_q`` fields hold a quarter index or -1 (not yet).
    """

    q: int
    revenue: np.ndarray  # (P, L) annual rate received: the plan's times exp(dev)
    growth: np.ndarray  # (P, L) annual log growth: the plan's plus dgrowth
    dev: np.ndarray  # (P, L) log deviation of revenue from the plan
    dgrowth: np.ndarray  # (P, L) deviation of annual log growth from the plan's
    shift: np.ndarray  # (P, L) its permanent part (the capex flip's recycled cut); the rest reverts
    lab_cash: np.ndarray  # (P, L)
    mark: np.ndarray  # (P, L) last post-money value
    required: np.ndarray  # (P, L) required value at the last funding test (nan: none yet)
    achievable: np.ndarray  # (P, L) achievable value at the last funding test
    raised: np.ndarray  # (P, L) raised this quarter
    trigger_q: np.ndarray  # (P, L)
    capex: np.ndarray  # (P,) annual rate
    capex_growth: np.ndarray  # (P,)
    flipped_q: np.ndarray  # (P,)
    frozen_q: np.ndarray  # (P,)
    cash: np.ndarray  # (P, N)
    loss: np.ndarray  # (P, N) cumulative credit losses and impairments
    h: np.ndarray  # (P, N) distress after DebtRank
    h_key: np.ndarray  # (P, N) direct distress h was computed from (2: defaulted)
    default_q: np.ndarray  # (P, N)
    distress_q: np.ndarray  # (P, N)
    remaining: np.ndarray  # (P, m) still owed per edge
    cut: np.ndarray  # (P, m) share of each edge cut by restructuring
    paid: np.ndarray  # (P, m) paid this quarter
    due: np.ndarray  # (P, m) due this quarter
    bought: np.ndarray  # (P, N) book value of seized assets bought
    stretch_used: dict = field(default_factory=dict)  # name -> (P,) amount put in, USD bn
    stretch_q: dict = field(default_factory=dict)  # name -> (P,) quarter used (-1)
    hold_until: np.ndarray | None = None  # (P, L) backstop: no funding test before this quarter
    lever_left: np.ndarray | None = None  # (P,) hyperscaler debt capacity left

    def copy(self) -> CascadeState:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = {k: a.copy() for k, a in v.items()} if isinstance(v, dict) else (
                v.copy() if isinstance(v, np.ndarray) else v)
        return CascadeState(**out)

    def take(self, rows: np.ndarray) -> CascadeState:
        """The state of some paths only (copies): stages run on the paths where something happens."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = {k: a[rows] for k, a in v.items()} if isinstance(v, dict) else (
                v[rows] if isinstance(v, np.ndarray) else v)
        return CascadeState(**out)

    def put(self, rows: np.ndarray, sub: CascadeState, names: tuple[str, ...]) -> None:
        """Write fields of a :meth:`take` back into these paths."""
        for name in names:
            v = getattr(self, name)
            if isinstance(v, dict):
                for k in v:
                    v[k][rows] = getattr(sub, name)[k]
            else:
                v[rows] = getattr(sub, name)

    @staticmethod
    def concat(a: CascadeState, b: CascadeState) -> CascadeState:
        """The paths of ``a`` followed by those of ``b`` (copies)."""
        out = {}
        for f in fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            out[f.name] = ({k: np.concatenate([x[k], y[k]]) for k in x} if isinstance(x, dict) else
                           np.concatenate([x, y]) if isinstance(x, np.ndarray) else y)
        return CascadeState(**out)

    def path(self, i: int) -> dict:
        """One path's values (for narratives and tests)."""
        return {f.name: (getattr(self, f.name)[i] if isinstance(getattr(self, f.name), np.ndarray) else None)
                for f in fields(self) if f.name not in ("stretch_used", "stretch_q")}


def initial_state(model: CascadeModel, P: int) -> CascadeState:
    L, N, m = len(model.labs), model.n, model.network.src.size
    lever = model.scenario.stretches.hyperscaler_leverage
    return CascadeState(
        q=-1,
        revenue=np.tile(model.lab_rev_q[:, 0], (P, 1)),
        growth=np.tile(model.lab_growth0, (P, 1)),
        dev=np.zeros((P, L)),
        dgrowth=np.zeros((P, L)),
        shift=np.zeros((P, L)),
        lab_cash=np.tile(model.lab_cash0, (P, 1)),
        mark=np.tile(model.lab_mark0, (P, 1)),
        required=np.full((P, L), np.nan),
        achievable=np.full((P, L), np.nan),
        raised=np.zeros((P, L)),
        trigger_q=np.full((P, L), NEVER),
        capex=np.full(P, model.capex0),
        capex_growth=np.full(P, model.capex_growth0),
        flipped_q=np.full(P, NEVER),
        frozen_q=np.full(P, NEVER),
        cash=np.tile(model.cash0, (P, 1)),
        loss=np.zeros((P, N)),
        h=np.zeros((P, N)),
        h_key=np.zeros((P, N)),
        default_q=np.full((P, N), NEVER),
        distress_q=np.full((P, N), NEVER),
        remaining=np.tile(model.sched.sum(axis=0) + 0.0, (P, 1)),
        cut=np.zeros((P, m)),
        paid=np.zeros((P, m)),
        due=np.zeros((P, m)),
        bought=np.zeros((P, N)),
        stretch_used={k: np.zeros(P) for k in ("private_round", "backstop", "hyperscaler_leverage")},
        stretch_q={k: np.full(P, NEVER) for k in ("private_round", "backstop", "hyperscaler_leverage")},
        hold_until=np.full((P, L), NEVER),
        lever_left=np.full(P, min(lever.extra_debt_usd_bn or 0.0, model.lever_headroom_usd_bn) if lever.enabled else 0.0),
    )


@dataclass(frozen=True, eq=False)
class Outcome:
    """What a run of the cascade returns per path (arrays; quarters as indices, -1 for never)."""

    trigger_q: np.ndarray  # (P, L)
    default_q: np.ndarray  # (P, N)
    distress_q: np.ndarray  # (P, N)
    loss: np.ndarray  # (P, N) USD bn
    h: np.ndarray  # (P, N)
    bought: np.ndarray  # (P, N) USD bn of book value
    flipped_q: np.ndarray  # (P,)
    frozen_q: np.ndarray  # (P,)
    stretch_used: dict
    inputs: np.ndarray  # (P, K)
    history: tuple = ()

    @property
    def first_trigger_q(self) -> np.ndarray:
        """(P,) first quarter any lab fails to clear its mark (-1: none)."""
        t = np.where(self.trigger_q == NEVER, np.iinfo(np.int64).max, self.trigger_q).min(axis=1)
        return np.where(t == np.iinfo(np.int64).max, NEVER, t)
