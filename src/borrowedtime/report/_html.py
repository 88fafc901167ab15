"""HTML assembly: sections and the page; plotly.js inlined once (works offline).

Nothing here runs a model: sections receive results computed by
:func:`borrowedtime.reporting.compute_report`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

from borrowedtime.report import _format

__all__ = ["Section", "figure_html", "table_html", "render_report", "CSS"]


@dataclass(frozen=True)
class Section:
    """One report section: a title and its HTML body."""

    title: str
    body: str
    anchor: str = ""

    @property
    def id(self) -> str:
        return self.anchor or "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")


def figure_html(fig, div_id: str | None = None) -> str:
    """A plotly figure as a div with a fixed id; the page carries plotly.js once.

    Without ``div_id`` the figure keeps its own legend and margins (the house template
    still applies) and its id is derived from its content (stable run to run for the
    same inputs). New sections should call
    :func:`borrowedtime.report._format.figure`, which also applies the house layout.
    """
    if div_id is None:
        import hashlib

        div_id = "fig-" + hashlib.sha1(fig.to_json().encode()).hexdigest()[:12]
        return _format.figure(fig, div_id, legend="keep")  # the house template, the figure's own legend
    return _format.figure(fig, div_id)


def table_html(frame: pd.DataFrame, *, index: bool = False, float_format: str | None = None,
               units: dict | None = None, caption: str = "") -> str:
    """A DataFrame as a table for people (see :func:`borrowedtime.report._format.table`).

    ``float_format`` (e.g. ``"{:,.1f}"`` or ``"{:.1%}"``) sets the unit of every numeric
    column not named in ``units``.
    """
    units = dict(units or {})
    if float_format is not None:
        m = re.search(r"\.(\d+)([f%])", float_format)
        digits = int(m.group(1)) if m else 3
        unit = f"{'pct' if m and m.group(2) == '%' else 'float'}:{digits}"
        f = frame.reset_index() if index else frame
        for c in f.columns:
            if c not in units and pd.api.types.is_float_dtype(f[c]):
                units[c] = unit
    return _format.table(frame, units, index=index, caption=caption)


CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem auto;max-width:1200px;color:#222;padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2.5rem}
h3{margin-top:1.8rem}
.bt-scroll{max-width:100%;overflow-x:auto}
table.bt-table{border-collapse:collapse;font-size:.88rem;margin:.6rem 0 1rem}
table.bt-table th,table.bt-table td{padding:.3rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
table.bt-table th{background:#f6f6f6;font-weight:600;border-bottom:1px solid #ccc}
table.bt-table .num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.bt-table .txt{text-align:left}
table.bt-table td.txt{max-width:40rem}
tr.status-fail td{background:#fdecea} tr.status-pass td{background:#f3faf5} tr.status-cannot-check td{background:#f7f7f7}
.note{color:#555;font-size:.9rem} .caption{font-weight:600;margin:.8rem 0 .2rem}
nav{margin:.6rem 0 1rem;font-size:.95rem} nav a{margin-right:1rem;white-space:nowrap}
.bt-badge{display:inline-block;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8rem;white-space:nowrap}
.bt-legend{font-size:.85rem;color:#333;background:#fafafa;border:1px solid #eee;padding:.5rem .8rem;margin:.8rem 0}
.bt-swatch{display:inline-block;width:.9rem;height:.9rem;vertical-align:-2px;margin:0 .25rem 0 .1rem;border-radius:2px}
.bt-swatch.bt-line{width:1rem;height:0;border-top:2px dashed;border-radius:0;vertical-align:3px}
.bt-skipped{font-size:.88rem;color:#7a4b00;background:#fff8e6;border:1px solid #f3d9a4;padding:.5rem .8rem}
.verdict{font-size:1.05rem} .verdict li{margin:.25rem 0}
details{margin:.5rem 0} details>summary{cursor:pointer;color:#1f4e79;font-weight:600}
.js-plotly-plot,.plotly-graph-div{max-width:100%}
table.bt-watch td:first-child{min-width:13rem} table.bt-watch td:last-child{min-width:13rem;white-space:normal}
table.bt-table th.num{white-space:normal;text-align:right}
.bt-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:.6rem}
"""


def render_report(
    sections: list[Section],
    *,
    title: str = "borrowedtime report",
    subtitle: str = "",
    skipped: dict[str, str] | None = None,
    legend: bool | str = True,
) -> str:
    """The whole page: one inline copy of plotly.js, the colour key, what was skipped, each section.

    ``legend``: True for the report's full colour key, False for none, or the HTML
    of a key of the page's own (:func:`~borrowedtime.report._format.colour_legend`
    with only what the page shows). Element ids must be unique on the page (a
    repeated plotly div id raises).
    """
    from plotly.offline import get_plotlyjs

    ids = [s.id for s in sections]
    if len(set(ids)) != len(ids):
        raise ValueError(f"two report sections share an anchor: {ids}")
    nav = " ".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    key = legend if isinstance(legend, str) else (_format.colour_legend() if legend else "")
    body = "\n".join(
        f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>\n{s.body}\n{key if k == 0 else ""}</section>'
        for k, s in enumerate(sections)
    )
    divs = [part.split('"', 1)[0] for part in body.split('<div id="')[1:]]
    dup = {d for d in divs if divs.count(d) > 1}
    if dup:
        raise ValueError(f"figure div ids used twice: {sorted(dup)}")
    skip = ""
    if skipped:
        items = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in skipped.items())
        skip = f"<div class='bt-skipped'>Sections skipped on this run:<ul>{items}</ul></div>"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(subtitle)}</p><nav>{nav}</nav>"
        f"{skip}"
        f"{body}</body></html>\n"
    )
