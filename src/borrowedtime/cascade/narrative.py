"""One path of a recorded cascade run as a timeline of dated events."""

from __future__ import annotations

import numpy as np

from borrowedtime.cascade.model import CascadeModel
from borrowedtime.cascade.state import Outcome
from borrowedtime.errors import SpecError
from borrowedtime.network import quarter_label

__all__ = ["narrative"]


def narrative(model: CascadeModel, outcome: Outcome, path: int = 0) -> list[str]:
    """One path as a timeline of dated events ("2027Q2: OpenAI round clears at 1.10x against 1.40x required")."""
    if not outcome.history:
        raise SpecError("narrative needs a recorded run: simulate(..., record=True).")
    net = model.network
    label = {n: n for n in net.names}
    lines: list[str] = []
    prev = None
    for st in outcome.history:
        q = st.q
        when = quarter_label(net.as_of, q)
        for li, lab in enumerate(model.labs):
            tested = prev is None or not np.isclose(st.required[path, li], prev.required[path, li], equal_nan=True)
            if tested and np.isfinite(st.required[path, li]):
                last = model.lab_mark0[li] if prev is None else prev.mark[path, li]
                ach, req = st.achievable[path, li] / last, st.required[path, li] / last
                verdict = "clears" if st.trigger_q[path, li] != q else "FAILS: the trigger"
                lines.append(f"{when}: {label[lab]} round {verdict} at {ach:.2f}x against {req:.2f}x required "
                             f"(raised {st.raised[path, li]:,.0f} bn)")
            if st.trigger_q[path, li] == q:
                lines.append(f"{when}: {label[lab]} pulls back on take-or-pay commitments")
        for name, _used in st.stretch_used.items():
            if st.stretch_q[name][path] == q:
                lines.append(f"{when}: stretch '{name}' used")
        new_def = np.flatnonzero(st.default_q[path] == q)
        if new_def.size:
            lines.append(f"{when}: seized / in default: {', '.join(net.names[i] for i in new_def)}")
        if st.frozen_q[path] == q:
            lines.append(f"{when}: credit freezes: GPU-backed debt cannot roll; backlog repriced")
        new_dis = np.flatnonzero((st.distress_q[path] == q) & (st.default_q[path] != q))
        if new_dis.size:
            top = sorted(new_dis, key=lambda i: -st.h[path, i])[:6]
            lines.append(f"{when}: distress (equity loss >= {model.params['distress_threshold']:.0%}): "
                         + ", ".join(f"{net.names[i]} {st.h[path, i]:.0%}" for i in top))
        if st.flipped_q[path] == q:
            lines.append(f"{when}: the capex game flips: capex repriced from option to cost")
        if prev is not None:
            b = st.bought[path] - prev.bought[path]
            for i in np.flatnonzero(b > 0):
                lines.append(f"{when}: {net.names[i]} buys stranded data centres, {b[i]:,.1f} bn of book")
        prev = st
    if not lines:
        lines.append(f"{quarter_label(net.as_of, 0)}-{quarter_label(net.as_of, model.horizon - 1)}: "
                     "every round clears; no trigger within the horizon")
    return lines
