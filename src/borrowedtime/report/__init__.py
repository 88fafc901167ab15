"""The HTML report: one self-contained file, plotly's JavaScript inlined once.

Presentation only. The model layer computes every result
(:func:`borrowedtime.reporting.compute_report`); each section here turns one
result into HTML (:mod:`borrowedtime.report.sections` lists them, one line
each), using the shared style of :mod:`borrowedtime.report._format`.
"""

from borrowedtime.report._html import Section, figure_html, render_report, table_html
from borrowedtime.report.sections import SECTIONS, ReportSection, render_page, sections

__all__ = [
    "Section",
    "ReportSection",
    "SECTIONS",
    "figure_html",
    "table_html",
    "render_page",
    "render_report",
    "sections",
]
