"""One minimum-observations rule: watch, screen and the report agree (issue 22)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.screen import Screen
from borrowedtime.reporting import ReportOptions, watch_inputs
from borrowedtime.series import Frequency

runner = CliRunner()
FHFA_FILE = "fhfa_state_hpi_quarterly_1975_2011.csv"  # beside the other shared series


def test_the_rule_counts_states():
    """5 per state: 3 trend states, period - 1 seasonal ones, one more for a cycle."""
    m = KinematicsModel()
    assert m.min_observations(Frequency("annual", 1.0)) == 15
    assert m.min_observations(Frequency("irregular", 2.0)) == 15
    assert m.min_observations(None) == 15
    assert m.min_observations(Frequency("quarterly", 4.0, 4)) == 30
    assert m.min_observations(Frequency("monthly", 12.0, 12)) == 70
    assert KinematicsModel(momentum="ar1").min_observations(Frequency("monthly", 12.0, 12)) == 75
    assert KinematicsModel(seasonal="none").min_observations(Frequency("monthly", 12.0, 12)) == 15
    assert KinematicsModel(min_obs_per_state=4).min_observations(Frequency("monthly", 12.0, 12)) == 56


def _truncated(tmp_path, source, column, n):
    frame = pd.read_csv(source, index_col=0, parse_dates=True)[[column]].iloc[:n]
    path = tmp_path / f"{column}_{n}.csv"
    frame.to_csv(path, index_label="date")
    return path


@pytest.mark.parametrize(("source", "column", "need"), [
    ("case_shiller", "National-US", 70),  # monthly: 3 + 11 seasonal states
    ("fhfa", "CA", 30),  # quarterly: 3 + 3 seasonal states
])
def test_watch_screen_and_report_agree_at_the_threshold(tmp_path, case_shiller_path, source, column, need):
    src = case_shiller_path if source == "case_shiller" else case_shiller_path.parent / FHFA_FILE
    for n, shown in ((need - 1, False), (need, True)):
        path = _truncated(tmp_path, src, column, n)
        # watch
        res = runner.invoke(app, ["watch", str(path), "--column", column, "--json"])
        assert res.exit_code == 0, res.output
        row = json.loads(res.stdout)["series"][0]
        assert row["min_observations"] == need and row["observations"] == n
        assert row["estimable"] is shown and (row["discrete"] is None) is shown
        # screen
        frame = pd.read_csv(path, index_col=0, parse_dates=True)
        scr = Screen().run(frame)
        assert (column in set(scr.table["name"])) is shown
        assert any(s.name == column and s.arithmetic is not None for s in scr.skipped) is not shown
        # the report's first screen (no shared data: only the essay series and this one)
        empty = tmp_path / "no-shared-data"
        empty.mkdir(exist_ok=True)
        watched = watch_inputs(ReportOptions(series=((str(path), column),), shared_data=empty)).screen
        assert (column in set(watched.table["name"])) is shown
        assert any(s.name == column for s in watched.skipped) is not shown
        if not shown:
            why = next(s.why for s in scr.skipped if s.name == column)
            assert f"at least {need} (5 per state)" in why


def test_report_text_states_the_rule(tmp_path):
    from borrowedtime.report.summary import render

    empty = tmp_path / "no-shared-data"
    empty.mkdir()
    text = render(watch_inputs(ReportOptions(shared_data=empty)))
    assert "fewer than 5 observations per state" in text
    assert "15 for annual or irregular data, 70 for monthly data" in text
