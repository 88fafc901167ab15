"""P(a turn within h): the monitor's event probabilities (issue 22)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from borrowedtime.errors import SpecError
from borrowedtime.monitor.events import horizon_steps, p_turn_within
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.series import load_series

FRED_MD_FILE = "fred_md_107_monthly_1959_2019.csv"
FHFA_FILE = "fhfa_state_hpi_quarterly_1975_2011.csv"


@pytest.fixture(scope="module")
def national(case_shiller):
    fit = KinematicsModel().fit(case_shiller)
    return fit, fit.p_turn_within(0)


def test_accelerating_growth_has_small_p_and_decelerating_growth_large_p(national):
    """Case-Shiller U.S. National (NSA): YoY growth was rising through 2004 and fell to zero by early 2007.

    The shared data's README dates the YoY peak 2005-09 (14.5 %) and the first negative YoY reading
    in 2007; a year before it, growth was decelerating fast towards zero.
    """
    fit, p = national
    yoy = np.exp(fit.log_level[0, 12:] - fit.log_level[0, :-12]) - 1
    yoy = pd.Series(yoy, index=fit.index[12:])
    first_negative = yoy["2005":].lt(0).idxmax()
    assert first_negative.year == 2007
    accelerating = p.loc["2004-01-01":"2004-12-01"]
    assert (yoy["2004-01-01":"2004-12-01"].diff().dropna() > 0).mean() > 0.7  # growth rising that year
    assert accelerating[12].max() < 0.05 and accelerating[6].max() < 0.01
    decelerating = p.loc[first_negative - pd.DateOffset(months=6)]
    assert decelerating[6] > 0.8 and decelerating[12] > 0.9
    # already negative: no question of a first turn
    assert p.loc[first_negative].isna().all()


def test_p_is_non_decreasing_in_the_horizon_and_in_range(national, case_shiller_path):
    _, p = national
    arr = p.dropna().to_numpy()
    assert arr.shape[0] > 300
    assert (np.diff(arr, axis=1) >= 0).all() and (arr >= 0).all() and (arr <= 1).all()
    panel = pd.read_csv(case_shiller_path.parent / FRED_MD_FILE, index_col=0, parse_dates=True)
    panel = panel.loc[:, (panel > 0).all()].iloc[:, :20]
    q = p_turn_within(KinematicsModel().fit(panel))
    ok = np.isfinite(q).all(axis=2)
    assert ok.sum() > 5000 and (np.diff(q[ok], axis=1) >= 0).all()
    assert np.isnan(q[~ok]).all()


def test_one_step_matches_the_closed_form_student_t(case_shiller):
    """h = 1 step: P(YoY_{t+1} < 0) = F_nu(-mu/s), mu and s from the filter's own one-step prediction.

    The one-step predictive mean of y_{t+1} is y_{t+1} minus the fast kernel's innovation, its
    variance innovation_var * sigma^2_t (the calibration's distribution), so the closed form uses
    none of the event code. Tolerance: 4 Monte Carlo standard errors of 1024 draws plus 0.003 for
    the Wilson-Hilferty chi-square quantiles (quasi-Monte Carlo is more precise than that bound).
    """
    fit = KinematicsModel().fit(case_shiller)
    p1 = p_turn_within(fit, (1,), min_positive_months=0)[0, :, 0]
    y = fit.log_level[0]
    t = np.arange(12, y.size - 1)
    mean_next = y[t + 1] - fit.innovation[0, t + 1]
    sd_next = np.sqrt(fit.innovation_var[0, t + 1] * fit.sigma2[0, t])
    closed = stats.t.cdf(-(mean_next - y[t + 1 - 12]) / sd_next, df=fit.dof[0, t])
    got = p1[t]
    ok = np.isfinite(got)
    assert ok.sum() > 400
    err = np.abs(got[ok] - closed[ok])
    bound = 4 * np.sqrt(closed[ok] * (1 - closed[ok]) / 1024) + 0.003
    assert (err <= bound).all(), err.max()
    inside = (closed[ok] > 0.05) & (closed[ok] < 0.95)
    assert inside.sum() >= 10 and err[inside].mean() < 0.01


def test_a_turn_needs_two_years_of_positive_growth(case_shiller):
    """A first negative reading sooner than 24 months into the positive run is no turn (scoring's rule)."""
    fit = KinematicsModel().fit(case_shiller)
    strict = p_turn_within(fit)[0]
    loose = p_turn_within(fit, min_positive_months=0)[0]
    ok = np.isfinite(strict)
    assert (strict[ok] <= loose[ok]).all() and (strict[ok] < loose[ok]).any()
    y = fit.log_level[0]
    yoy = np.full(y.size, np.nan)
    yoy[12:] = y[12:] - y[:-12]
    t = int(np.flatnonzero((yoy[1:] > 0) & (yoy[:-1] <= 0))[-1]) + 1  # the last positive run's first month
    # at its start, a turn within 12 months would come before the run is 24 months old
    assert (strict[t, :3][np.isfinite(strict[t, :3])] == 0).all()


def test_quarterly_steps_and_annual_horizons(case_shiller_path):
    assert list(horizon_steps(3.0, (3, 6, 12, 24))) == [1, 2, 4, 8]
    assert list(horizon_steps(12.0, (3, 6, 12, 24))) == [0, 0, 1, 2]
    states = pd.read_csv(case_shiller_path.parent / FHFA_FILE, index_col=0, parse_dates=True)
    fit = KinematicsModel().fit(states[["CA", "TX"]])
    frame = fit.p_turn_within("CA")
    assert list(frame.columns) == [3, 6, 12, 24] and frame.attrs["series"] == "CA"
    # California's YoY growth went negative in 2007 (the FHFA all-transactions index); a year before,
    # the quarterly model gives a high chance of a turn within four quarters
    yoy = states["CA"].pct_change(4)
    turn = yoy["2006":].lt(0).idxmax()
    assert turn.year == 2007
    assert frame.loc[turn - pd.DateOffset(months=6), 12] > 0.5
    annual = states[["CA"]].resample("YS").last()
    p = KinematicsModel().fit(annual).p_turn_within(0)
    assert p[[3, 6]].isna().all().all() and p[24].notna().any()


def test_cycle_and_averaging_models_use_their_own_system(case_shiller):
    for model in (KinematicsModel(momentum="ar1"), KinematicsModel(averaging=3)):
        fit = model.fit(case_shiller)
        p = fit.p_turn_within(0)
        arr = p.dropna().to_numpy()
        assert arr.shape[0] > 300 and (np.diff(arr, axis=1) >= 0).all()
        assert p.loc["2006-07-01", 12] > 0.8 and p.loc["2004-06-01", 12] < 0.2


def test_same_seed_same_numbers_and_bad_arguments(case_shiller):
    fit = KinematicsModel().fit(case_shiller.iloc[:200])
    a = p_turn_within(fit, seed=3)
    assert np.array_equal(a, p_turn_within(fit, seed=3), equal_nan=True)
    with pytest.raises(SpecError, match="draws"):
        p_turn_within(fit, draws=3)
    with pytest.raises(SpecError, match="horizons"):
        p_turn_within(fit, (0, 6))
    with pytest.raises(SpecError, match="shape"):
        p_turn_within(fit, where=np.ones((2, 3), dtype=bool))


def test_irregular_data_give_nan():
    from borrowedtime.essay import essay_series

    marks = essay_series("openai_valuation")
    fit = KinematicsModel(min_obs_per_state=1).fit(marks)
    assert np.isnan(p_turn_within(fit)).all()


def test_load_series_for_watch_style_use(case_shiller_path):
    s = load_series(case_shiller_path, column="National-US")
    frame = KinematicsModel().fit(s).p_turn_within()
    assert frame.index.equals(pd.DatetimeIndex(s.index, name="date"))


def test_watch_screen_and_report_carry_p_turn(tmp_path, case_shiller_path):
    import json

    from typer.testing import CliRunner

    from borrowedtime.cli import app
    from borrowedtime.monitor.screen import Screen
    from borrowedtime.report.kinematics import render
    from borrowedtime.reporting import ReportOptions, kinematics_inputs

    runner = CliRunner()
    res = runner.invoke(app, ["watch", str(case_shiller_path), "--column", "National-US", "--json"])
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)["series"][0]
    turn = row["p_turn_within"]
    assert list(turn) == ["3", "6", "12", "24"]
    values = [turn[k] for k in turn]
    assert all(0 <= v <= 1 for v in values) and values == sorted(values)
    fit = KinematicsModel().fit(load_series(case_shiller_path, column="National-US"))
    assert values == list(fit.p_turn_within(0).iloc[-1])  # the same seeded numbers as the library's
    text = runner.invoke(app, ["watch", str(case_shiller_path), "--column", "National-US"])
    assert "P(a turn within 3, 6, 12, 24 months) = " in text.stdout
    # screen: P(turn within 12 months) at each series' last date, the same as the library's frame
    states = pd.read_csv(case_shiller_path.parent / FHFA_FILE, index_col=0, parse_dates=True).iloc[:, :6]
    scr = Screen().run(states)
    by_name = scr.table.set_index("name")["p_turn_12m"]
    fit = KinematicsModel().fit(states)
    for name in states.columns:
        want = fit.p_turn_within(name, (12,)).iloc[-1, 0]
        got = by_name[name]
        assert (np.isnan(want) and np.isnan(got)) or got == want
    assert "p_turn_12m" in scr.to_dict()["series"][0]
    # the report's monitor section
    inputs = kinematics_inputs(ReportOptions(shared_data=case_shiller_path.parent))
    assert len(inputs.p_turn) == len(inputs.items) == 1
    html_text = render(inputs)
    assert "P(a turn within h), real time" in html_text and "fig-turn-0" in html_text
