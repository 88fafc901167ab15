"""Report section: the audit of the essay's numbers, grouped by essay section, and each platform's backlog by lab."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from borrowedtime.report import _format as F

__all__ = ["render", "verdict", "backlog_figure", "audit_frame"]

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
            x=t.index, y=t[f"{part}_usd_bn"].clip(lower=0), name=F.human(part), marker_color=_COLORS.get(part),
            hovertemplate="%{x}: $%{y:,.0f} bn<extra>" + part + "</extra>",
        )
    stated = t["stated_lab_share"] * t["book_usd_bn"]
    fig.add_scatter(
        x=t.index, y=stated, mode="markers", name="essay's stated lab share",
        marker={"symbol": "line-ew-open", "size": 28, "color": F.COLORS["essay"],
                "line": {"width": 3, "color": F.COLORS["essay"]}},
        hovertemplate="%{x}: stated %{customdata:.0%} = $%{y:,.0f} bn<extra></extra>",
        customdata=t["stated_lab_share"],
    )
    fig.update_layout(barmode="stack", title="Platform book (backlog + contracts signed since) looked through to "
                      "the labs")
    fig.update_xaxes(title_text="platform")
    fig.update_yaxes(title_text="book, USD bn", tickprefix="$", ticksuffix=" bn")
    return fig


def audit_frame(result) -> pd.DataFrame:
    """The audit as a table for people: each number in its claim's unit, the status as a word."""
    from borrowedtime.audit import format_value

    rows = []
    for c in result.claims:
        sign = {"at least": "≥ ", "more than": "> ", "less than": "< ", "at most": "≤ "}.get(c.test or "", "")
        rows.append({
            "section": c.section, "id": c.id, "claim": c.claim, "kind": c.kind, "stated": sign + format_value(c.stated, c.unit),
            "recomputed": format_value(c.recomputed, c.unit),
            "tolerance": format_value(c.tolerance, c.unit, tolerance=True) if c.tolerance else "—",
            "status": c.status, "why": c.why,
        })
    return pd.DataFrame(rows)


def verdict(inputs) -> str:
    """One line for the first screen."""
    result, _ = inputs
    n = result.counts()
    return (f"{len(result.claims)} of the essay's numbers recomputed: {F.badge('pass')} {n['pass']} "
            f"{F.badge('fail')} {n['fail']} {F.badge('cannot check')} {n['cannot check']}")


def render(inputs) -> str:
    """The section from ``(AuditResult, platform concentration frame)``."""
    result, conc = inputs
    n = result.counts()
    head = (
        f"<p>{len(result.claims)} quantitative claims of the essay recomputed from the complex dataset "
        f"({html.escape(', '.join(result.files))}): {F.badge('pass')} <b>{n['pass']}</b> &nbsp; "
        f"{F.badge('fail')} <b>{n['fail']}</b> &nbsp; {F.badge('cannot check')} <b>{n['cannot check']}</b> "
        "(the essay is the only source, or the filing that would check it is not in the dataset); "
        + html.escape("; ".join(f"{k}: {v['pass']} pass, {v['fail']} fail, {v['cannot check']} cannot check"
                                for k, v in result.counts_by_kind().items()))
        + " (self-consistency: the essay checked against its own figures). Tolerances follow the essay's "
        "precision: 10% for 'about'/'roughly', 25% for 'on the order of', 10% of the step above one for a ratio "
        "near one, half a unit of the last digit otherwise.</p>"
    )
    fails = [c for c in result.claims if c.status == "fail"]
    fail_html = "".join(f"<li>{F.badge('fail')} <b>{html.escape(c.id)}</b>: {html.escape(c.why)}</li>"
                        for c in fails)
    frame = audit_frame(result)
    groups = []
    for section, part in frame.groupby("section", sort=False):
        counts = part["status"].value_counts()
        tally = " ".join(f"{s} {int(counts.get(s, 0))}" for s in ("pass", "fail", "cannot check") if counts.get(s, 0))
        shown = part.drop(columns="section").assign(status=part["status"].map(F.badge))
        body = F.table(shown, headers={"id": "Claim ID", "claim": "Claim", "kind": "Kind", "stated": "Stated (essay)",
                                       "recomputed": "Recomputed", "tolerance": "Tolerance", "status": "Status",
                                       "why": "How it was checked"},
                       html_columns=("status",), collapse=False,
                       row_class=part["status"].map(lambda s: "status-" + s.replace(" ", "-")))
        groups.append(F.details(f"Essay section {section}: {len(part)} claims ({tally})", body))
    return (
        head
        + (f"<p>Failures:</p><ul>{fail_html}</ul>" if fails else "")
        + F.figure(backlog_figure(conc), "fig-audit-backlog", height=440)
        + F.note("Bars: disclosed contracts by ultimate tenant (Microsoft-routed CoreWeave capacity counted at "
                 "OpenAI), plus the part of the essay's stated OpenAI+Anthropic share that disclosed contracts do "
                 "not explain (to the lab without a disclosed contract, or 'labs unsplit'). Markers: the essay's "
                 "stated share of each book.")
        + "<h3>Every claim, by essay section</h3>" + "".join(groups)
    )
