r"""The terminal refinance: the two prices of the IPO and the region where none does both.

The IPO is the refinance of last resort (essay, section X). It has two prices:

- the **clearing value** the public market pays: forward (next-twelve-months)
  revenue at the listing date times a revenue multiple, both uncertain
  (lognormal), summarised by the median and a 10-90 % band;
- the **required value** at which the raise the structure needs (future
  outflows to the end of the projections minus cash on hand, from
  :class:`~borrowedtime.treadmill.rounds.RoundsResult`) fits within the
  dilution :math:`d` (default: what the company's last two rounds sold):
  :math:`V^{req} = F / d`. When cash on hand covers the outflows, no raise is
  needed and :math:`V^{req} = 0`; :meth:`IpoResult.sensitivity` shows the
  essay's reading (retire the whole cumulative burn) beside it.

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
from borrowedtime._results import Summarised
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
        multiple_z = rng.standard_normal(self.n_draws)
        multiple_draws = median * np.exp(log_sd * multiple_z)
        return IpoResult(
            spec=self,
            rounds=rounds,
            date=date,
            forward_revenue=fwd,
            multiple_median=median,
            multiple_log_sd=log_sd,
            clearing_draws=revenue_draws * multiple_draws,
            revenue_draws=revenue_draws,
            multiple_z=multiple_z,
        )


@dataclass(frozen=True, eq=False)
class IpoResult(Summarised):
    """The two prices of the IPO (frozen). Money in USD bn."""

    spec: IpoSpec
    rounds: RoundsResult
    date: pd.Timestamp
    forward_revenue: float
    multiple_median: float
    multiple_log_sd: float
    clearing_draws: np.ndarray
    revenue_draws: np.ndarray | None = None
    multiple_z: np.ndarray | None = None

    @property
    def required_raise(self) -> float:
        """Raise needed at the listing, USD bn: future outflows to the horizon minus cash on hand (>= 0)."""
        return self.rounds.next_raise_required()

    @property
    def cash_on_hand(self) -> float:
        """Cash on hand at the listing date, USD bn."""
        return self.rounds.cash_on_hand(self.date)

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

    @property
    def p_above_last_mark(self) -> float:
        """Share of draws whose clearing value reaches the last private mark (the listing is not a down round)."""
        return float(np.mean(self.clearing_draws >= float(self.rounds.marks.iloc[-1])))

    def _draws_at(self, multiple: float) -> np.ndarray:
        if self.revenue_draws is None or self.multiple_z is None:
            raise SpecError("this IpoResult carries no draws to re-price; run IpoSpec.run again.")
        return self.revenue_draws * multiple * np.exp(self.multiple_log_sd * self.multiple_z)

    def sensitivity(self, dilutions=None, multiples=None) -> pd.DataFrame:
        """Feasibility over the dilution of the raise and the median public multiple, both readings of the raise.

        Parameters
        ----------
        dilutions : sequence of float, optional
            Default: 10 % (a large-IPO float), the last two rounds' dilution,
            15 % (Facebook 2012) and 20 %.
        multiples : sequence of float, optional
            Median forward revenue multiples; default 8, 12, 16, 20 (the
            top-growth software range of ``data/treadmill_inputs.yaml``).

        Returns
        -------
        pandas.DataFrame
            Indexed by (``dilution``, ``multiple``): ``clearing_median_usd_bn``,
            ``required_value_usd_bn`` and ``p_feasible`` (raise = outflows -
            cash), ``essay_required_value_usd_bn`` and ``p_feasible_essay``
            (raise = the whole cumulative burn, the essay's reading),
            ``p_above_last_mark``. The same draws re-priced at each multiple.
        """
        r = self.rounds
        if dilutions is None:
            d = (r.raised / r.marks)[r.raised > 0].iloc[-2:].tolist()
            dilutions = sorted({0.10, *(round(x, 4) for x in d), 0.15, 0.20})
        multiples = (8.0, 12.0, 16.0, 20.0) if multiples is None else multiples
        last = float(r.marks.iloc[-1])
        rows = []
        for dil in dilutions:
            if not 0 < dil < 1:
                raise SpecError(f"sensitivity: dilutions must be shares in (0, 1). Got {dil!r}.")
            need, essay = self.required_raise / dil, r.essay_raise() / dil
            for m in multiples:
                draws = self._draws_at(float(m))
                rows.append({"dilution": float(dil), "multiple": float(m),
                             "clearing_median_usd_bn": float(np.median(draws)),
                             "required_value_usd_bn": need, "p_feasible": float(np.mean(draws >= need)),
                             "essay_required_value_usd_bn": essay, "p_feasible_essay": float(np.mean(draws >= essay)),
                             "p_above_last_mark": float(np.mean(draws >= last))})
        return pd.DataFrame(rows).set_index(["dilution", "multiple"])

    def to_dict(self) -> dict:
        """JSON-ready summary (money USD bn, shares 0-1)."""
        lo, hi = self.clearing_band
        return {
            "date": self.date.date().isoformat(),
            "forward_revenue_usd_bn": self.forward_revenue,
            "clearing_value": self.clearing_value,
            "clearing_p10": lo,
            "clearing_p90": hi,
            "cash_on_hand_usd_bn": self.cash_on_hand,
            "required_raise_usd_bn": self.required_raise,
            "essay_raise_usd_bn": self.rounds.essay_raise(),
            "dilution": self.dilution_limit,
            "required_value": self.required_value,
            "feasible": bool(self.feasible),
            "p_feasible": self.p_feasible,
            "p_above_last_mark": self.p_above_last_mark,
        }

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

    def _raise(self, basis: str) -> float:
        if basis == "cash":
            return self.required_raise
        if basis == "essay":
            return self.rounds.essay_raise()
        raise SpecError(f"basis must be 'cash' (outflows - cash on hand) or 'essay' (the whole burn). Got {basis!r}.")

    def region(self, dilutions: np.ndarray | None = None, multiples: np.ndarray | None = None,
               basis: str = "cash") -> pd.DataFrame:
        """Feasibility over a grid of (dilution, revenue multiple): True where a price does both.

        ``basis`` is the raise: ``cash`` (future outflows - cash on hand) or
        ``essay`` (the whole cumulative burn, the essay's reading).
        """
        d = np.linspace(0.02, 0.30, 57) if dilutions is None else np.asarray(dilutions, float)
        m = np.linspace(2.0, 40.0, 77) if multiples is None else np.asarray(multiples, float)
        feasible = m[None, :] * self.forward_revenue >= self._raise(basis) / d[:, None]
        return pd.DataFrame(feasible, index=pd.Index(d, name="dilution_limit"), columns=pd.Index(m, name="multiple"))

    def boundary_multiple(self, dilutions: np.ndarray, basis: str = "cash") -> np.ndarray:
        """The multiple at which a price first does both, for each dilution (``basis`` as in :meth:`region`)."""
        return self._raise(basis) / (np.asarray(dilutions, float) * self.forward_revenue)

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
            "cash_on_hand_usd_bn": self.cash_on_hand,
            "required_raise_usd_bn": self.required_raise,
            "dilution": self.dilution_limit,
            "required_value_usd_bn": self.required_value,
            "feasible": self.feasible,
            "p_feasible": self.p_feasible,
            "p_above_last_mark": self.p_above_last_mark,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def summary(self) -> str:
        lo, hi = self.clearing_band
        e = self.essay_point()
        lines = [
            f"Terminal refinance (IPO on {self.date:%Y-%m-%d})",
            f"  clears at {self.clearing_value:,.0f} bn (10-90%: {lo:,.0f}-{hi:,.0f}) = "
            f"{self.forward_revenue:,.1f} bn forward revenue x {self.multiple_median:.1f}",
            f"  cash on hand {self.cash_on_hand:,.1f} bn; must raise {self.required_raise:,.1f} bn at "
            f"{self.dilution_limit:.1%} dilution: required value {self.required_value:,.0f} bn   feasible: "
            f"{'yes' if self.feasible else 'NO'} (P = {self.p_feasible:.2f}); P(at or above the last mark) "
            f"{self.p_above_last_mark:.2f}",
        ]
        if e:
            lines.append(
                f"  reported target {e['value']:,.0f} bn (x{e['step_up']:.2f}): needs {e['dilution_needed']:.1%} "
                f"dilution, asks {e['multiple_asked']:.1f}x forward revenue; retires the burn: "
                f"{'yes' if e['retires_burn'] else 'no'}; clears (median): {'yes' if e['clears_market'] else 'no'}"
            )
        return "\n".join(lines)
