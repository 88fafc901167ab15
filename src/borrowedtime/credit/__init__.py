"""Counterparty credit on the AI backlog: PD, LGD, guarantees, portfolio loss, concentration.

The thesis reads remaining performance obligations as a loan book (essay,
sections III, IV, VI and IX). This package prices it the way a bank prices a
loan book: Basel IRB risk weights, the large-pool closed forms, copula Monte
Carlo of the named, concentrated books, and the look-through of guarantees.

Units: money in USD bn; probabilities, LGD and correlations as decimals.
"""

from borrowedtime.credit.copula import CopulaModel, LossResult
from borrowedtime.credit.guarantees import (
    double_default_capital,
    double_default_risk_weight,
    joint_default_probability,
    residual_value_loss,
    substitution_pd,
    wrapped_pd,
)
from borrowedtime.credit.pd import (
    DEFAULT_STUDY,
    TreadmillPD,
    cumulative_pd,
    lgd_for,
    pd_term_structure,
    rating_pd,
    remaining_schedule,
    treadmill_pd,
)
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
    "DEFAULT_STUDY",
    "CopulaModel",
    "LossResult",
    "TreadmillPD",
    "capital_requirement",
    "cumulative_pd",
    "double_default_capital",
    "double_default_risk_weight",
    "finite_pool_tail",
    "joint_default_probability",
    "large_pool_cdf",
    "large_pool_quantile",
    "lgd_for",
    "pd_term_structure",
    "rating_pd",
    "remaining_schedule",
    "residual_value_loss",
    "risk_weight",
    "substitution_pd",
    "treadmill_pd",
    "vasicek_quantile",
    "wrapped_pd",
]
