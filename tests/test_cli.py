"""The command line: JSON on stdout only, one-line errors, the default backtest."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from borrowedtime.cli import app

runner = CliRunner()


def test_watch_demo_json():
    res = runner.invoke(app, ["watch", "--demo", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    names = [s["source"] for s in data["series"]]
    assert names[0] == "filings:hyperscalers:capex" and "filings:nvda:data_center_revenue" in names
    first = data["series"][0]
    assert {"velocity", "velocity_sd", "acceleration", "acceleration_sd", "p_accel_neg", "p_borrowed_time"} <= set(first)
    # the essay's own figures stay beside the filings'
    assert [r["year"] for r in data["essay_capex"]] == [2023, 2024, 2025, 2026, 2027]
    assert data["essay"]["essay_capex_usd_bn"]["2024"] == 226


def test_watch_file_json(case_shiller_path):
    res = runner.invoke(app, ["watch", str(case_shiller_path), "--column", "National-US", "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)["series"][0]
    assert s["latest"]["date"] == "2024-07-01" and s["frequency"] == "monthly"
    assert s["regime"] in {"boom", "borrowed time", "contraction", "repair"}


def test_bad_input_is_one_line_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,v\n2020-01-01,1\n2020-02-01,oops\n2020-03-01,3\n")
    res = runner.invoke(app, ["watch", str(bad)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "bad.csv, row 3, field 'v': non-numeric value 'oops'" in res.output


def test_backtest_json_windows(case_shiller_path, delinquency_path):
    res = runner.invoke(
        app,
        [
            "backtest", str(case_shiller_path), "--column", "National-US",
            "--outcome", str(delinquency_path), "--calm", "1992-01-01:2003-12-31", "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    w = next(w for w in data["windows"] if w["yoy_negative"] == "2007-03-01")
    assert set(w) >= {"start", "end", "lead_months"}
    assert w["lead_months"] >= 9 and w["start"] < "2006-07-01"
    assert data["outcome"]["turns"][0]["trough"] == "2004-10-01"


def test_report_writes_self_contained_html(tmp_path):
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "-o", str(out), "--quick", "--json"])
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert page.count("plotly.js v") >= 1  # plotly.js inlined ...
    assert "<script src=" not in page and "<link " not in page  # ... and nothing fetched
    assert "The essay&#x27;s series" in page or "The essay's series" in page


def test_backtest_settings_are_options_and_validated(case_shiller_path):
    res = runner.invoke(app, ["backtest", str(case_shiller_path), "-c", "National-US",
                              "--horizon", "1", "--confidence", "0.8", "--json"])
    assert res.exit_code == 0, res.output
    settings = json.loads(res.stdout)["settings"]
    assert settings["horizon_years"] == 1.0 and settings["confidence"] == 0.8
    bad = runner.invoke(app, ["backtest", str(case_shiller_path), "-c", "National-US", "--confidence", "1.2"])
    assert bad.exit_code == 2 and "--confidence must be in [0.5, 1)" in bad.output and "got 1.2" in bad.output
