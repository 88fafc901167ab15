"""Counterparty credit on the AI backlog: PD, LGD, guarantees, portfolio loss, concentration.

The thesis reads remaining performance obligations as a loan book (essay,
sections III, IV, VI and IX). This package prices it the way a bank prices a
loan book: Basel IRB risk weights, the large-pool closed forms, copula Monte
Carlo of the named, concentrated books, and the look-through of guarantees.

Units: money in USD bn; probabilities, LGD and correlations as decimals.
"""

from borrowedtime.credit.portfolio import (
    ASSET_CLASSES,
    capital_requirement,
    finite_pool_tail,
    large_pool_cdf,
    large_pool_quantile,
    risk_weight,
    vasicek_quantile,
)

__all__ = [
    "ASSET_CLASSES",
    "capital_requirement",
    "finite_pool_tail",
    "large_pool_cdf",
    "large_pool_quantile",
    "risk_weight",
    "vasicek_quantile",
]
