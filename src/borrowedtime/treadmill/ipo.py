r"""The terminal refinance: the two prices of the IPO and the region where none does both.

The IPO is the refinance of last resort (essay, section X). It has two prices:

- the **clearing value** the public market pays: forward (next-twelve-months)
  revenue at the listing date times a revenue multiple, both uncertain
  (lognormal), summarised by the median and a 10-90 % band;
- the **required value** at which the raise the structure needs (the
  cumulative burn to retire plus pre-funded contracted payments, from
  :class:`~borrowedtime.treadmill.rounds.RoundsResult`) fits within a tolerable
  dilution :math:`d`: :math:`V^{req} = F / d`.

The listing is feasible when some price does both, :math:`V^{clear} \ge V^{req}`.
In the plane (dilution limit :math:`d`, revenue multiple :math:`m`) the
feasible region is :math:`m \ge F / (d\, R^{fwd})`, a hyperbola; the essay's
step from USD 852 bn to about 1,048 bn is the point
:math:`(F/1048,\ 1048/R^{fwd})`: the dilution it needs and the multiple it asks.

Units: USD bn, decimals for shares, multiples as ratios.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from borrowedtime._montecarlo import as_generator
from borrowedtime.datasets import treadmill_inputs
from borrowedtime.errors import SpecError
from borrowedtime.treadmill.rounds import RoundsResult, RoundsSpec

__all__ = ["IpoSpec", "IpoResult"]


def _ipo_defaults() -> dict:
    return dict(treadmill_inputs()["ipo"]["revenue_multiple"])


@dataclass(frozen=True)
class IpoSpec:
    """Settings of the terminal refinance.

    Parameters
    ----------
    multiple_median : float, optional
        Median forward revenue multiple of the public market (default 12, from
        ``data/treadmill_inputs.yaml``: a judgement from public comparables).
    multiple_log_sd : float, optional
        Log standard deviation of the multiple (default 0.35).
    revenue_log_sd : float, default 0.25
        Log standard deviation of forward revenue around the projection (the
        company's projections have moved by a quarter within a year).
    n_draws : int, default 20_000
        Monte Carlo draws of (revenue, multiple).
    """

    multiple_median: float | None = None
    multiple_log_sd: float | None = None
    revenue_log_sd: float = 0.25
    n_draws: int = 20_000

    def __post_init__(self) -> None:
        name = type(self).__name__
        if self.multiple_median is not None and not self.multiple_median > 0:
            raise SpecError(f"The 'multiple_median' parameter of {name} must be > 0. Got {self.multiple_median!r}.")
        for p in ("multiple_log_sd", "revenue_log_sd"):
            v = getattr(self, p)
            if v is not None and not v >= 0:
                raise SpecError(f"The '{p}' parameter of {name} must be >= 0. Got {v!r}.")
        if not self.n_draws >= 100:
            raise SpecError(f"The 'n_draws' parameter of {name} must be >= 100. Got {self.n_draws!r}.")

    def run(
        self, rounds: RoundsResult | RoundsSpec | None = None, seed: int | np.random.Generator | None = 0
    ) -> IpoResult:
        """Price the IPO of the borrower in ``rounds`` (default: the essay's OpenAI)."""
        if rounds is None:
            rounds = RoundsSpec()
        if isinstance(rounds, RoundsSpec):
            rounds = rounds.run()
        d = _ipo_defaults()
        median = self.multiple_median if self.multiple_median is not None else float(d["median"])
        log_sd = self.multiple_log_sd if self.multiple_log_sd is not None else float(d["log_sd"])
        date = rounds.next_date
        fwd = rounds.flow_between(rounds.revenue, date, date + pd.DateOffset(years=1))
        if not fwd > 0:
            raise SpecError(f"no projected revenue in the twelve months after the IPO date {date.date()}.")
        rng = as_generator(seed)
        revenue_draws = fwd * np.exp(self.revenue_log_sd * rng.standard_normal(self.n_draws))
        multiple_draws = median * np.exp(log_sd * rng.standard_normal(self.n_draws))
        return IpoResult(
            spec=self,
            rounds=rounds,
            date=date,
            forward_revenue=fwd,
            multiple_median=median,
            multiple_log_sd=log_sd,
            clearing_draws=revenue_draws * multiple_draws,
        )


@dataclass(frozen=True, eq=False)
class IpoResult:
    """The two prices of the IPO (frozen). Money in USD bn."""

    spec: IpoSpec
    rounds: RoundsResult
    date: pd.Timestamp
    forward_revenue: float
    multiple_median: float
    multiple_log_sd: float
    clearing_draws: np.ndarray

    @property
    def required_raise(self) -> float:
        return self.rounds.next_raise_required()

    @property
    def dilution_limit(self) -> float:
        return self.rounds.dilution_limit

    @property
    def clearing_value(self) -> float:
        """Median value the public market clears at, USD bn."""
        return float(np.median(self.clearing_draws))

    @cached_property
    def clearing_band(self) -> tuple[float, float]:
        """10 % and 90 % quantiles of the clearing value, USD bn."""
        lo, hi = np.quantile(self.clearing_draws, [0.1, 0.9])
        return float(lo), float(hi)

    @property
    def required_value(self) -> float:
        """Lowest value at which the required raise fits within the dilution limit, USD bn."""
        return self.required_raise / self.dilution_limit

    @property
    def feasible(self) -> bool:
        """True when the median clearing value reaches the required value."""
        return self.clearing_value >= self.required_value

    @property
    def p_feasible(self) -> float:
        """Share of (revenue, multiple) draws whose clearing value reaches the required value."""
        return float(np.mean(self.clearing_draws >= self.required_value))

    def essay_point(self) -> dict:
        """Where the reported next mark (852 -> about 1,048) falls: dilution it needs, multiple it asks."""
        if self.rounds.next_mark is None:
            return {}
        value = self.rounds.next_mark[1]
        needed_dilution = self.required_raise / value
        multiple = value / self.forward_revenue
        return {
            "value": value,
            "step_up": value / float(self.rounds.marks.iloc[-1]),
            "dilution_needed": needed_dilution,
            "multiple_asked": multiple,
            "retires_burn": needed_dilution <= self.dilution_limit,
            "clears_market": value <= self.clearing_value,
            "p_clears": float(np.mean(self.clearing_draws >= value)),
        }

    def region(self, dilutions: np.ndarray | None = None, multiples: np.ndarray | None = None) -> pd.DataFrame:
        """Feasibility over a grid of (dilution limit, revenue multiple): True where a price does both."""
        d = np.linspace(0.02, 0.30, 57) if dilutions is None else np.asarray(dilutions, float)
        m = np.linspace(2.0, 40.0, 77) if multiples is None else np.asarray(multiples, float)
        feasible = m[None, :] * self.forward_revenue >= self.required_raise / d[:, None]
        return pd.DataFrame(feasible, index=pd.Index(d, name="dilution_limit"), columns=pd.Index(m, name="multiple"))

    def boundary_multiple(self, dilutions: np.ndarray) -> np.ndarray:
        """The multiple at which a price first does both, for each dilution limit."""
        return self.required_raise / (np.asarray(dilutions, float) * self.forward_revenue)

    def to_frame(self) -> pd.DataFrame:
        """The two prices and their inputs as one table (USD bn, ratios)."""
        lo, hi = self.clearing_band
        rows = {
            "ipo_date": self.date.date().isoformat(),
            "forward_revenue_usd_bn": self.forward_revenue,
            "multiple_median": self.multiple_median,
            "clearing_value_usd_bn": self.clearing_value,
            "clearing_p10_usd_bn": lo,
            "clearing_p90_usd_bn": hi,
            "required_raise_usd_bn": self.required_raise,
            "dilution_limit": self.dilution_limit,
            "required_value_usd_bn": self.required_value,
            "feasible": self.feasible,
            "p_feasible": self.p_feasible,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def summary(self) -> str:
        lo, hi = self.clearing_band
        e = self.essay_point()
        lines = [
            f"Terminal refinance (IPO on {self.date:%Y-%m-%d})",
            f"  clears at {self.clearing_value:,.0f} bn (10-90%: {lo:,.0f}-{hi:,.0f}) = "
            f"{self.forward_revenue:,.1f} bn forward revenue x {self.multiple_median:.1f}",
            f"  must raise {self.required_raise:,.1f} bn at <= {self.dilution_limit:.0%}: required value "
            f"{self.required_value:,.0f} bn   feasible: {'yes' if self.feasible else 'NO'} "
            f"(P = {self.p_feasible:.2f})",
        ]
        if e:
            lines.append(
                f"  reported target {e['value']:,.0f} bn (x{e['step_up']:.2f}): needs {e['dilution_needed']:.1%} "
                f"dilution, asks {e['multiple_asked']:.1f}x forward revenue; retires the burn: "
                f"{'yes' if e['retires_burn'] else 'no'}; clears (median): {'yes' if e['clears_market'] else 'no'}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
