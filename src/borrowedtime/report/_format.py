"""The report's style, in helpers every section calls (so every section looks and reads the same).

- **Colours** (:data:`COLORS`, :data:`REGIME_COLORS`, :data:`STATUS_COLORS`): one meaning
  each, everywhere; the page opens with :func:`colour_legend`.
- **Numbers** (:func:`fmt`): formatted for their unit -- ``pct`` (a decimal shown as %),
  ``pct_value`` (already in percent), ``pp``, ``usd_bn``, ``multiple`` (×), ``prob``,
  ``date``, ``month``, ``int``, ``float``, ``bool`` (yes/no), ``text``.
- **Tables** (:func:`table`): human headers, a unit per column, long tables collapsed
  in a ``<details>`` block.
- **Charts** (:func:`figure`): a fixed div id (identical bytes run to run), the house
  layout (legend beside its own chart, axis titles with units, margins that keep labels
  inside), and :func:`mark_date`/:func:`shade_window` for dated lines and windows with
  labels that are not clipped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "COLORS",
    "REGIME_COLORS",
    "STATUS_COLORS",
    "badge",
    "colour_legend",
    "details",
    "figure",
    "fmt",
    "human",
    "log_axis",
    "mark_date",
    "note",
    "pin_x",
    "shade_window",
    "table",
]

#: One colour per meaning, used in every section.
COLORS = {
    "level": "#1f4e79",          # the series itself
    "velocity": "#2a7f62",       # S'
    "acceleration": "#b03a2e",   # S''
    "band": "rgba(120,120,120,0.20)",   # ±2 sd
    "window": "rgba(230,120,40,0.18)",  # a borrowed-time window (called in real time)
    "window_edge": "#e67e22",
    "turn": "#111111",           # the turn: YoY growth first negative
    "yoy": "#888888",            # year-over-year growth, the market's S'
    "outcome": "#6c3483",        # what followed (delinquency, defaults)
    "model": "#d62728",          # a model's output compared with data
    "data": "#1f77b4",           # the data it is compared with
    "essay": "#111111",          # the essay's stated figure
    "muted": "#7f8c8d",
}

#: Regime -> colour (tables, badges, small multiples).
REGIME_COLORS = {
    "borrowed time": "#e67e22",
    "contraction": "#c0392b",
    "boom": "#27ae60",
    "repair": "#2980b9",
    "undetermined": "#95a5a6",
    "too short": "#95a5a6",
}

#: Audit status -> colour.
STATUS_COLORS = {"pass": "#27ae60", "fail": "#c0392b", "cannot check": "#95a5a6"}

_ACRONYMS = {"usd": "USD", "bn": "bn", "yoy": "YoY", "ipo": "IPO", "id": "ID", "p10": "p10", "p90": "p90",
             "lppls": "LPPLS", "openai": "OpenAI", "psy": "PSY", "gsadf": "GSADF", "bsadf": "BSADF", "el": "EL",
             "var": "VaR", "es": "ES", "pd": "PD", "lgd": "LGD", "dscr": "DSCR", "ead": "EAD", "rw": "RW",
             "ebitda": "EBITDA", "ocf": "OCF", "mc": "MC"}
_UNIT_SUFFIX = (("_usd_bn", " (USD bn)"), ("_pct", " (%)"), ("_pp", " (pp)"), ("_months", " (months)"),
                ("_days", " (days)"))


def human(name: str) -> str:
    """A snake_case key as a header: ``capex_usd_bn`` -> ``Capex (USD bn)``.

    A header already written for people (a space or a capital in it: ``"VaR 99 %"``,
    ``"EL"``) is returned as it is.
    """
    text, unit = str(name), ""
    if " " in text or text != text.lower():
        return text
    for suffix, label in _UNIT_SUFFIX:
        if text.endswith(suffix):
            text, unit = text[: -len(suffix)], label
            break
    words = [_ACRONYMS.get(w, w) for w in text.replace("-", "_").split("_") if w]
    if words:
        words[0] = words[0] if words[0] in _ACRONYMS.values() else words[0].capitalize()
    return " ".join(words) + unit


def _missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# numeric units of fmt(): (scale, default decimals, thousands separator, may show +, suffix);
# an unknown unit prints as "float", "int" always with 0 decimals
_NUMBER_FORMATS = {
    "pct": (100.0, 1, ",", True, "%"),
    "pct_value": (1.0, 1, ",", True, "%"),
    "pp": (1.0, 1, ",", True, " pp"),
    "multiple": (1.0, 2, ",", False, "×"),
    "prob": (1.0, 2, "", False, ""),
    "int": (1.0, 0, ",", True, ""),
    "float": (1.0, 3, ",", True, ""),
}


def fmt(value, unit: str = "float", *, digits: int | None = None, signed: bool = False) -> str:
    """One value as text for its unit ("—" when missing).

    Parameters
    ----------
    value : number, bool, date or str
    unit : str
        ``pct`` (decimal 0.145 -> 14.5%), ``pct_value`` (14.5 -> 14.5%), ``pp``
        (percentage points), ``usd_bn`` ($1,100 bn), ``multiple`` (1.83×),
        ``prob`` (0.93), ``date`` (2007-03-01), ``month`` (2007-03), ``quarter``
        (2004Q4), ``int``, ``float``, ``bool`` (yes/no), ``text``.
    digits : int, optional
        Decimals (each unit has a default).
    signed : bool
        Show a + on positive numbers (growth, changes).
    """
    if _missing(value):
        return "—"
    if ":" in unit:  # "float:1", "pct:0": the unit with its decimals
        unit, d = unit.split(":", 1)
        digits = int(d)
    if unit == "bool" or isinstance(value, bool | np.bool_):
        return "yes" if bool(value) else "no"
    if unit in ("date", "month", "quarter"):
        ts = pd.Timestamp(value)
        if unit == "date":
            return ts.date().isoformat()
        if unit == "month":
            return f"{ts:%Y-%m}"
        return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"
    if unit == "text" or isinstance(value, str):
        return str(value)
    x = float(value)
    if not math.isfinite(x):
        return "—"
    if unit == "usd_bn":
        d = (0 if abs(x) >= 100 else 1) if digits is None else digits
        return f"{'-' if x < 0 else ('+' if signed and x > 0 else '')}${abs(x):,.{d}f} bn"
    scale, default_digits, grouping, may_sign, suffix = _NUMBER_FORMATS.get(unit, _NUMBER_FORMATS["float"])
    d = default_digits if digits is None or unit == "int" else digits
    return f"{x * scale:{'+' if signed and may_sign else ''}{grouping}.{d}f}{suffix}"


def badge(label: str, colour: str | None = None) -> str:
    """A coloured label (a regime, an audit status)."""
    c = colour or REGIME_COLORS.get(label) or STATUS_COLORS.get(label) or COLORS["muted"]
    return f'<span class="bt-badge" style="background:{c}">{html.escape(label)}</span>'


def note(text: str) -> str:
    """A paragraph of explanation under a chart or table (escaped)."""
    return f"<p class='note'>{html.escape(text)}</p>"


def details(summary: str, body: str, *, open_: bool = False) -> str:
    """A collapsible block (closed unless ``open_``)."""
    return (f"<details{' open' if open_ else ''}><summary>{html.escape(summary)}</summary>"
            f"{body}</details>")


#: Tables longer than this are collapsed unless the caller says otherwise.
COLLAPSE_ROWS = 12


def table(
    frame: pd.DataFrame,
    units: Mapping[str, str] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    index: bool = False,
    caption: str = "",
    collapse: bool | None = None,
    html_columns: tuple[str, ...] = (),
    row_class: pd.Series | None = None,
    signed: tuple[str, ...] = (),
    css_class: str = "bt-table",
) -> str:
    """A DataFrame as a table for people.

    Parameters
    ----------
    frame : pandas.DataFrame
    units : mapping, optional
        Column -> unit of :func:`fmt`; columns not named are ``text`` for
        strings and ``float`` for numbers.
    headers : mapping, optional
        Column -> header; others go through :func:`human`.
    index : bool
        Show the index as the first column.
    caption : str
        Shown above the table (and as the summary of a collapsed table).
    collapse : bool, optional
        Wrap in a closed ``<details>``; default when longer than :data:`COLLAPSE_ROWS` rows.
    html_columns : tuple of str
        Columns whose cells are already HTML (badges); not escaped.
    row_class : Series, optional
        A CSS class per row (e.g. ``status-fail``).
    signed : tuple of str
        Columns shown with a + on positive numbers.
    css_class : str
        Class of the ``<table>``.
    """
    f = frame.reset_index() if index else frame
    units = dict(units or {})
    headers = dict(headers or {})
    numeric = {c: pd.api.types.is_numeric_dtype(f[c]) and not pd.api.types.is_bool_dtype(f[c]) for c in f.columns}
    head = "".join(
        f"<th class='{'num' if numeric[c] or units.get(c, 'text') not in ('text', 'bool') else 'txt'}'>"
        f"{html.escape(headers.get(c, human(c)))}</th>"
        for c in f.columns
    )
    dated = {c for c in f.columns if not numeric[c] and _all_dates(f[c])}  # never wrapped at the hyphen
    rows = []
    classes = list(row_class) if row_class is not None else [""] * len(f)
    for r, cls in zip(f.itertuples(index=False), classes, strict=True):
        cells = []
        for c, v in zip(f.columns, r, strict=True):
            unit = units.get(c, "float" if numeric[c] else "text")
            text = v if c in html_columns else html.escape(fmt(v, unit, signed=c in signed))
            align = ("txt" if unit.split(":")[0] in ("text", "bool") and not numeric[c] and c not in dated
                     else "num")
            cells.append(f"<td class='{align}'>{text}</td>")
        rows.append(f"<tr class='{cls}'>{''.join(cells)}</tr>" if cls else f"<tr>{''.join(cells)}</tr>")
    body = (f"<div class='bt-scroll'><table class='{css_class}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")
    long = len(f) > COLLAPSE_ROWS if collapse is None else collapse
    if long:
        return details(f"{caption or 'Table'} ({len(f)} rows)", body)
    return (f"<p class='caption'>{html.escape(caption)}</p>" if caption else "") + body


def _all_dates(col: pd.Series) -> bool:
    """Whether every present cell reads as a date (2007-03-01, 2007-03, 2027Q3, a Timestamp)."""
    present = col.dropna()
    if pd.api.types.is_datetime64_any_dtype(present):
        return not present.empty
    text = present.astype(str)
    text = text[text != "—"]  # a dash for a missing date
    return not text.empty and bool(text.str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?|Q[1-4])").all())


# ============================================================================ charts

_FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12, "color": "#222"}
_HOUSE = None


def house_template():
    """The report's one plotly template (plotly_white, the house font, axes with a line and outside ticks).

    Built once and applied by :func:`figure` to every chart of the page, so no
    section falls back to plotly's default grey style.
    """
    global _HOUSE
    if _HOUSE is None:
        import plotly.graph_objects as go
        import plotly.io as pio

        t = go.layout.Template(pio.templates["plotly_white"])
        axis = {"automargin": True, "showline": True, "linecolor": "#999", "ticks": "outside"}
        t.layout.update(font=_FONT, hoverlabel={"namelength": -1}, xaxis=axis, yaxis=axis,
                        title={"font": {"size": 14}, "x": 0.0, "xanchor": "left"})
        _HOUSE = t
    return _HOUSE


#: plotly's toolbar: shown when the pointer is over a chart, without the logo
_CONFIG = {"displaylogo": False, "responsive": True}


def figure(fig, div_id: str, *, height: int | None = None, legend: str = "right", toolbar: bool = True) -> str:
    """A plotly figure as HTML with the house layout and a fixed div id.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    div_id : str
        Unique on the page, stable run to run (``"fig-kinematics-national"``).
    height : int, optional
        Pixels.
    legend : {"right", "below", "none", "keep"}
        Right of its own chart (default), below it, none, or as the figure set it
        (``keep``: the figure's own legend and margins, only the house template applied).
    toolbar : bool
        plotly's toolbar on hover; off for small charts whose titles it would cover.
    """
    layout = {
        "font": _FONT,
        "template": house_template(),
        "hoverlabel": {"namelength": -1},
    }
    if legend != "keep":
        layout["margin"] = {"l": 70, "r": 30, "t": 60, "b": 50, "autoexpand": True}
    if height is not None:
        layout["height"] = height
    if legend == "right":
        layout["legend"] = {"x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top", "font": {"size": 11},
                            "tracegroupgap": 12}
    elif legend == "below":
        layout["legend"] = {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top", "font": {"size": 11}}
    elif legend == "none":
        layout["showlegend"] = False
    fig.update_layout(**layout)
    fig.update_xaxes(automargin=True, showline=True, linecolor="#999", ticks="outside")
    fig.update_yaxes(automargin=True, showline=True, linecolor="#999", ticks="outside", nticks=6)
    config = dict(_CONFIG) if toolbar else {**_CONFIG, "displayModeBar": False}
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=config)


def mark_date(fig, when, label: str, *, colour: str = COLORS["turn"], row: int | None = None,
              y: float = 1.0, dash: str = "dash") -> None:
    """A dated vertical line with a horizontal label inside the plot (never clipped).

    ``y`` is the label's height as a fraction of the plot (1.0 top); labels of
    dates close together should use different heights.
    """
    x = pd.Timestamp(when).to_pydatetime()
    kw = {} if row is None else {"row": row, "col": 1}
    fig.add_vline(x=x, line_dash=dash, line_color=colour, line_width=1.2, **kw)
    xref = "x" if row in (None, 1) else f"x{row}"
    yref = "y domain" if row in (None, 1) else f"y{row} domain"
    fig.add_annotation(x=x, xref=xref, y=y, yref=yref, text=html.escape(label),
                       showarrow=False, xanchor="left", yanchor="top", xshift=3,
                       font={"size": 10, "color": colour}, bgcolor="rgba(255,255,255,0.8)")


def shade_window(fig, start, end, label: str | None = None, *, row: int | None = None, y: float = 0.98,
                 align: str = "left") -> None:
    """A shaded borrowed-time window; its call date written at its left edge.

    ``align="right"`` writes the label leftwards from the window's right edge instead (for a
    window that ends at the right edge of the chart, where a label would be clipped).
    """
    kw = {} if row is None else {"row": row, "col": 1}
    fig.add_vrect(x0=pd.Timestamp(start).to_pydatetime(), x1=pd.Timestamp(end).to_pydatetime(),
                  fillcolor=COLORS["window"], line_width=0, layer="below", **kw)
    if label:
        yref = "y domain" if row in (None, 1) else f"y{row} domain"
        xref = "x" if row in (None, 1) else f"x{row}"
        at = start if align == "left" else end
        fig.add_annotation(x=pd.Timestamp(at).to_pydatetime(), xref=xref, y=y, yref=yref,
                           text=html.escape(label), showarrow=False, xanchor=align, yanchor="top",
                           font={"size": 10, "color": COLORS["window_edge"]}, bgcolor="rgba(255,255,255,0.7)")


def log_axis(fig, values, *, title: str, row: int | None = None, secondary_y: bool | None = None) -> None:
    """A log y axis ticked at 1-2-5 steps between the data's min and max (plotly's own ticks crowd).

    ``secondary_y=False`` on a figure with a right axis: only the left one (else both get these ticks).
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    kw = {} if row is None else {"row": row, "col": 1}
    if secondary_y is not None:
        kw["secondary_y"] = secondary_y
    if not v.size:
        fig.update_yaxes(type="log", title_text=title, **kw)
        return
    lo, hi = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    ticks = [m * 10.0**e for e in range(lo, hi + 1) for m in (1, 2, 5) if v.min() / 1.5 <= m * 10.0**e <= v.max() * 1.5]
    fig.update_yaxes(type="log", title_text=title, tickvals=ticks, ticktext=[f"{t:,.4g}" for t in ticks], **kw)


def pin_x(fig, start, end) -> None:
    """Fix the date axis to ``[start, end]`` (labels placed by :func:`mark_date` would otherwise widen it)."""
    fig.update_xaxes(range=[pd.Timestamp(start).to_pydatetime(), pd.Timestamp(end).to_pydatetime()],
                     autorange=False)


_KEY_ITEMS = ("window", "turn", "level", "velocity", "acceleration", "band", "outcome")


def colour_legend(items: tuple[str, ...] = _KEY_ITEMS, *, regimes: bool = True, audit: bool = True) -> str:
    """The page's colour key (shown once, at the top): only the ``items``, regimes and audit badges it shows."""
    swatch = "<span class='bt-swatch' style='background:{c}'></span>{t}"
    every = {
        "window": swatch.format(c=COLORS["window"].replace("0.18", "0.5"), t="borrowed-time window, called in real "
                                "time (label: call date)"),
        "turn": "<span class='bt-swatch bt-line' style='border-color:#111'></span>the turn: year-over-year growth "
                "first negative",
        "level": swatch.format(c=COLORS["level"], t="level S"),
        "velocity": swatch.format(c=COLORS["velocity"], t="velocity S′ (growth per year)"),
        "acceleration": swatch.format(c=COLORS["acceleration"], t="acceleration S″ (per year²)"),
        "band": swatch.format(c=COLORS["band"].replace("0.20", "0.5"), t="±2 sd band"),
        "outcome": swatch.format(c=COLORS["outcome"], t="what followed (delinquency)"),
    }
    lines = "<b>Colours</b>: " + " · ".join(every[k] for k in items)
    if regimes:
        lines += "<br><b>Regimes</b>: " + " ".join(badge(r) for r in ("borrowed time", "contraction", "boom",
                                                                       "repair", "undetermined"))
    if audit:
        lines += " &nbsp; <b>Audit</b>: " + " ".join(badge(s) for s in ("pass", "fail", "cannot check"))
    return f"<div class='bt-legend'>{lines}</div>"
