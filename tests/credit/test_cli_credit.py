"""``borrowedtime credit``: the JSON fields the issue names and one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def doc():
    res = runner.invoke(app, ["credit", "--paths", "5000", "--seed", "3", "--term-paths", "4000", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_json_has_the_platforms_and_the_sweep(doc):
    names = [p["name"] for p in doc["platforms"]]
    assert names == ["microsoft", "oracle", "google", "amazon", "coreweave"]
    for p in doc["platforms"]:
        assert {"name", "exposure_usd_bn", "expected_loss_usd_bn", "var_999_usd_bn", "es_999_usd_bn",
                "contributions"} <= set(p)
        assert p["horizon"] == "one year"
        lo, hi = p["var_999_ci_usd_bn"]
        assert lo <= p["var_999_usd_bn"] <= hi
        lo, hi = p["es_999_ci_usd_bn"]
        assert lo <= p["es_999_usd_bn"] <= hi  # equal when every tail scenario sits on one atom
        assert p["es_999_usd_bn"] >= p["var_999_usd_bn"] - 1e-9
    rhos = [s["rho"] for s in doc["correlation_sweep"]]
    assert rhos[-1] == 1.0 and rhos == sorted(rhos)
    assert all("var_999_usd_bn" in s for s in doc["correlation_sweep"])
    assert doc["p_default"]["openai"] > doc["p_default"]["anthropic"]
    assert any(w["guarantor"] == "google" for w in doc["wraps"])


def test_human_output_runs():
    res = runner.invoke(app, ["credit", "--paths", "2000"])
    assert res.exit_code == 0, res.output
    assert "Default book" in res.stdout and "naked" in res.stdout


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--pd", "openai=1.5"], "pd of openai must be a probability"),
        (["--pd", "openai"], "expected NAME=VALUE"),
        (["--lgd", "1.3"], "lgd must be"),
        (["--rho-ai", "-0.2"], "--rho-ai must be in [0, 1]"),
        (["--rating", "oracle=XYZ"], "not a letter grade"),
        (["--copula", "clayton"], "copula must be"),
        (["--openai-pd", "often"], "--openai-pd"),
        (["--seed", "1.5"], "--seed must be an int"),
        (["--seed", "-3"], "--seed must be an int"),
    ],
)
def test_bad_input_is_one_red_line(args, match):
    res = runner.invoke(app, ["credit", "--paths", "2000", *args])
    assert res.exit_code == 2
    assert match in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_human_tables_fit_a_narrow_terminal(monkeypatch):
    from borrowedtime.cli import _app

    monkeypatch.setattr(_app.stdout, "_width", 70)  # a 70-column terminal (into a file tables stay full width)
    monkeypatch.setattr(_app.stdout, "_force_terminal", True)
    monkeypatch.setattr(_app.stdout, "_color_system", None)
    res = runner.invoke(app, ["credit", "--paths", "2000", "--term-paths", "0"])
    assert res.exit_code == 0, res.output
    assert "not shown; --json has every column" in " ".join(res.stdout.split())  # the note wraps too
    lines = res.stdout.splitlines()
    assert max(len(x) for x in lines) <= 70 and "…" not in res.stdout


def test_json_has_losses_by_year_over_the_term(doc):
    term = doc["term"]
    assert term["n_paths"] == 4000
    one_year = {p["name"]: p for p in doc["platforms"]}
    for p in term["platforms"]:
        years = [r["year"] for r in p["losses_by_year"]]
        assert years == sorted(years) and years[0] == 2026
        # the schedule pays out the whole book and the yearly losses add up to the term's expected loss
        assert sum(r["payments_usd_bn"] for r in p["losses_by_year"]) == pytest.approx(p["exposure_usd_bn"])
        assert p["exposure_usd_bn"] >= one_year[p["name"]]["identified_exposure_usd_bn"] - 1e-9
        simulated = sum(r["simulated_expected_loss_usd_bn"] for r in p["losses_by_year"])
        assert simulated == pytest.approx(p["expected_loss_usd_bn"], rel=1e-9)
        closed = sum(r["expected_loss_usd_bn"] for r in p["losses_by_year"])
        assert abs(closed - simulated) < 4 * p["expected_loss_se_usd_bn"] + 1e-9
    oracle = next(p for p in term["platforms"] if p["name"] == "oracle")
    # over five years OpenAI's cumulative PD is far above its one-year PD: the term's EL exceeds the one-year EL
    assert oracle["expected_loss_usd_bn"] > one_year["oracle"]["expected_loss_usd_bn"]
