"""Report section: the capex machine (essay VII, VIII, XII).

:func:`section_html` formats a computed :class:`borrowedtime.capex.machine.CapexResult`
(it runs no model); it is registered in ``report/sections.py`` and receives the result
computed by :func:`borrowedtime.reporting.capex_inputs`.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from borrowedtime.report._html import figure_html, table_html

__all__ = ["verdict", "section_html", "funding_figure", "leverage_figure", "payoff_figure", "belief_map_figure",
           "cascade_figure", "blink_figure", "bull_figures"]

_FIRM_COLORS = {"microsoft": "#1f77b4", "google": "#2ca02c", "amazon": "#ff7f0e", "meta": "#9467bd",
                "oracle": "#d62728"}


def funding_figure(funding) -> go.Figure:
    """Capex / operating cash flow: the essay's path and the filed one, with the 100 % line."""
    p = funding.paths
    fig = make_subplots(rows=1, cols=2, subplot_titles=("capex / operating cash flow", "filed group, USD bn"))
    fig.add_scatter(x=p.index, y=p["essay_ratio"], name="essay (VII)", mode="lines+markers",
                    line={"color": "black", "dash": "dash"}, row=1, col=1)
    kinds = p["filed_kind"].fillna("")
    fig.add_scatter(x=p.index, y=p["filed_ratio"], name="filed / guided / projected", mode="lines+markers",
                    line={"color": "#c0392b"}, text=kinds, hovertemplate="%{x}: %{y:.0%} (%{text})<extra></extra>",
                    row=1, col=1)
    fig.add_hline(y=1.0, line_color="#888", line_dash="dot", row=1, col=1)
    fig.add_bar(x=p.index, y=p["filed_capex_usd_bn"], name="capex", marker_color="#c0392b", row=1, col=2)
    fig.add_bar(x=p.index, y=p["filed_ocf_usd_bn"], name="operating cash flow", marker_color="#7f8c8d", row=1, col=2)
    fig.update_yaxes(tickformat=".0%", row=1, col=1, title_text="capex / operating cash flow (%)")
    fig.update_yaxes(row=1, col=2, title_text="USD bn a year")
    fig.update_xaxes(title_text="year")
    fig.update_layout(height=420, margin={"t": 40}, barmode="group", legend={"orientation": "h", "y": -0.15})
    return fig


def leverage_figure(funding) -> go.Figure:
    """Gross debt / EBITDA by firm, without (solid) and with (dotted) the off-balance-sheet vehicles."""
    fig = go.Figure()
    for name, f in funding.leverage.groupby("name", sort=False):
        c = _FIRM_COLORS.get(name, "#555")
        fig.add_scatter(x=f["year"], y=f["leverage"], name=name, mode="lines+markers", line={"color": c})
        fig.add_scatter(x=f["year"], y=f["leverage_with_vehicles"], name=f"{name} + vehicles", mode="lines",
                        line={"color": c, "dash": "dot"}, showlegend=bool((f["vehicles_usd_bn"] > 0).any()))
    fig.add_hline(y=funding.essay_leverage, line_color="black", line_dash="dash",
                  annotation_text=f"essay: ~{funding.essay_leverage:.1f}x", annotation_position="top left")
    for bound, label in ((1.5, "minimal | modest"), (4.0, "significant | aggressive"), (5.0, "highly leveraged")):
        fig.add_hline(y=bound, line_color="#ccc", annotation_text=label, annotation_position="bottom right")
    fig.update_layout(height=420, margin={"t": 40}, yaxis_title="gross debt / EBITDA (x)",
                      title="Leverage path (S&P financial-risk bands on debt/EBITDA)", xaxis={"dtick": 1},
                      xaxis_title="year")
    return fig


def payoff_figure(game, beliefs=(1.0, 0.45, 0.0)) -> go.Figure:
    """Payoff of one player by its own action (bars) against the rivals' common action (x), per belief."""
    lv = np.asarray(game.levels)
    colors = ("#c0392b", "#f5b041", "#27ae60")
    fig = make_subplots(rows=1, cols=len(beliefs), shared_yaxes=True,
                        subplot_titles=[f"belief {b:g}" for b in beliefs])
    for k, b in enumerate(beliefs):
        for i, own in enumerate(lv):
            z = []
            for oth in lv:
                prof = np.full(game.n_players, oth)
                prof[0] = own
                z.append(game.payoff(prof, b)[0])
            fig.add_bar(x=[f"rivals {x}" for x in game.labels], y=z, name=f"own: {game.labels[i]}",
                        marker_color=colors[i % len(colors)], showlegend=k == 0, legendgroup=game.labels[i],
                        row=1, col=k + 1)
    fig.update_layout(height=340, margin={"t": 40}, barmode="group",
                      title="The payoff matrix: one player's payoff (re-rating minus cost) by its action and the rivals'")
    fig.update_xaxes(title_text="rivals' common capex growth")
    fig.update_yaxes(title_text="payoff (model units)", row=1, col=1)
    return fig


def belief_map_figure(belief_map) -> go.Figure:
    """Symmetric equilibria over belief: pure ones at their growth level, mixed ones (tipping points,
    unstable) at their expected growth; the exact flip beliefs as lines."""
    g = belief_map.game
    lv = np.asarray(g.levels)
    fig = go.Figure()
    for a, label in enumerate(g.labels):
        xs = [b for b, eqs in zip(belief_map.beliefs, belief_map.equilibria, strict=True)
              if (a,) * g.n_players in eqs]
        fig.add_scatter(x=xs, y=[lv[a]] * len(xs), mode="markers", name=f"everyone: {label}", marker={"size": 9})
    mx = [(b, float(p @ lv)) for b, ps in zip(belief_map.beliefs, belief_map.mixed or [], strict=False) for p in ps]
    if mx:
        fig.add_scatter(x=[m[0] for m in mx], y=[m[1] for m in mx], mode="markers", name="symmetric mixed (tipping)",
                        marker={"size": 7, "symbol": "circle-open", "color": "black"})
    flip = belief_map.flip
    if flip["spend_stops"] is not None:
        fig.add_vline(x=flip["spend_stops"], line_dash="dot", annotation_text=f"spend stops {flip['spend_stops']:.3f}")
    if flip["cut_starts"] is not None:
        fig.add_vline(x=flip["cut_starts"], line_dash="dot", annotation_text=f"cut starts {flip['cut_starts']:.3f}",
                      annotation_position="bottom right")
    fig.update_layout(height=340, margin={"t": 40}, xaxis_title="market belief in the boom regime",
                      yaxis_title="capex growth (expected, a year)", yaxis_tickformat=".0%",
                      title="Symmetric Nash equilibria over belief")
    return fig


def cascade_figure(cascade) -> go.Figure:
    f = cascade.to_frame()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=f["round"], y=f["belief"], name="belief (boom)", mode="lines+markers", secondary_y=False)
    fig.add_bar(x=f["round"], y=f["n_cut"], name="players cutting", opacity=0.4, secondary_y=True)
    fig.update_layout(height=320, margin={"t": 40}, title=f"The cascade after {cascade.first_mover} cuts",
                      xaxis_title="round (quarter)")
    fig.update_yaxes(range=[0, 1], secondary_y=False, title_text="belief in the boom regime (0-1)")
    fig.update_yaxes(dtick=1, rangemode="tozero", secondary_y=True, title_text="players cutting")
    fig.update_xaxes(dtick=1)
    return fig


def blink_figure(blink) -> go.Figure:
    c = blink.contributions
    fig = go.Figure()
    for t in c.columns:
        fig.add_bar(y=c.index, x=c[t], name=t.replace("_", " "), orientation="h")
    fig.update_layout(barmode="stack", height=320, margin={"t": 40}, yaxis={"autorange": "reversed"},
                      title="Who blinks first: score = sum of weight x trait score",
                      xaxis_title="blink score (weight × trait score, 0-1)", yaxis_title="firm")
    return fig


def bull_figures(bull: dict) -> list[go.Figure]:
    out = []
    ol = bull["operating_leverage"].frame
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=ol.index, y=ol["pretax_margin"], name="pre-tax margin", mode="lines+markers", secondary_y=False)
    fig.add_scatter(x=ol.index, y=ol["utilisation"], name="utilisation", line={"dash": "dot"}, secondary_y=True)
    fig.add_hline(y=0.0, line_color="#888")
    fig.update_yaxes(tickformat=".0%")
    fig.update_yaxes(title_text="pre-tax margin (%)", secondary_y=False)
    fig.update_yaxes(title_text="utilisation (%)", secondary_y=True)
    fig.update_layout(height=320, margin={"t": 40}, title="(a) Operating leverage: margin after a tenant default",
                      xaxis_title="year")
    out.append(fig)
    cg = bull["conglomerate_discount"].frame
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=cg.index, y=cg["roic"], name="ROIC", mode="lines+markers", secondary_y=False)
    fig.add_scatter(x=cg.index, y=cg["ev_to_nopat"], name="EV / NOPAT", line={"dash": "dot"}, secondary_y=True)
    fig.add_bar(x=cg.index, y=cg["equity_value_usd_bn"] / cg["equity_value_usd_bn"].iloc[0], name="equity value (x start)",
                opacity=0.3, secondary_y=False)
    fig.update_yaxes(title_text="ROIC; equity value (x start)", secondary_y=False)
    fig.update_yaxes(title_text="EV / NOPAT (x)", dtick=5, secondary_y=True)
    fig.update_layout(height=320, margin={"t": 40}, title="(b) Conglomerate discount: ROIC and the multiple",
                      xaxis_title="year of the build")
    out.append(fig)
    rg = bull["releasing_glut"]
    fig = go.Figure()
    fig.add_bar(x=["origination"] + [f"{d:.0%} discount" for d in rg.frame.index],
                y=[rg.metrics["dscr_at_origination"], *rg.frame["dscr"]], name="DSCR")
    fig.add_hline(y=1.0, line_color="#c0392b", line_dash="dot", annotation_text="DSCR 1.0")
    fig.update_layout(height=320, margin={"t": 40}, title="(c) Re-leasing into a glut: debt-service coverage",
                      xaxis_title="rent discount on re-leasing", yaxis_title="DSCR (× debt service)")
    out.append(fig)
    return out


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def section_html(result) -> str:
    """The section body for a computed CapexResult (formats only; runs no model)."""
    f, b, bm, cas = result.funding, result.blink, result.belief_map, result.cascade
    ov = b.overturn()
    lev = f.aggregate_leverage
    notches = f.leverage[f.leverage["year"] == 2026][
        ["name", "leverage", "leverage_with_vehicles", "rating", "anchor", "anchor_with_vehicles",
         "notches_vs_rating", "notches_vs_rating_with_vehicles", "notches_to_junk", "headroom_turns",
         "headroom_turns_with_vehicles"]]
    parts = [
        _p(f"Capex / operating cash flow crosses 100 % in {f.essay_crossing_year} on the essay's path and in "
           f"{f.filed_crossing_year} on the filed path (2022 filed: {f.paths.loc[2022, 'filed_ratio']:.0%} against "
           f"the essay's 30 %). The filed crossing in 2026 holds only if the four's operating cash flow grows "
           f"less than {f.breakeven_ocf_growth():.1%} in 2026 (assumed: {f.assumptions['ocf_growth']:.0%})."),
        figure_html(funding_figure(f)),
        _p(f"Group gross debt / EBITDA: {lev['leverage'].iloc[0]:.2f}x in {lev.index.min()}, "
           f"{lev['leverage'].iloc[-1]:.2f}x in {lev.index.max()} ({lev['leverage_with_vehicles'].iloc[-1]:.2f}x with "
           f"the vehicles), against the essay's ~{f.essay_leverage:.1f}x: the unadjusted filings do not give 1.8 turns."),
        figure_html(leverage_figure(f)),
        "<h3>Off-balance-sheet vehicles found in the complex (USD bn)</h3>",
        table_html(result.funding.vehicles, float_format="{:,.1f}"),
        "<h3>Rating headroom in 2026 (debt/EBITDA alone, S&amp;P anchor matrix)</h3>",
        table_html(notches, float_format="{:,.2f}",
                   units={"leverage": "multiple", "leverage_with_vehicles": "multiple", "notches_vs_rating": "int",
                          "notches_vs_rating_with_vehicles": "int", "notches_to_junk": "int",
                          "headroom_turns": "float:2", "headroom_turns_with_vehicles": "float:2"}),
        "<h3>The game</h3>",
        _p(bm.summary() + ". Between the two beliefs both are equilibria: the flip is a jump, not a slide."),
        figure_html(payoff_figure(result.game)),
        figure_html(belief_map_figure(bm)),
        _p(cas.summary()),
        figure_html(cascade_figure(cas)),
        "<h3>Who blinks first</h3>",
        _p(b.summary()),
        figure_html(blink_figure(b)),
        table_html(b.to_frame().reset_index(), float_format="{:,.3f}"),
        _p("Robustness: share of 4,000 Dirichlet draws of the weights (mean = the weights, concentration 20, "
           f"seed 0) in which each ranks first; the essay's full order holds in "
           f"{b.sensitivity().attrs['essay_ordering_share']:.0%} of them."),
        table_html(b.sensitivity().reset_index().rename(columns={"index": "name"}), float_format="{:.1%}"),
        _p(f"Smallest weight change that overturns first place: move {ov['weight_moved']:.1%} of the weight "
           f"(to {ov['weights']}) and {ov['challenger']} ties {b.leader}." if ov["challenger"] else
           "No weights overturn first place."),
        "<h3>The bull cases (section XII)</h3>",
        *(figure_html(fig) for fig in bull_figures(result.bull)),
        table_html(pd.DataFrame([{"case": k, **{m: (v if not isinstance(v, dict) else str(
            {kk: round(vv, 3) for kk, vv in v.items()})) for m, v in r.metrics.items()}}
            for k, r in result.bull.items()]).T.reset_index(), float_format="{:,.3f}"),
    ]
    return "\n".join(parts)


def verdict(result) -> str:
    """One line for the report's first screen."""
    f = result.funding
    return html.escape(f"capex passes operating cash flow in {f.filed_crossing_year} on the filed path "
                       f"({f.essay_crossing_year} on the essay's); {result.blink.leader} blinks first")
