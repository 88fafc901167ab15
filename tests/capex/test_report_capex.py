"""The capex report section renders a computed result offline."""

from __future__ import annotations

from borrowedtime.capex.machine import run_capex
from borrowedtime.report import Section, render_report, sections
from borrowedtime.report.capex import section_html, verdict


def test_section_renders_from_a_computed_result():
    result = run_capex(players=("meta", "google", "amazon"))
    body = section_html(result)
    assert body.count("plotly-graph-div") == 9
    assert "crosses 100 %" in body and "do not give 1.8 turns" in body
    assert "Rating headroom" in body and "oracle" in body
    assert any(s.key == "capex" for s in sections())  # registered in the report
    assert "blinks first" in verdict(result)
    page = render_report([Section("The capex machine", body, "capex")])
    assert page.count("<script type='text/javascript'>") == 1
