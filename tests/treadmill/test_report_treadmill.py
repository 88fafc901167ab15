"""The treadmill report section renders offline with its three charts."""

from __future__ import annotations

from borrowedtime.report._html import ReportContext, render_report
from borrowedtime.report.treadmill import build


def test_section_renders(case_shiller_path):
    ctx = ReportContext(shared_data=case_shiller_path.parent, quick=True)
    section = build(ctx)
    assert section is not None and section.id == "treadmill"
    body = section.body
    assert body.count("plotly-graph-div") == 4  # cohorts vs prices, book vs delinquency, step-ups, IPO region
    assert "2004Q4" in body and "refinanced_by_2006_end" in body and "the essay's step" in body
    page = render_report([section])
    assert page.count("<script type='text/javascript'>") == 1


def test_section_without_shared_data(tmp_path):
    section = build(ReportContext(shared_data=tmp_path, quick=True))
    assert "cohort model is skipped" in section.body
    assert section.body.count("plotly-graph-div") == 2
