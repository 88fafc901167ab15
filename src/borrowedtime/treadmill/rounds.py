r"""The up-round borrower: a lab whose funding event is its own markup.

A company that burns cash and owes contracted compute payments services them
out of financing, and financing is available at one condition: the next round
prices high enough that the raise it needs fits within the dilution its
holders tolerate (essay, sections V and X). This module turns that sentence
into arithmetic.

Quantities
----------
For calendar year :math:`y` with revenue :math:`R_y` and burn share
:math:`b_y`, the cash burn is :math:`B_y = b_y R_y`. Contracted compute
payments :math:`C_y` beyond what the burn plan already spends on compute are

.. math:: E_y = \max\big(C_y - k\,(R_y + B_y),\ 0\big)

with :math:`k` the compute share of total costs (:math:`R_y + B_y`). The
next raise must retire the cumulative burn :math:`\sum_{y=y_0}^{y_1} B_y` (the
essay's "cumulative burn approaching $115 billion" by 2029) and pre-fund
``commitment_cover_years`` of :math:`E` after it. At a dilution limit
:math:`d` (new shares over post-money) the lowest post-money at which the raise
:math:`F` fits is :math:`F/d`, so the **required step-up** over the last mark
:math:`M` is

.. math:: s^{req} = \frac{F}{d\,M}.

The **achievable step-up** is the log-linear trend of the past round-over-round
step-ups extrapolated one round, the reported next mark's step-up
(``"target"``), or a number. The trigger of the cascade is
:math:`s^{ach} < s^{req}`.

Units: USD bn, years, decimals for shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from borrowedtime.complex import load_complex
from borrowedtime.datasets import treadmill_inputs
from borrowedtime.errors import DataError, SpecError
from borrowedtime.essay import marks_points
from borrowedtime.kinematics import step_ups

__all__ = ["RoundsSpec", "RoundsResult", "default_inputs", "annual_inputs"]


def _annual_figures(entity, metric: str) -> pd.Series:
    """One metric of an entity by calendar year (the year of each observation's as_of; a later one wins)."""
    obs = entity.observations(metric)
    s = pd.Series({o.as_of.year: float(o.value) for o in obs}, name=metric.removesuffix("_usd_bn"), dtype=float)
    s.index.name = "year"
    if obs:
        s.attrs.update(source="; ".join(dict.fromkeys(o.source for o in obs)), as_of=str(obs[-1].as_of))
    return s


def annual_inputs(name: str, cx=None, entity: str = "openai") -> pd.Series:
    """One annual input of the up-round borrower, read from the complex (index: year; attrs: source).

    Parameters
    ----------
    name : {"revenue", "burn_share", "contracted_compute"}
    cx : Complex, optional
        Default: the packaged complex.
    entity : str, default "openai"
    """
    metric = {"revenue": "revenue_usd_bn", "burn_share": "burn_share",
              "contracted_compute": "contracted_compute_usd_bn"}.get(name)
    if metric is None:
        raise SpecError(f"no annual input {name!r}; there are: revenue, burn_share, contracted_compute.")
    cx = load_complex() if cx is None else cx
    return _annual_figures(cx.entity(entity), metric).rename(name)


def default_inputs(cx=None, entity: str = "openai") -> dict:
    """Inputs of :class:`RoundsSpec` for one entity of the complex (default: the packaged complex's OpenAI).

    Every entity fact comes from the complex: valuation marks and capital
    raised at each, the latest IPO target as the next mark, revenue, burn
    share, contracted compute and the compute share of costs. The dilution
    limit is a market input (``data/treadmill_inputs.yaml``).

    Raises
    ------
    SpecError
        The entity is missing, or lacks a figure the borrower needs (named).
    """
    cx = load_complex() if cx is None else cx
    e = cx.entity(entity)
    where = f"complex entity {entity!r}"
    points = marks_points(cx, entity)
    if points.empty:
        raise SpecError(f"{where}: no valuation_usd_bn figures (the marks of the up-round borrower).")
    marks = points["value"].astype(float).rename("post_money_usd_bn")
    is_target = points["estimate"].to_numpy(bool)
    raised_obs = {pd.Timestamp(o.as_of): float(o.value) for o in e.observations("capital_raised_usd_bn")}
    missing = [d.date().isoformat() for d in marks.index[~is_target] if d not in raised_obs]
    if missing:
        raise SpecError(
            f"{where}: no capital_raised_usd_bn figure for the mark(s) of {', '.join(missing)} "
            "(primary capital raised at that mark, 0 for a secondary sale)."
        )
    raised = pd.Series({d: raised_obs[d] for d in marks.index[~is_target]}, name="raised_usd_bn", dtype=float)
    share = e.latest("compute_share_of_costs")
    for metric in ("revenue_usd_bn", "burn_share", "contracted_compute_usd_bn"):
        if not e.observations(metric):
            raise SpecError(f"{where}: no {metric} figures (needed by the up-round borrower).")
    if share is None:
        raise SpecError(f"{where}: no compute_share_of_costs figure (needed by the up-round borrower).")
    return {
        "marks": marks[~is_target],
        "raised": raised,
        "next_mark": (marks.index[is_target][0], float(marks[is_target].iloc[0])) if is_target.any() else None,
        "revenue": annual_inputs("revenue", cx, entity),
        "burn_share": annual_inputs("burn_share", cx, entity),
        "contracted_compute": annual_inputs("contracted_compute", cx, entity),
        "compute_share": float(share.value),
        "dilution_limit": float(treadmill_inputs()["ipo"]["dilution_limit"]["value"]),
    }


def _check_marks(marks: pd.Series, what: str) -> pd.Series:
    if not isinstance(marks, pd.Series) or not isinstance(marks.index, pd.DatetimeIndex):
        raise DataError(f"{what}: expected a Series of USD bn on a DatetimeIndex (one row per round).")
    if marks.size < 2:
        raise DataError(f"{what}: need at least two marks, got {marks.size}.")
    dates = marks.index
    if dates.has_duplicates:
        raise DataError(f"{what}: duplicate date {dates[dates.duplicated()][0].date()}.")
    if not dates.is_monotonic_increasing:
        i = int(np.flatnonzero(np.diff(dates.asi8) < 0)[0]) + 1
        raise DataError(
            f"{what}: marks out of date order: {dates[i].date()} comes after {dates[i - 1].date()}; "
            "list the rounds oldest first."
        )
    values = marks.to_numpy(float)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        i = int(np.flatnonzero(~(np.isfinite(values) & (values > 0)))[0])
        raise DataError(f"{what}: mark on {dates[i].date()} is {values[i]!r}; marks must be positive USD bn.")
    return marks.astype(float)


@dataclass(frozen=True, eq=False)
class RoundsSpec:
    """Settings of the up-round borrower (defaults: OpenAI as the essay describes it).

    Parameters
    ----------
    marks : pandas.Series, optional
        Post-money valuations of past rounds, USD bn, dated, oldest first.
        Default: the valuation marks of ``openai`` in the packaged complex
        (every default entity input comes from the complex; build a borrower
        from another complex or entity with :meth:`RoundsSpec.from_complex`).
    raised : pandas.Series, optional
        Primary capital raised at each mark, USD bn (0 for secondary sales).
    next_mark : (date, float), optional
        The reported next mark (the essay's IPO target, about USD 1,048 bn on
        2027-06-30, i.e. 852 x 1.23); its step-up is listed last.
    revenue, burn_share, contracted_compute : pandas.Series, optional
        Annual series indexed by calendar year: revenue (USD bn), burn as a
        share of revenue (decimal), contracted compute payments (USD bn).
        Defaults: the entity's figures in the complex with their sources
        (The Information's reporting of OpenAI projections; essay VI and X).
    compute_share : float, default 0.70
        Compute as a share of total costs (revenue + burn), to find the
        contracted payments already inside the burn plan.
    dilution_limit : float, default 0.10
        Largest share of the company one raise may sell, in (0, 1).
    burn_from, burn_through : int, default 2025, 2029
        Years whose burn the next raise must retire.
    commitment_cover_years : float, default 1.0
        Years of contracted payments beyond the plan that the raise pre-funds.
    achievable : "trend", "target" or float, default "trend"
        The achievable next step-up: the trend of past step-ups, the reported
        next mark's, or a number.
    """

    marks: pd.Series | None = None
    raised: pd.Series | None = None
    next_mark: tuple[pd.Timestamp, float] | None = field(default=None)
    revenue: pd.Series | None = None
    burn_share: pd.Series | None = None
    contracted_compute: pd.Series | None = None
    compute_share: float | None = None
    dilution_limit: float | None = None
    burn_from: int = 2025
    burn_through: int = 2029
    commitment_cover_years: float = 1.0
    achievable: str | float = "trend"

    def __post_init__(self) -> None:
        name = type(self).__name__
        if self.dilution_limit is not None and not 0.0 < self.dilution_limit < 1.0:
            raise SpecError(
                f"The 'dilution_limit' parameter of {name} must be a share in (0, 1): the new shares over "
                f"the post-money. Got {self.dilution_limit!r} instead."
            )
        if self.compute_share is not None and not 0.0 <= self.compute_share <= 1.0:
            raise SpecError(f"The 'compute_share' parameter of {name} must be in [0, 1]. Got {self.compute_share!r}.")
        if self.burn_through < self.burn_from:
            raise SpecError(f"{name}: burn_through ({self.burn_through}) is before burn_from ({self.burn_from}).")
        if not self.commitment_cover_years >= 0:
            raise SpecError(f"{name}: commitment_cover_years must be >= 0. Got {self.commitment_cover_years!r}.")
        a = self.achievable
        if not (a in ("trend", "target") or (isinstance(a, int | float) and a > 0)):
            raise SpecError(f"The 'achievable' parameter of {name} must be 'trend', 'target' or a step-up > 0. Got {a!r}.")

    @classmethod
    def from_complex(cls, cx, entity: str = "openai", **overrides) -> RoundsSpec:
        """The up-round borrower built from an entity of the complex.

        Parameters
        ----------
        cx : Complex
            A loaded complex (an overlay that restates the entity's marks,
            revenue or burn moves the borrower with it).
        entity : str, default "openai"
            The entity whose marks, capital raised, IPO target, revenue, burn
            share, contracted compute and compute share are used.
        **overrides
            Any other :class:`RoundsSpec` field (``dilution_limit``, ``achievable``...).

        Returns
        -------
        RoundsSpec
            With every entity input filled from the complex.
        """
        d = default_inputs(cx, entity)
        fields = {k: d[k] for k in ("marks", "raised", "next_mark", "revenue", "burn_share", "contracted_compute",
                                    "compute_share", "dilution_limit")}
        return cls(**{**fields, **overrides})

    def run(self) -> RoundsResult:
        """Resolve defaults, validate, and compute the borrower's arithmetic."""
        d = default_inputs()
        marks = _check_marks(self.marks if self.marks is not None else d["marks"], "marks")
        raised = self.raised if self.raised is not None else (d["raised"] if self.marks is None else None)
        if raised is None:
            raised = pd.Series(0.0, index=marks.index)
        raised = raised.reindex(marks.index)
        if raised.isna().any():
            missing = raised.index[raised.isna()][0].date()
            raise DataError(f"raised: no capital raised given for the mark of {missing}.")
        if (raised < 0).any():
            raise DataError("raised: capital raised must be >= 0 USD bn.")
        next_mark = self.next_mark if self.next_mark is not None else (d["next_mark"] if self.marks is None else None)
        if next_mark is not None:
            when, value = pd.Timestamp(next_mark[0]), float(next_mark[1])
            if when <= marks.index[-1]:
                raise DataError(
                    f"next_mark: marks out of date order: the next mark ({when.date()}) must come after the "
                    f"last round ({marks.index[-1].date()})."
                )
            if not value > 0:
                raise DataError(f"next_mark: value must be positive USD bn. Got {value!r}.")
            next_mark = (when, value)
        revenue = _annual(self.revenue if self.revenue is not None else d["revenue"], "revenue")
        share = _annual(self.burn_share if self.burn_share is not None else d["burn_share"], "burn_share")
        compute = _annual(
            self.contracted_compute if self.contracted_compute is not None else d["contracted_compute"],
            "contracted_compute",
        )
        years = range(self.burn_from, self.burn_through + 1)
        missing = [y for y in years if y not in revenue.index or y not in share.index]
        if missing:
            raise DataError(f"revenue/burn_share: no value for year(s) {missing}, needed for the cumulative burn.")
        return RoundsResult(
            spec=self,
            marks=marks,
            raised=raised,
            next_mark=next_mark,
            revenue=revenue,
            burn_share=share,
            contracted_compute=compute,
            compute_share=self.compute_share if self.compute_share is not None else d["compute_share"],
            dilution_limit=self.dilution_limit if self.dilution_limit is not None else d["dilution_limit"],
        )


def _annual(s: pd.Series, what: str) -> pd.Series:
    if not isinstance(s, pd.Series) or s.empty:
        raise DataError(f"{what}: expected a non-empty Series indexed by calendar year.")
    out = s.astype(float).copy()
    out.index = pd.Index([int(y) for y in s.index], name="year")
    if not out.index.is_monotonic_increasing or out.index.has_duplicates:
        raise DataError(f"{what}: years must be unique and in order.")
    if not np.all(np.isfinite(out.to_numpy())) or (out < 0).any():
        raise DataError(f"{what}: values must be finite and >= 0.")
    return out


def _year_fraction(date: pd.Timestamp) -> float:
    start = pd.Timestamp(year=date.year, month=1, day=1)
    return (date - start).days / (366.0 if date.is_leap_year else 365.0)


@dataclass(frozen=True, eq=False)
class RoundsResult:
    """The up-round borrower's arithmetic (frozen). Money in USD bn."""

    spec: RoundsSpec
    marks: pd.Series
    raised: pd.Series
    next_mark: tuple[pd.Timestamp, float] | None
    revenue: pd.Series
    burn_share: pd.Series
    contracted_compute: pd.Series
    compute_share: float
    dilution_limit: float

    # ------------------------------------------------------------------ paths
    @cached_property
    def burn(self) -> pd.Series:
        """Annual cash burn, USD bn: burn share times revenue."""
        years = self.revenue.index.intersection(self.burn_share.index)
        return (self.revenue[years] * self.burn_share[years]).rename("burn_usd_bn")

    @cached_property
    def excess_commitments(self) -> pd.Series:
        """Contracted compute payments beyond the compute inside the burn plan, USD bn per year."""
        years = self.contracted_compute.index.intersection(self.burn.index)
        in_plan = self.compute_share * (self.revenue[years] + self.burn[years])
        return (self.contracted_compute[years] - in_plan).clip(lower=0.0).rename("excess_commitments_usd_bn")

    def cumulative_burn(self, through: int | None = None) -> float:
        """Burn from ``spec.burn_from`` through a year (default ``spec.burn_through``), USD bn."""
        through = self.spec.burn_through if through is None else through
        b = self.burn
        return float(b[(b.index >= self.spec.burn_from) & (b.index <= through)].sum())

    def flow_between(self, annual: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> float:
        """Flow of an annual series (USD bn per calendar year) between two dates, spread evenly within each year."""
        total = 0.0
        for y, v in annual.items():
            lo = max(float(y), start.year + _year_fraction(start))
            hi = min(float(y) + 1.0, end.year + _year_fraction(end))
            if hi > lo:
                total += v * (hi - lo)
        return total

    @property
    def cash_after_last_round(self) -> float:
        """Cash after the last round: primary capital raised since ``burn_from`` less the burn since then."""
        start = pd.Timestamp(year=self.spec.burn_from, month=1, day=1)
        last = self.marks.index[-1]
        raised = float(self.raised[self.raised.index >= start].sum())
        return raised - self.flow_between(self.burn, start, last)

    def runway(self) -> pd.Timestamp | None:
        """Date the cash after the last round runs out on burn plus excess commitments (None: beyond the projections)."""
        need = self.burn.add(self.excess_commitments, fill_value=0.0)
        cash = self.cash_after_last_round
        date = self.marks.index[-1]
        end = pd.Timestamp(year=int(need.index[-1]) + 1, month=1, day=1)
        for month_end in pd.date_range(date, end, freq="MS")[1:]:
            cash -= self.flow_between(need, date, month_end)
            date = month_end
            if cash <= 0:
                return month_end
        return None

    @property
    def next_date(self) -> pd.Timestamp:
        """Date of the next raise: the reported next mark's, else a year after the last round."""
        if self.next_mark is not None:
            return self.next_mark[0]
        return self.marks.index[-1] + pd.DateOffset(years=1)

    def next_raise_required(self) -> float:
        """The next raise, USD bn: cumulative burn to retire plus pre-funded excess commitments."""
        start = self.next_date
        end = start + pd.DateOffset(days=round(365.25 * self.spec.commitment_cover_years))
        return self.cumulative_burn() + self.flow_between(self.excess_commitments, start, end)

    # ------------------------------------------------------------------ step-ups
    @cached_property
    def step_ups(self) -> pd.Series:
        """Round-over-round step-ups in date order, the reported next mark's last."""
        marks = self.marks
        if self.next_mark is not None:
            marks = pd.concat([marks, pd.Series([self.next_mark[1]], index=[self.next_mark[0]])])
        return step_ups(marks)

    @property
    def historical_step_ups(self) -> pd.Series:
        return step_ups(self.marks)

    def trend_step_up(self) -> float:
        """Log-linear trend of the past step-ups (round number as time), extrapolated one round."""
        hist = np.log(self.historical_step_ups.to_numpy())
        if hist.size == 1:
            return float(np.exp(hist[0]))
        x = np.arange(hist.size, dtype=float)
        slope, intercept = np.polyfit(x, hist, 1)
        return float(np.exp(intercept + slope * hist.size))

    def required_step_up(self) -> float:
        """Lowest next mark at which the required raise fits within the dilution limit, over the last mark."""
        return self.next_raise_required() / self.dilution_limit / float(self.marks.iloc[-1])

    def achievable_step_up(self) -> float:
        a = self.spec.achievable
        if a == "trend":
            return self.trend_step_up()
        if a == "target":
            if self.next_mark is None:
                raise SpecError("achievable='target' needs a next_mark (the reported next valuation).")
            return float(self.step_ups.iloc[-1])
        return float(a)

    @property
    def trigger(self) -> bool:
        """True when the achievable step-up is below the required one: the cascade's trigger."""
        return self.achievable_step_up() < self.required_step_up()

    # ------------------------------------------------------------------ output
    def rounds_frame(self) -> pd.DataFrame:
        """One row per round: mark, capital raised, step-up, dilution, required and trend step-ups.

        ``required_step_up`` is the step-up at which the capital actually raised
        would sell exactly the dilution limit (NaN for secondary sales);
        ``trend_step_up`` the trend of the step-ups before that round. The last
        row is the reported next mark with the raise the structure requires.
        """
        m = self.marks
        prev = m.shift(1)
        frame = pd.DataFrame(
            {
                "post_money_usd_bn": m,
                "raised_usd_bn": self.raised,
                "step_up": m / prev,
                "dilution": self.raised / m,
                # a round that raised no primary capital (a secondary sale) had nothing to fit
                "required_step_up": (self.raised / self.dilution_limit / prev).where(self.raised > 0),
                "trend_step_up": np.nan,
            }
        )
        logs = np.log((m / prev).to_numpy())
        for i in range(3, m.size):  # the trend needs two past step-ups
            x = np.arange(1, i, dtype=float)
            slope, intercept = np.polyfit(x, logs[1:i], 1)
            frame.iloc[i, frame.columns.get_loc("trend_step_up")] = float(np.exp(intercept + slope * i))
        if self.next_mark is not None:
            when, value = self.next_mark
            frame.loc[when] = {
                "post_money_usd_bn": value,
                "raised_usd_bn": self.next_raise_required(),
                "step_up": value / m.iloc[-1],
                "dilution": self.next_raise_required() / value,
                "required_step_up": self.required_step_up(),
                "trend_step_up": self.trend_step_up(),
            }
        frame.index.name = "date"
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Annual paths: revenue, burn share, burn, cumulative burn, contracted and excess compute (USD bn)."""
        years = self.revenue.index.union(self.contracted_compute.index)
        frame = pd.DataFrame(
            {
                "revenue_usd_bn": self.revenue.reindex(years),
                "burn_share": self.burn_share.reindex(years),
                "burn_usd_bn": self.burn.reindex(years),
                "contracted_compute_usd_bn": self.contracted_compute.reindex(years),
                "excess_commitments_usd_bn": self.excess_commitments.reindex(years),
            }
        )
        counted = frame.index >= self.spec.burn_from
        b = frame["burn_usd_bn"].where(counted, 0.0)
        frame["cumulative_burn_usd_bn"] = b.fillna(0.0).cumsum().where(counted & b.notna())
        frame.index.name = "year"
        return frame

    def summary(self) -> str:
        runway = self.runway()
        steps = ", ".join(f"{v:.2f}" for v in self.step_ups)
        return "\n".join(
            [
                "Up-round borrower",
                f"  step-ups: {steps}   trend next: {self.trend_step_up():.2f}",
                f"  cumulative burn {self.spec.burn_from}-{self.spec.burn_through}: "
                f"{self.cumulative_burn():,.1f} bn   cash after last round: {self.cash_after_last_round:,.1f} bn   "
                f"runway: {'beyond the projections' if runway is None else format(runway, '%Y-%m')}",
                f"  next raise required: {self.next_raise_required():,.1f} bn at <= {self.dilution_limit:.0%} dilution"
                f" -> required step-up {self.required_step_up():.2f}; achievable ({self.spec.achievable}) "
                f"{self.achievable_step_up():.2f}; trigger: {'YES' if self.trigger else 'no'}",
            ]
        )

    def __str__(self) -> str:
        return self.summary()
