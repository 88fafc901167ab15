"""The capex report section renders a computed result offline."""

from __future__ import annotations

from borrowedtime.capex.machine import run_capex
from borrowedtime.report._html import ReportContext, render_report
from borrowedtime.report.capex import build, section_html


def test_section_renders_from_a_computed_result():
    result = run_capex(players=("meta", "google", "amazon"))
    body = section_html(result)
    assert body.count("plotly-graph-div") == 9
    assert "crosses 100 %" in body and "do not give 1.8 turns" in body
    assert "Rating headroom" in body and "oracle" in body
    section = build(ReportContext(options={"capex": result}))
    assert section.id == "capex"
    page = render_report([section])
    assert page.count("<script type='text/javascript'>") == 1
