"""Report section: S, S', S'' with real-time bands, the borrowed-time windows dated, the turn marked."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from borrowedtime.report import _format as F
from borrowedtime.reporting import backtest_table

__all__ = ["render", "kinematics_figure", "turn_figure"]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40]


def kinematics_figure(bt, *, title: str) -> go.Figure:
    """Stacked S, S' and S'' with 2-sd real-time bands; windows shaded and labelled with their call dates.

    Parameters
    ----------
    bt : borrowedtime.monitor.backtest.BacktestResult
    title : str
    """
    f = bt.kinematics.to_frame()
    f = f[bt.kinematics.ready[0]]
    rows = 4 if bt.outcome is not None else 3
    titles = ["S: level (log scale)", "S′: velocity, growth per year (real time, ±2 sd)",
              "S″: acceleration, change of growth per year (real time, ±2 sd)"]
    if bt.outcome is not None:
        titles.append(f"What followed: {bt.outcome.name}")
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=tuple(titles))
    fig.add_scatter(x=bt.series.index, y=bt.series.to_numpy(), name=f"{bt.name} (level)", row=1, col=1,
                    line={"color": F.COLORS["level"]}, hovertemplate="%{x|%Y-%m}: %{y:,.1f}<extra></extra>")
    for row, col in ((2, "velocity"), (3, "acceleration")):
        mean, sd = f[col].to_numpy(), f[f"{col}_sd"].to_numpy()
        x = list(f.index) + list(f.index[::-1])
        y = list(mean + 2 * sd) + list((mean - 2 * sd)[::-1])
        fig.add_scatter(x=x, y=y, fill="toself", fillcolor=F.COLORS["band"], line={"width": 0},
                        name="±2 sd band", legendgroup="band", showlegend=row == 2, row=row, col=1,
                        hoverinfo="skip")
        fig.add_scatter(x=f.index, y=mean, name=f"{col} (real time)", row=row, col=1,
                        line={"color": F.COLORS[col]},
                        hovertemplate="%{x|%Y-%m}: %{y:+.1%}<extra>" + col + "</extra>")
        fig.add_hline(y=0, line={"color": "#444", "width": 1}, row=row, col=1)
    fig.add_scatter(x=bt.yoy.index, y=bt.yoy.to_numpy(), name="year-over-year growth", row=2, col=1,
                    line={"color": F.COLORS["yoy"], "dash": "dot"},
                    hovertemplate="%{x|%Y-%m}: %{y:+.1%}<extra>YoY</extra>")
    if bt.outcome is not None:
        fig.add_scatter(x=bt.outcome.index, y=bt.outcome.to_numpy(), name=f"{bt.outcome.name}", row=4, col=1,
                        line={"color": F.COLORS["outcome"]},
                        hovertemplate="%{x|%Y-%m}: %{y:.2f}<extra></extra>")
        fig.update_yaxes(title_text="percent", row=4, col=1)
    first, last = bt.series.index[0], bt.series.index[-1]
    late = first + (last - first) * 0.9  # labels of windows starting after this are written leftwards
    for k, w in enumerate(bt.windows):
        F.shade_window(fig, w.start, w.end if w.end is not None else last,
                       f"call {w.start:%Y-%m}", row=1, y=0.98 - 0.12 * (k % 3),
                       align="right" if w.start > late else "left")
        for row in range(2, rows + 1):
            F.shade_window(fig, w.start, w.end if w.end is not None else last, row=row)
    for k, turn in enumerate(bt.turns):
        for row in range(1, rows + 1):
            F.mark_date(fig, turn, f"YoY < 0 {turn:%Y-%m}" if row == 1 else "", row=row,
                        y=0.35 - 0.12 * (k % 2))
    F.pin_x(fig, min(bt.series.index[0], f.index[0]), bt.series.index[-1])
    F.log_axis(fig, bt.series.to_numpy(), title="index level (log scale)", row=1)
    fig.update_yaxes(title_text="per year", tickformat=".0%", row=2, col=1)
    fig.update_yaxes(title_text="per year²", tickformat=".0%", row=3, col=1)
    fig.update_xaxes(title_text="date", row=rows, col=1)
    fig.update_layout(title=title)
    return fig


def turn_figure(p_turn: pd.DataFrame, turns, *, title: str) -> go.Figure:
    """Real-time P(YoY growth first goes negative within 6 and 12 months), the turns marked.

    Parameters
    ----------
    p_turn : pandas.DataFrame
        Dates x horizons in months (:meth:`KinematicsResult.p_turn_within`).
    turns : sequence of Timestamp
        Dates YoY growth first went negative.
    title : str
    """
    fig = go.Figure()
    shown = p_turn.dropna(how="all")
    for h, colour in ((6, F.COLORS["acceleration"]), (12, F.COLORS["level"])):
        if h in shown.columns:
            fig.add_scatter(x=shown.index, y=shown[h].to_numpy(), name=f"within {h} months", mode="lines",
                            line={"color": colour}, connectgaps=False,
                            hovertemplate="%{x|%Y-%m}: %{y:.2f}<extra>" + f"{h} months</extra>")
    for k, turn in enumerate(turns):
        F.mark_date(fig, turn, f"YoY < 0 {turn:%Y-%m}", y=0.98 - 0.1 * (k % 2))
    fig.update_yaxes(title_text="probability", range=[0, 1.02])
    fig.update_xaxes(title_text="date")
    fig.update_layout(title=title)
    return fig


_BT_HEADERS = {"rule": "Rule", "yoy_negative": "YoY first negative", "first_call": "First call",
               "lead_months": "Lead (months)", "standing_0m": "Standing at the turn",
               "standing_3m": "Standing 3 months before", "standing_6m": "Standing 6 months before",
               "calls": "Calls", "false_alarms": "False alarms", "calm_calls": "Calls in the calm decade"}


def _turn_part(bt, p_turn: pd.DataFrame, k: int) -> str:
    last = p_turn.iloc[[-1]]
    latest = last.rename(columns=lambda h: f"within {h} months").assign(date=last.index.strftime("%Y-%m"))
    latest = latest[["date", *[c for c in latest.columns if c != "date"]]]
    units = {c: "prob" for c in latest.columns if c != "date"}
    return "".join([
        F.figure(turn_figure(p_turn, bt.turns, title=f"{bt.name}: P(a turn within h), real time"),
                 f"fig-turn-{k}", height=320),
        F.table(latest, units, caption="P(YoY growth first goes negative within h) at the last date"),
        F.note("P(a turn within h): at each date where year-over-year growth is positive, the probability that "
               "it first goes negative within h months, after at least 24 months of positive readings (the turn "
               "marked by the dashed lines), from the filtered state's forward distribution (data up to that "
               "date only; integrated by quasi-Monte Carlo). Blank where YoY growth is not positive. The "
               "probabilities rank coming turns well but run high: read them as a ranking, not as odds."),
    ])


def _part(bt, heading: str, note: str, k: int, p_turn: pd.DataFrame | None = None) -> str:
    fig = kinematics_figure(bt, title=heading)
    windows = pd.DataFrame([w.to_dict() for w in bt.windows])
    out = bt.outcome_summary()
    parts = [
        f"<h3 id='kin-{k}-{_slug(bt.name)}'>{html.escape(heading)}</h3>",
        F.note("Shaded: borrowed-time windows as called in real time, labelled with the call date; dashed "
               "line: the turn, year-over-year growth first negative. " + note),
        F.figure(fig, f"fig-kinematics-{k}", height=220 * (4 if bt.outcome is not None else 3) + 80),
        F.table(backtest_table(bt), {"lead_months": "int", "calls": "int", "false_alarms": "int",
                                     "calm_calls": "int", "yoy_negative": "text", "first_call": "text",
                                     "standing_0m": "bool", "standing_3m": "bool", "standing_6m": "bool"},
                headers=_BT_HEADERS, caption="Backtest: the monitor against the named baseline and the naive rule"),
        F.note("Standing K months before: a call stood K months before the turn (at the turn: the observation "
               "before it). A turn is anticipated when the call stood six months before it."),
    ]
    if p_turn is not None:
        parts.append(_turn_part(bt, p_turn, k))
    if not windows.empty:
        parts.append(F.table(windows, {"lead_months": "int", "anticipated": "bool"},
                             caption="Every borrowed-time window",
                             headers={"start": "Call", "published": "Published", "end": "Released",
                                      "anticipated": "Anticipated", "lead_months": "Lead (months)",
                                      "yoy_negative": "YoY first negative", "growth_peak": "YoY peak",
                                      "rollover": "S″ turned negative", "velocity_zero": "S′ crossed zero"}))
    if out and out["turns"]:
        rows = pd.DataFrame(out["turns"])
        parts.append(F.table(rows, {"trough_value": "pct_value", "value_at_turn": "pct_value",
                                    "rose_before_turn": "bool"},
                             caption=f"What followed: {out['name']}",
                             headers={"yoy_negative": "YoY first negative", "trough": "Trough",
                                      "trough_value": "At the trough", "value_at_turn": "At the turn",
                                      "rose_before_turn": "Rose before the turn"}))
    return "".join(parts)


def render(backtests) -> str:
    """The section from :class:`borrowedtime.reporting.Backtests`."""
    p_turn = backtests.p_turn or (None,) * len(backtests.items)
    return "\n".join(_part(bt, heading, note, k, p) for k, ((bt, heading, note), p)
                     in enumerate(zip(backtests.items, p_turn, strict=True)))

