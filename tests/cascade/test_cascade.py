"""The cascade: scenarios validated, the no-trigger counterfactual, stretches, reproducibility, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from borrowedtime.cascade import (
    CascadeModel,
    draw_inputs,
    load_scenario,
    narrative,
    packaged_scenarios,
    run_stress,
    simulate,
)
from borrowedtime.cascade.model import NEVER
from borrowedtime.cli import app
from borrowedtime.errors import SpecError

PATHS = 400


@pytest.fixture(scope="module")
def base_result():
    return run_stress("base", paths=PATHS, seed=1, chunk_size=200)


def test_packaged_scenarios_load():
    names = packaged_scenarios()
    for n in ("base", "private_round", "backstop", "hyperscaler_leverage", "anthropic_unwrapped",
              "correlation_of_one", "no_trigger"):
        assert n in names
        assert load_scenario(n).name == n
    assert load_scenario("correlation_of_one").param("lab_correlation") == 1.0


def _write(tmp_path, text):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def test_bad_scenarios_get_clear_errors(tmp_path):
    with pytest.raises(SpecError, match="no scenario 'nope'"):
        load_scenario("nope")
    with pytest.raises(SpecError, match=r"s.yaml: distributions.pullback: a lognormal distribution needs median, log_sd"):
        load_scenario(_write(tmp_path, "base: base\nname: x\ndistributions:\n  pullback: {dist: lognormal, source: me}\n"))
    with pytest.raises(SpecError, match=r"draws must lie in \[0.0, 1.0\]"):
        load_scenario(_write(tmp_path, "base: base\nname: x\ndistributions:\n  fire_sale: {dist: normal, mean: 0.2, sd: 0.1, source: me}\n"))
    with pytest.raises(SpecError, match=r"horizon_quarters: Input should be greater than or equal to 1"):
        load_scenario(_write(tmp_path, "base: base\nname: x\nhorizon_quarters: 0\n"))
    with pytest.raises(SpecError, match=r"colour: unknown field"):
        load_scenario(_write(tmp_path, "base: base\nname: x\ncolour: red\n"))
    with pytest.raises(SpecError, match="not valid YAML"):
        load_scenario(_write(tmp_path, "name: [x\n"))
    with pytest.raises(SpecError, match=r"model.lab_correlation: must be in \[-1, 1\]"):
        load_scenario(_write(tmp_path, "base: base\nname: x\nmodel:\n  lab_correlation: {value: 2, source: me}\n"))
    with pytest.raises(SpecError, match="complex_overlay"):
        scn = load_scenario(_write(tmp_path, "base: base\nname: x\ncomplex_overlay:\n  contracts:\n"
                                   "    - {name: ghost, kind: bond, obligor: nobody, obligee: openai, source: s, as_of: 2026-01-01}\n"))
        CascadeModel.from_scenario(scn)


def test_no_trigger_means_no_defaults():
    res = run_stress("no_trigger", paths=200, seed=0, stretches=False, chunk_size=200)
    assert res.trigger_quarter()["no_trigger_share"] == 1.0
    assert all(e["p_default"] == 0.0 for e in res.entities())
    assert all(e["loss_usd_bn"]["p95"] == 0.0 for e in res.entities())


def test_base_triggers_and_the_order_of_damage(base_result):
    t = base_result.trigger_quarter()
    assert 0.0 < t["no_trigger_share"] < 0.6
    ents = {e["name"]: e for e in base_result.entities()}
    fd = {k: v["first_distress_quarter"] for k, v in ents.items()}
    # The model's order on the default data (README: "How it breaks, run forward"): Oracle bleeds first
    # (thin equity against a book half OpenAI), then the neoclouds, then the hyperscalers impair.
    hyperscalers = [fd[h] for h in ("microsoft", "amazon") if fd[h] is not None]
    assert fd["oracle"] is not None and hyperscalers
    assert fd["oracle"] <= min(hyperscalers)
    assert fd["oracle"] <= fd["coreweave"]
    assert ents["coreweave"]["p_default"] > ents["microsoft"]["p_default"] == 0.0


def test_each_stretch_delays_the_trigger(base_result):
    rows = {s["name"]: s for s in base_result.stretches()}
    assert set(rows) == {"private_round", "backstop", "hyperscaler_leverage"}
    for name, row in rows.items():
        assert row["quarters_bought_mean"] > 0, name
        assert row["share_delayed"] > 0.2, name
        assert row["cost_usd_bn_mean"] > 0, name


def test_same_seed_same_json_and_narrative():
    a = run_stress("base", paths=150, seed=7, chunk_size=100).to_json()
    b = run_stress("base", paths=150, seed=7, chunk_size=100).to_json()
    assert a == b
    c = run_stress("base", paths=150, seed=8, chunk_size=100).to_json()
    assert a != c
    model = CascadeModel.from_scenario(load_scenario("base"))
    draws = draw_inputs(model, np.random.default_rng(3), 30)
    out = simulate(model, draws, record=True)
    assert len(out.history) == model.horizon
    k = int(np.flatnonzero(out.first_trigger_q != NEVER)[0])
    lines = narrative(model, out, k)
    assert any("FAILS: the trigger" in x and "required" in x for x in lines)
    assert out.history[-1].trigger_q.shape == (30, 2)


def test_cli_stress_json(tmp_path):
    r = CliRunner().invoke(app, ["stress", "--paths", "120", "--seed", "2", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    for key in ("paths", "seed", "trigger_quarter", "entities", "stretches", "tornado"):
        assert key in doc
    assert doc["paths"] == 120 and doc["seed"] == 2
    e = doc["entities"][0]
    assert {"name", "p_default", "loss_usd_bn", "first_distress_quarter"} <= set(e)
    assert "no_trigger_share" in doc["trigger_quarter"]
    assert doc["tornado"] and "input" in doc["tornado"][0]
    bad = CliRunner().invoke(app, ["stress", "nope"])
    assert bad.exit_code == 2 and "no scenario 'nope'" in bad.output


def test_vectorised_paths_equal_a_per_path_loop():
    # a path's outcome must not depend on the other paths in its batch (ties are decided with a tolerance,
    # convergence is tested path by path): the benchmark's per-path loop baseline relies on it
    model = CascadeModel.from_scenario(load_scenario("base"))
    draws = draw_inputs(model, np.random.default_rng(12345), 40)
    vec = simulate(model, draws)
    loop = [simulate(model, draws.take(slice(i, i + 1))) for i in range(40)]
    for name in ("trigger_q", "default_q", "distress_q", "bought"):
        assert np.array_equal(getattr(vec, name), np.concatenate([getattr(o, name) for o in loop])), name
    np.testing.assert_allclose(vec.loss, np.concatenate([o.loss for o in loop]), rtol=0, atol=1e-9)
    assert (vec.first_trigger_q != NEVER).any() and (vec.default_q != NEVER).any()


def test_credit_and_capex_inputs_move_the_cascade_the_expected_way():
    # the numbers the engine takes from credit and capex are theirs (credit.lgd_for, capex's game and glut)
    from dataclasses import replace

    from borrowedtime.capex import ReleasingGlut
    from borrowedtime.capex.game import CapexGame
    from borrowedtime.credit import lgd_for

    model = CascadeModel.from_scenario(load_scenario("base"))
    assert model.lgd_secured == lgd_for("senior", "other_physical")
    assert model.lgd_unsecured == lgd_for("senior", None)
    assert model.flip_belief == CapexGame().flip_beliefs()["spend_stops"]
    assert model.relet_discount == pytest.approx(np.mean(ReleasingGlut.from_inputs().discounts))
    draws = draw_inputs(model, np.random.default_rng(7), 60)
    base = simulate(model, draws)
    # a deeper re-leasing discount in the glut (capex) loses more on the same paths
    glut = simulate(replace(model, relet_discount=0.6), draws)
    assert glut.loss.sum() > base.loss.sum()
    assert np.all(glut.loss.sum(axis=1) >= base.loss.sum(axis=1) - 1e-9)
    # a higher flip belief (capex: the market reprices sooner) flips the game on at least as many paths, earlier
    jumpy = simulate(replace(model, flip_belief=0.9), draws)
    assert (jumpy.flipped_q != NEVER).sum() > (base.flipped_q != NEVER).sum()
    # a worse LGD on seized GPU debt (credit) loses more for the seized vehicles' lenders
    seized = (base.default_q[:, model.tracks_cash] != NEVER).any()
    assert seized
    harsh = simulate(replace(model, lgd_secured=0.9, lgd_unsecured=0.95), draws)
    assert harsh.loss.sum() > base.loss.sum()
    # the flip takes capex growth to the game's "everyone cuts" level (its lowest); a scenario may override the cut
    assert model.flip_growth == pytest.approx(np.log1p(CapexGame().levels[0]))
    flipped = base.flipped_q != NEVER
    assert flipped.any()
    deeper = simulate(replace(model, flip_growth=-0.5), draws)
    assert np.array_equal(deeper.flipped_q, base.flipped_q)
    assert deeper.loss.sum() >= base.loss.sum() - 1e-9
    over = CascadeModel.from_scenario(load_scenario("base").model_copy(update={"model": {
        **load_scenario("base").model, "flip_cut": load_scenario("base").model["dscr_min"].model_copy(
            update={"value": 0.0, "source": "test"})}}))
    assert over.params["flip_cut"] == 0.0
    # the labs' growth correlation is the credit module's AI-tenant asset correlation (platform_books rho_ai)
    import inspect

    from borrowedtime.credit.books import platform_books
    assert model.params["lab_correlation"] == inspect.signature(platform_books).parameters["rho_ai"].default
    # rating headroom (capex) caps the leverage stretch: with none, it buys nothing
    lever = CascadeModel.from_scenario(load_scenario("base").with_stretch("hyperscaler_leverage"))
    capped = simulate(replace(lever, lever_headroom_usd_bn=0.0), draws)
    assert np.array_equal(capped.first_trigger_q, base.first_trigger_q)
    assert simulate(lever, draws).stretch_used["hyperscaler_leverage"].sum() > 0


def test_an_overlay_of_openai_figures_moves_the_cascade_plan(tmp_path):
    # the lab's treadmill plan is read from the scenario's complex (overlay included), not the packaged one
    base = CascadeModel.from_scenario(load_scenario("base"))
    scn = load_scenario(_write(tmp_path, (
        "base: base\nname: lower-revenue\ncomplex_overlay:\n  entities:\n    - name: openai\n      figures:\n"
        '        - {metric: revenue_usd_bn, period: "2027", value: 40, as_of: 2027-12-31, source: "test overlay"}\n'
    )))
    moved = CascadeModel.from_scenario(scn)
    li = base.labs.index("openai")
    # 2027 revenue 40 instead of 60: the plan's revenue (hence burn) falls around 2027 and nowhere rises
    assert not np.allclose(moved.lab_cost_q[li], base.lab_cost_q[li])
    assert np.all(moved.lab_cost_q[li] <= base.lab_cost_q[li] + 1e-9)


def test_cli_stress_json_is_reproducible_and_equal_on_dask():
    # the contract, through the CLI: the same seed gives byte-identical JSON, twice, and a Dask
    # LocalCluster of two workers gives the same JSON as the local run (two chunks, so the workers share them)
    args = ["stress", "--json", "--paths", "80", "--seed", "11", "--chunk-size", "40"]
    runs = [CliRunner().invoke(app, args) for _ in range(2)]
    for r in runs:
        assert r.exit_code == 0, r.output
    assert runs[0].stdout == runs[1].stdout
    assert json.loads(runs[0].stdout)["paths"] == 80
    pytest.importorskip("dask.distributed")
    dask = CliRunner().invoke(app, [*args, "--workers", "2"])
    assert dask.exit_code == 0, dask.output
    assert dask.stdout == runs[0].stdout
    other = CliRunner().invoke(app, ["stress", "--json", "--paths", "80", "--seed", "12"])
    assert other.stdout != runs[0].stdout


def test_cli_stress_tables_fit_the_terminal(monkeypatch):
    from borrowedtime.cli import _app

    monkeypatch.setattr(_app.stdout, "_force_terminal", True)  # into a file tables stay full width
    monkeypatch.setattr(_app.stdout, "_color_system", None)
    monkeypatch.setattr(_app.stdout, "_width", 200)  # a wide terminal
    wide = CliRunner().invoke(app, ["stress", "--paths", "60", "--seed", "2"])
    assert wide.exit_code == 0, wide.output
    assert "Entities hit" in wide.output and "first distress" in wide.output and "not shown" not in wide.output
    monkeypatch.setattr(_app.stdout, "_width", 60)  # a 60-column terminal
    narrow = CliRunner().invoke(app, ["stress", "--paths", "60", "--seed", "2"])
    assert narrow.exit_code == 0, narrow.output
    assert "not shown; --json has every column" in " ".join(narrow.output.split())  # the note wraps too
    assert max(len(x) for x in narrow.stdout.splitlines()) <= 60 and "…" not in narrow.stdout


def test_credit_check_sets_rating_pds_beside_the_cascade(base_result):
    from borrowedtime.credit.pd import rating_pd

    rows = {r["name"]: r for r in base_result.credit_check()}
    assert rows["coreweave"]["rating"] == "B+" and rows["openai"]["assumed_rating"]
    assert rows["oracle"]["rating_pd"] == pytest.approx(rating_pd("BBB", 5.0))
    d = base_result.runs["base"]["default_q"][:, base_result.names.index("coreweave")]
    assert rows["coreweave"]["cascade_p_default"] == pytest.approx(((d >= 0) & (d < 20)).mean())
    assert rows["microsoft"]["cascade_p_default"] == 0.0 < rows["microsoft"]["rating_pd"]
    assert "credit_check" in base_result.to_dict()
