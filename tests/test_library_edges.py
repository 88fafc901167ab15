"""Issue 9, item 8: library edges -- acceleration() refuses levels, short reprs, one window count,
daily YoY sign flicker counted as one turn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.errors import DataError
from borrowedtime.monitor.backtest import run_backtest
from borrowedtime.monitor.discrete import acceleration, growth
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import RegimeRule
from borrowedtime.series import load_series


def test_acceleration_refuses_levels_and_percents():
    capex = pd.Series([150.0, 226, 410, 725, 1100], index=pd.date_range("2023-12-31", periods=5, freq="YE"))
    with pytest.raises(DataError, match="not a decimal growth rate.*look like levels or percents"):
        acceleration(capex)  # would be "+7,600 pp"
    with pytest.raises(DataError, match="percents / 100"):
        acceleration(pd.Series([51.0, 81.0, 77.0]))
    with pytest.raises(DataError, match="at least two"):
        acceleration(pd.Series([0.5]))
    # the essay's arithmetic still holds, and a tenfold-plus grower can raise the bound
    assert acceleration(growth(capex), round_growth_to=0).tolist() == [30.0, -4.0, -25.0]
    assert acceleration(pd.Series([12.0, 15.0]), max_abs_growth=20).tolist() == [300.0]


def test_reprs_are_short(case_shiller):
    bt = run_backtest(case_shiller)
    for obj in (bt, bt.regimes, bt.kinematics):
        r = repr(obj)
        assert len(r) < 200 and "\n" not in r and "1975-01-01" in r, r


def test_regimes_and_backtest_count_windows_the_same_way(case_shiller):
    bt = run_backtest(case_shiller)
    n = len(bt.regimes.windows(0))
    assert f"{n} call window(s)" in bt.regimes.summary()
    assert bt.summary().startswith(f"Backtest of {case_shiller.name}: {n} call window(s), {len(bt.windows)} of them")
    assert len(bt.windows) < n  # some calls came after YoY growth had turned: said, not hidden


def test_daily_yoy_flicker_is_one_turn(nasdaq_path):
    """NASDAQ 1994-2000: the 1998 sign flicker (4 crossings in 5 weeks) is one turn (issue 11's rule:
    a turn follows at least 24 months of positive growth); the 1995 episode is not a turn."""
    s = load_series(nasdaq_path, column="Adj Close")
    bt = run_backtest(s)
    raw = ((bt.yoy < 0) & (bt.yoy.shift(1) >= 0)).sum()
    assert raw == 8
    assert [t.date().isoformat() for t in bt.turns] == ["1998-08-31"]


def test_too_few_observations_per_state_show_nothing():
    idx = pd.date_range("2000-01-01", periods=40, freq="MS")
    s = pd.Series(np.exp(0.01 * np.arange(40)), index=idx, name="x")
    res = KinematicsModel().fit(s)  # monthly: 14 states, 70 observations needed
    assert res.n_states == 14 and res.min_observations == 70 and not res.ready.any()
    assert res.to_frame()[["velocity", "acceleration", "p_accel_neg"]].isna().all().all()
    assert "fewer than the 70 needed" in res.summary()
    reg = RegimeRule().classify(res)
    assert not reg.call.any() and set(reg.labels()) == {"undetermined"}
    res3 = KinematicsModel(seasonal="none").fit(s)  # 3 states: ready from the 15th observation
    assert res3.ready[0].tolist() == [False] * 14 + [True] * 26
