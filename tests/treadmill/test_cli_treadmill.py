"""``borrowedtime treadmill``: the JSON document, options and errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["treadmill", *args])


def test_json_structure(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "--column", "National-US", "--loans", "60000", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert list(doc) == ["vintages", "aggregate", "rounds", "inputs_readings", "ipo", "validation", "regional",
                         "credit_supply_readings"]
    assert [r["inputs"] for r in doc["inputs_readings"]] == ["essay", "announced"]
    assert doc["rounds"]["inputs"] == "essay"
    essay = doc["inputs_readings"][0]
    assert essay["required_step_up"] == pytest.approx(doc["rounds"]["required_step_up"])
    assert [v["year"] for v in doc["vintages"]] == list(range(2001, 2008))
    for v in doc["vintages"]:
        assert set(v) == {"year", "refinanced_by_2006_end", "defaulted_by_2008_end", "reset_exposed",
                          "troubled_by_2009_09", "prepaid_by_2009_09"}
        assert all(0.0 <= v[k] <= 1.0 for k in v if k != "year")
    assert set(doc["aggregate"]) == {"default_rate_turn", "price_yoy_negative"}
    assert doc["aggregate"]["price_yoy_negative"] == "2007-03-01"
    assert doc["aggregate"]["default_rate_turn"] < doc["aggregate"]["price_yoy_negative"]
    assert {"step_ups", "required_step_up", "achievable_step_up", "trigger", "cumulative_burn_2029",
            "triggers", "step_ups_annualised"} <= set(doc["rounds"])
    assert [round(s, 2) for s in doc["rounds"]["step_ups"]] == [1.83, 1.91, 1.67, 1.70, 1.23]
    for t in doc["rounds"]["triggers"]:
        assert {"reading", "required_step_up", "step_up", "fires"} <= set(t)
        assert t["fires"] == (t["step_up"] < t["required_step_up"])
    assert {"clearing_value", "required_value", "feasible", "cash_on_hand_usd_bn", "required_raise_usd_bn",
            "dilution"} <= set(doc["ipo"])
    ipo = doc["ipo"]
    need = max(0.0, doc["rounds"]["future_outflows_usd_bn"] - ipo["cash_on_hand_usd_bn"])
    assert ipo["required_raise_usd_bn"] == pytest.approx(need)
    assert ipo["feasible"] is True


def test_achievable_option_sets_the_trigger(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "-c", "National-US", "--loans", "20000", "--json",
               "--achievable", "target")
    doc = json.loads(res.stdout)
    assert doc["rounds"]["achievable_step_up"] == pytest.approx(1.23, abs=0.005)
    # the cash identity leaves no raise to fund through 2029, so even the 1.23x step does not fire
    assert doc["rounds"]["trigger"] is (doc["rounds"]["achievable_step_up"] < doc["rounds"]["required_step_up"])
    assert doc["rounds"]["trigger"] is False


def test_text_output(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "--column", "National-US", "--loans", "20000")
    assert res.exit_code == 0, res.output
    assert "default rate turned up" in res.stdout and "Terminal refinance" in res.stdout


def test_missing_default_prices_asks_for_prices(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BORROWEDTIME_SHARED_DATA", str(tmp_path))  # a shared folder without the series
    res = _run("--loans", "100")
    assert res.exit_code == 2
    assert "--prices" in res.output and "is not here" in res.output


def test_prices_with_many_columns_need_column(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "--loans", "100")
    assert res.exit_code == 2
    assert "choose one with --column" in res.output


def test_vintage_outside_short_series(tmp_path):
    short = tmp_path / "short.csv"
    short.write_text("date,hpi\n" + "".join(f"2004-{m:02d}-01,{100 + m}\n" for m in range(1, 13)) + "2005-01-01,113\n")
    res = _run("--prices", str(short), "--loans", "100")
    assert res.exit_code == 2
    assert "vintage 2001 is outside the price series (2004-01..2005-01)" in res.output


def test_bad_achievable():
    res = _run("--achievable", "soon")
    assert res.exit_code != 0 and "trend" in res.output


def test_model_choice(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "-c", "National-US", "--loans", "100", "--model", "bogus")
    assert res.exit_code == 2 and "--model must be 'sourced' or 'constant'" in res.output
    docs = {}
    for model in ("sourced", "constant"):
        res = _run("--prices", str(case_shiller_path), "-c", "National-US", "--loans", "20000", "--json",
                   "--model", model)
        assert res.exit_code == 0, res.output
        docs[model] = json.loads(res.stdout)
    for doc in docs.values():
        assert {(r["vintage"], r["measure"]) for r in doc["validation"]} == {
            (y, m) for y in (2003, 2005, 2006, 2007) for m in ("troubled", "prepaid")}
    prepaid = {m: {r["vintage"]: r["model"] for r in d["validation"] if r["measure"] == "prepaid"}
               for m, d in docs.items()}
    assert prepaid["sourced"][2006] < prepaid["constant"][2006]  # credit supply tightens after 2006


def test_inputs_announced_moves_the_run_and_both_readings_are_shown(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "-c", "National-US", "--loans", "20000", "--json",
               "--inputs", "announced")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["rounds"]["inputs"] == "announced"
    announced = doc["inputs_readings"][1]
    assert announced["inputs"] == "announced"
    assert doc["rounds"]["required_step_up"] == pytest.approx(announced["required_step_up"])
    assert announced["last_mark_usd_bn"] < doc["inputs_readings"][0]["last_mark_usd_bn"]
    text = _run("--prices", str(case_shiller_path), "-c", "National-US", "--loans", "20000")
    assert "essay" in text.stdout and "announced" in text.stdout


def test_bad_inputs_reading():
    res = _run("--inputs", "rumoured")
    assert res.exit_code == 2
    assert "--inputs" in res.output


def test_json_regional_block(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "-c", "National-US", "--loans", "84000", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    reg = doc["regional"]
    assert reg["states"] == 51 and reg["states"] >= 40
    assert reg["weights_source"].startswith("PROXY") and "ST-EST00INT-01" in reg["weights_source"]
    assert reg["weights_kind"] == "proxy" and reg["price_rule"] == "interpolate"
    assert [v["year"] for v in reg["vintages"]] == list(range(2001, 2008))
    assert len(reg["by_state"]) == 51
    for st in reg["by_state"]:
        assert set(st) == {"state", "weight", "loans", "troubled_by_2009_09", "prepaid_by_2009_09",
                           "price_change_to_2009_09"}
    for year in map(str, range(2001, 2008)):
        assert sum(st["weight"][year] for st in reg["by_state"]) == pytest.approx(1.0)
        assert sum(st["loans"][year] for st in reg["by_state"]) == 12 * (84000 // 84)
    # the national figures stay where they were, named as national
    assert all("troubled_by_2009_09" in v for v in doc["vintages"])
    assert {(r["vintage"], r["measure"]) for r in reg["validation"]} == {
        (y, m) for y in (2003, 2005, 2006, 2007) for m in ("troubled", "prepaid")}
    readings = doc["credit_supply_readings"]
    assert [r["credit_supply"] for r in readings] == ["sourced", "none"]
    assert "conditional" in readings[0]["status"] and "forecast" in readings[1]["status"]
    for r in readings:
        assert set(r["national"]) == set(r["regional"]) == {"2003", "2005", "2006", "2007"}
    # the sourced national reading is the national run itself
    nat = {str(v["year"]): v["troubled_by_2009_09"] for v in doc["vintages"]}
    assert readings[0]["national"]["2006"]["troubled"] == pytest.approx(nat["2006"])


def test_national_only_has_no_regional_block(case_shiller_path):
    res = _run("--prices", str(case_shiller_path), "-c", "National-US", "--loans", "20000", "--json", "--national")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["regional"] is None and doc["credit_supply_readings"] == []
