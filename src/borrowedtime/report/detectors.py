"""Report section: the second-derivative monitor, LPPLS and PSY GSADF on one time axis.

Formats a :class:`borrowedtime.reporting.DetectorInputs`; runs nothing.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from borrowedtime.report import _format as F

__all__ = ["render"]

_SHADES = {"borrowedtime": "rgba(230,120,40,0.18)", "lppls": "rgba(31,119,180,0.18)",
           "gsadf": "rgba(44,160,44,0.18)", "baseline": "rgba(148,103,189,0.18)", "naive": "rgba(127,127,127,0.18)"}
_NAMES = {"borrowedtime": "second-derivative monitor", "lppls": "LPPLS", "gsadf": "PSY GSADF",
          "baseline": "named baseline", "naive": "naive rule"}


def render(inputs) -> str:
    """Three real-time bubble signals on one time axis, with the league table (no run times: see BENCHMARKS.md)."""
    table, series = inputs.table, inputs.series
    sig = table.signals
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=("Price (log scale) and each detector's warning episodes",
                                        "LPPLS confidence (share of fits that see a bubble)",
                                        "PSY backward sup ADF statistic against its 95% critical value"))
    fig.add_trace(go.Scatter(x=series.index, y=series.to_numpy(), name=f"{series.name} (price)",
                             line={"color": F.COLORS["level"]}), row=1, col=1)
    for entry in table.entries:
        for start, end in entry.warnings:
            fig.add_vrect(x0=start, x1=end if end is not None else series.index[-1],
                          fillcolor=_SHADES.get(entry.name, "rgba(0,0,0,0.1)"), line_width=0, row=1, col=1)
        # one legend entry per detector for its shading
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{_NAMES.get(entry.name, entry.name)} "
                                 "warning", marker={"size": 12, "symbol": "square",
                                                    "color": _SHADES.get(entry.name, "#ccc").replace("0.18", "0.6")}),
                      row=1, col=1)
    if table.turn is not None:
        F.mark_date(fig, table.turn, f"turn {table.turn.date()}", row=1, y=0.98)
    if "lppls" in sig:
        frame = sig["lppls"]
        fig.add_trace(go.Scatter(x=frame.index, y=frame["pos_conf"], name="LPPLS positive bubble",
                                 line={"color": "#1f77b4"}), row=2, col=1)
        fig.add_trace(go.Scatter(x=frame.index, y=frame["neg_conf"], name="LPPLS negative bubble",
                                 line={"color": "#ff7f0e"}), row=2, col=1)
    if "gsadf" in sig:
        frame = sig["gsadf"]
        fig.add_trace(go.Scatter(x=frame.index, y=frame["bsadf"], name="BSADF",
                                 line={"color": "#2ca02c"}), row=3, col=1)
        fig.add_trace(go.Scatter(x=frame.index, y=frame["bsadf_cv"], name="95% critical value",
                                 line={"color": "#2ca02c", "dash": "dot"}), row=3, col=1)
    F.log_axis(fig, series.to_numpy(), title="index points (log scale)", row=1)
    fig.update_yaxes(title_text="confidence", tickformat=".0%", range=[0, 1], row=2, col=1)
    fig.update_yaxes(title_text="ADF statistic", row=3, col=1)
    fig.update_xaxes(title_text="date", row=3, col=1)
    F.pin_x(fig, series.index[0], series.index[-1])
    frame = table.to_frame().drop(columns=["seconds"], errors="ignore")
    frame["detector"] = frame["detector"].map(lambda n: _NAMES.get(n, n))
    note = (
        f"Series: {series.name} ({series.index[0].date()} to {series.index[-1].date()}); "
        + (f"turn {table.turn.date()} (the maximum). " if table.turn is not None else
           "live: no turn in the sample, nothing scored. ")
        + "Shaded: warning episodes (orange: second-derivative monitor, blue: LPPLS positive "
        "confidence at least 0.2, green: PSY date-stamped episodes with the real-time minimum window, purple: the "
        "named baseline, grey: the naive rule; one episode rule for all). Every signal at a date uses only data up to "
        "that date. Run times are machine-dependent and live in BENCHMARKS.md."
        + (" Quick mode: a short stretch and coarse settings." if inputs.quick else "")
    )
    return (
        F.note(note) + F.figure(fig, "fig-detectors", height=760)
        + F.table(frame, {"first_warning": "date", "lead_days": "int", "episodes": "int", "false_alarms": "int",
                          "standing_since": "date"},
                  headers={"detector": "Detector", "first_warning": "First warning", "lead_days": "Lead (days)",
                           "episodes": "Episodes", "false_alarms": "False alarms",
                           "standing_since": "Standing at the end since", "note": "Settings and notes"},
                  caption="League table", collapse=False)
        + f"<!-- {html.escape(str(table.series_name))} -->"
    )
