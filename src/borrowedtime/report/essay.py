"""Report section: the essay's own series (capex growth and its roll-over, OpenAI's step-ups)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from borrowedtime.report import _format as F

__all__ = ["render", "capex_figure", "marks_figure"]


def capex_figure(cap) -> go.Figure:
    """Capex bars (USD bn, left axis) with its growth and acceleration (%, pp; right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=cap.year, y=cap.capex_usd_bn, name="capex (USD bn, left)", marker_color="#b0c4de",
                hovertemplate="%{x}: $%{y:,.0f} bn<extra></extra>")
    fig.add_scatter(x=cap.year, y=cap.growth_pct, name="growth (%, right)", mode="lines+markers",
                    line={"color": F.COLORS["velocity"]}, secondary_y=True,
                    hovertemplate="%{x}: %{y:+.0f}%<extra>growth</extra>")
    fig.add_scatter(x=cap.year, y=cap.acceleration_pp, name="acceleration (pp, right)", mode="lines+markers",
                    line={"color": F.COLORS["acceleration"]}, secondary_y=True,
                    hovertemplate="%{x}: %{y:+.0f} pp<extra>acceleration</extra>")
    fig.add_hline(y=0, line_color="#bbb", secondary_y=True)
    fig.update_xaxes(title_text="year", dtick=1, tickformat="d")
    fig.update_yaxes(title_text="capex, USD bn a year", tickprefix="$", ticksuffix=" bn", secondary_y=False,
                     rangemode="tozero")
    fig.update_yaxes(title_text="growth %, acceleration pp", secondary_y=True, showgrid=False, zeroline=False,
                     tickmode="linear", tick0=0, dtick=20)
    fig.update_layout(title="Hyperscaler capex: the level rises, the growth rolls over")
    return fig


def marks_figure(val) -> go.Figure:
    """OpenAI's marks (USD bn, log axis) and the step-up of each round (×)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=val.date, y=val.mark_usd_bn, name="post-money mark (USD bn, left)", mode="lines+markers",
                    line={"color": F.COLORS["level"]}, hovertemplate="%{x}: $%{y:,.0f} bn<extra></extra>")
    fig.add_bar(x=val.date, y=val.step_up, name="step-up × (right)", marker_color="rgba(214,39,40,0.45)",
                secondary_y=True, hovertemplate="%{x}: %{y:.2f}×<extra>step-up</extra>")
    fig.update_xaxes(title_text="date of the round")
    F.log_axis(fig, val.mark_usd_bn.to_numpy(), title="mark, USD bn (log scale)", secondary_y=False)
    fig.update_yaxes(tickprefix="$", secondary_y=False)
    fig.update_yaxes(title_text="step-up, × the last mark", secondary_y=True, showgrid=False, ticksuffix="×",
                     type="linear", showticklabels=True,
                     rangemode="tozero", tickmode="linear", tick0=0, dtick=0.5)
    fig.update_layout(title="OpenAI's marks and their step-ups")
    return fig


def render(tables) -> str:
    """The section from :func:`borrowedtime.essay_arithmetic.essay_tables` ``(capex, marks)``."""
    cap, val = tables
    cap_units = {"year": "text", "capex_usd_bn": "usd_bn", "growth_pct": "pct_value", "stated_growth_pct": "pct_value",
                 "acceleration_pp": "pp", "stated_acceleration_pp": "pp"}
    cap_t = cap.assign(year=cap.year.astype(str))
    val_units = {"date": "text", "mark_usd_bn": "usd_bn", "step_up": "multiple", "stated_step_up": "multiple"}
    return (
        "<p>The level is at records, the velocity is still high, the acceleration has rolled over "
        "(essay, sections V and VII). Recomputed from the embedded levels; the essay's acceleration "
        "differences its growth rates rounded to whole percents. These series have five or six points: too "
        "few for the filter, so the first screen shows their discrete arithmetic.</p>"
        + F.figure(capex_figure(cap), "fig-essay-capex", height=380)
        + F.table(cap_t, cap_units, caption="Hyperscaler capex, recomputed beside the essay's figures",
                  signed=("growth_pct", "stated_growth_pct", "acceleration_pp", "stated_acceleration_pp"),
                  headers={"year": "Year", "capex_usd_bn": "Capex", "growth_pct": "Growth",
                           "stated_growth_pct": "Growth (essay)", "acceleration_pp": "Acceleration",
                           "stated_acceleration_pp": "Acceleration (essay)"})
        + F.figure(marks_figure(val), "fig-essay-marks", height=380)
        + F.table(val, val_units, caption="OpenAI's marks: step-ups recomputed beside the essay's",
                  headers={"date": "Date", "mark_usd_bn": "Post-money mark", "step_up": "Step-up",
                           "stated_step_up": "Step-up (essay)"})
    )
