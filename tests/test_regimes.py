"""Regimes: labels from S' and projected growth, hysteresis, windows and events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.errors import SpecError
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import LABELS, RegimeRule, _calls


def _path(accel_years: float) -> pd.Series:
    """Log level growing at 10 %/yr, decelerating at 8 %/yr^2 after `accel_years`."""
    idx = pd.date_range("2000-01-01", periods=180, freq="MS")
    t = np.arange(180) / 12.0
    v = np.where(t < accel_years, 0.10, 0.10 - 0.08 * (t - accel_years))
    y = 3.0 + np.concatenate([[0.0], np.cumsum(v[:-1] / 12.0)])
    rng = np.random.default_rng(0)
    return pd.Series(np.exp(y + rng.normal(0, 0.001, 180)), index=idx, name="synthetic")


def test_labels_run_boom_borrowed_time_contraction():
    s = _path(accel_years=8.0)
    res = KinematicsModel(seasonal="none").fit(s)
    reg = RegimeRule().classify(res)
    lab = reg.labels()
    assert lab.loc["2006-01-01"] == "boom"
    wins = reg.windows()
    assert len(wins) == 1
    w = wins[0]
    # Deceleration starts 2008-01; growth (0.10 - 0.08 t) reaches zero 2009-04.
    assert pd.Timestamp("2008-01-01") < w.start < pd.Timestamp("2009-04-01")
    assert lab.loc[w.start] == "borrowed time"
    assert w.velocity_zero is not None and abs((w.velocity_zero - pd.Timestamp("2009-04-01")).days) < 120
    assert lab.iloc[-1] == "contraction"
    assert w.rollover is not None and w.rollover <= w.start
    assert set(lab.unique()) <= set(LABELS)


def test_hysteresis_holds_a_call_through_a_brief_dip():
    p = np.array([[0.1, 0.95, 0.95, 0.95, 0.4, 0.6, 0.4, 0.95, 0.3, 0.3, 0.3]])
    calls = _calls(p, 0.9, 0.5, 3)
    # Enters after three readings >= 0.9; single dips below 0.5 do not release it; three do.
    assert calls[0].tolist() == [False, False, False, True, True, True, True, True, True, True, False]


def test_infinite_horizon_is_the_sign_of_acceleration():
    s = _path(accel_years=8.0)
    res = KinematicsModel(seasonal="none").fit(s)
    p = RegimeRule(horizon_years=float("inf")).p_projected_negative(res)
    np.testing.assert_allclose(p, res.p_accel_negative, equal_nan=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 0.4}, "'confidence' parameter of RegimeRule must be in \\[0.5, 1\\)"),
        ({"release": 0.95}, "'release' parameter of RegimeRule must be in \\(0, confidence\\]"),
        ({"horizon_years": 0}, "'horizon_years' parameter of RegimeRule must be > 0"),
        ({"persistence_years": -1}, "'persistence_years' parameter"),
    ],
)
def test_rule_spec_errors(kwargs, message):
    with pytest.raises(SpecError, match=message):
        RegimeRule(**kwargs)


def test_irregular_marks_get_persistence_one():
    from borrowedtime.essay import essay_series

    marks = essay_series("openai_valuation")
    res = KinematicsModel().fit(marks)
    reg = RegimeRule().classify(res)
    assert reg.persistence == 1 and res.season is None


def test_numba_calls_match_reference():
    from borrowedtime._numba import HAS_NUMBA
    from borrowedtime.monitor.regimes import _calls_loop

    if not HAS_NUMBA:
        pytest.skip("numba not installed")
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, (50, 300))
    p[rng.uniform(size=p.shape) < 0.05] = np.nan
    ref = _calls_loop(p, 0.8, 0.4, 2, np.zeros(p.shape, dtype=bool))
    assert (ref == _calls(p, 0.8, 0.4, 2)).all()
    assert ref.any() and not ref.all()


def test_calls_are_causal(case_shiller):
    """Calls made on a prefix are the calls the full run made on those dates."""
    full = RegimeRule().classify(KinematicsModel().fit(case_shiller)).call[0]
    for cut in (200, 377, 560):
        part = RegimeRule().classify(KinematicsModel().fit(case_shiller.iloc[:cut])).call[0]
        assert (part == full[:cut]).all()
