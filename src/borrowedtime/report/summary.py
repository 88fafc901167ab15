"""The first screen: a sentence and a row per watched series, then the verdicts of the other sections."""

from __future__ import annotations

import html

import pandas as pd

from borrowedtime.report import _format as F
from borrowedtime.series import Frequency

__all__ = ["render", "sentence", "watch_frame"]


def _row_of(screen, name: str):
    hit = screen.table[screen.table["name"] == name]
    return None if hit.empty else hit.iloc[0]


def _skipped_of(screen, name: str):
    return next((s for s in screen.skipped if s.name == name), None)


def sentence(label: str, row=None, skipped=None, *, horizon: float = 2.0) -> str:
    """One plain-English sentence for one watched series (HTML-escaped)."""
    lab = html.escape(label)
    if row is not None:
        regime = str(row["regime"])
        since = F.fmt(row["since"], "month")
        last = F.fmt(row["last_date"], "month")
        p = F.fmt(row["p_borrowed_time"], "prob")
        pg = F.fmt(row["p_growth_positive"], "prob")
        vel = F.fmt(row["velocity"], "pct", signed=True)
        h = f"{horizon:g}"
        if regime == "borrowed time":
            call = F.fmt(row["call_since"], "month")
            text = (f"<b>on borrowed time</b> since {since} (call standing since {call}): growth still positive (P = {pg}, {vel} a year) "
                    f"but projected growth {h} years out is negative with P = {p}")
        elif regime == "contraction":
            text = f"<b>contraction</b> since {since}: growth negative ({vel} a year), P(growth {h}y out &lt; 0) = {p}"
        elif regime == "boom":
            text = (f"<b>boom</b> since {since}: growing ({vel} a year) with no call standing; "
                    f"P(growth {h}y out &lt; 0) = {p}")
        elif regime == "repair":
            text = f"<b>repair</b> since {since}: growth {vel} a year and no longer projected to fall (P = {p})"
        else:
            text = "<b>undetermined</b>: too early in the sample for a reading"
        return f"{lab}: {text} (last reading {last})."
    if skipped is not None and skipped.arithmetic is not None:
        a = skipped.arithmetic
        return (f"{lab}: {a['observations']} points to {F.fmt(a['last_date'], 'month')}, too few for the "
                f"filter, so discrete arithmetic only: {arithmetic_text(a)}.")
    why = skipped.why if skipped is not None else "not screened"
    return f"{lab}: {html.escape(why)}"


def arithmetic_text(a: dict) -> str:
    """The discrete arithmetic in words: growth and its change for regular dates, step-ups for irregular ones."""
    parts = []
    if a.get("regular"):
        if a.get("growth") is not None:
            parts.append(f"growth {F.fmt(a['growth'], 'pct', digits=0, signed=True)}")
        if a.get("acceleration_pp") is not None:
            parts.append(f"{F.fmt(a['acceleration_pp'], 'pp', digits=0, signed=True)} on the period before")
    else:
        if a.get("step_up") is not None:
            prev = a.get("previous_step_up")
            parts.append(f"step-up {F.fmt(a['step_up'], 'multiple')}"
                         + (f" after {F.fmt(prev, 'multiple')}" if prev is not None else ""))
        if a.get("growth") is not None:
            parts.append(f"{F.fmt(a['growth'], 'pct', digits=0, signed=True)} a year annualised")
    return ", ".join(parts) if parts else "fewer than two points"


def watch_frame(result) -> pd.DataFrame:
    """The first-screen table: one row per watched series, in the order watched."""
    screen = result.screen
    rows = []
    for name, label in result.labels.items():
        row, skip = _row_of(screen, name), _skipped_of(screen, name)
        link = f"<a href='#{html.escape(result.links.get(name, ''))}'>{html.escape(label)}</a>"
        if row is not None:
            rows.append({
                "series": link, "regime": F.badge(str(row["regime"])),
                "p_borrowed": row["p_borrowed_time"], "p_turn": row["p_turn_12m"],
                "since": row["since"], "last": row["last_date"],
                "velocity": row["velocity"], "arithmetic": "filtered (real time)",
            })
        else:
            a = skip.arithmetic if skip is not None else None
            rows.append({
                "series": link, "regime": F.badge("too short"),
                "p_borrowed": None, "p_turn": None, "since": None,
                "last": a["last_date"] if a else None, "velocity": None,
                "arithmetic": f"{a['observations']} points: {arithmetic_text(a)}" if a
                else html.escape(skip.why if skip else ""),
            })
    return pd.DataFrame(rows)


def render(result, *, verdicts=()) -> str:
    """The first screen from a :class:`borrowedtime.reporting.WatchResult` and the other sections' verdicts."""
    screen = result.screen
    h = screen.spec.rule.horizon_years
    conf = screen.spec.rule.confidence
    model = screen.spec.model  # the one minimum-observations rule: KinematicsModel.min_observations
    sentences = "".join(
        f"<li>{sentence(label, _row_of(screen, name), _skipped_of(screen, name), horizon=h)}</li>"
        for name, label in result.labels.items()
    )
    frame = watch_frame(result)
    units = {"p_borrowed": "prob", "p_turn": "prob", "since": "month", "last": "month",
             "velocity": "pct"}
    headers = {
        "series": "Series", "regime": "Regime now", "p_borrowed": "P(borrowed time)",
        "p_turn": "P(turn < 12 mo.)",
        "since": "Regime since",
        "last": "Last reading", "velocity": "Growth S′ a year", "arithmetic": "Too short: discrete arithmetic",
    }
    table = F.table(frame, units, headers=headers, html_columns=("series", "regime", "arithmetic"),
                    signed=("velocity",), collapse=False, css_class="bt-table bt-watch")
    verdict_html = ""
    if verdicts:
        items = "".join(f"<li><a href='#{html.escape(k)}'>{html.escape(t)}</a>: {v}</li>" for k, t, v in verdicts)
        verdict_html = f"<h3>Verdicts of the other sections</h3><ul class='verdict'>{items}</ul>"
    explain = F.note(
        f"P(borrowed time) is the real-time probability that growth {h:g} years out, S′ + {h:g}y·S″, is "
        f"negative. Regimes are read at each series' last date: a call stands when that probability "
        f"has been at least {conf:g} for a quarter; 'borrowed time' is a call while growth is still positive. "
        "P(turn < 12 mo.) is the real-time probability that year-over-year growth, positive now, turns "
        "negative within 12 months after at least 24 months of positive readings (blank where it is not "
        "positive, or the dates are irregular). "
        f"A series with fewer than {model.min_obs_per_state} observations per state of the filter "
        f"({model.min_observations(Frequency('annual', 1.0))} for annual or irregular data, "
        f"{model.min_observations(Frequency('monthly', 12.0, 12))} for monthly data with seasons) "
        "gets the discrete arithmetic only: "
        "its last growth rate, the change of that rate in percentage points, and its last step-up."
    )
    return table + f"<ul class='verdict'>{sentences}</ul>" + verdict_html + explain
