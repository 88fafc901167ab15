"""Report section: the refinancing treadmill (2/28 cohorts, the up-round borrower, the IPO's two prices)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from borrowedtime.report._html import ReportContext, Section, figure_html, table_html

CASE_SHILLER = "case_shiller_us_national_monthly.csv"
DELINQUENCY = "fred_DRSFRMACBS_sf_mortgage_delinquency_quarterly.csv"
_WINDOW = ("2001-01-01", "2012-12-31")


def _vline(fig, when, text, color, row=None):
    kwargs = {} if row is None else {"row": row, "col": 1}
    fig.add_vline(x=pd.Timestamp(when).to_pydatetime(), line_dash="dot", line_color=color, **kwargs)
    fig.add_annotation(x=pd.Timestamp(when).to_pydatetime(), y=1.0, yref="paper", text=text, showarrow=False,
                       font={"color": color, "size": 10}, xanchor="left", yanchor="bottom", textangle=-90)


def _arm_part(ctx: ReportContext) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from borrowedtime.series import load_series
    from borrowedtime.treadmill import ArmSpec, turn_date

    path = ctx.shared_data / CASE_SHILLER if ctx.shared_data is not None else None
    if path is None or not path.exists():
        return "<p class='note'>No Case-Shiller series in the shared data folder: the cohort model is skipped.</p>"
    prices = load_series(path, column="National-US")
    n_loans = 60_000 if ctx.quick else 1_000_000
    arm = ArmSpec().run(prices, n_loans=n_loans, seed=ctx.seed)
    turn = arm.default_rate_turn()
    yoy_neg = arm.price_yoy_negative()
    delinquency = None
    if (ctx.shared_data / DELINQUENCY).exists():
        delinquency = load_series(ctx.shared_data / DELINQUENCY)
        delinquency_turn = turn_date(delinquency, "2000-01-01", "2012-12-31")

    refi = arm.cumulative_share("refinanced").loc[slice(*_WINDOW)]
    dflt = arm.cumulative_share("defaulted").loc[slice(*_WINDOW)]
    yoy = arm.price_yoy()
    accel = (yoy - yoy.shift(12)).dropna()
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.05,
                        subplot_titles=("Refinanced away (cumulative share of the vintage)",
                                        "Defaulted (cumulative share of the vintage)",
                                        "National home prices: year-over-year growth and its 12-month change"))
    colors = ["#1b9e77", "#66a61e", "#7570b3", "#e6ab02", "#d95f02", "#e7298a", "#a6761d"]
    for k, year in enumerate(refi.columns):
        c = colors[k % len(colors)]
        fig.add_trace(go.Scatter(x=refi.index, y=refi[year], name=str(year), legendgroup=str(year),
                                 line={"color": c}), row=1, col=1)
        fig.add_trace(go.Scatter(x=dflt.index, y=dflt[year], name=str(year), legendgroup=str(year),
                                 showlegend=False, line={"color": c}), row=2, col=1)
    yw, aw = yoy.loc[slice(*_WINDOW)], accel.loc[slice(*_WINDOW)]
    fig.add_trace(go.Scatter(x=yw.index, y=yw, name="price YoY", line={"color": "black"}), row=3, col=1)
    fig.add_trace(go.Scatter(x=aw.index, y=aw, name="change of YoY over 12 months (acceleration)",
                             line={"color": "grey", "dash": "dash"}), row=3, col=1)
    fig.add_hline(y=0.0, line_color="#bbb", row=3, col=1)
    for row in (1, 2, 3):
        fig.add_vline(x=turn.to_pydatetime(), line_dash="dot", line_color="#d62728", row=row, col=1)
        if yoy_neg is not None:
            fig.add_vline(x=yoy_neg.to_pydatetime(), line_dash="dot", line_color="black", row=row, col=1)
    fig.update_yaxes(tickformat=".0%")
    fig.update_layout(height=820, margin={"t": 40}, legend={"title": "vintage"})

    book = arm.book()
    rate = (book["default_rate"].rolling(13, center=True).mean() * 12).loc[slice(*_WINDOW)]
    fig2 = make_subplots(specs=[[{"secondary_y": True}]])
    fig2.add_trace(go.Scatter(x=rate.index, y=rate, name="model book default rate (annualised, centred 13 m)",
                              line={"color": "#d62728"}), secondary_y=False)
    if delinquency is not None:
        dq = delinquency.loc[slice(*_WINDOW)] / 100.0
        fig2.add_trace(go.Scatter(x=dq.index, y=dq, name="bank SF mortgage delinquency (FRED DRSFRMACBS)",
                                  line={"color": "#1f77b4"}), secondary_y=True)
        _vline(fig2, delinquency_turn, "delinquency trough", "#1f77b4")
    _vline(fig2, turn, "model default turn", "#d62728")
    if yoy_neg is not None:
        _vline(fig2, yoy_neg, "price YoY < 0", "black")
    fig2.update_yaxes(tickformat=".1%", secondary_y=False, title_text="model")
    fig2.update_yaxes(tickformat=".1%", secondary_y=True, title_text="banks")
    fig2.update_layout(height=420, margin={"t": 30})

    frame = arm.to_frame().reset_index()
    dates = pd.DataFrame(
        {
            "event": ["model book default rate turned up", "bank mortgage delinquency bottomed",
                      "national price YoY first negative"],
            "date": [f"{turn:%Y-%m}", f"{delinquency_turn:%Y}Q{(delinquency_turn.month - 1) // 3 + 1}"
                     if delinquency is not None else "—", "never" if yoy_neg is None else f"{yoy_neg:%Y-%m}"],
            "price YoY then": [f"{yoy.get(turn, np.nan):.1%}",
                               f"{yoy.get(delinquency_turn, np.nan):.1%}" if delinquency is not None else "—",
                               "—" if yoy_neg is None else f"{yoy.get(yoy_neg, np.nan):.1%}"],
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
        f"<h3>2/28 and 3/27 cohorts on the real price path</h3><p class='note'>{html.escape(note)}</p>"
        + table_html(frame, float_format="{:,.3f}")
        + figure_html(fig)
        + "<h3>The book turned before prices fell</h3>"
        + table_html(dates)
        + figure_html(fig2)
    )


def _rounds_part(ctx: ReportContext) -> str:
    import plotly.graph_objects as go

    from borrowedtime.treadmill import IpoSpec, RoundsSpec

    rounds = RoundsSpec().run()
    ipo = IpoSpec(n_draws=5_000 if ctx.quick else 20_000).run(rounds, seed=ctx.seed)
    frame = rounds.rounds_frame()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=frame.index, y=frame["step_up"], name="step-up (last: reported IPO target)",
                         marker_color=["#999"] * (len(frame) - 1) + ["#d62728"]))
    fig.add_trace(go.Scatter(x=frame.index, y=frame["required_step_up"], mode="markers+lines",
                             name=f"required at {rounds.dilution_limit:.0%} dilution", line={"color": "black"}))
    fig.add_trace(go.Scatter(x=frame.index, y=frame["trend_step_up"], mode="markers+lines",
                             name="achievable: trend of past step-ups", line={"color": "#1f77b4", "dash": "dash"}))
    fig.add_hline(y=1.0, line_color="#bbb")
    fig.update_layout(height=400, margin={"t": 30}, yaxis_title="next mark / last mark")

    d = np.linspace(0.02, 0.30, 57)
    m = np.linspace(2.0, 40.0, 77)
    region = ipo.region(d, m).to_numpy().astype(float)
    e = ipo.essay_point()
    fig2 = go.Figure()
    fig2.add_trace(go.Heatmap(x=d, y=m, z=region.T, colorscale=[[0, "#f4cccc"], [1, "#d9ead3"]], showscale=False,
                              hovertemplate="dilution %{x:.0%}, multiple %{y:.1f}x<extra></extra>"))
    fig2.add_trace(go.Scatter(x=d, y=ipo.boundary_multiple(d), name="boundary: clears and retires the burn",
                              line={"color": "black"}))
    fig2.add_hline(y=ipo.multiple_median, line_dash="dash", line_color="#1f77b4",
                   annotation_text=f"median public multiple {ipo.multiple_median:.0f}x")
    fig2.add_vline(x=ipo.dilution_limit, line_dash="dot", line_color="#555",
                   annotation_text=f"dilution limit {ipo.dilution_limit:.0%}")
    if e:
        fig2.add_trace(go.Scatter(x=[e["dilution_needed"]], y=[e["multiple_asked"]], mode="markers+text",
                                  marker={"size": 12, "color": "#d62728"}, text=["852 → 1,048"],
                                  textposition="top right", name="the essay's step"))
    fig2.update_layout(height=460, margin={"t": 30}, xaxis={"title": "dilution of the raise", "tickformat": ".0%"},
                       yaxis={"title": "forward revenue multiple", "range": [2, 40]})
    ipo_table = ipo.to_frame().reset_index().rename(columns={"index": "quantity"})
    ipo_table["value"] = ipo_table["value"].map(lambda v: f"{v:,.3f}" if isinstance(v, float) else str(v))
    note = (
        f"Marks, capital raised, revenue and burn projections (The Information, 2025) are OpenAI's figures in "
        f"data/complex_2026.yaml. Raise needed {rounds.next_raise_required():,.1f} bn = outflows to "
        f"{rounds.spec.burn_through}-end less cash on hand. Cumulative burn {rounds.spec.burn_from}-{rounds.spec.burn_through}: "
        f"USD {rounds.cumulative_burn():,.1f} bn. Required step-up {rounds.required_step_up():.2f}; achievable "
        f"(trend) {rounds.trend_step_up():.2f}; reported IPO step {rounds.step_ups.iloc[-1]:.2f}. The market "
        "multiple and dilution limit are judgements (see the data file), not quotes."
    )
    return (
        f"<h3>The up-round borrower</h3><p class='note'>{html.escape(note)}</p>"
        + table_html(frame.reset_index(), float_format="{:,.2f}")
        + figure_html(fig)
        + "<h3>The terminal refinance: two prices</h3>"
        + table_html(ipo_table)
        + figure_html(fig2)
    )


def build(ctx: ReportContext) -> Section | None:
    """The treadmill section: cohorts vs price acceleration, step-ups, IPO feasibility."""
    return Section(title="The refinancing treadmill", body=_arm_part(ctx) + _rounds_part(ctx), anchor="treadmill")
