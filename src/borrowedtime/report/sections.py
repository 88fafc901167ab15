"""The report's sections, in page order: one line each.

A section is a :class:`ReportSection`: the key of its computed result in
:class:`borrowedtime.reporting.ReportInputs`, a title, and ``render(result) -> str``
returning its HTML body (built with the helpers of ``report/_format.py`` so every
section reads the same). An optional ``verdict(result) -> str | None`` adds one
line to the first screen's verdicts (HTML, short: the stress verdicts go there).

To add a section: compute its result in the model layer (one line in
``borrowedtime.reporting.COMPUTATIONS``), write ``report/<topic>.py`` with
``render`` (and ``verdict``), and add one line to :data:`SECTIONS` below.
Nothing in ``report/`` runs a model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from borrowedtime.report._html import Section, render_report

__all__ = ["ReportSection", "SECTIONS", "render_page", "sections"]


@dataclass(frozen=True)
class ReportSection:
    """A registered section: ``key`` of its result, ``title``, ``render`` and an optional ``verdict``."""

    key: str
    title: str
    render: Callable[[Any], str]
    verdict: Callable[[Any], str | None] | None = None


def _registry() -> list[ReportSection]:
    from borrowedtime.report import (
        audit,
        calibration,
        capex,
        credit,
        detectors,
        essay,
        kinematics,
        stress,
        summary,
        treadmill,
        verdict,
    )

    return [
        ReportSection("verdict", "Is the AI build-out on borrowed time, and how sure?", verdict.render),
        ReportSection("watch", "At a glance", summary.render),
        ReportSection("essay", "The essay's series", essay.render),
        ReportSection("kinematics", "Level, velocity, acceleration", kinematics.render),
        ReportSection("calibration", "Are the probabilities honest?", calibration.render),
        ReportSection("audit", "Audit of the essay's numbers", audit.render, audit.verdict),
        ReportSection("treadmill", "The refinancing treadmill", treadmill.render, treadmill.verdict),
        ReportSection("detectors", "Bubble detectors side by side", detectors.render),
        ReportSection("credit", "The loan book", credit.render, credit.verdict),
        ReportSection("capex", "The capex machine and the reflexive flip", capex.section_html, capex.verdict),
        ReportSection("stress", "How it breaks, run forward", stress.render, stress.verdict),
    ]


#: Extra sections registered at run time (e.g. by an extension); appended after the built-in ones.
SECTIONS: list[ReportSection] = []


def sections() -> list[ReportSection]:
    """Every registered section in page order."""
    return _registry() + SECTIONS


def render_page(inputs, *, subtitle: str | None = None) -> str:
    """The whole report from computed inputs (:class:`borrowedtime.reporting.ReportInputs`).

    Runs no model. The first section (``watch``) receives the verdicts of the
    others; every result key without a registered section is ignored, every
    registered section without a result is left out (and named in the page's
    list of skipped sections when the computation said why).
    """
    from borrowedtime.report import summary

    regs = sections()
    verdicts = []
    for reg in regs:
        if reg.verdict is not None and reg.key in inputs.results:
            v = reg.verdict(inputs.results[reg.key])
            if v:
                verdicts.append((reg.key, reg.title, v))
    out = []
    for reg in regs:
        if reg.key not in inputs.results:
            continue
        result = inputs.results[reg.key]
        body = summary.render(result, verdicts=verdicts) if reg.key == "watch" else reg.render(result)
        out.append(Section(reg.title, body, anchor=reg.key))
    return render_report(
        out,
        subtitle=subtitle or "Level, velocity and acceleration in real time; the AI credit complex; its stress tests.",
        skipped=inputs.skipped,
    )
