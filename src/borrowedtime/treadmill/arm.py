r"""The 2/28 treadmill: loan-level cohorts of subprime hybrid ARMs on a real price path.

A hybrid adjustable-rate mortgage pays a fixed teaser rate for two years (the
2/28) or three (the 3/27), then resets to an index plus a margin. It was built
to be refinanced before the reset: appreciation manufactures equity, the
borrower refinances into a fresh teaser, the clock restarts (essay, sections I
and XI). This module simulates that machine loan by loan, month by month, for
monthly origination vintages driven by any home-price series, and measures
what the essay says about it: how much of each vintage refinanced away, how
much reached its reset, how much defaulted, and when the book's default rate
turned up relative to the price series' year-over-year growth.

Model (one loan :math:`i` of origination month :math:`v`, age :math:`a` months)
-------------------------------------------------------------------------------
House value follows the driving index with idiosyncratic dispersion, and the
combined loan-to-value falls with amortisation and appreciation:

.. math::

    x_{i,a} = x_{i,a-1} + \sigma_m z_{i,a},\qquad
    \mathrm{CLTV}_{i,a} = \mathrm{LTV}_{i,0}\, b_a\, \exp\!\big(-(\log P_{v+a} - \log P_v) - x_{i,a}\big)

where :math:`b_a` is the scheduled balance of a 30-year loan at the teaser
rate. Each month the borrower meets two competing risks decided by one uniform
draw: refinance with probability :math:`\lambda` if
:math:`\mathrm{CLTV} + c + \pi\,[a < R_i] \le L` (closing costs :math:`c`, a
prepayment penalty :math:`\pi` until the reset :math:`R_i`, lender's limit
:math:`L`), and default with probability

.. math::

    h_{i,a} = h_0 \exp\big(\beta_e(\mathrm{CLTV}_{i,a} - 1) + \beta_s\, s_i\, [a > R_i]\big)

with :math:`s_i` the payment shock at the reset. :math:`\lambda` is the one
calibrated number (see :func:`calibrate_refi_intensity`); every other
parameter is set from the literature cited on :class:`ArmSpec`.

Chunks and seeds
----------------
The monthly vintages are the chunks of the package's Monte Carlo engine
(:func:`borrowedtime._montecarlo.map_chunks`, chunk size one vintage). Loans of
one vintage are simulated in fixed blocks of :data:`BLOCK_SIZE`; block ``b`` of
vintage ``v`` draws from
``np.random.SeedSequence(seed).spawn(n_vintages)[v].spawn(n_blocks)[b]``, so
the numbers do not depend on the order or number of workers, and the result is
exact integer counts summed over blocks.

References
----------
.. [1] Gorton, G. (2008). "The Panic of 2007." NBER Working Paper 14358
   (the 2/28 and 3/27 as products designed to be refinanced at the reset).
.. [2] Demyanyk, Y. and Van Hemert, O. (2011). "Understanding the Subprime
   Mortgage Crisis." Review of Financial Studies 24(6), 1848-1880.
.. [3] Mayer, C., Pence, K. and Sherlund, S. M. (2009). "The Rise in Mortgage
   Defaults." Journal of Economic Perspectives 23(1), 27-50.
.. [4] Foote, C., Gerardi, K. and Willen, P. (2008). "Negative equity and
   foreclosure: Theory and evidence." Journal of Urban Economics 64(2), 234-245.
.. [5] Pennington-Cross, A. and Ho, G. (2010). "The Termination of Subprime
   Hybrid and Fixed-Rate Mortgages." Real Estate Economics 38(3), 399-426.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from borrowedtime._calendar import month_dates, month_number
from borrowedtime._montecarlo import check_seed, map_chunks
from borrowedtime._results import Summarised
from borrowedtime.errors import DataError, SpecError
from borrowedtime.instruments.amortization import balance_factor, payment_shock
from borrowedtime.monitor.discrete import year_over_year
from borrowedtime.series import as_series
from borrowedtime.treadmill import _kernels
from borrowedtime.treadmill.dated_inputs import (
    arm_inputs,
    credit_supply_from_volumes,
    reset_index_series,
    subprime_volumes,
)

__all__ = [
    "ArmSpec",
    "ArmResult",
    "BLOCK_SIZE",
    "CALIBRATION_TARGET",
    "turn_date",
    "payment_shock",
    "balance_factor",
]

BLOCK_SIZE = 32_768
"""Loans per random-number block (fixed: results do not depend on chunking)."""

CALIBRATION_TARGET = 0.78
"""Share of 2003 subprime hybrid ARMs refinanced away by the end of 2006.

Essay, section I: "Nearly four in five subprime hybrid ARMs originated in 2003
had been refinanced away by the end of 2006"; "nearly four in five" read as 0.78.
"""

# Calibrated by tests/treadmill/results/calibrate_arm.py (root-find of the
# 2003-vintage refinanced share on the Case-Shiller U.S. National NSA index);
# its output is tests/treadmill/results/arm_calibration.json.
_CALIBRATED_REFI_INTENSITY = 0.0467


# Calibrated the same way on ArmSpec.sourced() (same target, seed and loans; calibrate_arm.py).
_CALIBRATED_REFI_INTENSITY_SOURCED = 0.0515

# Calibrated the same way on ArmSpec.sourced() without its credit-supply series (calibrate_arm.py).
_CALIBRATED_REFI_INTENSITY_NO_SUPPLY = 0.0465

VALIDATION_DATE = "2009-09-01"
"""Month of the published outcomes (GAO-10-806SP: status at 30 September 2009)."""

VALIDATION_TOLERANCE = 0.25
"""Target: each out-of-sample share within +-25 % (relative) of the published one (issue 12)."""

MISSING_MECHANISMS = (
    "regional concentration: subprime loans were concentrated in markets whose prices fell 40-50 %; "
    "the state paths run (treadmill.regional) but with a population proxy for the state mix (no sourced "
    "table of subprime originations by state could be read), and even the worst state's troubled share "
    "stays below GAO's national one, so the mix alone cannot close the gap",
    "underwriting by vintage: no per-vintage table of combined LTVs, piggy-back seconds or "
    "documentation is embedded with a source, so every vintage draws the same LTVs",
    "LIBOR-Treasury spread widening in 2007-2008 (TED above 1 point) and the near stop of subprime "
    "lending after 2007: the index spread and the 2008-2009 credit supply are held at earlier levels",
)
"""Mechanisms the sourced model lacks, named where it misses the published shares."""


@dataclass(frozen=True)
class ArmSpec:
    """Settings of the hybrid-ARM cohort model (defaults: US subprime, 2001-2007).

    Parameters
    ----------
    vintages : tuple of int, default 2001..2007
        Origination years; each is simulated as twelve monthly vintages.
    horizon_months : int, default 84
        Months each loan is followed (censored earlier at the end of the price series).
    share_228 : float, default 0.75, range [0, 1]
        Share of 2/28 loans (the rest are 3/27). The 2/28 dominated subprime
        hybrids (Mayer, Pence and Sherlund 2009 [3]_).
    teaser_rate : float, default 0.08, range 0.06-0.10
        Initial fixed rate, annual decimal; subprime 2/28 initial rates ran
        7-9 % in 2003-2006 (Demyanyk and Van Hemert 2011 [2]_).
    margin : float, default 0.06, range 0.05-0.07
        Margin over the index after the reset, annual decimal (about 6 points
        over six-month LIBOR was typical [3]_).
    index_rate : float, default 0.053, range 0.01-0.06
        Index (six-month LIBOR) at the reset, annual decimal; 5.3 % was its
        level in 2006-2007. One number for every reset (a simplification).
    reset_cap : float, default 0.03, range 0.01-0.05
        Initial adjustment cap on the rate at the first reset.
    piggyback_share : float, default 0.30, range [0, 1]
        Share of loans with a piggy-back second lien, combined LTV near 100 %
        (drawn uniformly in ``piggyback_cltv``); piggy-back seconds became
        common in 2005-2006 subprime purchase lending [2]_, [3]_. The share is
        an order of magnitude, held fixed across vintages on purpose: later
        vintages differ only by the price path they meet.
    piggyback_cltv : (float, float), default (0.97, 1.00)
        Range of the combined LTV of piggy-back loans, decimal.
    ltv_low, ltv_high : float, default 0.55, 0.95
        Range of LTV of the other loans, drawn as ``low + (high - low) * Beta(a, b)``.
    ltv_beta : (float, float), default (5, 2)
        Beta shape of that draw (mean 0.84 with the default range; [2]_ reports
        average subprime CLTV of 0.80-0.86 over 2001-2006).
    idio_vol : float, default 0.10, range 0.05-0.15
        Annual standard deviation of a single house's log value around the
        index (a random walk); repeat-sales estimates put it near 10 %/yr
        (Case and Shiller 1989; Giacoletti 2021, RFS 34(8)).
    ltv_limit : float, default 0.95, range 0.80-1.00
        Lender's maximum combined LTV for a refinance.
    refi_cost : float, default 0.03, range 0.01-0.05
        Closing costs of a refinance, decimal of the house value.
    prepay_penalty : float, default 0.03, range 0-0.05
        Prepayment penalty before the reset (most subprime hybrids carried one
        for the teaser period; [1]_, [5]_), decimal of the house value.
    refi_intensity : float, default calibrated (0.0466)
        Monthly probability that a borrower able to refinance does so. The one
        calibrated number: :func:`calibrate_refi_intensity` sets it so that
        the 2003 vintage is :data:`CALIBRATION_TARGET` refinanced by 2006-12.
    base_hazard : float, default 0.004, range 0.001-0.01
        Monthly default hazard at CLTV 1 before the reset (about 4.7 %/yr).
    beta_equity : float, default 4.0, range 2-8
        Log-slope of the hazard in CLTV: 20 points of negative equity multiply
        it by e^0.8 = 2.2 (negative equity as the necessary condition, [4]_).
    beta_shock : float, default 3.0, range 1-5
        Log-slope of the hazard in the payment shock after the reset.
    volumes : mapping year -> USD bn, optional
        Origination volume of each year, the weights of the aggregate book;
        default :func:`subprime_volumes`.
    reset_index : pandas.Series, optional
        A dated reset index (six-month LIBOR, annual decimal) on a monthly
        DatetimeIndex; the first reset of a loan uses its value in the reset
        month (months past its end hold the last value). Default: the constant
        ``index_rate``. :func:`reset_index_series` builds the sourced one.
    credit_supply : mapping year -> float, optional
        Multiple of ``refi_intensity`` in each calendar year (years outside
        the mapping take the nearest year's value); default 1 throughout.
        :func:`credit_supply_from_volumes` builds the sourced one.

    See Also
    --------
    ArmSpec.sourced : the dated, sourced variant validated against GAO-10-806SP.

    Notes
    -----
    Units: rates annual decimals, LTVs decimals, ages and horizons in months,
    volumes USD bn.
    """

    vintages: tuple[int, ...] = (2001, 2002, 2003, 2004, 2005, 2006, 2007)
    horizon_months: int = 84
    share_228: float = 0.75
    teaser_rate: float = 0.08
    margin: float = 0.06
    index_rate: float = 0.053
    reset_cap: float = 0.03
    piggyback_share: float = 0.30
    piggyback_cltv: tuple[float, float] = (0.97, 1.00)
    ltv_low: float = 0.55
    ltv_high: float = 0.95
    ltv_beta: tuple[float, float] = (5.0, 2.0)
    idio_vol: float = 0.10
    ltv_limit: float = 0.95
    refi_cost: float = 0.03
    prepay_penalty: float = 0.03
    refi_intensity: float = _CALIBRATED_REFI_INTENSITY
    base_hazard: float = 0.004
    beta_equity: float = 4.0
    beta_shock: float = 3.0
    volumes: Mapping[int, float] | None = field(default=None, hash=False)
    reset_index: pd.Series | None = field(default=None, hash=False, compare=False, repr=False)
    credit_supply: Mapping[int, float] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        name = type(self).__name__

        def bad(param: str, expected: str) -> SpecError:
            return SpecError(
                f"The '{param}' parameter of {name} must be {expected}. Got {getattr(self, param)!r} instead."
            )

        if not self.vintages or any(not isinstance(y, int | np.integer) for y in self.vintages):
            raise bad("vintages", "a non-empty tuple of years (int)")
        if list(self.vintages) != sorted(set(self.vintages)):
            raise bad("vintages", "sorted, unique years")
        if not (isinstance(self.horizon_months, int | np.integer) and 1 <= self.horizon_months <= 480):
            raise bad("horizon_months", "an int in [1, 480]")
        for p in ("share_228", "piggyback_share"):
            if not 0.0 <= getattr(self, p) <= 1.0:
                raise bad(p, "a float in [0, 1]")
        lo, hi = self.piggyback_cltv
        if not 0.0 < lo <= hi:
            raise bad("piggyback_cltv", "a range (low, high) of LTVs with 0 < low <= high (LTV must be > 0)")
        if not self.ltv_low > 0.0:
            raise bad("ltv_low", "an LTV > 0")
        if not self.ltv_high >= self.ltv_low:
            raise bad("ltv_high", f"an LTV >= ltv_low ({self.ltv_low})")
        if min(self.ltv_beta) <= 0:
            raise bad("ltv_beta", "two positive Beta shape parameters")
        for p in ("teaser_rate", "margin", "index_rate", "reset_cap", "idio_vol", "refi_cost", "prepay_penalty",
                  "beta_equity", "beta_shock"):
            if not (np.isfinite(getattr(self, p)) and getattr(self, p) >= 0.0):
                raise bad(p, "a finite float >= 0")
        if not self.teaser_rate > 0:
            raise bad("teaser_rate", "a float > 0")
        if not self.ltv_limit > 0.0:
            raise bad("ltv_limit", "an LTV > 0")
        if not 0.0 <= self.refi_intensity <= 1.0:
            raise bad("refi_intensity", "a monthly probability in [0, 1]")
        if not 0.0 <= self.base_hazard <= 1.0:
            raise bad("base_hazard", "a monthly probability in [0, 1]")
        if self.volumes is not None:
            missing = [y for y in self.vintages if y not in self.volumes]
            if missing:
                raise SpecError(f"{name}: 'volumes' has no origination volume for vintage(s) {missing}.")
            if any(not float(self.volumes[y]) > 0 for y in self.vintages):
                raise bad("volumes", "positive USD bn for every vintage")
        else:
            known = subprime_volumes()
            missing = [y for y in self.vintages if y not in known]
            if missing:
                raise SpecError(
                    f"{name}: no default origination volume for vintage(s) {missing} (the embedded "
                    f"series covers {min(known)}-{max(known)}); pass volumes={{year: usd_bn}}."
                )

    # ------------------------------------------------------------------ derived
    @property
    def volume_by_year(self) -> dict[int, float]:
        vols = self.volumes if self.volumes is not None else subprime_volumes()
        return {int(y): float(vols[y]) for y in self.vintages}

    @classmethod
    def sourced(cls, **changes) -> ArmSpec:
        """The dated variant: reset index and credit supply from ``data/arm_inputs.yaml``.

        The refinance intensity is recalibrated on this variant to the same
        target as the default (:data:`CALIBRATION_TARGET`, the 2003 vintage by
        2006-12; ``tests/treadmill/results/calibrate_arm.py``); nothing else is
        fitted. Keyword arguments override fields.
        """
        spec = cls(reset_index=reset_index_series(), credit_supply=credit_supply_from_volumes(),
                   refi_intensity=_CALIBRATED_REFI_INTENSITY_SOURCED)
        return replace(spec, **changes) if changes else spec

    @classmethod
    def sourced_without_supply(cls, **changes) -> ArmSpec:
        """:meth:`sourced` without the credit-supply series, recalibrated to the same 2003 target.

        The credit supply (origination volume over its 2005 peak, 2007 at 31 %)
        is an outcome of the crisis, so figures that depend on it are
        conditional on that outcome; this variant holds the refinance
        intensity constant instead (the one number recalibrated to
        :data:`CALIBRATION_TARGET`, ``tests/treadmill/results/calibrate_arm.py``).
        """
        spec = cls.sourced(credit_supply=None, refi_intensity=_CALIBRATED_REFI_INTENSITY_NO_SUPPLY)
        return replace(spec, **changes) if changes else spec

    def index_at(self, months: np.ndarray) -> np.ndarray:
        """Reset index (annual decimal) at month numbers (``year * 12 + month - 1``)."""
        months = np.asarray(months, dtype=np.int64)
        if self.reset_index is None:
            return np.full(months.shape, float(self.index_rate))
        idx = self.reset_index
        known = month_number(idx.index)
        pos = np.clip(np.searchsorted(known, months, side="right") - 1, 0, known.size - 1)
        return idx.to_numpy(dtype=float)[pos]

    def supply_at(self, months: np.ndarray) -> np.ndarray:
        """Credit-supply multiple of the refinance intensity at month numbers (1 without a supply path)."""
        months = np.asarray(months, dtype=np.int64)
        if self.credit_supply is None:
            return np.ones(months.shape)
        years = np.array(sorted(self.credit_supply), dtype=np.int64)
        values = np.array([float(self.credit_supply[y]) for y in years])
        pos = np.clip(np.searchsorted(years, months // 12, side="right") - 1, 0, years.size - 1)
        return values[pos]

    def shocks(self) -> tuple[float, float]:
        """Payment shock of a 2/28 and of a 3/27 at their first reset (decimals)."""
        return (
            payment_shock(self.teaser_rate, self.margin, self.index_rate, self.reset_cap, 24),
            payment_shock(self.teaser_rate, self.margin, self.index_rate, self.reset_cap, 36),
        )

    def run(
        self,
        prices: pd.Series,
        n_loans: int = 200_000,
        seed: int = 0,
        *,
        n_workers: int | None = None,
        on_progress: Callable[[int], None] | None = None,
        use_numba: bool = True,
        client: Any = None,
    ) -> ArmResult:
        """Simulate every monthly vintage on a home-price path.

        Parameters
        ----------
        prices : pandas.Series
            Monthly home-price index (any positive level) on a DatetimeIndex;
            Case-Shiller U.S. National NSA by default in the CLI.
        n_loans : int, default 200_000
            Loans in all, split evenly over the monthly vintages (at least one each: fewer
            loans than vintages raise SpecError); the remainder of the division is not run.
        seed : int, default 0
            Root of the ``SeedSequence`` (:func:`borrowedtime._montecarlo.map_chunks`,
            one chunk per monthly vintage).
        n_workers : int, optional
            Threads running vintages (default: the number of CPUs). Results do not depend on it.
        on_progress : callable, optional
            Called with the number of loans finished after each block.
        use_numba : bool, default True
            False runs the plain-Python reference kernel (slow; for checks).
        client : distributed.Client, optional
            Run the vintages on this Dask cluster instead of local threads (same numbers).

        Returns
        -------
        ArmResult

        Raises
        ------
        DataError
            The price series is not monthly, or a vintage month is outside it.
        """
        p = _monthly_prices(prices)
        counts = self._simulate_paths(np.log(p.to_numpy())[None, :], p.index, p.name, None, n_loans, seed,
                                      n_workers=n_workers, on_progress=on_progress, use_numba=use_numba,
                                      client=client)
        return self._result(p, counts)

    def _result(self, prices: pd.Series, counts: _PathCounts) -> ArmResult:
        return ArmResult(
            spec=self,
            prices=prices,
            vintage_dates=month_dates(counts.vintage_months),
            n_per_vintage=counts.per_vintage,
            n_months=counts.n_months,
            refi_by_age=counts.refi.sum(axis=1),
            default_by_age=counts.default.sum(axis=1),
            reset_hits=counts.reset,
            seed=counts.seed,
        )

    def _simulate_paths(
        self,
        log_p: np.ndarray,
        dates: pd.DatetimeIndex,
        name: str,
        state_p: np.ndarray | None,
        n_loans: int,
        seed: int,
        *,
        n_workers: int | None = None,
        on_progress: Callable[[int], None] | None = None,
        use_numba: bool = True,
        client: Any = None,
    ) -> _PathCounts:
        """Simulate every monthly vintage on ``S`` log price paths (rows of ``log_p``, on ``dates``).

        ``state_p`` (V, S) gives each vintage's probabilities of drawing each path; ``None``
        means one path (the national run). Counts come back by vintage, path and age.
        """
        root = check_seed(seed, "ArmSpec.run: seed")
        if not (isinstance(n_loans, int | np.integer) and n_loans >= 1):
            raise SpecError(f"n_loans must be an int >= 1. Got {n_loans!r}.")
        months = month_number(dates)
        first_v = self.vintages[0] * 12
        last_v = self.vintages[-1] * 12 + 11
        if first_v < months[0] or last_v > months[-1]:
            lo, hi = dates[0], dates[-1]
            bad = self.vintages[0] if first_v < months[0] else self.vintages[-1]
            raise DataError(
                f"{name}: vintage {bad} is outside the price series ({lo:%Y-%m}..{hi:%Y-%m}); every "
                f"origination month {self.vintages[0]}-01..{self.vintages[-1]}-12 needs a price. Give a "
                "longer series or fewer vintages."
            )
        vintage_months = np.arange(first_v, last_v + 1)
        n_v = vintage_months.size
        n_s = log_p.shape[0]
        if n_loans < n_v:  # one loan per monthly vintage at least; never more loans than asked for, silently
            raise SpecError(f"n_loans must be >= {n_v}, the number of monthly vintages (one loan each). "
                            f"Got {n_loans}.")
        per_vintage = int(n_loans) // n_v
        H = int(self.horizon_months)
        bal = balance_factor(self.teaser_rate, np.arange(1, H + 1))
        # payment shocks at the reset month of each vintage, and the refinance probability by age
        shocks = np.array([
            [payment_shock(self.teaser_rate, self.margin, rate, self.reset_cap, age)
             for age, rate in ((24, self.index_at(v + 24)), (36, self.index_at(v + 36)))]
            for v in vintage_months
        ])
        ages = np.arange(1, H + 1)
        refi_prob = self.refi_intensity * self.supply_at(vintage_months[:, None] + ages[None, :])
        if not (refi_prob <= 1.0).all():
            raise SpecError(
                f"{type(self).__name__}: refi_intensity x credit_supply exceeds 1 "
                f"(max {refi_prob.max():.3f}); a monthly probability must be <= 1."
            )
        # (V, S, H) log price change since origination, by age 1..H, on every path at once
        pos = (vintage_months - months[0]).astype(np.int64)
        n_months_v = np.minimum(H, log_p.shape[1] - 1 - pos)
        age_pos = pos[:, None] + ages[None, :]
        seen = ages[None, :] <= n_months_v[:, None]
        take = np.where(seen, age_pos, pos[:, None])
        dlp = log_p[:, take] - log_p[:, pos][:, :, None]  # (S, V, H)
        dlp = np.where(seen[None], dlp, 0.0).transpose(1, 0, 2).copy()
        inputs_ = _VintageInputs(self, dlp, n_months_v, bal, shocks, refi_prob, per_vintage, use_numba, state_p)
        progress = None if on_progress is None else (lambda done, total: on_progress(per_vintage))
        # one chunk = one monthly vintage: chunk v draws from SeedSequence(seed).spawn(n_v)[v]
        parts = map_chunks(_simulate_vintages, n_v, seed=root, chunk_size=1, args=(inputs_,),
                           threads=n_workers, progress=progress, client=client)
        return _PathCounts(
            vintage_months=vintage_months,
            per_vintage=per_vintage,
            n_months=n_months_v,
            refi=np.concatenate([q[0] for q in parts]),
            default=np.concatenate([q[1] for q in parts]),
            reset=np.concatenate([q[2] for q in parts]),
            loans=np.concatenate([q[3] for q in parts]).reshape(n_v, n_s),
            seed=root,
        )

    def _draw(self, rng: np.random.Generator, size: int, H: int) -> dict[str, np.ndarray]:
        """The random inputs of one block, in a fixed order (the kernel's only randomness)."""
        is_228 = rng.random(size) < self.share_228
        piggy = rng.random(size) < self.piggyback_share
        lo, hi = self.piggyback_cltv
        cltv_piggy = rng.uniform(lo, hi, size)
        a, b = self.ltv_beta
        ltv_other = self.ltv_low + (self.ltv_high - self.ltv_low) * rng.beta(a, b, size)
        z = rng.standard_normal((size, H))
        u = rng.random((size, H))
        return {
            "ltv0": np.where(piggy, cltv_piggy, ltv_other),
            "reset_age": np.where(is_228, 24, 36).astype(np.int64),
            "z": z,
            "u": u,
        }


class _VintageInputs(NamedTuple):
    """What every vintage chunk shares (scattered once on Dask)."""

    spec: ArmSpec
    dlp: np.ndarray  # (V, S, H) log price change since origination on each path, by age 1..H
    n_months: np.ndarray  # (V,) months observed
    bal: np.ndarray  # (H,) scheduled balance factor by age 1..H
    shocks: np.ndarray  # (V, 2) payment shock of a 2/28 and a 3/27 at their reset
    refi_prob: np.ndarray  # (V, H) monthly refinance probability of an eligible borrower, by age
    per_vintage: int
    use_numba: bool
    state_p: np.ndarray | None = None  # (V, S) probability of each path (None: one path)


class _PathCounts(NamedTuple):
    """Exact counts of one run by vintage, path (state) and age."""

    vintage_months: np.ndarray  # (V,) month numbers
    per_vintage: int
    n_months: np.ndarray  # (V,)
    refi: np.ndarray  # (V, S, H+1)
    default: np.ndarray  # (V, S, H+1)
    reset: np.ndarray  # (V,)
    loans: np.ndarray  # (V, S) loans drawn on each path
    seed: int


def _simulate_vintages(
    rng: np.random.Generator, n: int, start: int, x: _VintageInputs
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Monte Carlo kernel: vintages ``start .. start+n-1``; counts by path and age, reset hits, loans by path.

    Each vintage's loans run in blocks of :data:`BLOCK_SIZE` drawing from
    ``rng.spawn(n_blocks)`` (children of the chunk's ``SeedSequence``). With
    several paths, each loan's path (state) is drawn after every other input
    of its block, so the loans' own draws do not depend on the weights; the
    compiled kernel then runs once per path on that path's loans.
    """
    spec = x.spec
    n_s, H = x.dlp.shape[1], x.bal.size
    kernel = _kernels.simulate_loans if x.use_numba else _kernels.simulate_loans_python
    sigma_m = spec.idio_vol / np.sqrt(12.0)
    n_blocks = -(-x.per_vintage // BLOCK_SIZE)
    refi = np.zeros((n, n_s, H + 1), dtype=np.int64)
    default = np.zeros((n, n_s, H + 1), dtype=np.int64)
    reset = np.zeros(n, dtype=np.int64)
    loans = np.zeros((n, n_s), dtype=np.int64)
    for j in range(n):
        v = start + j
        for b, block_rng in enumerate(rng.spawn(n_blocks)):
            size = min(BLOCK_SIZE, x.per_vintage - b * BLOCK_SIZE)
            draws = spec._draw(block_rng, size, H)
            shock = np.where(draws["reset_age"] == 24, x.shocks[v, 0], x.shocks[v, 1])
            if x.state_p is None:
                groups = [(0, slice(None))]
            else:
                state = block_rng.choice(n_s, size=size, p=x.state_p[v])
                groups = [(int(s), np.flatnonzero(state == s)) for s in np.unique(state)]
            for s, idx in groups:
                m = size if isinstance(idx, slice) else idx.size
                exit_age = np.zeros(m, dtype=np.int32)
                exit_kind = np.zeros(m, dtype=np.int8)
                reset_hit = np.zeros(m, dtype=np.bool_)
                kernel(
                    draws["ltv0"][idx], draws["reset_age"][idx], shock[idx], draws["z"][idx], draws["u"][idx],
                    x.dlp[v, s], x.bal, int(x.n_months[v]), float(sigma_m), float(spec.ltv_limit),
                    float(spec.refi_cost), float(spec.prepay_penalty), x.refi_prob[v], float(spec.base_hazard),
                    float(spec.beta_equity), float(spec.beta_shock), exit_age, exit_kind, reset_hit,
                )
                refi[j, s] += np.bincount(exit_age[exit_kind == _kernels.REFI], minlength=H + 1)
                default[j, s] += np.bincount(exit_age[exit_kind == _kernels.DEFAULT], minlength=H + 1)
                reset[j] += int(reset_hit.sum())
                loans[j, s] += m
    return refi, default, reset, loans


def _monthly_prices(prices: pd.Series) -> pd.Series:
    p = as_series(prices, name=str(prices.name or "prices"), min_obs=13)
    freq = p.attrs.get("frequency")
    if getattr(freq, "name", None) != "monthly":
        raise DataError(
            f"{p.name}: the treadmill needs a monthly home-price series; this one is {freq}. "
            "Resample it to months first."
        )
    return p


def turn_date(series: pd.Series, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> pd.Timestamp:
    """Date a series turned up for good: its minimum between ``start`` and its later peak.

    The peak is the maximum over ``[start, end]``; the turn is the last
    minimum before it (the trough the rise to the peak starts from).

    Parameters
    ----------
    series : pandas.Series
        A rate on a DatetimeIndex (the book's default rate, a delinquency rate).
    start, end : date-like, optional
        Window searched.
    """
    s = series.dropna()
    s = s.loc[start:end] if start is not None or end is not None else s
    if s.size < 3:
        raise DataError(f"turn_date: fewer than 3 observations of {series.name!r} in the window.")
    peak = s.idxmax()
    before = s.loc[:peak]
    values = before.to_numpy()
    last_min = int(np.flatnonzero(values == values.min())[-1])
    return before.index[last_min]


@dataclass(frozen=True, eq=False)
class ArmResult(Summarised):
    """Counts of refinances and defaults by monthly vintage and age (frozen).

    Attributes
    ----------
    spec : ArmSpec
    prices : pandas.Series
        The driving price series.
    vintage_dates : DatetimeIndex
        Origination month of each monthly vintage (first of month).
    n_per_vintage : int
        Loans simulated in each monthly vintage.
    n_months : (V,) int
        Months observed per vintage (the horizon, or fewer at the series end).
    refi_by_age, default_by_age : (V, H+1) int
        Loans refinanced / defaulted at each age in months (column 0 unused).
    reset_hits : (V,) int
        Loans still outstanding at their first reset.
    seed : int
        Root seed used.
    """

    spec: ArmSpec
    prices: pd.Series
    vintage_dates: pd.DatetimeIndex
    n_per_vintage: int
    n_months: np.ndarray
    refi_by_age: np.ndarray
    default_by_age: np.ndarray
    reset_hits: np.ndarray
    seed: int

    @property
    def n_loans(self) -> int:
        return int(self.n_per_vintage * self.vintage_dates.size)

    # ------------------------------------------------------------------ calendar panels
    def _calendar(self) -> pd.DatetimeIndex:
        first = month_number(self.vintage_dates)[0]
        last = month_number(self.vintage_dates)[-1] + self.spec.horizon_months
        return month_dates(np.arange(first, last + 1))

    def _by_calendar(self, counts: np.ndarray) -> np.ndarray:
        """(V, C) counts placed at calendar month = origination + age."""
        cal = self._calendar()
        out = np.zeros((counts.shape[0], cal.size), dtype=np.int64)
        H = self.spec.horizon_months
        for v in range(counts.shape[0]):
            out[v, v + 1 : v + 1 + H] = counts[v, 1:]
        return out

    def cumulative_share(self, kind: str = "refinanced") -> pd.DataFrame:
        """Cumulative share of each origination year's loans that refinanced or defaulted, by month.

        Parameters
        ----------
        kind : {"refinanced", "defaulted"}

        Returns
        -------
        DataFrame
            Calendar months by origination year, decimals; NaN past the price series.
        """
        counts = {"refinanced": self.refi_by_age, "defaulted": self.default_by_age}.get(kind)
        if counts is None:
            raise SpecError(f"kind must be 'refinanced' or 'defaulted'. Got {kind!r}.")
        cal = self._calendar()
        panel = self._by_calendar(counts)
        years = self.vintage_dates.year
        frame = {}
        for y in self.spec.vintages:
            rows = years == y
            frame[y] = panel[rows].sum(axis=0).cumsum() / (rows.sum() * self.n_per_vintage)
        out = pd.DataFrame(frame, index=cal)
        out.columns.name = "vintage"
        out.loc[out.index > self.prices.index[-1]] = np.nan
        return out

    def share_by(self, kind: str, date: str | pd.Timestamp) -> pd.Series:
        """Share of each origination year refinanced/defaulted by the end of a month (NaN if unobserved)."""
        when = pd.Timestamp(date).to_period("M").to_timestamp()
        cum = self.cumulative_share(kind)
        if when > self.prices.index[-1] or when not in cum.index:
            if when < cum.index[0]:
                return pd.Series(0.0, index=cum.columns, name=kind)
            return pd.Series(np.nan, index=cum.columns, name=kind)
        return cum.loc[when].rename(kind)

    def reset_exposed(self) -> pd.Series:
        """Share of each origination year still outstanding at its first reset (the treadmill failed).

        NaN for a year some of whose loans could not reach a 36-month reset
        before the price series ends (censored).
        """
        years = self.vintage_dates.year
        out = {}
        for y in self.spec.vintages:
            rows = years == y
            seen = self.n_months[rows].min() >= 36
            out[y] = self.reset_hits[rows].sum() / (rows.sum() * self.n_per_vintage) if seen else np.nan
        return pd.Series(out, name="reset_exposed")

    def book(self) -> pd.DataFrame:
        """The aggregate book by calendar month, vintages weighted by origination volume.

        Columns: ``outstanding`` (USD bn of original balance still outstanding
        at the start of the month), ``defaults`` and ``refinances`` (USD bn),
        ``default_rate`` and ``refi_rate`` (monthly, decimal of outstanding).
        """
        cal = self._calendar()
        vols = self.spec.volume_by_year
        w = np.array([vols[y] / 12.0 / self.n_per_vintage for y in self.vintage_dates.year])
        exited = np.cumsum(self.refi_by_age + self.default_by_age, axis=1)
        # alive at the start of age a (columns 1..H): loans minus exits at ages < a
        alive = self.n_per_vintage - np.concatenate([np.zeros_like(exited[:, :1]), exited[:, :-1]], axis=1)
        alive[:, 0] = 0
        for v, n in enumerate(self.n_months):
            alive[v, n + 1 :] = 0
        out = pd.DataFrame(
            {
                "outstanding": (self._by_calendar(alive) * w[:, None]).sum(axis=0),
                "defaults": (self._by_calendar(self.default_by_age) * w[:, None]).sum(axis=0),
                "refinances": (self._by_calendar(self.refi_by_age) * w[:, None]).sum(axis=0),
            },
            index=cal,
        )
        out = out.loc[out.index <= self.prices.index[-1]]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["default_rate"] = out["defaults"] / out["outstanding"]
            out["refi_rate"] = out["refinances"] / out["outstanding"]
        return out

    def default_rate_turn(self, smooth_months: int = 13) -> pd.Timestamp:
        """Month the book's default rate turned up for good (a hindsight dating).

        The centred ``smooth_months`` mean of the monthly default rate (two-sided:
        this dates a past turn, it is not a real-time signal), from two years
        after the first vintage (a seasoned book) to its peak within two years
        after the last vintage; the turn is the last minimum before that peak
        (:func:`turn_date`). The centred year-long window also removes the
        seasonality the NSA price index passes to defaults; across seeds at
        200,000 loans the date moves by about +-3 months.
        """
        rate = self.book()["default_rate"].rolling(smooth_months, center=True).mean()
        start = self.vintage_dates[0] + pd.DateOffset(months=24)
        end = self.vintage_dates[-1] + pd.DateOffset(months=24)
        return turn_date(rate, start, end)

    def price_yoy(self) -> pd.Series:
        """Year-over-year growth of the driving price series, decimal."""
        return year_over_year(self.prices).rename("price_yoy")

    def price_yoy_negative(self, after: str = "2004-01-01") -> pd.Timestamp | None:
        """First month after ``after`` the price series' year-over-year growth was negative (None if never)."""
        yoy = self.price_yoy().loc[after:]
        neg = yoy[yoy < 0]
        return None if neg.empty else neg.index[0]

    # ------------------------------------------------------------------ validation
    def gao_validation(self) -> pd.DataFrame:
        """Shares by 2009-09 against GAO-10-806SP (published values in ``data/arm_inputs.yaml``).

        ``troubled`` is the model's cumulative default share (GAO: in default
        + in foreclosure + foreclosure completed), ``prepaid`` its cumulative
        refinanced share. The 2003 vintage is the calibration vintage (its
        2006 refinanced share is fitted); 2005-2007 are out of sample.

        Returns
        -------
        DataFrame
            Columns ``vintage``, ``measure``, ``sample``, ``model``,
            ``published``, ``relative_error`` (model / published - 1),
            ``within_target`` (|relative error| <= :data:`VALIDATION_TOLERANCE`);
            decimals. Vintages not simulated or not observed by 2009-09 are left out.
        """
        cohorts = arm_inputs()["gao_10_806sp"]["cohorts"]
        troubled = self.share_by("defaulted", VALIDATION_DATE)
        prepaid = self.share_by("refinanced", VALIDATION_DATE)
        rows = []
        for year, pub in sorted(cohorts.items()):
            year = int(year)
            if year not in self.spec.vintages or np.isnan(troubled[year]):
                continue
            published = {
                "troubled": (pub["default"] + pub["foreclosure"] + pub["completed"]) / 100.0,
                "prepaid": pub["prepaid"] / 100.0,
            }
            model = {"troubled": float(troubled[year]), "prepaid": float(prepaid[year])}
            for measure in ("troubled", "prepaid"):
                rel = model[measure] / published[measure] - 1.0
                rows.append({
                    "vintage": year,
                    "measure": measure,
                    "sample": "calibration vintage" if year == 2003 else "out of sample",
                    "model": model[measure],
                    "published": published[measure],
                    "relative_error": rel,
                    "within_target": bool(abs(rel) <= VALIDATION_TOLERANCE),
                })
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ output
    def to_frame(self) -> pd.DataFrame:
        """One row per origination year: the essay's measures, decimals of the year's loans.

        Columns: ``refinanced_by_2006_end``, ``defaulted_by_2008_end``,
        ``reset_exposed``, ``refinanced_within_24m`` (refinanced at an age of
        at most 24 months, the teaser period every loan shares: comparable
        across vintages, NaN when censored), ``troubled_by_2009_09`` and
        ``prepaid_by_2009_09`` (defaulted / refinanced by the end of
        September 2009, the date of GAO-10-806SP), ``volume_usd_bn``.
        """
        years = self.vintage_dates.year
        n_year = {y: (years == y).sum() * self.n_per_vintage for y in self.spec.vintages}
        early = self.refi_by_age[:, 1:25].sum(axis=1)
        within_24m = {
            y: early[years == y].sum() / n_year[y] if self.n_months[years == y].min() >= 24 else np.nan
            for y in self.spec.vintages
        }
        frame = pd.DataFrame(
            {
                "refinanced_by_2006_end": self.share_by("refinanced", "2006-12-01"),
                "defaulted_by_2008_end": self.share_by("defaulted", "2008-12-01"),
                "reset_exposed": self.reset_exposed(),
                "refinanced_within_24m": pd.Series(within_24m),
                "troubled_by_2009_09": self.share_by("defaulted", VALIDATION_DATE),
                "prepaid_by_2009_09": self.share_by("refinanced", VALIDATION_DATE),
                "volume_usd_bn": pd.Series(self.spec.volume_by_year),
            }
        )
        frame.index.name = "vintage"
        return frame

    def summary(self) -> str:
        frame = self.to_frame()
        yoy_neg = self.price_yoy_negative()
        lines = [
            "Hybrid-ARM treadmill (2/28 and 3/27 cohorts, loan level)",
            f"  price series: {self.prices.name} {self.prices.index[0]:%Y-%m}..{self.prices.index[-1]:%Y-%m}   "
            f"loans: {self.n_loans:,} ({self.n_per_vintage:,} per monthly vintage)   seed: {self.seed}",
            f"  model: {'dated reset index + credit supply (ArmSpec.sourced)' if self.spec.reset_index is not None else 'constant reset index'}   "
            f"refinance intensity (calibrated): {self.spec.refi_intensity:.4f}/month   "
            f"payment shock 2/28, 3/27: {self.spec.shocks()[0]:+.1%}, {self.spec.shocks()[1]:+.1%}",
            "  vintage  refi<=2006  default<=2008  reset-exposed",
        ]
        for y, row in frame.iterrows():
            cells = [
                "—" if np.isnan(row[c]) else f"{row[c]:.1%}"
                for c in ("refinanced_by_2006_end", "defaulted_by_2008_end", "reset_exposed")
            ]
            lines.append(f"  {y}     {cells[0]:>9}  {cells[1]:>12}  {cells[2]:>12}")
        lines.append(
            f"  default rate turned up: {self.default_rate_turn():%Y-%m}   price YoY first negative: "
            f"{'never' if yoy_neg is None else format(yoy_neg, '%Y-%m')}"
        )
        val = self.gao_validation()
        if not val.empty:
            lines.append("  vs GAO-10-806SP at 2009-09 (model / published, target +-25 %):")
            for _, r in val.iterrows():
                lines.append(
                    f"    {r['vintage']} {r['measure']:<8} {r['model']:6.1%} / {r['published']:6.1%}  "
                    f"{r['relative_error']:+.0%}{'' if r['within_target'] else '  MISSED'}"
                    + ("  (calibration vintage)" if r["sample"] != "out of sample" else "")
                )
        return "\n".join(lines)
