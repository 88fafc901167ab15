"""Default and recovery inputs: the typed default table, the treadmill PD, LGD, EAD."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime.credit.pd import (
    DEFAULT_STUDY,
    cumulative_pd,
    lgd_for,
    pd_term_structure,
    rating_category,
    rating_pd,
    remaining_schedule,
    treadmill_pd,
)
from borrowedtime.errors import SpecError


def test_table_values_as_published():
    # Moody's 1970-2010 average cumulative issuer-weighted default rates (Hull, OFOD 8th ed., Table 23.1),
    # spot checks of the typed table: Baa 5-year 1.953 %, B 10-year 44.573 %, Caa-C 1-year 18.163 %.
    assert DEFAULT_STUDY.loc["Baa", 5] == pytest.approx(0.01953)
    assert DEFAULT_STUDY.loc["B", 10] == pytest.approx(0.44573)
    assert DEFAULT_STUDY.loc["Caa-C", 1] == pytest.approx(0.18163)
    # the table is monotone across ratings at every horizon (a check on the typing)
    assert (DEFAULT_STUDY.diff().iloc[1:] >= 0).all().all()


def test_interpolation_hits_the_knots_and_is_monotone():
    for cat in DEFAULT_STUDY.index:
        got = cumulative_pd(cat, [1, 2, 3, 5, 10, 20])
        want = np.maximum.accumulate(DEFAULT_STUDY.loc[cat].to_numpy())[[0, 1, 2, 4, 6, 8]]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    t = np.linspace(0, 30, 121)
    assert np.all(np.diff(cumulative_pd("Ba", t)) >= 0)


@pytest.mark.parametrize(("grade", "cat"), [("AA+", "Aa"), ("BBB-", "Baa"), ("Baa3", "Baa"), ("B1", "B"),
                                            ("CCC+", "Caa-C"), ("Caa2", "Caa-C"), ("A", "A")])
def test_rating_scales(grade, cat):
    assert rating_category(grade) == cat
    assert rating_pd(grade) == pytest.approx(DEFAULT_STUDY.loc[cat, 1])


@pytest.mark.parametrize("bad", ["NR", "IG", "HY", "", "bbb", None])
def test_unrated_grades_are_refused(bad):
    with pytest.raises(SpecError, match="rating"):
        rating_category(bad)


def test_term_structure_frame():
    f = pd_term_structure(["BBB", "B"], years=(1, 5))
    assert f.loc["B", 5] == pytest.approx(0.26173)
    assert "Moody's" in f.attrs["source"]


def test_treadmill_pd_beside_the_table():
    from types import SimpleNamespace

    from borrowedtime.treadmill.ipo import IpoSpec

    ipo = IpoSpec(n_draws=4_000).run(seed=1)
    t = treadmill_pd(ipo)
    assert t.p_fail == pytest.approx(1.0 - ipo.p_feasible)
    assert 0.0 <= t.annual_pd <= 1.0
    assert list(t.comparable.index) == ["Ba", "B", "Caa-C"]
    assert "treadmill" in t.to_frame().index[0]
    # the annualisation, on a refinancing that fails with probability 0.36 three years out
    fake = SimpleNamespace(p_feasible=0.64, date=pd.Timestamp("2029-07-01"), required_value=100.0,
                           clearing_value=90.0)
    far = treadmill_pd(fake, as_of="2026-07-01")
    assert far.p_fail == pytest.approx(0.36)
    assert far.annual_pd == pytest.approx(1.0 - 0.64 ** (1.0 / far.horizon_years))
    assert far.annual_pd < far.p_fail
    near = treadmill_pd(fake, as_of="2029-01-01")
    assert near.annual_pd == pytest.approx(0.36)
    # a refinancing more than a year out spreads its failure probability over the years
    far = treadmill_pd(ipo, as_of=ipo.date - pd.DateOffset(years=3))
    assert far.horizon_years == pytest.approx(3.0, abs=0.01)
    assert far.annual_pd == pytest.approx(1.0 - (1.0 - far.p_fail) ** (1.0 / far.horizon_years))
    assert far.annual_pd <= far.p_fail  # strictly below when 0 < p_fail < 1


def test_lgd_by_seniority_and_collateral():
    assert lgd_for() == 0.45
    assert lgd_for("subordinated") == 0.75
    assert lgd_for("senior", "other_physical") == 0.40
    assert lgd_for("senior", "other_physical", coverage=0.5) == pytest.approx(0.425)
    with pytest.raises(SpecError, match="collateral must be"):
        lgd_for("senior", "gpus")
    with pytest.raises(SpecError, match="seniority"):
        lgd_for("junior")


def test_remaining_schedule_sums_to_the_amount_and_starts_at_as_of():
    s = remaining_schedule(300.0, "2027-01-01", 5, "2026-07-01")
    assert s.sum() == pytest.approx(300.0)
    assert s.index[0] == 2027 and s.index[-1] == 2031
    started = remaining_schedule(100.0, "2025-01-01", 4, "2026-01-01")
    assert started.index[0] == 2026 and started.sum() == pytest.approx(100.0)
    with pytest.raises(SpecError, match="before as_of"):
        remaining_schedule(10.0, "2020-01-01", 2, "2026-01-01")
