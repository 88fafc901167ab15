"""``borrowedtime capex``: the JSON document the issue names, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def doc():
    res = runner.invoke(app, ["capex", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_json_has_the_fields_the_issue_names(doc):
    years = {y["year"]: y for y in doc["funding"]["years"]}
    for path in ("essay", "filed"):
        assert {"capex_usd_bn", "operating_cash_flow_usd_bn", "ratio"} <= set(years[2024][path])
    assert years[2022]["essay"]["ratio"] == 0.30
    assert doc["funding"]["essay_crossing_year"] == 2026
    # equilibria: per belief on a grid, pure equilibria as action profiles
    assert len(doc["equilibria"]) == 41
    top = [e for e in doc["equilibria"] if e["belief"] == 1.0][0]
    assert top["equilibria"] == [["spend"] * 5]
    bottom = [e for e in doc["equilibria"] if e["belief"] == 0.0][0]
    assert bottom["equilibria"] == [["cut"] * 5]
    flip = doc["flip_belief"]
    assert 0 < flip["spend_stops"] < flip["cut_starts"] < 1
    ranking = doc["blink"]["ranking"]
    assert ranking[0]["name"] == "meta"
    assert set(ranking[0]) == {"name", "score", "contributions"}
    assert doc["blink"]["overturn"]["challenger"] is not None
    assert sum(doc["blink"]["sensitivity"]["share_first"].values()) == pytest.approx(1.0)
    ora = [r for r in doc["funding"]["leverage"] if r["name"] == "oracle" and r["year"] == 2026][0]
    assert ora["headroom_turns"] < 0 < ora["leverage_ceiling"]  # the 2026 build takes Oracle past its BBB band
    assert set(doc["bull_cases"]) == {"operating_leverage", "conglomerate_discount", "releasing_glut"}


def test_user_settings_move_the_results():
    res = runner.invoke(app, ["capex", "--json", "--weights", "negative_free_cash_flow=1,information_advantage=0.1",
                              "--cut-punished", "--players", "meta,google,amazon"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["blink"]["ranking"][0]["name"] in ("amazon", "oracle")
    assert d["cascade"]["all_cut_round"] is None
    assert d["game"]["players"] == ["meta", "google", "amazon"]


def test_game_and_bull_parameters_from_the_command_line():
    res = runner.invoke(app, ["capex", "--json", "--complementarity", "0.5", "--players", "meta,google",
                              "--bull", "releasing_glut.discounts=0.1;0.2", "--bull",
                              "operating_leverage.utilisation_after=0.8"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    # with k < c there is no band: "everyone spends" stops where "everyone cuts" starts
    assert d["flip_belief"]["spend_stops"] >= d["flip_belief"]["cut_starts"]
    assert any(e["symmetric_mixed"] == [] for e in d["equilibria"])
    rows = d["bull_cases"]["releasing_glut"]["rows"]
    assert [r["discount"] for r in rows] == [0.1, 0.2]
    assert d["bull_cases"]["operating_leverage"]["assumptions"]["utilisation_after"] == 0.8


@pytest.mark.parametrize(("args", "needle"), [
    (["--weights", "information_advantage=abc"], "must be a number"),
    (["--weights", "charisma=1"], "unknown trait"),
    (["--players", ","], "empty player list"),
    (["--rating", "oracle=AAA+"], "unknown rating"),
    (["--rating", "oracle"], "FIRM=SYMBOL"),
    (["--rating", "ibm=BBB"], "unknown firm"),
    (["--belief", "1.5"], "belief must be in [0, 1]"),
    (["--first-mover", "ibm"], "unknown first mover"),
    (["--cost", "-1"], "'cost' parameter"),
    (["--bull", "releasing_glut.haircut=0.3"], "no parameter 'haircut'"),
    (["--bull", "operating_leverage.utilisation_after=lots"], "must be a number"),
    (["--bull", "utilisation_after=0.6"], "case.parameter=value"),
])
def test_bad_input_is_one_red_line(args, needle):
    res = runner.invoke(app, ["capex", *args])
    assert res.exit_code == 2
    assert needle in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) <= 2  # one line (rich may wrap a long one)
