"""Report section: the audit of the essay's numbers, and each platform's backlog by lab.

Reads ``ctx.options["complex"]`` (a base complex file) and
``ctx.options["complex_overlay"]`` (a path or list of paths) when given;
otherwise the packaged essay dataset.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from borrowedtime.report._html import ReportContext, Section, figure_html, table_html

__all__ = ["build", "backlog_figure", "audit_table"]

_COLORS = {
    "openai": "#c0392b",
    "anthropic": "#d35400",
    "labs_unsplit": "#e59866",
    "other": "#7f8c8d",
    "unidentified": "#d5d8dc",
}


def backlog_figure(concentration: pd.DataFrame) -> go.Figure:
    """Stacked bars of each platform's backlog by ultimate tenant, with the stated lab share.

    Parameters
    ----------
    concentration : pandas.DataFrame
        :meth:`borrowedtime.complex.PlatformConcentration.to_frame` (USD bn).
    """
    t = concentration
    fig = go.Figure()
    parts = [c.removesuffix("_usd_bn") for c in t.columns
             if c.endswith("_usd_bn")
             and c not in ("backlog_usd_bn", "signed_since_usd_bn", "book_usd_bn", "stated_gap_usd_bn")]
    for part in parts:
        fig.add_bar(
            x=t.index, y=t[f"{part}_usd_bn"].clip(lower=0), name=part.replace("_", " "),
            marker_color=_COLORS.get(part), hovertemplate="%{x}: %{y:,.0f} USD bn<extra>" + part + "</extra>",
        )
    stated = t["stated_lab_share"] * t["book_usd_bn"]
    fig.add_scatter(
        x=t.index, y=stated, mode="markers", name="essay's stated lab share",
        marker={"symbol": "line-ew-open", "size": 28, "line": {"width": 3, "color": "black"}},
        hovertemplate="%{x}: stated %{customdata:.0%} = %{y:,.0f} USD bn<extra></extra>",
        customdata=t["stated_lab_share"],
    )
    fig.update_layout(
        barmode="stack", height=460, margin={"t": 40, "b": 40},
        title="Platform book looked through to the labs (USD bn; reported backlog + contracts signed since)",
        yaxis_title="USD bn", legend={"orientation": "h", "y": -0.15},
    )
    return fig


def audit_table(result) -> pd.DataFrame:
    """The audit as a printable frame (numbers formatted in each claim's unit)."""
    from borrowedtime.audit import format_value

    rows = []
    for c in result.claims:
        sign = {"at least": "≥ ", "more than": "> ", "less than": "< ", "at most": "≤ "}.get(c.test or "", "")
        rows.append({
            "id": c.id, "claim": c.claim, "kind": c.kind, "stated": sign + format_value(c.stated, c.unit),
            "recomputed": format_value(c.recomputed, c.unit),
            "tolerance": format_value(c.tolerance, c.unit, tolerance=True) if c.tolerance else "—",
            "status": c.status, "why": c.why,
        })
    return pd.DataFrame(rows)


def build(ctx: ReportContext) -> Section | None:
    """The audit section: headline counts, the backlog chart, the full claim table."""
    from borrowedtime.audit import audit
    from borrowedtime.complex import load_complex, platform_concentration

    cx = load_complex(ctx.options.get("complex"), overlay=ctx.options.get("complex_overlay"))
    result = audit(cx)
    n = result.counts()
    conc = platform_concentration(cx).to_frame()
    head = (
        f"<p>{len(result.claims)} quantitative claims of the essay recomputed from the complex dataset "
        f"({html.escape(', '.join(result.files))}): <b>{n['pass']} pass</b>, <b>{n['fail']} fail</b>, "
        f"<b>{n['cannot check']} cannot check</b> (the essay is the only source, or the filing that would "
        "check it is not in the dataset); "
        + "; ".join(f"{k}: {v['pass']} pass, {v['fail']} fail, {v['cannot check']} cannot check"
                    for k, v in result.counts_by_kind().items())
        + " (self-consistency: the essay checked against its own figures). Tolerances follow the essay's "
        "precision: 10% for 'about'/'roughly', 25% for 'on the order of', 10% of the step above one for a "
        "ratio near one, half a unit of the last digit otherwise.</p>"
    )
    fails = [c for c in result.claims if c.status == "fail"]
    fail_html = "".join(f"<li><b>{html.escape(c.id)}</b>: {html.escape(c.why)}</li>" for c in fails)
    body = (
        head
        + (f"<p>Failures:</p><ul>{fail_html}</ul>" if fails else "")
        + figure_html(backlog_figure(conc))
        + "<p class='note'>Bars: disclosed contracts by ultimate tenant (Microsoft-routed CoreWeave capacity "
        "counted at OpenAI), plus the part of the essay's stated OpenAI+Anthropic share that disclosed "
        "contracts do not explain (to the lab without a disclosed contract, or 'labs unsplit'). "
        "Markers: the essay's stated share of each book.</p>"
        + table_html(audit_table(result))
    )
    return Section(title="Audit of the essay's numbers", body=body, anchor="audit")
