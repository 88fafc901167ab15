"""The HTML report: one self-contained file, plotly's JavaScript inlined once.

Each topic contributes a :class:`Section` from a builder in its own module
(``report/kinematics.py``, ``report/audit.py``, ...). Builders are listed in
:data:`SECTION_BUILDERS`; a builder takes a :class:`ReportContext` and returns
a Section, or None when its inputs are not available.
"""

from borrowedtime.report._html import (
    ReportContext,
    Section,
    figure_html,
    render_report,
    table_html,
)
from borrowedtime.report.sections import SECTION_BUILDERS, build_report

__all__ = [
    "ReportContext",
    "Section",
    "figure_html",
    "table_html",
    "render_report",
    "SECTION_BUILDERS",
    "build_report",
]
