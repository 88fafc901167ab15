"""The screen's page: counts, the ranked table, a small multiple per series of the top group.

Formats a :class:`borrowedtime.monitor.screen.ScreenResult`; runs nothing.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from borrowedtime.report import _format as F
from borrowedtime.report._html import Section, render_report

__all__ = ["render_screen_page", "small_multiple", "MAX_MULTIPLES"]

#: Most small multiples drawn on one page (the rest are in the table).
MAX_MULTIPLES = 24


def small_multiple(history: pd.DataFrame, name: str) -> go.Figure:
    """Level above velocity with its ±2 sd band, the standing calls shaded.

    Parameters
    ----------
    history : pandas.DataFrame
        :meth:`borrowedtime.monitor.screen.ScreenResult.history` of one series.
    name : str
    """
    h = history
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.55, 0.45])
    lvl = h["level"].dropna()
    fig.add_scatter(x=lvl.index, y=lvl.to_numpy(), name="level", line={"color": F.COLORS["level"], "width": 1.3},
                    row=1, col=1, hovertemplate="%{x|%Y-%m}: %{y:,.4g}<extra></extra>")
    v = h[["velocity", "velocity_sd"]].dropna()
    x = list(v.index) + list(v.index[::-1])
    y = list(v["velocity"] + 2 * v["velocity_sd"]) + list((v["velocity"] - 2 * v["velocity_sd"])[::-1])
    fig.add_scatter(x=x, y=y, fill="toself", fillcolor=F.COLORS["band"], line={"width": 0}, hoverinfo="skip",
                    name="±2 sd", row=2, col=1)
    fig.add_scatter(x=v.index, y=v["velocity"], name="S′ per year", line={"color": F.COLORS["velocity"], "width": 1.3},
                    row=2, col=1, hovertemplate="%{x|%Y-%m}: %{y:+.1%}<extra>S′</extra>")
    fig.add_hline(y=0, line={"color": "#444", "width": 1}, row=2, col=1)
    call = h["call"].to_numpy()
    edges = np.diff(np.concatenate([[0], call.astype(np.int8)]))
    starts = h.index[edges == 1]
    ends = list(h.index[edges == -1])
    for k, s in enumerate(starts):
        e = next((d for d in ends if d > s), h.index[-1])
        for row in (1, 2):
            F.shade_window(fig, s, e, f"call {s:%Y-%m}" if (row == 1 and k == len(starts) - 1) else None, row=row,
                           align="right")
    F.pin_x(fig, h.index[0], h.index[-1])
    fig.update_yaxes(title_text="level", row=1, col=1, nticks=4)
    fig.update_yaxes(title_text="S′ /yr", tickformat=".0%", row=2, col=1, nticks=4)
    fig.update_layout(title={"text": html.escape(name), "font": {"size": 13}}, showlegend=False)
    return fig


def render_screen_page(result, *, top: int | None = None, title: str = "borrowedtime screen") -> str:
    """The whole screen page (self-contained HTML, plotly.js inlined once)."""
    counts = result.counts()
    rule = result.spec.rule
    head = (
        f"<p>{result.n_input} series from {html.escape(result.source or 'the panel')}: "
        + " ".join(f"{F.badge(r)} <b>{counts[r]}</b>" for r in ("borrowed time", "contraction", "boom", "repair",
                                                                   "undetermined"))
        + f" &nbsp; skipped <b>{counts['skipped']}</b>.</p>"
        + F.note(f"Each series is read in real time at its own last date. P(borrowed time) is the probability that "
                 f"growth {rule.horizon_years:g} years out, S′ + {rule.horizon_years:g}y·S″, is negative; a call "
                 f"stands when it has been at least {rule.confidence:g} for a quarter, and 'borrowed time' is a call "
                 "while growth is still positive. Ranked: borrowed time first (by probability, then by how long), "
                 "then contraction, boom, repair, undetermined.")
    )
    frame = result.to_frame()
    shown = frame.assign(regime=frame["regime"].map(F.badge))
    shown.insert(0, "rank", range(1, len(shown) + 1))
    units = {"rank": "int", "p_borrowed_time": "prob", "p_growth_positive": "prob", "p_turn_12m": "prob",
             "since": "month",
             "months_in_regime": "int", "call_since": "month", "last_date": "month", "observations": "int",
             "velocity": "pct", "acceleration": "pct"}
    headers = {"rank": "#", "name": "Series", "regime": "Regime", "p_borrowed_time": "P(borrowed time)",
               "p_growth_positive": "P(S′ > 0)", "p_turn_12m": "P(turn < 12 mo.)", "since": "Regime since", "months_in_regime": "Months in it",
               "call_since": "Call since", "last_date": "Last reading", "observations": "Obs.",
               "velocity": "S′ a year", "acceleration": "S″ a year²", "frequency": "Frequency"}
    table = F.table(shown, units, headers=headers, html_columns=("regime",), signed=("velocity", "acceleration"),
                    caption="Every series, ranked", collapse=len(shown) > 30)
    group = result.top(top)
    multiples = []
    for k, name in enumerate(group["name"].head(MAX_MULTIPLES)):
        row = group.iloc[k]
        fig = small_multiple(result.history(name), f"#{k + 1} {name}: {row['regime']}, "
                                                   f"P = {F.fmt(row['p_borrowed_time'], 'prob')}")
        # no toolbar: on a small chart it covers the title
        multiples.append(F.figure(fig, f"fig-screen-{k}", height=300, legend="none", toolbar=False))
    n_bt = counts["borrowed time"]
    if top is not None:
        label = f"the top {top} ({len(group)} series"
    elif n_bt:
        label = f"the borrowed-time group ({n_bt} series"
    else:
        label = f"the first-ranked series, as no series is on borrowed time ({len(group)} series"
    top_html = (f"<p>Small multiples of {label}"
                + (f", the first {MAX_MULTIPLES} drawn" if len(group) > MAX_MULTIPLES else "") + "): level above, "
                "velocity S′ with its ±2 sd band below, standing calls shaded.</p>"
                + f"<div class='bt-grid'>{''.join(multiples)}</div>")
    skipped = pd.DataFrame([{"name": s.name, "why": s.why} for s in result.skipped], columns=["name", "why"])
    sections = [
        Section("Ranked", head + table, "ranked"),
        Section("Top group", top_html, "top"),
        Section("Skipped", F.table(skipped, headers={"name": "Series", "why": "Why"}, caption="Not screened")
                if len(skipped) else "<p>None: every series was screened.</p>", "skipped"),
    ]
    # the key lists what this page shows: calls shaded, level, velocity and its band, regime badges (no audit,
    # no turn line, no acceleration, no outcome series)
    key = F.colour_legend(("window", "level", "velocity", "band"), regimes=True, audit=False)
    return render_report(sections, title=title, subtitle=f"Screen of {result.n_input} series.", legend=key)
