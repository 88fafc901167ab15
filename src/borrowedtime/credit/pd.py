r"""Default and recovery inputs: PD term structures by rating, the treadmill PD, LGD and EAD.

* :data:`DEFAULT_STUDY` -- Moody's average cumulative issuer-weighted
  corporate default rates by letter rating, 1970-2010, typed from the
  published table; :func:`cumulative_pd` interpolates it to any horizon and
  :func:`rating_pd` maps any S&P/Fitch or Moody's grade (``"BBB-"``,
  ``"Ba2"``) to it.
* :func:`treadmill_pd` -- for a borrower that can pay only by refinancing
  (the essay's OpenAI, section V), the probability that its next
  refinancing fails to clear: one minus the share of the IPO model's
  (revenue, multiple) draws whose clearing value reaches the value the
  required raise needs (:class:`~borrowedtime.treadmill.ipo.IpoResult`), shown
  beside the rating-table PD of a comparable grade.
* :func:`lgd_for` -- loss given default by seniority and collateral (the
  Basel II foundation-IRB supervisory values).
* :func:`remaining_schedule` -- exposure at default from a contract's
  remaining payment schedule.

Notes
-----
Units: probabilities and LGD as decimals; horizons in years; money in USD bn.

**Interpolation.** Between the table's horizons the cumulative PD is
interpolated linearly in the log of the survival probability (a constant
hazard within each interval); below one year, a constant one-year hazard.
Beyond 20 years the last interval's hazard continues.

References
----------
.. [1] Moody's Investors Service (2011). *Corporate Default and Recovery
   Rates, 1920-2010*, Special Comment, 28 February 2011: average cumulative
   issuer-weighted global default rates by letter rating, 1970-2010, as
   reproduced in Hull, J. C., *Options, Futures, and Other Derivatives*,
   8th ed. (2012), Table 23.1.
.. [2] Basel Committee on Banking Supervision (2006). *International
   Convergence of Capital Measurement and Capital Standards*, June 2006,
   paras 287-295 (foundation LGD: 45 % senior unsecured, 75 % subordinated;
   LGD* 35 % for receivables and CRE/RRE, 40 % for other physical collateral,
   0 % for eligible financial collateral).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.credit._checks import check_probability
from borrowedtime.errors import SpecError

__all__ = [
    "DEFAULT_STUDY",
    "DEFAULT_STUDY_SOURCE",
    "LGD_FOUNDATION",
    "rating_category",
    "cumulative_pd",
    "rating_pd",
    "pd_term_structure",
    "TreadmillPD",
    "treadmill_pd",
    "lgd_for",
    "remaining_schedule",
]

DEFAULT_STUDY_SOURCE = (
    "Moody's, Corporate Default and Recovery Rates, 1920-2010 (Feb 2011): average cumulative issuer-weighted "
    "default rates, 1970-2010 (as reproduced in Hull, Options, Futures, and Other Derivatives, 8th ed., Table 23.1)"
)
_HORIZONS = np.array([1, 2, 3, 4, 5, 7, 10, 15, 20], dtype=float)
#: Cumulative default rates in percent by Moody's letter rating and horizon (years); see DEFAULT_STUDY_SOURCE.
_TABLE_PCT = {
    "Aaa": [0.000, 0.013, 0.013, 0.037, 0.104, 0.244, 0.494, 0.918, 1.090],
    "Aa": [0.021, 0.059, 0.103, 0.184, 0.273, 0.443, 0.619, 1.260, 2.596],
    "A": [0.055, 0.177, 0.362, 0.549, 0.756, 1.239, 2.136, 3.657, 6.019],
    "Baa": [0.181, 0.510, 0.933, 1.427, 1.953, 3.031, 4.904, 8.845, 12.411],
    "Ba": [1.157, 3.191, 5.596, 8.146, 10.453, 14.440, 20.101, 29.702, 36.867],
    "B": [4.465, 10.432, 16.344, 21.510, 26.173, 34.721, 44.573, 56.345, 62.693],
    "Caa-C": [18.163, 30.204, 39.709, 47.317, 53.768, 61.181, 72.384, 76.162, 78.993],
}
#: The table as decimals: index rating category, columns horizon in years.
DEFAULT_STUDY = pd.DataFrame(
    {h: [v[k] / 100.0 for v in _TABLE_PCT.values()] for k, h in enumerate(_HORIZONS.astype(int))},
    index=pd.Index(list(_TABLE_PCT), name="rating"),
)
DEFAULT_STUDY.columns.name = "years"
DEFAULT_STUDY.attrs["source"] = DEFAULT_STUDY_SOURCE

_SP_TO_MOODYS = {"AAA": "Aaa", "AA": "Aa", "A": "A", "BBB": "Baa", "BB": "Ba", "B": "B",
                 "CCC": "Caa-C", "CC": "Caa-C", "C": "Caa-C"}
_MOODYS = {"Aaa": "Aaa", "Aa": "Aa", "A": "A", "Baa": "Baa", "Ba": "Ba", "B": "B",
           "Caa": "Caa-C", "Ca": "Caa-C", "C": "Caa-C", "Caa-C": "Caa-C"}


def rating_category(rating: str) -> str:
    """The table's letter category of an S&P/Fitch (``"BBB-"``) or Moody's (``"Baa3"``) grade.

    Raises :class:`SpecError` for anything else, including ``"NR"`` (not
    rated) and the coarse ``"IG"``/``"HY"`` labels: they have no row.
    """
    if not isinstance(rating, str) or not rating.strip():
        raise SpecError(f"rating must be a letter grade such as 'BBB-' or 'Baa3'. Got {rating!r}.")
    r = rating.strip()
    sp = r.rstrip("+-")
    if sp.isupper() and sp in _SP_TO_MOODYS:
        return _SP_TO_MOODYS[sp]
    moodys = r if r == "Caa-C" else r.rstrip("123")
    if moodys in _MOODYS:
        return _MOODYS[moodys]
    raise SpecError(
        f"rating {rating!r} is not a letter grade on the S&P/Fitch (AAA..C) or Moody's (Aaa..C) scale; "
        "'NR', 'IG' and 'HY' have no row in the default table: give a grade or an explicit PD."
    )


def _log_survival(category: str) -> np.ndarray:
    cum = DEFAULT_STUDY.loc[category].to_numpy(float)
    # the published table is not strictly increasing everywhere (Aaa years 2-3): keep it monotone
    cum = np.maximum.accumulate(cum)
    return np.log1p(-cum)


def cumulative_pd(category: str, years) -> np.ndarray | float:
    """Cumulative default probability of a table category over ``years`` (see the module notes)."""
    if category not in DEFAULT_STUDY.index:
        category = rating_category(category)
    t = np.asarray(years, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise SpecError(f"years must be finite and >= 0. Got {years!r}.")
    ls = _log_survival(category)
    knots_t = np.concatenate([[0.0], _HORIZONS])
    knots_ls = np.concatenate([[0.0], ls])
    out = np.interp(t, knots_t, knots_ls)
    beyond = t > _HORIZONS[-1]
    if np.any(beyond):
        slope = (ls[-1] - ls[-2]) / (_HORIZONS[-1] - _HORIZONS[-2])
        out = np.where(beyond, ls[-1] + slope * (t - _HORIZONS[-1]), out)
    res = -np.expm1(out)
    return float(res) if res.ndim == 0 else res


def rating_pd(rating: str, years: float = 1.0) -> float:
    """PD of a letter grade over ``years`` from :data:`DEFAULT_STUDY` (one year by default)."""
    return float(cumulative_pd(rating_category(rating), years))


def pd_term_structure(ratings=None, years=(1, 2, 3, 4, 5, 7, 10)) -> pd.DataFrame:
    """Cumulative PD by rating (rows) and horizon (columns), decimals."""
    cats = list(DEFAULT_STUDY.index) if ratings is None else [rating_category(r) for r in ratings]
    labels = list(DEFAULT_STUDY.index) if ratings is None else list(ratings)
    frame = pd.DataFrame([np.atleast_1d(cumulative_pd(c, years)) for c in cats],
                         index=pd.Index(labels, name="rating"), columns=pd.Index(list(years), name="years"))
    frame.attrs["source"] = DEFAULT_STUDY_SOURCE
    return frame


@dataclass(frozen=True)
class TreadmillPD(Summarised):
    """Default probability of a refinancing-only borrower, beside the rating table.

    Attributes
    ----------
    p_fail : float
        Probability that the next refinancing fails to clear (decimal).
    refinancing_date : pandas.Timestamp
        Date of that refinancing (the IPO model's listing date).
    horizon_years : float
        Years from ``as_of`` to it.
    annual_pd : float
        The same default probability per year: ``1 - (1 - p_fail) ** (1 / horizon)``
        for a horizon of at least a year; for a shorter one the event falls
        within the year and ``annual_pd = p_fail``.
    comparable : pandas.DataFrame
        One-year PD of the table's speculative grades (Ba, B, Caa-C), for comparison.
    required_value_usd_bn, clearing_value_usd_bn : float
        The two prices of the refinancing (median clearing value).
    """

    p_fail: float
    refinancing_date: pd.Timestamp
    as_of: pd.Timestamp
    horizon_years: float
    annual_pd: float
    required_value_usd_bn: float
    clearing_value_usd_bn: float
    comparable: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        rows = [{"source": "treadmill (P next refinancing fails)", "one_year_pd": self.annual_pd}]
        rows += [{"source": f"rating table, {k}", "one_year_pd": float(v)} for k, v in self.comparable["one_year_pd"].items()]
        return pd.DataFrame(rows).set_index("source")

    def summary(self) -> str:
        comp = ", ".join(f"{k} {v:.1%}" for k, v in self.comparable["one_year_pd"].items())
        return (
            f"Treadmill PD: P(refinancing on {self.refinancing_date:%Y-%m-%d} fails) = {self.p_fail:.1%} "
            f"(needs {self.required_value_usd_bn:,.0f} bn, median clears {self.clearing_value_usd_bn:,.0f} bn); "
            f"{self.annual_pd:.1%} a year against the rating table's one-year {comp}"
        )


def treadmill_pd(ipo=None, as_of: str | date | pd.Timestamp = "2026-07-01", seed: int = 0) -> TreadmillPD:
    """Default probability of a borrower that can pay only by refinancing.

    Parameters
    ----------
    ipo : IpoResult, optional
        A run of :class:`borrowedtime.treadmill.ipo.IpoSpec`; default the
        essay's OpenAI with the packaged inputs (``IpoSpec().run(seed=seed)``).
    as_of : date, default 2026-07-01
        Date the PD is stated at (the default complex's as-of date).
    seed : int, default 0
        Seed of the IPO model's draws when ``ipo`` is None.

    Returns
    -------
    TreadmillPD

    Notes
    -----
    Default here means the refinancing the contracted payments depend on does
    not clear: at no price does the public market pay enough for the required
    raise to fit within the dilution limit. It is a model PD driven by the
    IPO model's inputs (the revenue projection and a lognormal multiple), not
    an estimate from default histories; the table beside it is.
    """
    from borrowedtime.treadmill.ipo import IpoSpec

    if ipo is None:
        ipo = IpoSpec().run(seed=seed)
    start = pd.Timestamp(as_of)
    when = pd.Timestamp(ipo.date)
    horizon = max((when - start).days / 365.25, 0.0)
    p_fail = 1.0 - float(ipo.p_feasible)
    annual = p_fail if horizon <= 1.0 else 1.0 - (1.0 - p_fail) ** (1.0 / horizon)
    comp = pd.DataFrame({"one_year_pd": DEFAULT_STUDY.loc[["Ba", "B", "Caa-C"], 1]})
    return TreadmillPD(
        p_fail=p_fail, refinancing_date=when, as_of=start, horizon_years=horizon, annual_pd=annual,
        required_value_usd_bn=float(ipo.required_value), clearing_value_usd_bn=float(ipo.clearing_value),
        comparable=comp,
    )


#: Basel II foundation-IRB LGD by claim (paras 287-295); the collateral values are LGD* of the fully secured part.
LGD_FOUNDATION = {
    ("senior", None): 0.45,
    ("subordinated", None): 0.75,
    ("senior", "financial"): 0.0,
    ("senior", "receivables"): 0.35,
    ("senior", "real_estate"): 0.35,
    ("senior", "other_physical"): 0.40,
}


def lgd_for(seniority: str = "senior", collateral: str | None = None, *, coverage: float = 1.0) -> float:
    """Loss given default by seniority and collateral (Basel II foundation values).

    Parameters
    ----------
    seniority : {"senior", "subordinated"}
    collateral : {None, "financial", "receivables", "real_estate", "other_physical"}
        Kind of collateral (a GPU or data-centre lien is ``other_physical`` or
        ``real_estate``); None for unsecured.
    coverage : float, default 1.0
        Share of the exposure the collateral covers after haircuts, in [0, 1];
        the uncovered part takes the unsecured LGD.

    Returns
    -------
    float
        LGD, decimal.
    """
    if seniority not in ("senior", "subordinated"):
        raise SpecError(f"seniority must be 'senior' or 'subordinated'. Got {seniority!r}.")
    cov = check_probability(coverage, "coverage")
    unsecured = LGD_FOUNDATION[(seniority, None)]
    if collateral is None:
        return unsecured
    key = ("senior", collateral)
    if key not in LGD_FOUNDATION:
        kinds = sorted(k[1] for k in LGD_FOUNDATION if k[1])
        raise SpecError(f"collateral must be None or one of {', '.join(kinds)}. Got {collateral!r}.")
    secured = LGD_FOUNDATION[key] if seniority == "senior" else max(LGD_FOUNDATION[key], unsecured)
    return float(cov * secured + (1.0 - cov) * unsecured)


def remaining_schedule(
    amount_usd_bn: float,
    start: str | date | pd.Timestamp,
    term_years: float,
    as_of: str | date | pd.Timestamp,
) -> pd.Series:
    """Remaining payments of a contract by calendar year, USD bn (the EAD's time profile).

    The amount is spread evenly in time from ``max(start, as_of)`` over the
    remaining term (a remaining performance obligation is stated at its
    report date, so ``amount_usd_bn`` is what remains then). The exposure at
    default at a date is the sum of the payments after it.

    Parameters
    ----------
    amount_usd_bn : float
        Remaining contracted amount at ``as_of``, USD bn.
    start : date
        First payment date of the contract.
    term_years : float
        Contract term, years, from ``start``.
    as_of : date
        Date the amount is stated at.

    Returns
    -------
    pandas.Series
        Index calendar year, values USD bn; sums to ``amount_usd_bn``.
    """
    a = float(amount_usd_bn)
    if not np.isfinite(a) or a < 0:
        raise SpecError(f"amount_usd_bn must be a finite amount >= 0 USD bn. Got {amount_usd_bn!r}.")
    if not np.isfinite(float(term_years)) or float(term_years) <= 0:
        raise SpecError(f"term_years must be > 0. Got {term_years!r}.")
    s, t0 = pd.Timestamp(start), pd.Timestamp(as_of)
    end = s + pd.DateOffset(days=round(365.25 * float(term_years)))
    begin = max(s, t0)
    if end <= begin:
        raise SpecError(f"the contract ended on {end.date()}, before as_of {t0.date()}: nothing remains to pay.")
    years = range(begin.year, end.year + 1)
    total = (end - begin).days
    out = {}
    for y in years:
        lo = max(begin, pd.Timestamp(year=y, month=1, day=1))
        hi = min(end, pd.Timestamp(year=y + 1, month=1, day=1))
        if hi > lo:
            out[y] = a * (hi - lo).days / total
    s_out = pd.Series(out, name="payment_usd_bn", dtype=float)
    s_out.index.name = "year"
    return s_out
