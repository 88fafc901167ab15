"""Level-payment loan arithmetic: scheduled balance, annuity payment, the payment shock at a reset.

Conventions: annual rates as decimals (0.08 is 8 %), compounded monthly;
ages and terms in months; balances as shares of the original balance (any
currency unit scales through). Standard annuity formulas (e.g. Fabozzi,
*The Handbook of Mortgage-Backed Securities*, 7th ed., ch. 1):
payment :math:`P = B\\,r / (1 - (1 + r)^{-N})` with monthly rate :math:`r`,
balance after :math:`a` payments
:math:`B_a = B\\,((1 + r)^N - (1 + r)^a) / ((1 + r)^N - 1)`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["balance_factor", "annuity_payment", "payment_shock"]


def balance_factor(rate: float, ages: np.ndarray, term_months: int = 360) -> np.ndarray:
    """Scheduled balance of a level-payment loan after ``ages`` payments, as a share of the original.

    Parameters
    ----------
    rate : float
        Annual note rate, decimal (0.08 is 8 %), compounded monthly.
    ages : array of int
        Payments made.
    term_months : int, default 360
        Amortisation term in months.
    """
    r = rate / 12.0
    growth = (1.0 + r) ** term_months
    return (growth - (1.0 + r) ** np.asarray(ages, dtype=float)) / (growth - 1.0)


def annuity_payment(balance: float, rate: float, months: int) -> float:
    """Monthly payment that amortises ``balance`` over ``months`` at annual ``rate`` (decimal)."""
    r = rate / 12.0
    return balance * r / (1.0 - (1.0 + r) ** -months)


def payment_shock(
    teaser_rate: float, margin: float, index_rate: float, reset_cap: float, reset_age: int, term_months: int = 360
) -> float:
    """Payment increase at the first reset of a hybrid ARM, decimal (0.3 is +30 %).

    The new rate is ``min(index_rate + margin, teaser_rate + reset_cap)`` (the
    initial adjustment cap), never below the teaser; the remaining balance is
    re-amortised over the remaining term.
    """
    new_rate = max(teaser_rate, min(index_rate + margin, teaser_rate + reset_cap))
    before = annuity_payment(1.0, teaser_rate, term_months)
    remaining = float(balance_factor(teaser_rate, np.array([reset_age]), term_months)[0])
    after = annuity_payment(remaining, new_rate, term_months - reset_age)
    return after / before - 1.0
