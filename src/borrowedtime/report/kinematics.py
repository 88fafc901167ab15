"""Report sections: the essay's series, and S, S', S'' with bands and borrowed-time windows."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from borrowedtime.backtest import BacktestResult, run_backtest
from borrowedtime.essay import essay_facts, essay_series
from borrowedtime.kinematics import acceleration, growth, step_ups
from borrowedtime.report._html import ReportContext, Section, figure_html, table_html
from borrowedtime.series import load_series

__all__ = ["build", "build_essay", "kinematics_figure", "backtest_table", "CALM_NATIONAL"]

CALM_NATIONAL = ("1992-01-01", "2003-12-31")
CASE_SHILLER_RELEASE_LAG = 2  # published about two months after the reference month
_SHADE = "rgba(230, 120, 40, 0.18)"


def essay_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The essay's capex arithmetic and OpenAI step-ups, recomputed, beside the stated figures."""
    capex = essay_series("hyperscaler_capex")
    g = growth(capex)
    acc = acceleration(g, round_growth_to=0)
    facts = essay_facts()
    cap = pd.DataFrame(
        {
            "year": capex.index.year,
            "capex_usd_bn": capex.to_numpy(),
            "growth_pct": np.concatenate([[np.nan], g.to_numpy() * 100]),
            "stated_growth_pct": [np.nan, *facts["capex_growth_pct"]["values"]],
            "acceleration_pp": np.concatenate([[np.nan, np.nan], acc.to_numpy()]),
            "stated_acceleration_pp": [np.nan, np.nan, *facts["capex_acceleration_pp"]["values"]],
        }
    )
    marks = essay_series("openai_valuation")
    su = step_ups(marks)
    val = pd.DataFrame(
        {
            "date": [d.date().isoformat() for d in marks.index],
            "mark_usd_bn": marks.to_numpy(),
            "step_up": np.concatenate([[np.nan], su.to_numpy()]),
            "stated_step_up": [np.nan, *facts["openai_step_ups"]["values"]],
        }
    )
    return cap, val


def build_essay(ctx: ReportContext) -> Section:
    cap, val = essay_tables()
    fig = make_subplots(rows=1, cols=2, specs=[[{"secondary_y": True}, {}]],
                        subplot_titles=("Hyperscaler capex ($bn, bars) and its growth (%, lines)",
                                        "OpenAI marks: step-up"))
    fig.add_bar(x=cap.year, y=cap.capex_usd_bn, name="capex $bn", row=1, col=1)
    fig.add_scatter(x=cap.year, y=cap.growth_pct, name="growth %", mode="lines+markers", row=1, col=1,
                    secondary_y=True)
    fig.add_scatter(x=cap.year, y=cap.acceleration_pp, name="acceleration pp", mode="lines+markers",
                    row=1, col=1, secondary_y=True)
    fig.add_scatter(x=val.date, y=val.step_up, name="step-up x", mode="lines+markers", row=1, col=2)
    fig.update_layout(height=380, margin=dict(t=40, b=30))
    body = (
        "<p>The level is at records, the velocity is still high, the acceleration has rolled over "
        "(essay, sections V and VII). Recomputed from the embedded levels; the essay's acceleration "
        "differences its growth rates rounded to whole percents.</p>"
        + figure_html(fig)
        + table_html(cap, float_format="{:,.2f}")
        + table_html(val, float_format="{:,.2f}")
    )
    return Section("The essay's series", body, anchor="essay")


def kinematics_figure(bt: BacktestResult, *, title: str) -> go.Figure:
    """Stacked S, S' and S'' with 2-sd real-time bands, the borrowed-time windows shaded."""
    f = bt.kinematics.to_frame()
    ready = bt.kinematics.ready[0]
    f = f[ready]
    rows = 4 if bt.outcome is not None else 3
    titles = ["S (level)", "S' velocity, log growth per year (real time, ±2 sd)",
              "S'' acceleration, per year² (real time, ±2 sd)"]
    if bt.outcome is not None:
        titles.append(f"Outcome: {bt.outcome.name}")
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=tuple(titles))
    if bt.outcome is not None:
        fig.add_scatter(x=bt.outcome.index, y=bt.outcome.to_numpy(), name=str(bt.outcome.name),
                        row=4, col=1, line=dict(color="#6c3483"))
    fig.add_scatter(x=bt.series.index, y=bt.series.to_numpy(), name=bt.name, row=1, col=1, line=dict(color="#1f4e79"))
    for row, col, color in ((2, "velocity", "#2a7f62"), (3, "acceleration", "#b03a2e")):
        mean, sd = f[col].to_numpy(), f[f"{col}_sd"].to_numpy()
        x = list(f.index) + list(f.index[::-1])
        y = list(mean + 2 * sd) + list((mean - 2 * sd)[::-1])
        fig.add_scatter(x=x, y=y, fill="toself", fillcolor="rgba(120,120,120,0.2)", line=dict(width=0),
                        name=f"{col} ±2 sd", showlegend=False, row=row, col=1, hoverinfo="skip")
        fig.add_scatter(x=f.index, y=mean, name=col, row=row, col=1, line=dict(color=color))
        fig.add_hline(y=0, line=dict(color="#444", width=1), row=row, col=1)
    fig.add_scatter(x=bt.yoy.index, y=bt.yoy.to_numpy(), name="YoY growth", row=2, col=1,
                    line=dict(color="#999", dash="dot"))
    last = bt.series.index[-1]
    for w in bt.windows:
        fig.add_vrect(x0=w.start, x1=w.end if w.end is not None else last, fillcolor=_SHADE,
                      line_width=0, layer="below")
    fig.update_layout(height=240 * rows, title=title, margin=dict(t=60, b=30), legend=dict(orientation="h"))
    return fig


def backtest_table(bt: BacktestResult) -> pd.DataFrame:
    """The comparison table as printed in the report and the README."""
    cols = ["rule", "yoy_negative", "first_call", "lead_months", "standing_0m", "standing_3m", "standing_6m",
            "calls", "false_alarms", "calm_calls"]
    return bt.comparison()[[c for c in cols if c in bt.comparison().columns]]


def _shared_backtest(ctx: ReportContext) -> BacktestResult | None:
    if ctx.shared_data is None:
        return None
    cs = Path(ctx.shared_data) / "case_shiller_us_national_monthly.csv"
    dq = Path(ctx.shared_data) / "fred_DRSFRMACBS_sf_mortgage_delinquency_quarterly.csv"
    if not cs.exists():
        return None
    s = load_series(cs, column="National-US")
    o = load_series(dq) if dq.exists() else None
    return run_backtest(s, o, calm=CALM_NATIONAL, release_lag=CASE_SHILLER_RELEASE_LAG)


def _section_for(bt: BacktestResult, title: str, note: str) -> str:
    fig = kinematics_figure(bt, title=title)
    out = bt.outcome_summary()
    extra = ""
    if out and out["turns"]:
        rows = pd.DataFrame(out["turns"])
        extra = f"<h3>Outcome: {html.escape(out['name'])}</h3>" + table_html(rows, float_format="{:,.2f}")
    return (
        f"<p class='note'>{html.escape(note)}</p>"
        + figure_html(fig)
        + "<h3>Backtest: monitor vs the named baseline and the naive rule</h3>"
        + "<p class='note'>standing_Km: a call was standing K months before the turn (K = 0: the "
        "observation before it). A turn is anticipated when the call stood six months before it.</p>"
        + table_html(backtest_table(bt), float_format="{:,.0f}")
        + extra
    )


def build(ctx: ReportContext) -> Section | None:
    """S, S', S'' panels and the backtest table for each series in the context."""
    parts = []
    bt = _shared_backtest(ctx)
    if bt is not None:
        parts.append(
            "<h3>Case-Shiller U.S. National (NSA), real time</h3>"
            + _section_for(bt, "Case-Shiller U.S. National", "Shaded: borrowed-time windows as called in real time. "
                           "Calm decade for false alarms: 1992-2003. Calls scored as published, two months after "
                           "the reference month (Case-Shiller's release lag). Outcome: bank mortgage delinquency (FRED DRSFRMACBS).")
        )
    for source, column in ctx.series:
        s = load_series(source if str(source).startswith("fred:") else Path(source), column)
        b = run_backtest(s)
        parts.append(f"<h3>{html.escape(str(s.name))}</h3>" + _section_for(b, str(s.name), f"source: {source}"))
    if not parts:
        return None
    return Section("Level, velocity, acceleration", "\n".join(parts), anchor="kinematics")
