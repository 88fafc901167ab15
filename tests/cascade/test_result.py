"""The stress result: frames, sensitivity, tornado rows, one example path shared by the CLI and the report."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from borrowedtime.cascade import NEVER, load_scenario, run_stress
from borrowedtime.cli import app
from borrowedtime.errors import SpecError

PATHS = 600


@pytest.fixture(scope="module")
def res():
    return run_stress("base", paths=PATHS, seed=3, chunk_size=300)


def test_frames_one_row_per_path_and_per_entity(res):
    df = res.to_frame()
    assert len(df) == PATHS and df.index.name == "path"
    trig = res.runs["base"]["trigger"]
    assert int(df["trigger_quarter"].isna().sum()) == int((trig == NEVER).sum())
    np.testing.assert_allclose(df["total_loss_usd_bn"], res.runs["base"]["loss"].sum(axis=1))
    assert {"trigger_quarter_backstop", "stretch_used_usd_bn_private_round", "revenue_accel"} <= set(df.columns)
    ents = res.entity_frame()
    assert len(ents) == len(res.names) and {"p_default", "loss_p50_usd_bn"} <= set(ents.columns)
    assert res.loss_frame().shape == (PATHS, len(res.names))


def test_sensitivity_has_both_inputs_and_moves_the_trigger_share(res):
    rows = res.sensitivity()
    by = {}
    for r in rows:
        assert {"input", "value", "trigger_share"} <= set(r)
        by.setdefault(r["input"], []).append(r)
    assert set(by) == {"growth_dispersion_scale", "half_life_quarters"}
    assert all(len(v) >= 3 for v in by.values())
    scale = {r["value"]: r["trigger_share"] for r in by["growth_dispersion_scale"]}
    assert scale[0.0] < scale[1.0] < scale[2.0]  # no dispersion, almost no trigger: the share rests on it
    own = [r for r in rows if r["scenario_value"]]
    base_share = float((res.runs["base"]["trigger"][: own[0]["paths"]] != NEVER).mean())
    assert all(r["trigger_share"] == base_share for r in own)  # the scenario's value is the run itself
    names = {r["input"] for r in res.tornado()}
    assert {"growth_dispersion_scale", "half_life_quarters", "revenue_accel"} <= names


def test_example_path_is_the_runs_own_path(res):
    ex = res.example_path()
    i = ex["path"]
    t = int(res.runs["base"]["trigger"][i])
    assert t != NEVER and (res.runs["base"]["trigger"][:i] == NEVER).all()
    assert ex["trigger"] == res.label(t)
    assert any(res.label(t) in line and "FAILS" in line for line in ex["timeline"])


def test_cli_and_report_show_the_same_example_path_and_figures():
    from borrowedtime.reporting import ReportOptions, stress_inputs

    rep = stress_inputs(ReportOptions(seed=4, quick=True))
    r = CliRunner().invoke(app, ["stress", "--paths", str(rep.result.paths), "--seed", "4", "--timeline"])
    assert r.exit_code == 0, r.output
    for line in rep.timeline:
        assert line in r.stdout
    js = CliRunner().invoke(app, ["stress", "--paths", str(rep.result.paths), "--seed", "4", "--json"])
    doc = json.loads(js.stdout)
    assert doc["trigger_quarter"] == rep.result.trigger_quarter()
    assert doc["sensitivity"] == rep.result.sensitivity()
    assert doc["example_path"]["timeline"] == rep.timeline


def test_with_params_refuses_a_bad_half_life():
    with pytest.raises(SpecError, match="half_life_quarters: must be > 0"):
        load_scenario("base").with_params(half_life_quarters=0.0)
