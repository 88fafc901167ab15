"""Report section: the loan book nobody calls a loan book (issue 13).

``render(result)`` takes a computed :class:`borrowedtime.credit.books.CreditReport`
and returns HTML: the platforms' table, each platform's loss distribution,
the tenants' contributions, the correlation sweep, the wraps, and the
instruments' payoff chart against the tenant's funding capacity. It runs no
model; ``credit_report_inputs`` in the model layer computes its input.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from borrowedtime.report import _format
from borrowedtime.report._html import table_html

_COLORS = {"microsoft": "#1b9e77", "oracle": "#d95f02", "google": "#7570b3", "amazon": "#e7298a",
           "coreweave": "#66a61e"}
_INSTRUMENTS = {
    "take_or_pay_lease": ("Take-or-pay lease (lessor)", "#d95f02", "solid"),
    "gpu_term_loan": ("GPU term loan in a vehicle (lender)", "#7570b3", "solid"),
    "abs_senior": ("ABS senior note", "#1b9e77", "solid"),
    "abs_mezzanine": ("ABS mezzanine note", "#1b9e77", "dash"),
    "corporate_bond": ("Tenant's corporate bond", "#e6ab02", "solid"),
    "equity": ("Tenant's equity", "#333333", "dot"),
}


def _fig_html(fig, div_id: str) -> str:
    return _format.figure(fig, div_id, legend="keep")


def payoff_chart(payoffs: dict) -> str:
    """Payoffs against funding capacity: the credit instruments bend (negative convexity), the equity does not."""
    import plotly.graph_objects as go

    x = np.asarray(payoffs["capacity"])
    fig = go.Figure()
    for key, (label, colour, dash) in _INSTRUMENTS.items():
        fig.add_trace(go.Scatter(x=x, y=payoffs[key], name=label, line={"color": colour, "dash": dash}))
    fig.add_vline(x=1.0, line_dash="dot", line_color="#888")
    fig.add_annotation(x=1.0, y=1.02, yref="paper", text="funds its contract in full", showarrow=False,
                       xanchor="left", font={"size": 10, "color": "#555"})
    fig.update_layout(height=420, margin={"l": 60, "r": 20, "t": 30, "b": 50},
                      xaxis_title="tenant's funding capacity (share of contracted payments it can fund)",
                      yaxis_title="payoff per unit of par (equity: per unit of payments)")
    return _fig_html(fig, "credit-payoffs")


def _loss_chart(books) -> str:
    import plotly.graph_objects as go

    fig = go.Figure()
    for p, res in books.results.items():
        losses = np.sort(res.losses)
        q = np.linspace(0.9, 0.9999, 300)
        fig.add_trace(go.Scatter(x=q, y=np.quantile(losses, q), name=p, line={"color": _COLORS.get(p)}))
    fig.update_layout(height=380, margin={"l": 60, "r": 20, "t": 30, "b": 50},
                      xaxis_title="confidence level (quantile of the one-year loss)",
                      yaxis_title="loss, USD bn")
    return _fig_html(fig, "credit-loss-quantiles")


def _contrib_chart(books) -> str:
    import plotly.graph_objects as go

    frame = pd.DataFrame({p: books.contributions(p) for p in books.results}).fillna(0.0)
    fig = go.Figure()
    for tenant, row in frame.iterrows():
        fig.add_trace(go.Bar(x=list(frame.columns), y=row.to_numpy(), name=str(tenant)))
    fig.update_layout(barmode="stack", height=360, margin={"l": 60, "r": 20, "t": 30, "b": 50},
                      xaxis_title="platform", yaxis_title="contribution to VaR 99.9 %, USD bn")
    return _fig_html(fig, "credit-contributions")


def _sweep_chart(books) -> str:
    import plotly.graph_objects as go

    s = books.sweep
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=s["rho"], y=s["var_999_usd_bn"], name="VaR 99.9 %", mode="lines+markers"))
    fig.add_trace(go.Scatter(x=s["rho"], y=s["var_99_usd_bn"], name="VaR 99 %", mode="lines+markers"))
    fig.add_trace(go.Scatter(x=s["rho"], y=s["expected_loss_usd_bn"], name="expected loss", mode="lines+markers",
                             line={"dash": "dot"}))
    fig.update_layout(height=340, margin={"l": 60, "r": 20, "t": 30, "b": 50},
                      xaxis_title="asset correlation between the AI tenants", yaxis_title="USD bn")
    return _fig_html(fig, "credit-sweep")


def render(result) -> str:
    """HTML body of the credit section from a computed ``CreditReport``."""
    books, wraps = result.books, result.wraps
    tab = books.table.copy()
    tab = tab[["book_usd_bn", "lab_exposure_usd_bn", "expected_loss_usd_bn", "var_99_usd_bn", "var_999_usd_bn",
               "es_999_usd_bn", "equity_usd_bn", "operating_cash_flow_usd_bn", "debt_usd_bn", "es_999_over_equity",
               "top1_share", "herfindahl"]]
    tab.columns = ["book", "labs", "EL", "VaR 99 %", "VaR 99.9 %", "ES 99.9 %", "equity", "op. cash flow", "debt",
                   "ES 99.9 % / equity", "largest name's share", "Herfindahl"]
    s = books.settings
    pds = ", ".join(f"{k} {v:.2%}" for k, v in books.pds.items())
    w = wraps[["contract", "obligor", "guarantor", "amount_usd_bn", "pd_obligor", "pd_effective", "grade_standalone",
               "grade_effective", "rw_standalone", "rw_double_default"]].copy()
    w["guarantor"] = w["guarantor"].where(w["guarantor"].notna(), "— (naked)")
    parts = [
        "<p>The backlog read as a loan book (essay IV, VI, IX): each platform's remaining performance obligation "
        "looked through to its tenants, priced with a two-factor copula "
        f"({html.escape(str(s['copula']))}; AI tenants' asset correlation {s['rho_ai']}; LGD {s['lgd']:.0%}; "
        f"{s['n_paths']:,} scenarios, seed {s['seed']}). One-year PDs: {html.escape(pds)}. "
        "Money in USD bn.</p>",
        table_html(tab.reset_index(), float_format="{:,.2f}",
                   units={"ES 99.9 % / equity": "multiple", "largest name's share": "pct", "Herfindahl": "float:3"}),
        "<h3>Loss quantiles</h3>", _loss_chart(books),
        "<h3>Who the tail is: contributions to VaR 99.9 %</h3>", _contrib_chart(books),
        "<h3>The correlation of one</h3>",
        "<p class='note'>The default book (all five platforms together) as the AI tenants' correlation rises "
        "to 1. The expected loss does not move; the tail does, where it is not already full.</p>",
        _sweep_chart(books),
        "<h3>Wrapped and naked</h3>",
        "<p class='note'>Loss on a wrapped exposure needs the obligor and the guarantor to fail (joint PD at "
        "asset correlation 0.3); 'grade' is the rating category whose one-year default rate covers the PD. "
        "Risk weights: Basel II corporate formula, standalone and double default (para 284).</p>",
        table_html(w, float_format="{:,.4f}"),
    ]
    t = result.treadmill
    if t is not None:
        parts.append(f"<p class='note'>{html.escape(t.summary())}</p>")
    parts += ["<h3>Negative convexity</h3>",
              "<p class='note'>Each instrument's payoff against the tenant's funding capacity: the credit "
              "instruments are capped at par and fall away below it; the equity is close to linear.</p>",
              payoff_chart(result.payoffs)]
    return "\n".join(parts)


def verdict(result) -> str | None:
    """One line for the first screen: the platform whose 99.9 % loss is largest against its equity."""
    tab = result.books.table.dropna(subset=["es_999_over_equity"])
    if tab.empty:
        return None
    p = tab["es_999_over_equity"].idxmax()
    return (f"{html.escape(str(p))}'s 99.9 % expected shortfall is "
            f"{tab.loc[p, 'es_999_over_equity']:.1f}x its equity.")
