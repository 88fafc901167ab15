"""The cascade's draws: the labs' accelerations have the scenario's sd and correlation (issue 23, part 2)."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.cascade import draw_inputs, load_scenario, model_for
from borrowedtime.cascade.stages import lab_accelerations

N = 200_000


@pytest.mark.parametrize("name", ["base", "correlation_of_one"])
def test_lab_accelerations_have_the_stated_sd_and_correlation(name):
    scn = load_scenario(name)
    model = model_for(scn)
    d = scn.distributions["revenue_accel"]
    rho = scn.param("lab_correlation")
    draws = draw_inputs(model, np.random.default_rng(7), N)
    a = lab_accelerations(model, draws)
    assert a.shape == (N, len(model.labs)) and a.shape[1] >= 2
    # the first lab's acceleration is the drawn input itself
    np.testing.assert_array_equal(a[:, 0], draws.x("revenue_accel"))
    se_mean, se_sd = d.sd / np.sqrt(N), d.sd / np.sqrt(2 * N)
    for li in range(a.shape[1]):
        assert abs(a[:, li].mean() - d.mean) < 5 * se_mean
        assert abs(a[:, li].std() - d.sd) < 5 * se_sd  # the bug gave 0.143 for sd 0.10
    r = np.corrcoef(a[:, 0], a[:, 1])[0, 1]
    assert abs(r - rho) < 5 * (1 - rho**2) / np.sqrt(N) + 1e-12  # the bug gave 0.73 for 0.5


def test_draws_are_frozen_named_arrays():
    model = model_for(load_scenario("base"))
    draws = draw_inputs(model, np.random.default_rng(0), 10)
    with pytest.raises(AttributeError):
        draws.inputs = None
    sub = draws.take(np.array([2, 5]))
    np.testing.assert_array_equal(sub.rev_shock, draws.rev_shock[[2, 5]])
    assert list(draws.to_frame().columns)[0] == "revenue_accel" and sub.n == 2
