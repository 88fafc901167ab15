"""The ordered list of section builders that make the report.

To add a section: write ``report/<topic>.py`` with ``build(ctx) -> Section | None``
and add it to :data:`SECTION_BUILDERS` here (one line).
"""

from __future__ import annotations

from collections.abc import Callable

from borrowedtime.report._html import ReportContext, Section, render_report

Builder = Callable[[ReportContext], Section | None]


def _builders() -> list[Builder]:
    from borrowedtime.report import (
        audit,
        calibration,
        capex,
        detectors,
        kinematics,
        stress,
        treadmill,
    )

    return [
        kinematics.build_essay,
        kinematics.build,
        calibration.build,
        audit.build,
        treadmill.build,
        detectors.build,
        capex.build,
        stress.build,
    ]


SECTION_BUILDERS: list[Builder] = []


def build_report(ctx: ReportContext, *, on_section: Callable[[str], None] | None = None) -> str:
    """Run every builder and render the page."""
    sections = []
    for builder in SECTION_BUILDERS or _builders():
        if on_section:
            on_section(builder.__module__.rsplit(".", 1)[-1])
        section = builder(ctx)
        if section is not None:
            sections.append(section)
    return render_report(
        sections,
        subtitle="Level, velocity and acceleration in real time; the AI credit complex; its stress tests.",
    )
