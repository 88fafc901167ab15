"""Speed changes of the cascade leave its output unchanged for a seed (issue 25): same bits."""

from __future__ import annotations

import numpy as np

from borrowedtime.cascade import draw_inputs, load_scenario, model_for, simulate
from borrowedtime.cascade.run import simulate_stretches

FIELDS = ("trigger_q", "default_q", "distress_q", "loss", "h", "bought", "flipped_q", "frozen_q")


def test_stretches_forked_from_the_base_run_equal_full_runs_bit_for_bit():
    scn = load_scenario("base")
    model = model_for(scn)
    draws = draw_inputs(model, np.random.default_rng(11), 600)
    variants = {v: model_for(scn.with_stretch(v)) for v in ("private_round", "backstop", "hyperscaler_leverage")}
    shared = simulate_stretches(model, draws, variants)
    for v, m in {"base": model, **variants}.items():
        full = simulate(m, draws)
        for f in FIELDS:
            np.testing.assert_array_equal(getattr(shared[v], f), getattr(full, f), err_msg=f"{v}.{f}")
        for k in full.stretch_used:
            np.testing.assert_array_equal(shared[v].stretch_used[k], full.stretch_used[k], err_msg=f"{v} {k}")
    # the stretches do something on these paths (else the test would compare equal arrays trivially)
    for v in ("private_round", "backstop"):
        assert (shared[v].stretch_used[v] > 0).any()
        assert (shared[v].trigger_q != shared["base"].trigger_q).any()


def test_a_path_alone_gives_the_same_bits_as_in_its_batch():
    model = model_for(load_scenario("base"))
    draws = draw_inputs(model, np.random.default_rng(5), 300)
    batch = simulate(model, draws)
    hit = np.flatnonzero(batch.default_q.max(axis=1) >= 0)[:3]  # paths with defaults: clearing and DebtRank at work
    assert hit.size
    for i in hit:
        one = simulate(model, draws.take(np.array([i])))
        for f in FIELDS:
            np.testing.assert_array_equal(getattr(one, f)[0], getattr(batch, f)[i], err_msg=f)


def test_compiled_clearing_stage_equals_the_numpy_stage_bit_for_bit(monkeypatch):
    from borrowedtime.cascade import run, stages

    scn = load_scenario("base")
    draws = draw_inputs(model_for(scn), np.random.default_rng(2), 500)
    for m in (model_for(scn), model_for(load_scenario("anthropic_unwrapped"))):
        fast = simulate(m, draws)
        monkeypatch.setattr(run, "stage_clearing", stages.stage_clearing_numpy)
        slow = simulate(m, draws)
        monkeypatch.undo()
        assert (slow.default_q >= 0).any() and (slow.loss > 0).any()  # clearing had work to do
        for f in FIELDS:
            np.testing.assert_array_equal(getattr(fast, f), getattr(slow, f), err_msg=f)


def test_compiled_strong_buy_equals_the_numpy_stage_bit_for_bit(monkeypatch):
    from types import SimpleNamespace

    from borrowedtime.cascade import stages

    scn = load_scenario("base")
    model = model_for(scn)
    draws = draw_inputs(model, np.random.default_rng(7), 800)
    fast = simulate(model, draws)
    calls = []

    def numpy_stage(D, remaining, default_q, h, loss, bought, fire_sale, relet, *rest):
        calls.append(D.shape[0])
        sub = SimpleNamespace(loss=loss, remaining=remaining, bought=bought, h=h, default_q=default_q)
        stages._strong_buy(model, sub, fire_sale, relet, D)
        remaining[:] = sub.remaining

    monkeypatch.setattr(stages, "strong_buy_rows", numpy_stage)
    slow = simulate(model, draws)
    assert sum(calls) > 100  # seizures happened (no packaged scenario sells a data centre: the twin test does)
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(fast, f), getattr(slow, f), err_msg=f)
