"""The shared helpers: episodes from flags, month arithmetic, YoY growth, loan arithmetic, parameter checks,
result printing, stack scratch arrays in kernels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from borrowedtime._calendar import month_dates, month_number
from borrowedtime._checks import require
from borrowedtime._episodes import episodes_from_flags, runs
from borrowedtime._numba import jit, python_twin, stack_zeros
from borrowedtime._results import Summarised, SummaryRepr
from borrowedtime.errors import SpecError
from borrowedtime.instruments.amortization import annuity_payment, balance_factor, payment_shock
from borrowedtime.monitor.discrete import year_over_year
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


@dataclass(frozen=True, repr=False)
class _Spec(Summarised, SummaryRepr):
    rate: float = 0.5

    def __post_init__(self) -> None:
        require(0 <= self.rate <= 1, self, "rate", "in [0, 1]")
        require(self.rate != 0.25, self, "rate", "not 0.25", instead=True)

    def summary(self) -> str:
        return f"rate {self.rate}"


def test_require_message_and_result_printing():
    with pytest.raises(SpecError, match=r"^The 'rate' parameter of _Spec must be in \[0, 1\]\. Got 1\.5\.$"):
        _Spec(1.5)
    with pytest.raises(SpecError, match=r"^The 'rate' parameter of _Spec must be not 0\.25\. Got 0\.25 instead\.$"):
        _Spec(0.25)
    with pytest.raises(SpecError, match="Got nan"):  # NaN fails every comparison: refused
        _Spec(float("nan"))
    assert str(_Spec(0.5)) == "rate 0.5" and repr(_Spec(0.5)) == "<_Spec rate 0.5>"


@jit
def _stack_scratch_kernel(x):
    a = stack_zeros(3)
    b = stack_zeros(2, 3)
    total = 0.0
    for i in range(3):
        total += a[i] + b[1, i]  # zeroed
        a[i] = 2.0 * x[i]
        for j in range(2):
            b[j, i] = a[i] + j
    for i in range(3):
        for j in range(2):
            total += b[j, i] * (i + 1)
    return total


def test_stack_zeros_compiled_equals_python():
    x = np.array([0.5, -1.25, 3.0])
    want = sum((2.0 * x[i] + j) * (i + 1) for i in range(3) for j in range(2))
    assert _stack_scratch_kernel(x) == want
    assert python_twin(_stack_scratch_kernel)(x) == want
    assert stack_zeros(2, 3).shape == (2, 3) and not stack_zeros(4).any()
