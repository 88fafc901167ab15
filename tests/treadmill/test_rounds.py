"""The up-round borrower and the terminal refinance on the essay's default data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.errors import DataError, SpecError
from borrowedtime.essay import essay_facts
from borrowedtime.treadmill import IpoSpec, RoundsSpec


@pytest.fixture(scope="module")
def rounds():
    return RoundsSpec().run()


@pytest.fixture(scope="module")
def ipo(rounds):
    return IpoSpec().run(rounds, seed=0)


def test_essay_step_ups(rounds):
    # Essay, section V: "the round-over-round step-up ran 1.83x, 1.91x, 1.67x, 1.70x, and falls to roughly 1.23x".
    assert np.round(rounds.step_ups.to_numpy(), 2).tolist() == essay_facts()["openai_step_ups"]["values"]
    assert rounds.step_ups.index.is_monotonic_increasing


def test_cumulative_burn_approaches_115bn(rounds):
    # Essay, sections VI and X: burn ~57% of revenue through 2027, cumulative burn approaching $115B by 2029
    # (The Information, 2025-09-05: USD 115bn through 2029).
    assert rounds.burn_share.loc[2025:2027].eq(0.57).all()
    assert 105.0 <= rounds.cumulative_burn(2029) <= 115.0
    assert rounds.to_frame().loc[2029, "cumulative_burn_usd_bn"] == pytest.approx(rounds.cumulative_burn(2029))


def test_required_step_up_is_the_raise_at_the_dilution_limit(rounds):
    raise_needed = rounds.next_raise_required()
    assert raise_needed >= rounds.cumulative_burn()
    assert rounds.required_step_up() == pytest.approx(raise_needed / 0.10 / 852.0)
    # Any lower next mark would sell more than the limit.
    just_below = 0.999 * rounds.required_step_up() * 852.0
    assert raise_needed / just_below > rounds.dilution_limit


def test_trigger_compares_achievable_with_required(rounds):
    assert rounds.trend_step_up() == pytest.approx(1.63, abs=0.01)
    assert rounds.trigger == (rounds.trend_step_up() < rounds.required_step_up())
    at_target = RoundsSpec(achievable="target").run()
    assert at_target.achievable_step_up() == pytest.approx(1.23, abs=0.005)
    assert at_target.trigger  # the reported IPO step cannot carry the required raise
    assert not RoundsSpec(achievable=3.0).run().trigger


def test_rounds_frame_and_runway(rounds):
    frame = rounds.rounds_frame()
    assert frame["dilution"].loc["2025-03-31"].item() == pytest.approx(40 / 300)
    assert frame.index[-1] == pd.Timestamp("2027-06-30")
    assert rounds.cash_after_last_round > 0
    assert "trigger" in rounds.summary()


def test_ipo_two_prices(ipo, rounds):
    # Forward revenue at 2027-06-30: half of 2027's USD 60bn and half of 2028's 100bn.
    assert ipo.forward_revenue == pytest.approx(80.0, abs=0.5)
    # Median of revenue x multiple (log sd 0.43, 20,000 draws): standard error about 0.4%.
    assert ipo.clearing_value == pytest.approx(80.0 * 12.0, rel=0.02)
    assert ipo.required_value == pytest.approx(rounds.next_raise_required() / 0.10)
    assert not ipo.feasible
    lo, hi = ipo.clearing_band
    assert lo < ipo.clearing_value < hi


def test_essay_step_falls_in_the_infeasible_gap(ipo):
    # Essay, section X: the price that clears does not retire the burn and vice versa.
    e = ipo.essay_point()
    assert e["value"] == pytest.approx(1048.0)
    assert ipo.clearing_value < e["value"] < ipo.required_value
    assert not e["retires_burn"] and not e["clears_market"]
    region = ipo.region()
    d_needed, m_asked = e["dilution_needed"], e["multiple_asked"]
    assert m_asked < ipo.boundary_multiple(np.array([0.10]))[0]  # at 10% dilution, 13x is not enough
    assert region.loc[region.index[region.index >= d_needed][0]].any()  # more dilution opens a region
    assert region.to_numpy()[-1, -1] and not region.to_numpy()[0, 0]


@pytest.mark.parametrize("limit", [1.0, 1.5, 0.0, -0.1])
def test_dilution_limit_must_be_a_share_below_one(limit):
    with pytest.raises(SpecError, match=r"'dilution_limit' parameter of RoundsSpec must be a share in \(0, 1\)"):
        RoundsSpec(dilution_limit=limit)


def test_marks_out_of_date_order():
    marks = pd.Series([86.0, 300.0, 157.0], index=pd.to_datetime(["2024-02-16", "2025-03-31", "2024-10-02"]))
    with pytest.raises(DataError, match="marks out of date order: 2024-10-02 comes after 2025-03-31"):
        RoundsSpec(marks=marks).run()


def test_next_mark_before_last_round():
    with pytest.raises(DataError, match="out of date order"):
        RoundsSpec(next_mark=(pd.Timestamp("2025-01-01"), 1000.0)).run()


def test_bad_marks_and_achievable():
    with pytest.raises(DataError, match="marks must be positive"):
        RoundsSpec(marks=pd.Series([86.0, -1.0], index=pd.to_datetime(["2024-01-01", "2024-06-01"]))).run()
    with pytest.raises(SpecError, match="'achievable'"):
        RoundsSpec(achievable="hope")
    with pytest.raises(SpecError, match="'multiple_median'"):
        IpoSpec(multiple_median=0.0)


def test_user_marks_without_target():
    marks = pd.Series([10.0, 20.0, 30.0], index=pd.to_datetime(["2024-01-01", "2025-01-01", "2026-01-01"]))
    r = RoundsSpec(marks=marks, raised=pd.Series([1.0, 2.0, 3.0], index=marks.index)).run()
    assert r.step_ups.tolist() == pytest.approx([2.0, 1.5])
    assert r.next_date == pd.Timestamp("2027-01-01")
    with pytest.raises(SpecError, match="needs a next_mark"):
        RoundsSpec(marks=marks, achievable="target").run().achievable_step_up()
