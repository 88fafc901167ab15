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


@pytest.fixture(scope="module")
def ramp():
    # the assumed contracted-compute ramp of complex_2026.yaml (40/70/100/120/130/140, 2026-31)
    return RoundsSpec(compute="ramp").run()


@pytest.fixture(scope="module")
def ipo_ramp(ramp):
    return IpoSpec().run(ramp, seed=0)


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


@pytest.mark.parametrize("reading", ["rounds", "ramp"])
def test_cash_identity_raise_needed_is_outflows_minus_cash(reading, request):
    rounds = request.getfixturevalue(reading)
    # Issue 12: the raise needed at the next date funds the dated outflows (burn + contracted payments beyond
    # the plan) to the end of the projections, net of cash on hand -- the arithmetic of runway().
    last, nxt, end = rounds.marks.index[-1], rounds.next_date, pd.Timestamp("2030-01-01")
    out = rounds.outflows
    assert rounds.cash_on_hand() == pytest.approx(rounds.cash_after_last_round - rounds.flow_between(out, last, nxt))
    assert rounds.future_outflows() == pytest.approx(rounds.flow_between(out, nxt, end))
    assert rounds.surplus() == pytest.approx(rounds.cash_on_hand() - rounds.future_outflows())
    assert rounds.next_raise_required() == pytest.approx(max(0.0, rounds.future_outflows() - rounds.cash_on_hand()))
    # the same identity seen from the last round: outflows from the 2026 round to 2029-end less the cash it left
    assert rounds.surplus() == pytest.approx(rounds.cash_after_last_round - rounds.flow_between(out, last, end))
    if reading == "rounds":  # contracts reading: the complex's take-or-pay schedule outruns the 2026 round
        c = rounds.contracted_compute
        q1 = (0.57 * 30 + max(c[2026] - 0.7 * (30 + 0.57 * 30), 0)) * 89 / 365
        y25 = 0.57 * 13 + max(c[2025] - 0.7 * (13 + 0.57 * 13), 0)
        assert rounds.cash_after_last_round == pytest.approx(162 - y25 - q1, abs=0.05)
        assert rounds.next_raise_required() > 0 and rounds.runway() is not None
        return
    # ramp reading -- cash after the round: 40 + 122 raised since 2025 less 2025 burn (0.57 x 13) and Q1 2026 outflows
    q1 = (0.57 * 30 + max(40 - 0.7 * (30 + 0.57 * 30), 0)) * 89 / 365
    assert rounds.cash_after_last_round == pytest.approx(162 - 0.57 * 13 - q1, abs=0.05)
    # on the default inputs the 2026 round funds the plan through 2029: a surplus, no raise needed
    assert rounds.flow_between(out, last, end) == pytest.approx(137.0, abs=0.1)
    assert rounds.surplus() > 0 and rounds.next_raise_required() == 0.0
    assert rounds.runway() is None  # runway() says the same: beyond the projections


def test_a_shortfall_gives_a_positive_raise_and_a_dated_runway():
    # without the 2026 round's USD 122bn the cash runs out and the raise is the shortfall
    d = RoundsSpec().run()
    raised = d.raised.copy()
    raised.iloc[-1] = 0.0
    r = RoundsSpec(marks=d.marks, raised=raised, next_mark=d.next_mark, reported_target=1000.0,
                   dilution_limit=0.143).run()
    assert r.next_raise_required() == pytest.approx(r.future_outflows() - r.cash_on_hand())
    assert r.next_raise_required() == pytest.approx(122.0 - d.surplus(), abs=1e-6)
    assert r.runway() is not None and r.runway() < pd.Timestamp("2030-01-01")
    assert r.required_step_up() == pytest.approx(r.next_raise_required() / 0.143 / 852.0)
    just_below = 0.999 * r.required_step_up() * 852.0  # any lower next mark sells more than the dilution
    assert r.next_raise_required() / just_below > r.dilution_limit


def test_dilution_default_is_what_the_last_two_rounds_sold(rounds):
    assert rounds.dilution_limit == pytest.approx((40 / 300 + 122 / 852) / 2)
    assert RoundsSpec(dilution_limit=0.2).run().dilution_limit == 0.2


def test_step_ups_raw_and_annualised(rounds):
    years = np.diff(pd.DatetimeIndex([*rounds.marks.index, rounds.next_date]).to_julian_date()) / 365.25
    np.testing.assert_allclose(rounds.step_ups_annualised, rounds.step_ups.to_numpy() ** (1 / years))
    # 1.23 spans about 15 months (1.18 a year); 1.91 about 6 months (3.7 a year)
    assert rounds.step_ups_annualised.iloc[-1] == pytest.approx(1.18, abs=0.01)
    assert rounds.step_ups_annualised.iloc[1] == pytest.approx(3.72, abs=0.02)
    assert "step_up_annualised" in rounds.rounds_frame()


def test_each_reading_has_its_trigger(rounds):
    t = {x["reading"]: x for x in rounds.triggers()}
    assert set(t) == {"next private round on the trend of past step-ups", "reported IPO target",
                      "next mark the essay implies (1.23x)"}
    assert t["next private round on the trend of past step-ups"]["step_up"] == pytest.approx(1.63, abs=0.01)
    assert t["reported IPO target"]["step_up"] == pytest.approx(1000 / 852)
    assert t["next mark the essay implies (1.23x)"]["step_up"] == pytest.approx(1.23, abs=0.005)
    for x in t.values():
        assert x["required_step_up"] == rounds.required_step_up()
        assert x["fires"] == (x["step_up"] < x["required_step_up"])
    # no raise needed through 2029: no reading fires (the essay says the 1.23x step does)
    assert not any(x["fires"] for x in t.values())
    # even the essay's reading (retire the whole USD 113.7bn burn) needs less than 1.0x at the observed dilution
    assert rounds.essay_required_step_up() == pytest.approx(113.71 / rounds.dilution_limit / 852)
    assert rounds.essay_required_step_up() < 1.0


def test_trigger_compares_achievable_with_required(rounds):
    assert rounds.trend_step_up() == pytest.approx(1.63, abs=0.01)
    assert rounds.trigger == (rounds.trend_step_up() < rounds.required_step_up())
    at_target = RoundsSpec(achievable="target").run()
    assert at_target.achievable_step_up() == pytest.approx(1.23, abs=0.005)
    assert RoundsSpec(achievable="reported").run().achievable_step_up() == pytest.approx(1000 / 852)
    shortfall = RoundsSpec(achievable=0.5, burn_from=2026).run()  # counts no capital raised before 2026
    assert shortfall.trigger == (0.5 < shortfall.required_step_up())


def test_rounds_frame_and_runway(rounds):
    frame = rounds.rounds_frame()
    assert frame["dilution"].loc["2025-03-31"].item() == pytest.approx(40 / 300)
    assert frame.index[-1] == pd.Timestamp("2027-06-30")
    assert rounds.cash_after_last_round > 0
    assert "trigger" in rounds.summary()
    assert rounds.cash_table().loc["required_raise_usd_bn", "value"] == rounds.next_raise_required()


def test_ipo_two_prices(ipo_ramp, ramp):
    ipo, rounds = ipo_ramp, ramp
    # Forward revenue at 2027-06-30: half of 2027's USD 60bn and half of 2028's 100bn.
    assert ipo.forward_revenue == pytest.approx(80.0, abs=0.5)
    # Median of revenue x multiple (log sd 0.43, 20,000 draws): standard error about 0.4%.
    assert ipo.clearing_value == pytest.approx(80.0 * 12.0, rel=0.02)
    assert ipo.required_value == pytest.approx(rounds.next_raise_required() / rounds.dilution_limit)
    assert ipo.cash_on_hand == pytest.approx(rounds.cash_on_hand())
    assert ipo.feasible and ipo.p_feasible == 1.0  # nothing to raise on the ramp
    assert 0.4 < ipo.p_above_last_mark < 0.8  # but the listing may price below the 852 mark
    lo, hi = ipo.clearing_band
    assert lo < ipo.clearing_value < hi


def test_sensitivity_over_dilution_and_multiple(ipo_ramp, ramp):
    ipo, rounds = ipo_ramp, ramp
    t = ipo.sensitivity()
    assert {0.10, 0.15, 0.20} <= set(t.index.get_level_values("dilution"))
    assert set(t.index.get_level_values("multiple")) == {8.0, 12.0, 16.0, 20.0}
    essay = t["essay_required_value_usd_bn"]
    np.testing.assert_allclose(essay, rounds.essay_raise() / t.index.get_level_values("dilution"))
    # more dilution or a richer market only helps
    p = t["p_feasible_essay"].unstack("multiple")
    assert (np.diff(p.to_numpy(), axis=0) >= 0).all() and (np.diff(p.to_numpy(), axis=1) >= 0).all()
    # at the referee's 14.3 % the essay's reading is feasible with P ~ 0.65 at the 12x median
    row = t.loc[(round(122 / 852, 4), 12.0)]
    assert row["p_feasible_essay"] == pytest.approx(0.65, abs=0.03)
    assert (t["p_feasible"] == 1.0).all()


def test_essay_step_sits_between_the_median_and_the_old_requirement(ipo_ramp):
    ipo = ipo_ramp
    # Essay, section X: the reported step neither clears the market at the median multiple ...
    e = ipo.essay_point()
    assert e["value"] == pytest.approx(1048.0)
    assert ipo.clearing_value < e["value"] and not e["clears_market"]
    # ... but needs no new money: the cash identity leaves nothing to retire through 2029
    assert e["retires_burn"] and e["dilution_needed"] == 0.0
    region = ipo.region()
    assert region.to_numpy().all()  # with no raise needed every (dilution, multiple) cell is feasible
    essay = ipo.region(basis="essay")  # on the essay's reading the hyperbola m >= F / (d R) is back
    assert essay.to_numpy()[-1, -1] and not essay.to_numpy()[0, 0]
    b = ipo.boundary_multiple(np.array([0.10, 0.20]), basis="essay")
    assert b == pytest.approx(113.71 / (np.array([0.10, 0.20]) * ipo.forward_revenue))


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
    with pytest.raises(SpecError, match="needs a reported_target"):
        RoundsSpec(marks=pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-01", "2025-01-01"])),
                   raised=pd.Series([1.0, 1.0], index=pd.to_datetime(["2024-01-01", "2025-01-01"])),
                   achievable="reported").run().achievable_step_up()
    with pytest.raises(SpecError, match="'multiple_median'"):
        IpoSpec(multiple_median=0.0)


def test_user_marks_without_target():
    marks = pd.Series([10.0, 20.0, 30.0], index=pd.to_datetime(["2024-01-01", "2025-01-01", "2026-01-01"]))
    r = RoundsSpec(marks=marks, raised=pd.Series([1.0, 2.0, 3.0], index=marks.index)).run()
    assert r.step_ups.tolist() == pytest.approx([2.0, 1.5])
    assert r.next_date == pd.Timestamp("2027-01-01")
    with pytest.raises(SpecError, match="needs a next_mark"):
        RoundsSpec(marks=marks, achievable="target").run().achievable_step_up()


# ---------------------------------------------------------------- contracted compute from the complex's contracts
def _overlay(tmp_path, text):
    p = tmp_path / "overlay.yaml"
    p.write_text(text)
    return p


def test_contracted_compute_sums_equal_the_complex_schedule():
    from borrowedtime.complex import load_complex
    from borrowedtime.treadmill.inputs import (
        contracted_compute_from_contracts,
        undated_default_term,
    )

    cx = load_complex()
    sched = cx.model.schedule("take_or_pay", view="direct")
    i = sched.labels.index("openai")
    dated, undated = sched.total_by_year("openai"), float(sched.undated[i].sum())
    assert undated > 250  # the Azure commitment has no term in the complex
    # default term: the median of OpenAI's dated take-or-pay terms (Oracle 5, AWS 7 and 8, CoreWeave 5)
    assert undated_default_term(cx) == pytest.approx(6.0)
    for term in (3.0, 6.0, 10.0):
        c = contracted_compute_from_contracts(cx, undated_term_years=term)
        assert c.sum() == pytest.approx(dated.sum() + undated)
        assert c.attrs["undated_usd_bn"] == pytest.approx(undated)
        # what is left after the undated spread is the dated schedule, year by year
        spread = c - dated.reindex(c.index, fill_value=0.0)
        assert (spread >= -1e-9).all() and spread.sum() == pytest.approx(undated)
    # a shorter term front-loads: more paid by 2029
    short = contracted_compute_from_contracts(cx, undated_term_years=3.0).loc[:2029].sum()
    long_ = contracted_compute_from_contracts(cx, undated_term_years=10.0).loc[:2029].sum()
    assert short > long_
    with pytest.raises(SpecError, match="undated_term_years"):
        contracted_compute_from_contracts(cx, undated_term_years=0.0)
    with pytest.raises(SpecError, match="undated_term_years"):
        RoundsSpec(undated_term_years=-1.0)
    with pytest.raises(SpecError, match="compute"):
        RoundsSpec(compute="guess")


def test_default_reading_is_the_contracts_and_ramp_is_kept(rounds, ramp):
    from borrowedtime.treadmill.inputs import contracted_compute_from_contracts

    pd.testing.assert_series_equal(rounds.contracted_compute, contracted_compute_from_contracts(),
                                   check_names=False)
    assert rounds.to_dict()["compute"] == "contracts" and ramp.to_dict()["compute"] == "ramp"
    assert ramp.contracted_compute.loc[2026:2031].tolist() == [40, 70, 100, 120, 130, 140]


def test_an_overlay_contract_moves_the_required_raise_by_its_amount(tmp_path, rounds):
    # a USD 20bn take-or-pay contract paid evenly over calendar 2028: after the next raise date (2027-06-30),
    # before the horizon (2029-end), in a year whose contracted payments already exceed the plan's compute
    from borrowedtime.complex import load_complex

    assert rounds.excess_commitments[2028] > 0 and rounds.next_raise_required() > 0
    over = _overlay(tmp_path, """
contracts:
  - {name: openai-test-2028, kind: take_or_pay, obligor: openai, obligee: coreweave, notional_usd_bn: 20,
     start: 2028-01-01, end: 2028-12-31, source: test, as_of: 2026-07-01}
""")
    cx = load_complex(overlay=over)
    # the added (dated, one-year) contract also enters the median-term rule of the undated commitments: pin the
    # term to isolate the contract's own payments
    from borrowedtime.treadmill.inputs import undated_default_term

    assert undated_default_term(cx) == pytest.approx(5.0)
    moved = RoundsSpec.from_complex(cx, "openai", undated_term_years=6.0).run()
    assert moved.contracted_compute[2028] - rounds.contracted_compute[2028] == pytest.approx(20.0, rel=1e-3)
    assert moved.next_raise_required() - rounds.next_raise_required() == pytest.approx(20.0, rel=1e-3)
    assert moved.cash_on_hand() == pytest.approx(rounds.cash_on_hand())
    # on the ramp reading the contract is invisible: the ramp is a figure, not the contracts
    ramp_moved = RoundsSpec.from_complex(cx, "openai", compute="ramp").run()
    assert ramp_moved.next_raise_required() == pytest.approx(RoundsSpec(compute="ramp").run().next_raise_required())


def test_announced_reading_restates_the_last_round_from_the_complex():
    from borrowedtime.complex import load_complex
    from borrowedtime.treadmill.inputs import announced_round
    from borrowedtime.treadmill.rounds import input_readings

    cx = load_complex()
    c = cx.contract("openai-2026-round-first-close")
    when, post, raised, _ = announced_round(cx)
    assert post == pytest.approx(c.pre_money_usd_bn.value + c.notional_usd_bn.value)
    assert raised == pytest.approx(c.notional_usd_bn.value)
    essay = RoundsSpec().run()
    announced = RoundsSpec(inputs="announced").run()
    # only the last primary round changes: the earlier marks are the same
    assert announced.marks.iloc[:-1].equals(essay.marks.iloc[:-1])
    assert announced.marks.iloc[-1] == pytest.approx(post) and announced.marks.index[-1] == when
    assert essay.marks.iloc[-1] == pytest.approx(852)
    # a smaller raise leaves less cash, so the next raise and the required step-up are larger
    assert announced.next_raise_required() > essay.next_raise_required()
    assert announced.required_step_up() > essay.required_step_up()
    table = input_readings()
    assert list(table.index) == ["essay", "announced"]
    assert table.loc["announced", "required_step_up"] == pytest.approx(announced.required_step_up())
    margin = table["reported_target_step_up"] - table["required_step_up"]
    assert table["reported_target_margin"].to_numpy() == pytest.approx(margin.to_numpy())


def test_inputs_reading_is_checked():
    with pytest.raises(SpecError, match="inputs"):
        RoundsSpec(inputs="rumoured")
