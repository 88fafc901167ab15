"""The loan book over the backlog's term: schedules, cumulative PDs, closed form against simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.complex import load_complex
from borrowedtime.credit.books import platform_books
from borrowedtime.credit.pd import cumulative_pd
from borrowedtime.credit.term import TermBook, _simulate_term, exposure_schedule, term_books


@pytest.fixture(scope="module")
def books():
    return platform_books(n_paths=5_000, seed=0, sweep_rhos=(0.5,))


@pytest.fixture(scope="module")
def term(books):
    return term_books(books, n_paths=20_000, seed=3)


def test_schedule_sums_to_the_one_year_exposure(books):
    years, pay = exposure_schedule(load_complex(), books.inputs.platforms, books.inputs.tenants)
    assert years[0] == load_complex().as_of.year
    assert pay.sum(axis=2) == pytest.approx(books.inputs.exposure, abs=1e-9)
    assert (pay >= 0).all()
    # Oracle's OpenAI contract (USD 300bn over five years from 2027-01-01) pays nothing in 2026, 60 a year after
    k, t = books.inputs.platforms.index("oracle"), books.inputs.tenants.index("openai")
    row = pd.Series(pay[k, t], index=years)
    assert row[2026] == pytest.approx(0.0, abs=1e-9)
    assert row[2028] == pytest.approx(60.0, rel=0.01)


def test_rated_tenants_follow_the_rating_table_and_overrides_a_constant_hazard(books, term):
    b = term.books["google"]
    t = list(b.names).index("anthropic") if "anthropic" in b.names else None
    assert t is not None
    rating = books.inputs.ratings["anthropic"]
    from borrowedtime.credit.pd import rating_category

    as_of = pd.Timestamp(load_complex().as_of)
    t_end = (pd.to_datetime([f"{y + 1}-01-01" for y in b.years]) - as_of).days.to_numpy() / 365.25
    expect = np.maximum(cumulative_pd(rating_category(rating), t_end), -np.expm1(np.log1p(-0.0003) * t_end))
    assert b.cum_pd[t] == pytest.approx(expect)
    override = platform_books(n_paths=2_000, seed=0, sweep_rhos=(0.5,), p_default={"anthropic": 0.1})
    tb = term_books(override, n_paths=1_000, seed=0)
    curve = tb.books["google"].cum_pd[list(tb.books["google"].names).index("anthropic")]
    assert curve == pytest.approx(-np.expm1(np.log1p(-0.1) * t_end))


def test_closed_form_expected_loss_by_year_matches_the_simulation(term):
    for p in ("oracle", "microsoft"):
        f = term.by_year(p)
        loss = term.losses[p]
        se = loss.std(ddof=1) / np.sqrt(loss.size)
        assert abs(f["simulated_expected_loss_usd_bn"].sum() - f["expected_loss_usd_bn"].sum()) < 4 * se
        assert loss.mean() == pytest.approx(f["simulated_expected_loss_usd_bn"].sum(), rel=1e-9)
        # nothing is lost after the last payment
        done = f["outstanding_usd_bn"] <= 1e-9
        assert (f.loc[done, "expected_loss_usd_bn"] == 0).all()


def test_loss_if_default_by_hand():
    b = TermBook(platform="x", names=("a",), years=np.array([2026, 2027, 2028]),
                 payments=np.array([[10.0, 20.0, 30.0]]), cum_pd=np.array([[0.1, 0.2, 0.3]]), lgd=0.5,
                 loadings=np.array([[0.0]]))
    # default in 2026: half of 10 plus 20 + 30; in 2027: half of 20 plus 30; in 2028: half of 30
    assert b.loss_if_default[0] == pytest.approx(0.5 * np.array([55.0, 40.0, 15.0]))
    assert b.expected_loss_by_year() == pytest.approx(0.5 * np.array([55.0, 40.0, 15.0]) * 0.1)
    # independent obligor (zero loading): the simulated default-year frequencies are the marginal PDs
    rng = np.random.default_rng(0)
    total, by_year = _simulate_term(rng, 200_000, 0, b)
    assert by_year / 200_000 == pytest.approx(b.expected_loss_by_year(), rel=0.03)


def test_term_result_frame_and_intervals(term):
    f = term.to_frame()
    assert list(f.index) == ["microsoft", "oracle", "google", "amazon", "coreweave"]
    assert (f["var_999_ci_low_usd_bn"] <= f["var_999_usd_bn"]).all()
    assert (f["var_999_usd_bn"] <= f["var_999_ci_high_usd_bn"]).all()
    assert (f["es_999_usd_bn"] >= f["var_999_usd_bn"] - 1e-9).all()
    assert "through" in term.summary()
