"""The report's first section: the one verdict (:class:`borrowedtime.verdict.Verdict`), as the CLI prints it."""

from __future__ import annotations

import html

import pandas as pd

from borrowedtime.report import _format as F

__all__ = ["render", "monitor_frame", "essay_frame"]


def _num(x: float) -> str:
    return f"{x:,.2f}" if abs(x) < 10 else f"{x:,.1f}"


def monitor_frame(v) -> pd.DataFrame:
    """One row per build-out series: last value, trend S with its band, S′ and S″ with their sd, P(S″<0),
    P(borrowed time), regime."""
    rows = []
    for r in v.monitor.readings:
        rows.append({
            "series": html.escape(r.label), "last": r.last, "level": r.level, "yoy": r.yoy_growth,
            "trend": (f"{_num(r.trend)} [{_num(r.trend_low)}, {_num(r.trend_high)}]" if r.trend is not None else None),
            "velocity": r.velocity, "velocity_sd": r.velocity_sd,
            "acceleration": r.acceleration, "acceleration_sd": r.acceleration_sd,
            "p_accel_neg": r.p_accel_neg, "p_borrowed": r.p_borrowed_time,
            "regime": F.badge(r.regime) if r.estimable else F.badge(r.regime) + (
                f" <span class='bt-note'>{html.escape(r.why or '')}</span>" if r.why else ""),
            "n": r.observations,
        })
    return pd.DataFrame(rows)


def essay_frame(v) -> pd.DataFrame:
    """The essay's annual points beside the filings' calendar-year sums of the four platforms."""
    e = v.essay
    years = sorted(set(e.get("essay_capex_usd_bn", {})) | set(e.get("filings_capex_usd_bn", {})))
    rows = []
    for y in years:
        rows.append({
            "year": y,
            "essay_capex": e.get("essay_capex_usd_bn", {}).get(y),
            "filings_capex": e.get("filings_capex_usd_bn", {}).get(y),
            "essay_ratio": e.get("essay_capex_to_ocf", {}).get(y),
            "filings_ratio": e.get("filings_capex_to_ocf", {}).get(y),
            "filings_growth": e.get("filings_growth_pct", {}).get(y),
            "filings_accel": e.get("filings_acceleration_pp", {}).get(y),
        })
    return pd.DataFrame(rows)


def render(v) -> str:
    """The verdict section: the sentences, the small table, the monitor's reading of each series, essay beside filings."""
    sentences = "".join(f"<li>{html.escape(s)}</li>" for s in v.sentences)
    small = F.table(v.to_frame(), {"question": "text", "reading": "text", "how sure": "text"},
                    headers={"question": "Question", "reading": "Reading", "how sure": "How sure"},
                    collapse=False)
    mon = F.table(
        monitor_frame(v),
        {"last": "quarter", "level": "float:1", "yoy": "pct:0", "velocity": "float:2", "velocity_sd": "float:2",
         "acceleration": "float:2", "acceleration_sd": "float:2", "p_accel_neg": "prob", "p_borrowed": "prob",
         "n": "int"},
        headers={"series": "Series (filings)", "last": "Last quarter", "level": "Last value", "yoy": "On a year before",
                 "trend": "Trend S [95 % band]",
                 "velocity": "S′ a year", "velocity_sd": "sd", "acceleration": "S″ a year²", "acceleration_sd": "sd",
                 "p_accel_neg": "P(S″<0)", "p_borrowed": "P(borrowed time)", "regime": "Regime now",
                 "n": "Quarters"},
        html_columns=("series", "regime"), signed=("yoy", "velocity", "acceleration"), collapse=False,
    )
    ess = essay_frame(v)
    essay_html = ""
    if not ess.empty:
        essay_html = "<h3>What the essay says beside what the filings say</h3>" + F.table(
            ess,
            {"essay_capex": "usd_bn", "filings_capex": "usd_bn", "essay_ratio": "prob", "filings_ratio": "prob",
             "filings_growth": "pct_value", "filings_accel": "pp"},
            headers={"year": "Calendar year", "essay_capex": "Capex, essay (VII)",
                     "filings_capex": "Capex, filings (4 platforms)", "essay_ratio": "Capex/OCF, essay",
                     "filings_ratio": "Capex/OCF, filings", "filings_growth": "Growth, filings",
                     "filings_accel": "Change of growth, filings"},
            signed=("filings_growth", "filings_accel"), collapse=False,
        ) + F.note(
            "The essay's figures are its own (section VII; 2026 and 2027 are its estimates, and its aggregate "
            "may not be the same four companies). The filings' are sums of quarters over calendar years in "
            "which all four platforms report every quarter (borrowedtime.buildout.annual_totals)."
        )
    st = v.stress
    note = F.note(
        f"Computed once by borrowedtime.verdict() and printed the same by `borrowedtime verdict`. The monitor is "
        f"the real-time filter (S′ growth a year, S″ its change a year, ± one sd); P(borrowed time) is "
        f"P(S′ + {v.monitor.horizon_years:g}y·S″ < 0). Flows get a quarterly seasonal component, backlogs and the "
        f"trailing ratio none. Cascade: the stress section's run (one run read by both), scenario '{st.scenario}', "
        f"{st.paths:,} paths, seed {st.seed}, "
        f"{st.horizon_quarters} quarters from {st.quarter_0}."
    )
    return (f"<ul class='verdict'>{sentences}</ul>" + small
            + "<h3>The monitor on the build-out's own numbers</h3>" + mon + essay_html + note)
