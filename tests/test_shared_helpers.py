"""The shared helpers: episodes from flags, month arithmetic, YoY growth, loan arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borrowedtime._calendar import month_dates, month_number, year_over_year
from borrowedtime._episodes import episodes_from_flags, runs
from borrowedtime.instruments.amortization import annuity_payment, balance_factor, payment_shock
from borrowedtime.series import as_series


def test_runs_and_episodes():
    flag = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    starts, stops = runs(flag)
    assert starts.tolist() == [1, 5, 7] and stops.tolist() == [3, 6, 10]
    idx = pd.date_range("2000-01-01", periods=10, freq="MS")
    eps = episodes_from_flags(pd.Series(flag, index=idx))
    assert eps == [(idx[1], idx[3]), (idx[5], idx[6]), (idx[7], None)]
    assert episodes_from_flags(pd.Series(flag, index=idx), min_length=2) == [(idx[1], idx[3]), (idx[7], None)]
    assert episodes_from_flags(pd.Series(np.zeros(4, bool), index=idx[:4])) == []


def test_month_numbers_round_trip_and_yoy():
    idx = pd.date_range("1999-11-01", periods=30, freq="MS")
    n = month_number(idx)
    assert n[0] == 1999 * 12 + 10 and (np.diff(n) == 1).all()
    assert month_dates(n).equals(pd.DatetimeIndex(idx, name="date"))
    s = as_series(pd.Series(np.exp(np.linspace(0, 0.3, 30)), index=idx), name="p")
    yoy = year_over_year(s)
    expected = (s / s.shift(12) - 1.0).dropna()
    assert yoy.index.equals(expected.index)
    np.testing.assert_allclose(yoy.to_numpy(), expected.to_numpy(), rtol=1e-14)


def test_loan_arithmetic():
    # payment of a 30-year loan at 6 %: amortising month by month ends at a zero balance
    pay = annuity_payment(200.0, 0.06, 360)
    bal = 200.0
    path = []
    for _ in range(360):
        bal = bal * (1 + 0.005) - pay
        path.append(bal)
    assert abs(bal) < 1e-9
    np.testing.assert_allclose(200.0 * balance_factor(0.06, np.arange(1, 361)), path, atol=1e-9)
    # at the reset the rate rises to min(index + margin, teaser + cap): 8 % -> 11 %, re-amortised
    shock = payment_shock(0.08, 0.06, 0.053, 0.03, 24)
    remaining = balance_factor(0.08, np.array([24]))[0]
    assert shock == pytest.approx(annuity_payment(remaining, 0.11, 336) / annuity_payment(1.0, 0.08, 360) - 1)
    assert payment_shock(0.08, 0.06, 0.0, 0.03, 24) == pytest.approx(0.0, abs=1e-12)  # never below the teaser
