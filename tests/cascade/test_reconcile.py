"""The cascade's central path against the treadmill: the same inputs give the same first round and trigger."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.cascade import CascadeModel, central_draws, load_scenario, simulate
from borrowedtime.cascade.model import NEVER, _central
from borrowedtime.errors import SpecError
from borrowedtime.treadmill import run_treadmill
from borrowedtime.treadmill.rounds import RoundsSpec


def _scenario(tmp_path, openai: str):
    p = tmp_path / "s.yaml"
    p.write_text(f"base: base\nname: reconcile\nlabs:\n  openai:\n{openai}")
    return load_scenario(p)


def _first_round(model):
    """The central path's first OpenAI round: quarter, required and achievable step-up, trigger quarter."""
    out = simulate(model, central_draws(model), record=True)
    li = model.labs.index("openai")
    for st in out.history:
        if np.isfinite(st.required[0, li]):
            mark = model.lab_mark0[li]
            return st.q, st.required[0, li] / mark, st.achievable[0, li] / mark, int(out.trigger_q[0, li])
    raise AssertionError("no funding test on the central path")


def _agree(model, rounds):
    q, req, ach, trig = _first_round(model)
    # the first round is the treadmill's next round: the quarter starting on its date
    assert q == model.lab_first_test_q[model.labs.index("openai")]
    assert q == round((rounds.next_date - np.datetime64(model.network.as_of, "D")).days / (365.25 / 4))
    # the same required step-up (the treadmill prorates flows by day, the cascade by quarter: within 2 %)
    assert req == pytest.approx(rounds.required_step_up(), rel=0.02)
    assert ach == pytest.approx(rounds.achievable_step_up(), rel=1e-9)
    # and the same verdict: the trigger fires at that round exactly when the treadmill's does
    assert (trig == q) is bool(rounds.trigger)
    return q, req, ach, trig


def test_base_central_path_agrees_with_run_treadmill():
    model = CascadeModel.from_scenario(load_scenario("base"))
    tr = run_treadmill(None, n_draws=200).rounds  # the treadmill's defaults: contracts, 6-year undated term
    # the same defaults: the scenario's central dilution is the treadmill's observed one
    assert _central(model.scenario.distributions["dilution_limit"]) == pytest.approx(tr.dilution_limit, abs=5e-4)
    assert model.treadmill["openai"].contracted_compute.equals(tr.contracted_compute)
    assert model.lab_cash0[0] == pytest.approx(tr.cash_on_hand(np.datetime64(model.network.as_of, "D")))
    q, req, ach, trig = _agree(model, tr)
    assert not tr.trigger and trig == NEVER  # 0.94 required against 1.63 on the trend: no trigger, anywhere


@pytest.mark.parametrize("term", [4.0, 6.0])
def test_undated_term_moves_both_the_same_way(tmp_path, term):
    # at a 4-year undated term the required step-up (1.75) exceeds the trend (1.63): both fire at the round
    model = CascadeModel.from_scenario(_scenario(tmp_path, f"    undated_term_years: {term}\n"))
    d = _central(model.scenario.distributions["dilution_limit"])
    rounds = RoundsSpec(undated_term_years=term, dilution_limit=d).run()
    q, _, _, trig = _agree(model, rounds)
    assert (trig == q) is (term == 4.0)


def test_a_scenario_chooses_the_other_readings(tmp_path):
    base = CascadeModel.from_scenario(load_scenario("base"))
    ramp = CascadeModel.from_scenario(_scenario(tmp_path, "    compute: ramp\n"))
    assert ramp.treadmill["openai"].spec.compute == "ramp"
    assert not np.allclose(ramp.lab_contracted_q[0], base.lab_contracted_q[0])
    target = CascadeModel.from_scenario(_scenario(tmp_path, "    achievable: target\n"))
    assert _first_round(target)[2] == pytest.approx(1048 / 852)
    with pytest.raises(SpecError, match="treadmill reading"):
        _scenario(tmp_path, "    achievable: mark\n  anthropic:\n    achievable: trend\n")


def test_trigger_attribution_names_the_inputs_that_trigger():
    from borrowedtime.cascade.montecarlo import trigger_attribution

    rows = {r["drawn"]: r for r in trigger_attribution("base", paths=120, seed=3)}
    # the central path does not trigger, so inputs that act only after a trigger cannot trigger alone
    for name in ("pullback", "hyperscaler_cut", "relet_value", "fire_sale"):
        assert rows[name]["triggered_share"] == 0.0, name
    # the growth paths do: the accelerations and the quarterly shocks
    assert rows["revenue_accel"]["triggered_share"] > 0.2
    assert rows["growth_shocks"]["triggered_share"] > 0.2
    assert 0.0 < rows["all"]["first_round_share"] <= rows["all"]["triggered_share"] < 1.0


def test_bad_lab_readings_get_clear_errors(tmp_path):
    with pytest.raises(SpecError, match=r"labs.openai.compute: Input should be 'contracts' or 'ramp'"):
        _scenario(tmp_path, "    compute: guess\n")
    with pytest.raises(SpecError, match=r"labs.openai.undated_term_years: Input should be greater than 0"):
        _scenario(tmp_path, "    undated_term_years: 0\n")
    p = tmp_path / "c.yaml"
    p.write_text("base: base\nname: c\nlabs:\n  cohere:\n    plan: treadmill\n")
    with pytest.raises(SpecError, match=r"c.yaml: labs.cohere: plan treadmill: .*no valuation_usd_bn figures"):
        CascadeModel.from_scenario(load_scenario(p))
    p.write_text("base: base\nname: c\nhorizon_quarters: 3\n")
    with pytest.raises(SpecError, match=r"labs.openai: the treadmill's next round \(quarter 4\) is outside"):
        CascadeModel.from_scenario(load_scenario(p))
