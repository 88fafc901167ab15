r"""A transparent leverage-to-rating mapping after S&P's corporate methodology.

S&P Global Ratings, "Corporate Methodology" (criteria, 19 November 2013,
republished 2019) rates an industrial company in two steps: a *financial risk
profile* from core cash-flow/leverage ratios, then an *anchor* from a matrix
of business risk profile against financial risk profile. This module
implements the debt/EBITDA half of the financial-risk step (the "standard
volatility" benchmark table) and the anchor matrix, nothing else: no
modifiers (diversification, capital structure, financial policy, liquidity,
management), no FFO/debt cross-check and no S&P analytical adjustments to
debt (leases, pensions). It says what leverage alone implies, so the notches
it reports are the room *leverage* leaves, not a rating forecast.

The tables were transcribed from the criteria text and should be re-checked
against the published article before any use beyond this model.

Notes
-----
Units: debt/EBITDA in turns (x). Notches count steps on the S&P scale
(AAA = 0, AA+ = 1, ..., BBB- = 9, ..., D = 21); Moody's symbols map one to one
(Aaa = AAA, Aa1 = AA+, ..., Baa3 = BBB-, ...).

References
----------
.. [1] S&P Global Ratings (2013). "Criteria | Corporates | General: Corporate
   Methodology", 19 November 2013: the cash flow/leverage analysis ratios
   (standard volatility) and the table combining business and financial risk
   profiles into the anchor.
"""

from __future__ import annotations

import numpy as np

from borrowedtime.errors import SpecError

__all__ = [
    "SP_SCALE",
    "MOODYS_SCALE",
    "FINANCIAL_RISK",
    "BUSINESS_RISK",
    "LEVERAGE_BANDS",
    "ANCHOR_MATRIX",
    "rating_notch",
    "notch_rating",
    "financial_risk",
    "anchor_rating",
    "leverage_ceiling",
    "INVESTMENT_GRADE_FLOOR",
]

SP_SCALE = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-",
            "B+", "B", "B-", "CCC+", "CCC", "CCC-", "CC", "C", "D")
MOODYS_SCALE = ("Aaa", "Aa1", "Aa2", "Aa3", "A1", "A2", "A3", "Baa1", "Baa2", "Baa3", "Ba1", "Ba2", "Ba3",
                "B1", "B2", "B3", "Caa1", "Caa2", "Caa3", "Ca", "C")
#: The last investment-grade notch (BBB- / Baa3).
INVESTMENT_GRADE_FLOOR = SP_SCALE.index("BBB-")

FINANCIAL_RISK = ("minimal", "modest", "intermediate", "significant", "aggressive", "highly leveraged")
BUSINESS_RISK = ("excellent", "strong", "satisfactory", "fair", "weak", "vulnerable")
#: Upper bounds of debt/EBITDA (x) per financial risk profile, standard volatility table [1]_:
#: minimal < 1.5, modest 1.5-2, intermediate 2-3, significant 3-4, aggressive 4-5, highly leveraged > 5.
LEVERAGE_BANDS = (1.5, 2.0, 3.0, 4.0, 5.0)
#: Anchor by business risk (rows) and financial risk (columns) [1]_. Where the criteria give two
#: anchors ("aaa/aa+") the higher one is kept here; the criteria choose by comparing peers.
ANCHOR_MATRIX = {
    "excellent": ("AAA", "AA", "A+", "A-", "BBB", "BBB-"),
    "strong": ("AA", "A+", "A-", "BBB", "BB+", "BB"),
    "satisfactory": ("A", "BBB+", "BBB", "BBB-", "BB", "B+"),
    "fair": ("BBB", "BBB-", "BB+", "BB", "BB-", "B"),
    "weak": ("BB+", "BB+", "BB", "BB-", "B+", "B"),
    "vulnerable": ("BB-", "BB-", "BB-", "B+", "B", "B-"),
}


def rating_notch(rating: str) -> int:
    """Position of an S&P or Moody's rating on the notch scale (AAA/Aaa = 0).

    Raises
    ------
    SpecError
        For a symbol on neither scale.
    """
    text = str(rating).strip()
    if text in SP_SCALE:
        return SP_SCALE.index(text)
    if text in MOODYS_SCALE:
        return MOODYS_SCALE.index(text)
    if text.upper() in SP_SCALE:
        return SP_SCALE.index(text.upper())
    raise SpecError(f"unknown rating {rating!r}: expected an S&P symbol ({', '.join(SP_SCALE[:10])}, ...) "
                    f"or a Moody's symbol ({', '.join(MOODYS_SCALE[:10])}, ...)")


def notch_rating(notch: int) -> str:
    """The S&P symbol at a notch (clipped to the scale)."""
    return SP_SCALE[int(np.clip(notch, 0, len(SP_SCALE) - 1))]


def financial_risk(leverage: float | np.ndarray) -> np.ndarray:
    """Index into :data:`FINANCIAL_RISK` of a debt/EBITDA (x); a band's upper bound belongs to the next band."""
    lev = np.asarray(leverage, dtype=float)
    if np.any(~np.isfinite(lev)) or np.any(lev < 0):
        raise SpecError(f"debt/EBITDA must be finite and >= 0 (negative EBITDA has no band). Got {leverage!r}.")
    return np.searchsorted(np.asarray(LEVERAGE_BANDS), lev, side="right")


def _business(business_risk: str) -> str:
    if business_risk not in ANCHOR_MATRIX:
        raise SpecError(f"unknown business risk profile {business_risk!r}: expected one of {', '.join(BUSINESS_RISK)}")
    return business_risk


def anchor_rating(leverage: float, business_risk: str) -> str:
    """The S&P anchor implied by debt/EBITDA alone for a business risk profile.

    Examples
    --------
    >>> anchor_rating(3.9, "strong")   # Oracle FY2025: ~92.6 / 23.9
    'BBB'
    >>> anchor_rating(0.3, "excellent")
    'AAA'
    """
    row = ANCHOR_MATRIX[_business(business_risk)]
    return row[int(financial_risk(leverage))]


def leverage_ceiling(rating: str, business_risk: str) -> float:
    """Highest debt/EBITDA (x, the band's upper bound) whose anchor is still at or above ``rating``.

    ``inf`` when even the most leveraged band keeps the rating; ``0.0`` when no band reaches it.
    """
    target = rating_notch(rating)
    row = ANCHOR_MATRIX[_business(business_risk)]
    ceiling = 0.0
    bounds = (*LEVERAGE_BANDS, np.inf)
    for k, anchor in enumerate(row):
        if SP_SCALE.index(anchor) <= target:
            ceiling = bounds[k]
        else:
            break
    return float(ceiling)
