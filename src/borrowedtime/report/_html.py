"""HTML assembly: sections, figures, tables; plotly.js inlined once (works offline)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["ReportContext", "Section", "figure_html", "table_html", "render_report"]


@dataclass(frozen=True)
class ReportContext:
    """What every section builder may read.

    Attributes
    ----------
    series : tuple of (str, str or None)
        Extra series to chart, as (source, column) pairs given by the user.
    shared_data : Path or None
        The folder of shared reference series when present (:func:`borrowedtime.datasets.shared_data_dir`).
    seed : int
        Seed for any Monte Carlo a section runs.
    quick : bool
        Smaller Monte Carlo runs (tests, demos).
    """

    series: tuple[tuple[str, str | None], ...] = ()
    shared_data: Path | None = None
    seed: int = 0
    quick: bool = False
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One report section: a title and its HTML body."""

    title: str
    body: str
    anchor: str = ""

    @property
    def id(self) -> str:
        return self.anchor or "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")


def figure_html(fig) -> str:
    """A plotly figure as a div; the page carries plotly.js once."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})


def table_html(frame: pd.DataFrame, *, index: bool = False, float_format: str = "{:,.3f}") -> str:
    """A DataFrame as a plain HTML table (no styling dependency)."""
    return frame.to_html(
        index=index,
        border=0,
        classes="bt-table",
        na_rep="—",
        float_format=lambda v: float_format.format(v),
        escape=True,
    )


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{font-size:1.8rem} h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2.5rem}
table.bt-table{border-collapse:collapse;font-size:.9rem;margin:1rem 0}
table.bt-table th,table.bt-table td{padding:.3rem .6rem;border-bottom:1px solid #eee;text-align:right}
table.bt-table th:first-child,table.bt-table td:first-child{text-align:left}
.note{color:#555;font-size:.9rem} nav a{margin-right:1rem}
"""


def render_report(sections: list[Section], *, title: str = "borrowedtime report", subtitle: str = "") -> str:
    """The whole page: one inline copy of plotly.js, then each section."""
    from plotly.offline import get_plotlyjs

    nav = " ".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    body = "\n".join(
        f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>\n{s.body}\n</section>' for s in sections
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<h1>{html.escape(title)}</h1><p class='note'>{html.escape(subtitle)}</p><nav>{nav}</nav>"
        f"{body}</body></html>\n"
    )
