r"""Cash-flow and payoff models of the build-out's instruments, against the tenant's funding capacity.

Essay III: "The instruments that seize -- take-or-pay leases, GPU-collateralized
term loans, asset-backed notes -- are each negatively convex." Each model
here values an instrument at the end of its life as a function of one
number, the tenant's **funding capacity** :math:`x`: the share of its
contracted payments it can fund each year (1 = pays in full; 0.6 = funds
60 %). The payoff chart (``report/credit.py``) draws them side by side: the
credit instruments are capped at par above :math:`x = 1` and fall away
below it (concave: short a put on the tenant's funding), the equity is
close to linear.

* :class:`TakeOrPayLease` -- the lessor's receipts: the funded payments, plus
  re-letting the unfunded capacity at a haircut;
* :class:`GpuTermLoan` -- a delayed-draw term loan in a bankruptcy-remote
  vehicle: non-recourse, amortising, serviced by the lease, with a debt-service
  coverage covenant (a breach sweeps all cash to principal) and GPU
  collateral depreciating on a schedule; on a payment default the lender
  takes the collateral;
* :class:`AbsWaterfall` -- an asset-backed note on the lease receipts with
  senior, mezzanine and equity tranches paid sequentially;
* :class:`CorporateBond` and :class:`Equity` -- the tenant's own bond (par,
  or a recovery share of its funding on default) and its equity (the funding
  left after the contracted payments and debt).

Notes
-----
Units: money in USD bn, rates as decimals, time in years. Payoffs are
undiscounted sums per unit of the instrument's principal (the term loan:
present value at its coupon), or for equity per unit of contracted
payments, so the shapes compare on one axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from borrowedtime.errors import SpecError

__all__ = [
    "TakeOrPayLease",
    "GpuTermLoan",
    "AbsWaterfall",
    "CorporateBond",
    "Equity",
    "payoff_table",
    "convexity",
]


def _capacity(x) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < 0):
        raise SpecError("funding capacity must be finite and >= 0 (1.0: the tenant funds its payments in full).")
    return arr


def _share(value: float, name: str, owner: str) -> float:
    v = float(value)
    if not np.isfinite(v) or not 0.0 <= v <= 1.0:
        raise SpecError(f"The '{name}' parameter of {owner} must be in [0, 1]. Got {value!r} instead.")
    return v


def _positive(value: float, name: str, owner: str) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise SpecError(f"The '{name}' parameter of {owner} must be > 0. Got {value!r} instead.")
    return v


@dataclass(frozen=True)
class TakeOrPayLease:
    """The lessor's side of a take-or-pay capacity contract.

    Parameters
    ----------
    annual_payment_usd_bn : float
        Contracted payment per year.
    term_years : int
        Years of payments.
    relet_share : float, default 0.35
        What unfunded capacity fetches when re-let, per unit of contracted
        payment (GPU rental prices fall as supply arrives after demand turns:
        essay III).
    """

    annual_payment_usd_bn: float = 10.0
    term_years: int = 5
    relet_share: float = 0.35

    def __post_init__(self) -> None:
        _positive(self.annual_payment_usd_bn, "annual_payment_usd_bn", type(self).__name__)
        _positive(self.term_years, "term_years", type(self).__name__)
        _share(self.relet_share, "relet_share", type(self).__name__)

    def cash_flows(self, capacity) -> np.ndarray:
        """Lessor receipts by year, shape ``capacity.shape + (term_years,)`` (USD bn)."""
        x = _capacity(capacity)
        funded = np.minimum(x, 1.0)
        per_year = self.annual_payment_usd_bn * (funded + (1.0 - funded) * self.relet_share)
        return np.repeat(per_year[..., None], int(self.term_years), axis=-1)

    def payoff(self, capacity) -> np.ndarray:
        """Receipts per unit of contracted receipts."""
        return self.cash_flows(capacity).sum(axis=-1) / (self.annual_payment_usd_bn * self.term_years)


@dataclass(frozen=True)
class GpuTermLoan:
    """A GPU-collateralised delayed-draw term loan in a bankruptcy-remote vehicle (like DDTL 5.0, essay IX).

    The vehicle's only income is the tenant's lease payment (``annual_lease_usd_bn``
    times the funding capacity); the loan is non-recourse to the sponsor.
    Each year the vehicle owes interest plus a straight-line amortisation.
    If the debt-service coverage ratio (income over scheduled debt service)
    falls below ``dscr_covenant``, all income is swept to the lender; if
    income falls short of interest plus amortisation, the loan defaults and
    the lender takes the collateral, worth ``collateral_usd_bn`` times the
    remaining share of the GPU depreciation schedule at that date (no
    recourse beyond it).

    Parameters
    ----------
    principal_usd_bn : float, default 3.1
    rate : float, default 0.085
        Coupon (SOFR + 450 bp was reported for DDTL 5.0).
    term_years : int, default 5
    annual_lease_usd_bn : float, default 1.2
    dscr_covenant : float, default 1.2
    collateral_usd_bn : float, default 3.6
        GPU fleet value at closing.
    depreciation : tuple of float
        Share of the fleet's value left after each year (default: a GPU
        schedule losing a quarter, then a third of what remains as new
        generations ship).
    liquidation_haircut : float, default 0.3
        Discount of a forced sale of the fleet.
    """

    principal_usd_bn: float = 3.1
    rate: float = 0.085
    term_years: int = 5
    annual_lease_usd_bn: float = 1.2
    dscr_covenant: float = 1.2
    collateral_usd_bn: float = 3.6
    depreciation: tuple[float, ...] = (0.75, 0.5, 0.33, 0.2, 0.1)
    liquidation_haircut: float = 0.3

    def __post_init__(self) -> None:
        name = type(self).__name__
        for f in ("principal_usd_bn", "term_years", "annual_lease_usd_bn", "dscr_covenant", "collateral_usd_bn"):
            _positive(getattr(self, f), f, name)
        _share(self.rate, "rate", name)
        _share(self.liquidation_haircut, "liquidation_haircut", name)
        d = np.asarray(self.depreciation, float)
        if d.size < int(self.term_years) or np.any(np.diff(d) > 0) or np.any((d < 0) | (d > 1)):
            raise SpecError(f"{name}: depreciation must give a non-increasing share in [0, 1] for each of the "
                            f"{self.term_years} years.")

    def cash_flows(self, capacity) -> dict[str, np.ndarray]:
        """Lender receipts by year and the default year (-1: none), vectorised over capacity."""
        x = np.atleast_1d(_capacity(capacity)).astype(float)
        years = int(self.term_years)
        balance = np.full(x.shape, float(self.principal_usd_bn))
        receipts = np.zeros(x.shape + (years,))
        defaulted = np.full(x.shape, -1, dtype=np.int64)
        alive = np.ones(x.shape, bool)
        amort = self.principal_usd_bn / years
        for t in range(years):
            income = self.annual_lease_usd_bn * np.minimum(x, 1.0)
            interest = balance * self.rate
            scheduled = interest + np.minimum(amort, balance)
            breach = income < self.dscr_covenant * scheduled
            fails = alive & (income < scheduled)
            # payment default: the lender takes the income and the collateral (non-recourse)
            collateral = self.collateral_usd_bn * self.depreciation[t] * (1.0 - self.liquidation_haircut)
            recovery = np.minimum(income + collateral, balance + interest)
            receipts[fails, t] = recovery[fails]
            defaulted[fails] = t
            balance = np.where(fails, 0.0, balance)
            ok = alive & ~fails
            # covenant breach: all income sweeps to interest and principal
            paid = np.where(breach, np.minimum(income, balance + interest), scheduled)
            receipts[ok, t] = paid[ok]
            balance = np.where(ok, np.maximum(balance - (paid - interest), 0.0), balance)
            alive = ok & (balance > 1e-12)
        return {"receipts": receipts, "default_year": defaulted}

    def payoff(self, capacity) -> np.ndarray:
        """Present value of the lender's receipts at the loan's coupon, per unit of principal.

        Discounting at the coupon makes a performing loan and one prepaid by the
        covenant sweep both worth par; only a default loses value.
        """
        receipts = self.cash_flows(capacity)["receipts"]
        disc = (1.0 + self.rate) ** -np.arange(1, int(self.term_years) + 1)
        out = receipts @ disc / self.principal_usd_bn
        return out.reshape(np.shape(capacity)) if np.ndim(capacity) else float(out[0])


@dataclass(frozen=True)
class AbsWaterfall:
    """An asset-backed note on take-or-pay receipts: senior, mezzanine and equity tranches, sequential.

    Parameters
    ----------
    lease : TakeOrPayLease
        The receivable pool (its receipts over the term are the collateral).
    senior, mezzanine : float
        Tranche sizes as shares of the contracted receipts (equity is the rest).
    """

    lease: TakeOrPayLease = TakeOrPayLease()
    senior: float = 0.70
    mezzanine: float = 0.15

    def __post_init__(self) -> None:
        name = type(self).__name__
        _share(self.senior, "senior", name)
        _share(self.mezzanine, "mezzanine", name)
        if self.senior + self.mezzanine >= 1.0:
            raise SpecError(f"{name}: senior + mezzanine must leave an equity tranche (sum < 1).")

    def payoff(self, capacity) -> dict[str, np.ndarray]:
        """Each tranche's receipts per unit of its size."""
        pool = self.lease.payoff(capacity)  # per unit of contracted receipts
        s, m = self.senior, self.mezzanine
        e = 1.0 - s - m
        return {
            "senior": np.minimum(pool, s) / s,
            "mezzanine": np.clip(pool - s, 0.0, m) / m,
            "equity": np.clip(pool - s - m, 0.0, None) / e,
        }


@dataclass(frozen=True)
class CorporateBond:
    """The tenant's own bond: par when it funds its obligations, a recovery share of its funding when not.

    Parameters
    ----------
    recovery : float, default 0.4
        Recovery per unit of funding capacity on default.
    """

    recovery: float = 0.4

    def __post_init__(self) -> None:
        _share(self.recovery, "recovery", type(self).__name__)

    def payoff(self, capacity) -> np.ndarray:
        x = _capacity(capacity)
        return np.where(x >= 1.0, 1.0, self.recovery * x)


@dataclass(frozen=True)
class Equity:
    """The tenant's equity: what its funding leaves after the contracted payments and debt.

    Parameters
    ----------
    obligations : float, default 0.2
        Claims senior to equity, per unit of contracted payments (a small
        number for a lab funded by equity, so the payoff is near-linear).
    """

    obligations: float = 0.2

    def __post_init__(self) -> None:
        if not np.isfinite(self.obligations) or self.obligations < 0:
            raise SpecError(f"The 'obligations' parameter of Equity must be >= 0. Got {self.obligations!r}.")

    def payoff(self, capacity) -> np.ndarray:
        x = _capacity(capacity)
        return np.maximum(x - self.obligations, 0.0)


def payoff_table(capacity=None) -> dict[str, np.ndarray]:
    """Payoffs of every instrument on a grid of funding capacity (default 0 to 2 in 81 steps)."""
    x = np.linspace(0.0, 2.0, 81) if capacity is None else _capacity(capacity)
    lease = TakeOrPayLease()
    abs_ = AbsWaterfall(lease)
    tranches = abs_.payoff(x)
    return {
        "capacity": x,
        "take_or_pay_lease": lease.payoff(x),
        "gpu_term_loan": GpuTermLoan().payoff(x),
        "abs_senior": tranches["senior"],
        "abs_mezzanine": tranches["mezzanine"],
        "abs_equity": tranches["equity"],
        "corporate_bond": CorporateBond().payoff(x),
        "equity": Equity().payoff(x),
    }


def convexity(x: np.ndarray, payoff: np.ndarray, around: float = 1.0, width: float = 0.5) -> float:
    r"""Chord convexity around ``around``: :math:`(f(a+w) + f(a-w))/2 - f(a)`, < 0 for concave payoffs."""
    f = np.interp([around - width, around, around + width], x, payoff)
    return float(0.5 * (f[0] + f[2]) - f[1])
