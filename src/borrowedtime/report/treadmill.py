"""Report section: the refinancing treadmill (2/28 cohorts, the up-round borrower, the IPO's two prices).

Formats a :class:`borrowedtime.treadmill.TreadmillResult`; runs nothing.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from borrowedtime.report import _format as F

__all__ = ["render", "verdict"]

_VINTAGE_COLORS = ["#1b9e77", "#66a61e", "#7570b3", "#e6ab02", "#d95f02", "#e7298a", "#a6761d"]


def _quarter(ts) -> str:
    return F.fmt(ts, "quarter")


def _arm_part(res) -> str:
    arm = res.arm
    if arm is None:
        return F.note("No Case-Shiller series in the shared data folder: the cohort model is skipped.")
    window = slice(*res.window)
    turn = arm.default_rate_turn()
    yoy_neg = arm.price_yoy_negative()
    refi = arm.cumulative_share("refinanced").loc[window]
    dflt = arm.cumulative_share("defaulted").loc[window]
    yoy = arm.price_yoy()
    accel = (yoy - yoy.shift(12)).dropna()
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=("Refinanced away: cumulative share of each vintage",
                                        "Defaulted: cumulative share of each vintage",
                                        "National home prices: YoY growth and its 12-month change"))
    for k, year in enumerate(refi.columns):
        c = _VINTAGE_COLORS[k % len(_VINTAGE_COLORS)]
        fig.add_trace(go.Scatter(x=refi.index, y=refi[year], name=f"{year} vintage", legendgroup=str(year),
                                 line={"color": c}, hovertemplate="%{x|%Y-%m}: %{y:.0%}<extra>" + str(year)
                                 + " refinanced</extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(x=dflt.index, y=dflt[year], name=str(year), legendgroup=str(year),
                                 showlegend=False, line={"color": c},
                                 hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra>" + str(year) + " defaulted</extra>"),
                      row=2, col=1)
    yw, aw = yoy.loc[window], accel.loc[window]
    fig.add_trace(go.Scatter(x=yw.index, y=yw, name="price YoY growth", line={"color": F.COLORS["level"]},
                             hovertemplate="%{x|%Y-%m}: %{y:+.1%}<extra>YoY</extra>"), row=3, col=1)
    fig.add_trace(go.Scatter(x=aw.index, y=aw, name="12-month change of YoY (acceleration)",
                             line={"color": F.COLORS["acceleration"], "dash": "dash"},
                             hovertemplate="%{x|%Y-%m}: %{y:+.1%}<extra>change of YoY</extra>"), row=3, col=1)
    fig.add_hline(y=0.0, line_color="#bbb", row=3, col=1)
    for row in (1, 2, 3):
        F.mark_date(fig, turn, f"model defaults turn {turn:%Y-%m}" if row == 1 else "", colour=F.COLORS["model"],
                    row=row, dash="dot", y=0.98)
        if yoy_neg is not None:
            F.mark_date(fig, yoy_neg, f"price YoY < 0 {yoy_neg:%Y-%m}" if row == 1 else "", row=row, y=0.6)
    fig.update_yaxes(tickformat=".0%", title_text="share of vintage", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", title_text="share of vintage", row=2, col=1)
    fig.update_yaxes(tickformat=".0%", title_text="per year", row=3, col=1)
    fig.update_xaxes(title_text="date", row=3, col=1)
    F.pin_x(fig, *res.window)

    book = arm.book()
    rate = (book["default_rate"].rolling(13, center=True).mean() * 12).loc[window]
    fig2 = go.Figure()
    fig2.add_trace(go.Scatter(x=rate.index, y=rate, name="model book default rate (annualised, centred 13 months)",
                              line={"color": F.COLORS["model"]},
                              hovertemplate="%{x|%Y-%m}: %{y:.2%}<extra>model</extra>"))
    if res.delinquency is not None:
        dq = res.delinquency.loc[window] / 100.0
        fig2.add_trace(go.Scatter(x=dq.index, y=dq, name="bank mortgage delinquency (FRED DRSFRMACBS)",
                                  line={"color": F.COLORS["data"]},
                                  hovertemplate="%{x|%Y-%m}: %{y:.2%}<extra>banks</extra>"))
        F.mark_date(fig2, res.delinquency_turn, f"delinquency trough {_quarter(res.delinquency_turn)}",
                    colour=F.COLORS["data"], y=0.98, dash="dot")
    F.mark_date(fig2, turn, f"model defaults turn {turn:%Y-%m}", colour=F.COLORS["model"], y=0.86, dash="dot")
    if yoy_neg is not None:
        F.mark_date(fig2, yoy_neg, f"price YoY < 0 {yoy_neg:%Y-%m}", y=0.74)
    fig2.update_yaxes(tickformat=".1%", title_text="percent of loans (a year)")
    fig2.update_xaxes(title_text="date")
    F.pin_x(fig2, *res.window)
    fig2.update_layout(title="The book turned before prices fell")

    frame = arm.to_frame().reset_index()
    frame["vintage"] = frame["vintage"].astype(str)
    units = {"refinanced_by_2006_end": "pct", "defaulted_by_2008_end": "pct", "reset_exposed": "pct",
             "refinanced_within_24m": "pct", "volume_usd_bn": "usd_bn", "vintage": "text"}
    headers = {"vintage": "Vintage", "refinanced_by_2006_end": "Refinanced by end-2006",
               "defaulted_by_2008_end": "Defaulted by end-2008", "reset_exposed": "Still there at the reset",
               "refinanced_within_24m": "Refinanced within 24 months", "volume_usd_bn": "Subprime volume"}
    dq_turn = res.delinquency_turn
    dates = pd.DataFrame(
        {
            "event": ["model book default rate turned up", "bank mortgage delinquency bottomed",
                      "national price YoY first negative"],
            "date": [f"{turn:%Y-%m}", _quarter(dq_turn) if dq_turn is not None else "—",
                     "never" if yoy_neg is None else f"{yoy_neg:%Y-%m}"],
            "price_yoy_then": [yoy.get(turn, np.nan), yoy.get(dq_turn, np.nan) if dq_turn is not None else np.nan,
                               np.nan if yoy_neg is None else yoy.get(yoy_neg, np.nan)],
        }
    )
    spec = arm.spec
    note = (
        f"{arm.n_loans:,} loans in {arm.vintage_dates.size} monthly vintages, seed {arm.seed}, driven by "
        f"Case-Shiller U.S. National NSA. One number is calibrated: the monthly refinance intensity "
        f"{spec.refi_intensity:.4f}, so that 2003 loans are 78% refinanced by 2006-12 (essay, section I). "
        "Every later vintage and the date of the turn are out of sample. The turn is a hindsight dating "
        "(centred smoothing)."
    )
    return (
        f"<h3>2/28 and 3/27 cohorts on the real price path</h3>{F.note(note)}"
        + F.table(frame, units, headers=headers, caption="Each vintage by the essay's measures")
        + F.figure(fig, "fig-treadmill-cohorts", height=820)
        + "<h3>The book turned before prices fell</h3>"
        + F.table(dates, {"price_yoy_then": "pct"}, headers={"event": "Event", "date": "Date",
                                                            "price_yoy_then": "Price YoY then"}, collapse=False)
        + F.figure(fig2, "fig-treadmill-book", height=420)
    )


def _ipo_frame(ipo) -> pd.DataFrame:
    lo, hi = ipo.clearing_band
    rows = [
        ("IPO date", F.fmt(ipo.date, "month")),
        ("Forward revenue", F.fmt(ipo.forward_revenue, "usd_bn")),
        ("Median public multiple", F.fmt(ipo.multiple_median, "multiple", digits=1)),
        ("Clearing value (median)", F.fmt(ipo.clearing_value, "usd_bn")),
        ("Clearing value, 10th-90th percentile", f"{F.fmt(lo, 'usd_bn')} to {F.fmt(hi, 'usd_bn')}"),
        ("Raise the structure requires", F.fmt(ipo.required_raise, "usd_bn")),
        ("Dilution limit", F.fmt(ipo.dilution_limit, "pct", digits=0)),
        ("Value needed to raise it within the limit", F.fmt(ipo.required_value, "usd_bn")),
        ("Feasible at the median", "yes" if ipo.feasible else "no"),
        ("Probability feasible", F.fmt(ipo.p_feasible, "pct", digits=0)),
    ]
    return pd.DataFrame(rows, columns=["quantity", "value"])


def _rounds_part(res) -> str:
    rounds, ipo = res.rounds, res.ipo
    frame = rounds.rounds_frame()
    labels = [f"{d:%Y-%m}" for d in frame.index]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=frame["step_up"], name="step-up (last: reported IPO target)",
                         marker_color=["#999"] * (len(frame) - 1) + [F.COLORS["model"]],
                         hovertemplate="%{x}: %{y:.2f}×<extra>step-up</extra>"))
    fig.add_trace(go.Scatter(x=labels, y=frame["required_step_up"], mode="markers+lines",
                             name=f"required at {rounds.dilution_limit:.0%} dilution",
                             line={"color": F.COLORS["essay"]}, hovertemplate="%{x}: %{y:.2f}×<extra>required</extra>"))
    fig.add_trace(go.Scatter(x=labels, y=frame["trend_step_up"], mode="markers+lines",
                             name="achievable: trend of past step-ups", line={"color": F.COLORS["data"], "dash": "dash"},
                             hovertemplate="%{x}: %{y:.2f}×<extra>trend</extra>"))
    fig.add_hline(y=1.0, line_color="#bbb")
    fig.update_xaxes(title_text="round", type="category")
    fig.update_yaxes(title_text="next mark ÷ last mark (×)", ticksuffix="×")
    fig.update_layout(title="Each round's step-up against the step-up it needed")

    d = np.linspace(0.02, 0.30, 57)
    m = np.linspace(2.0, 40.0, 77)
    region = ipo.region(d, m).to_numpy().astype(float)
    e = ipo.essay_point()
    fig2 = go.Figure()
    fig2.add_trace(go.Heatmap(x=d, y=m, z=region.T, colorscale=[[0, "#f4cccc"], [1, "#d9ead3"]], showscale=False,
                              name="feasible (green) or not (red)",
                              hovertemplate="dilution %{x:.0%}, multiple %{y:.1f}×<extra></extra>"))
    fig2.add_trace(go.Scatter(x=d, y=ipo.boundary_multiple(d), name="boundary: clears and retires the burn",
                              line={"color": F.COLORS["essay"]}))
    fig2.add_hline(y=ipo.multiple_median, line_dash="dash", line_color=F.COLORS["data"])
    fig2.add_annotation(x=0.03, y=ipo.multiple_median, text=f"median public multiple {ipo.multiple_median:.0f}×",
                        showarrow=False, yanchor="bottom", xanchor="left", font={"size": 10, "color": F.COLORS["data"]})
    fig2.add_vline(x=ipo.dilution_limit, line_dash="dot", line_color="#555")
    fig2.add_annotation(x=ipo.dilution_limit, y=0.98, yref="y domain", text=f"dilution limit {ipo.dilution_limit:.0%}",
                        showarrow=False, xanchor="left", yanchor="top", xshift=3, font={"size": 10, "color": "#555"},
                        bgcolor="rgba(255,255,255,0.8)")
    if e:
        fig2.add_trace(go.Scatter(x=[e["dilution_needed"]], y=[e["multiple_asked"]], mode="markers+text",
                                  marker={"size": 12, "color": F.COLORS["model"]}, text=["852 → 1,048"],
                                  textposition="top right", name="the essay's step"))
    fig2.update_layout(title="The terminal refinance: where an IPO both clears and retires the burn")
    fig2.update_xaxes(title_text="dilution of the raise (share of the company sold)", tickformat=".0%")
    fig2.update_yaxes(title_text="forward revenue multiple (×)", range=[2, 40], ticksuffix="×")
    rf = frame.copy()
    rf.index = labels
    units = {"post_money_usd_bn": "usd_bn", "raised_usd_bn": "usd_bn", "step_up": "multiple", "dilution": "pct",
             "required_step_up": "multiple", "trend_step_up": "multiple"}
    headers = {"index": "Round", "post_money_usd_bn": "Post-money mark", "raised_usd_bn": "Raised",
               "step_up": "Step-up", "dilution": "Dilution", "required_step_up": "Step-up required",
               "trend_step_up": "Step-up on trend"}
    note = (
        f"Marks, capital raised, revenue and burn projections (The Information, 2025) are OpenAI's figures in "
        f"data/complex_2026.yaml. Raise needed {F.fmt(rounds.next_raise_required(), 'usd_bn')} = outflows to "
        f"{rounds.spec.burn_through}-end less cash on hand. Cumulative burn {rounds.spec.burn_from}-{rounds.spec.burn_through}: "
        f"USD {rounds.cumulative_burn():,.1f} bn. Required step-up {rounds.required_step_up():.2f}×; achievable "
        f"(trend) {rounds.trend_step_up():.2f}×; reported IPO step {rounds.step_ups.iloc[-1]:.2f}×. The market "
        "multiple and dilution limit are judgements (see the data file), not quotes."
    )
    return (
        f"<h3>The up-round borrower</h3>{F.note(note)}"
        + F.table(rf, units, index=True, headers=headers, caption="Every round")
        + F.figure(fig, "fig-treadmill-rounds", height=400)
        + "<h3>The terminal refinance: two prices</h3>"
        + F.table(_ipo_frame(ipo), headers={"quantity": "Quantity", "value": "Value"}, collapse=False)
        + F.figure(fig2, "fig-treadmill-ipo", height=460)
    )


def verdict(res) -> str:
    """One line for the first screen."""
    r, ipo = res.rounds, res.ipo
    if r.next_raise_required() <= 0:
        text = (f"at these inputs cash on hand covers the outflows to {r.spec.burn_through}-end: no further raise "
                f"is required (the step-ups' trend is {r.trend_step_up():.2f}×)")
    else:
        text = (f"the next round needs a {r.required_step_up():.2f}× step-up against a {r.trend_step_up():.2f}× "
                f"trend; the IPO is {'feasible' if ipo.feasible else 'not feasible'} at the median multiple "
                f"(P = {ipo.p_feasible:.0%})")
    if res.arm is not None:
        t = res.turns()
        text = (f"the model mortgage book turned {t['model_default_turn']:%Y-%m}, before prices fell"
                + (f" ({t['price_yoy_negative']:%Y-%m})" if t["price_yoy_negative"] is not None else "")
                + "; " + text)
    return html.escape(text)


def render(res) -> str:
    """The section from a :class:`borrowedtime.treadmill.TreadmillResult`."""
    return _arm_part(res) + _rounds_part(res)
