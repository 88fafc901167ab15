"""The treadmill report section formats a TreadmillResult offline with its four charts."""

from __future__ import annotations

from pathlib import Path

from borrowedtime.report import Section, render_report
from borrowedtime.report.treadmill import render
from borrowedtime.reporting import ReportOptions, treadmill_inputs


def test_section_renders(case_shiller_path):
    result = treadmill_inputs(ReportOptions(shared_data=case_shiller_path.parent, quick=True))
    assert result.arm is not None and result.skipped_parts == {}
    body = render(result)
    assert body.count("plotly-graph-div") == 4  # cohorts vs prices, book vs delinquency, step-ups, IPO region
    assert "2004Q4" in body and "Refinanced by end-2006" in body and "the essay's step" in body
    page = render_report([Section("The refinancing treadmill", body, "treadmill")])
    assert page.count("<script type='text/javascript'>") == 1


def test_section_without_shared_data(tmp_path: Path):
    result = treadmill_inputs(ReportOptions(shared_data=tmp_path, quick=True))
    assert result.arm is None and "2/28 cohorts" in result.skipped_parts
    body = render(result)
    assert "cohort model is skipped" in body
    assert body.count("plotly-graph-div") == 2
