"""The announced reading of OpenAI's last round carried into the cascade's central path (issue 23, item 5)."""

from __future__ import annotations

import pytest

from borrowedtime.cascade import run_stress
from borrowedtime.errors import SpecError
from borrowedtime.treadmill import RoundsSpec


def _openai(result):
    return next(lab for lab in result.central_path()["labs"] if lab["lab"] == "openai")


def test_announced_scenario_runs_the_treadmills_announced_reading():
    base = _openai(run_stress("base", paths=200, seed=0, stretches=False))
    announced = _openai(run_stress("announced", paths=200, seed=0, stretches=False))
    expect = RoundsSpec(inputs="announced").run()
    assert announced["treadmill"]["required_step_up"] == pytest.approx(expect.required_step_up())
    assert announced["treadmill"]["required_raise_usd_bn"] == pytest.approx(expect.next_raise_required())
    # the central path prices the round with the scenario's central dilution, centred on the announced rounds
    assert announced["required_step_up"] == pytest.approx(expect.required_step_up(), abs=0.005)
    # a smaller raise at a lower mark leaves a larger requirement than the essay's figures
    assert announced["required_step_up"] > base["required_step_up"] + 0.1


def test_announced_needs_a_treadmill_lab(tmp_path):
    from borrowedtime.cascade.scenario import load_scenario

    p = tmp_path / "bad.yaml"
    p.write_text("name: bad\nbase: base\nlabs:\n  anthropic:\n    inputs: announced\n", encoding="utf-8")
    with pytest.raises(SpecError, match="announced"):
        load_scenario(p)
