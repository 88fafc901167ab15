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

with :math:`k` the compute share of total costs (:math:`R_y + B_y`); the
dated **outflows** are :math:`O_y = B_y + E_y`, spread evenly within each year.

Cash accounting (the same arithmetic as :meth:`RoundsResult.runway`): cash
after the last round is the primary capital raised since ``burn_from`` less
the outflows since then; cash on hand at the next raise date :math:`t_n` is
that less the outflows from the last round to :math:`t_n`. The **raise
needed** at :math:`t_n` funds the outflows from :math:`t_n` to the end of
``burn_through`` (the last year of the company's projections) net of cash on
hand,

.. math:: F = \max\Big(\int_{t_n}^{T} O\,dt - C(t_n),\ 0\Big)
            = \max\Big(\int_{t_\ell}^{T} O\,dt - C(t_\ell),\ 0\Big),

so :math:`F > 0` exactly when the runway ends before :math:`T`. (The essay's
reading, "raise enough to retire a cumulative burn approaching $115
billion", counts again the burn the 2025-26 rounds already funded; it is kept
as :meth:`RoundsResult.essay_raise` for comparison.) At a dilution :math:`d`
(new shares over post-money; default the mean of the entity's last two
primary rounds, 40/300 and 122/852 for OpenAI) the lowest post-money at which
the raise fits is :math:`F/d`, so the **required step-up** over the last mark
:math:`M` is

.. math:: s^{req} = \frac{F}{d\,M}.

The **achievable step-up** is read three ways (:meth:`RoundsResult.triggers`):
the next private round on the log-linear trend of past step-ups, the reported
IPO target (">$1 trillion"), and the next mark the essay implies (852 x 1.23).
The trigger of the cascade is :math:`s^{ach} < s^{req}`. Step-ups are shown
raw (round over round) and annualised (:math:`s^{1/\Delta t}`, :math:`\Delta t`
in years between marks: the rounds are 6 to 15 months apart).

Units: USD bn, years, decimals for shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from borrowedtime._checks import require
from borrowedtime._results import Summarised
from borrowedtime.complex import load_complex
from borrowedtime.datasets import treadmill_inputs
from borrowedtime.errors import DataError, SpecError
from borrowedtime.essay import marks_points
from borrowedtime.monitor.discrete import step_ups
from borrowedtime.treadmill.inputs import (
    _year_fraction,
    announced_round,
    annual_inputs,
    contracted_compute_from_contracts,
)

__all__ = ["RoundsSpec", "RoundsResult", "INPUT_READINGS", "input_readings", "default_inputs"]

COMPUTE_READINGS = ("contracts", "ramp")
#: Readings of the last round: the essay's figures (USD 122bn at USD 852bn for OpenAI) or the announced ones
#: (the first close as announced: pre-money plus the amount raised; OpenAI USD 110bn at 730 + 110 = 840).
INPUT_READINGS = ("essay", "announced")


def default_inputs(
    cx=None, entity: str = "openai", compute: str = "contracts", undated_term_years: float | None = None,
    inputs: str = "essay",
) -> dict:
    """Inputs of :class:`RoundsSpec` for one entity of the complex (default: the packaged complex's OpenAI).

    Every entity fact comes from the complex: valuation marks and capital
    raised at each, the latest IPO target as the next mark, revenue, burn
    share, contracted compute, the compute share of costs and the reported
    IPO target. The dilution defaults to what the entity's own rounds sold
    (:func:`observed_dilution`).

    ``compute`` picks the contracted-compute reading: ``"contracts"``
    (default: the entity's dated take-or-pay contracts in the complex, undated
    ones spread over ``undated_term_years``;
    :func:`~borrowedtime.treadmill.inputs.contracted_compute_from_contracts`) or ``"ramp"`` (the entity's
    ``contracted_compute_usd_bn`` figures: for OpenAI an assumed ramp to the
    essay's USD 600bn-plus total).

    Raises
    ------
    SpecError
        The entity is missing, or lacks a figure the borrower needs (named).
    """
    if compute not in COMPUTE_READINGS:
        raise SpecError(f"compute must be one of {', '.join(COMPUTE_READINGS)}. Got {compute!r}.")
    if inputs not in INPUT_READINGS:
        raise SpecError(f"inputs must be one of {', '.join(INPUT_READINGS)}. Got {inputs!r}.")
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
    marks = marks[~is_target]
    next_mark = (points.index[is_target][0], float(points["value"][is_target].iloc[0])) if is_target.any() else None
    if inputs == "announced":
        when, post, size, _ = announced_round(cx, entity)
        last = raised.index[raised > 0][-1]  # the last primary round: the one the announcement restates
        marks = marks.drop(last)
        raised = raised.drop(last)
        marks.loc[when], raised.loc[when] = post, size
        marks, raised = marks.sort_index(), raised.sort_index()
    share = e.latest("compute_share_of_costs")
    needed = ("revenue_usd_bn", "burn_share") + (("contracted_compute_usd_bn",) if compute == "ramp" else ())
    for metric in needed:
        if not e.observations(metric):
            raise SpecError(f"{where}: no {metric} figures (needed by the up-round borrower).")
    if share is None:
        raise SpecError(f"{where}: no compute_share_of_costs figure (needed by the up-round borrower).")
    return {
        "marks": marks,
        "raised": raised,
        "next_mark": next_mark,
        "revenue": annual_inputs("revenue", cx, entity),
        "burn_share": annual_inputs("burn_share", cx, entity),
        "contracted_compute": (
            annual_inputs("contracted_compute", cx, entity) if compute == "ramp"
            else contracted_compute_from_contracts(cx, entity, undated_term_years)
        ),
        "compute_share": float(share.value),
        "dilution_limit": None,  # resolved from the rounds (observed dilution) in RoundsSpec.run
        "reported_target": _reported_target(e),
    }


def _reported_target(entity) -> float | None:
    """The latest reported (not estimated) IPO target of an entity, USD bn."""
    reported = [o for o in entity.observations("ipo_target_usd_bn") if not o.estimate]
    return float(reported[-1].value) if reported else None


def observed_dilution(marks: pd.Series, raised: pd.Series, n: int = 2) -> tuple[float, float, float]:
    """Mean, min and max share sold by the last ``n`` primary rounds (capital raised over post-money).

    The default dilution of the next raise: what the company's own recent
    rounds sold (OpenAI: 40/300 = 13.3 % in March 2025, 122/852 = 14.3 % in
    2026). NaN when no round raised primary capital.
    """
    d = (raised / marks)[raised > 0].iloc[-n:]
    if d.empty:
        return float("nan"), float("nan"), float("nan")
    return float(d.mean()), float(d.min()), float(d.max())


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
    dilution_limit : float, optional
        Share of the company the next raise sells (new shares over
        post-money), in (0, 1). Default: the mean of the last two primary
        rounds (:func:`observed_dilution`; OpenAI 13.3 % and 14.3 %); when
        no round raised primary capital, the large-IPO float of
        ``data/treadmill_inputs.yaml`` (10 %).
    reported_target : float, optional
        The reported IPO target, USD bn (OpenAI: ">$1 trillion", 1,000, a
        lower bound); one of the readings of :meth:`RoundsResult.triggers`.
    burn_from, burn_through : int, default 2025, 2029
        Cash is counted from the start of ``burn_from``; the raise funds the
        outflows through the end of ``burn_through`` (the projections' last year).
    achievable : "trend", "target", "reported" or float, default "trend"
        The achievable next step-up of :attr:`RoundsResult.trigger`: the trend
        of past step-ups, the next mark's (the essay's 1.23), the reported IPO
        target's, or a number.
    compute : {"contracts", "ramp"}, default "contracts"
        Reading of the default contracted compute (when ``contracted_compute``
        is not given): the entity's take-or-pay contracts in the complex
        (:func:`~borrowedtime.treadmill.inputs.contracted_compute_from_contracts`; the complex is the source
        of every entity fact) or its ``contracted_compute_usd_bn`` figures
        (OpenAI: an assumed ramp 40/70/100/120/130/140 for 2026-31).
    undated_term_years : float, optional
        Term over which undated commitments are spread on the contracts
        reading, years; default :func:`~borrowedtime.treadmill.inputs.undated_default_term` (OpenAI: 6.0,
        the median disclosed term of its dated contracts).
    inputs : {"essay", "announced"}, default "essay"
        Reading of the last primary round when the marks come from the
        complex: the essay's figures (OpenAI: USD 122bn at USD 852bn) or the
        announced first close (USD 110bn at 730 + 110 = 840;
        :func:`~borrowedtime.treadmill.inputs.announced_round`).
    """

    marks: pd.Series | None = None
    raised: pd.Series | None = None
    next_mark: tuple[pd.Timestamp, float] | None = field(default=None)
    revenue: pd.Series | None = None
    burn_share: pd.Series | None = None
    contracted_compute: pd.Series | None = None
    compute_share: float | None = None
    dilution_limit: float | None = None
    reported_target: float | None = None
    burn_from: int = 2025
    burn_through: int = 2029
    achievable: str | float = "trend"
    compute: str = "contracts"
    undated_term_years: float | None = None
    inputs: str = "essay"

    def __post_init__(self) -> None:
        name = type(self).__name__
        require(self.inputs in INPUT_READINGS, self, "inputs", f"one of {', '.join(INPUT_READINGS)}")
        if self.compute not in COMPUTE_READINGS:
            raise SpecError(
                f"The 'compute' parameter of {name} must be one of {', '.join(COMPUTE_READINGS)}. "
                f"Got {self.compute!r}."
            )
        if self.undated_term_years is not None and not (
            isinstance(self.undated_term_years, int | float) and np.isfinite(self.undated_term_years)
            and self.undated_term_years > 0
        ):
            raise SpecError(
                f"The 'undated_term_years' parameter of {name} must be a number of years > 0. "
                f"Got {self.undated_term_years!r}."
            )
        if self.dilution_limit is not None and not 0.0 < self.dilution_limit < 1.0:
            raise SpecError(
                f"The 'dilution_limit' parameter of {name} must be a share in (0, 1): the new shares over "
                f"the post-money. Got {self.dilution_limit!r} instead."
            )
        if self.compute_share is not None and not 0.0 <= self.compute_share <= 1.0:
            raise SpecError(f"The 'compute_share' parameter of {name} must be in [0, 1]. Got {self.compute_share!r}.")
        if self.burn_through < self.burn_from:
            raise SpecError(f"{name}: burn_through ({self.burn_through}) is before burn_from ({self.burn_from}).")
        if self.reported_target is not None and not self.reported_target > 0:
            raise SpecError(f"The 'reported_target' parameter of {name} must be > 0 USD bn. Got {self.reported_target!r}.")
        a = self.achievable
        if not (a in ("trend", "target", "reported") or (isinstance(a, int | float) and a > 0)):
            raise SpecError(
                f"The 'achievable' parameter of {name} must be 'trend', 'target', 'reported' or a step-up > 0. "
                f"Got {a!r}."
            )

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
            Any other :class:`RoundsSpec` field (``dilution_limit``, ``achievable``,
            ``compute`` = "contracts" (default) or "ramp", ``undated_term_years``...).

        Returns
        -------
        RoundsSpec
            With every entity input filled from the complex.
        """
        d = default_inputs(cx, entity, overrides.get("compute", "contracts"), overrides.get("undated_term_years"),
                           overrides.get("inputs", "essay"))
        fields = {k: d[k] for k in ("marks", "raised", "next_mark", "revenue", "burn_share", "contracted_compute",
                                    "compute_share", "reported_target")}
        return cls(**{**fields, **overrides})

    def run(self) -> RoundsResult:
        """Resolve defaults, validate, and compute the borrower's arithmetic."""
        d = default_inputs(compute=self.compute, undated_term_years=self.undated_term_years, inputs=self.inputs)
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
        dilution = self.dilution_limit
        if dilution is None:
            dilution = observed_dilution(marks, raised)[0]
            if not np.isfinite(dilution):  # no primary round to observe: the stated IPO-float fallback
                dilution = float(treadmill_inputs()["ipo"]["dilution_limit"]["value"])
        target = self.reported_target
        if target is None and self.marks is None:
            target = d["reported_target"]
        return RoundsResult(
            spec=self,
            marks=marks,
            raised=raised,
            next_mark=next_mark,
            revenue=revenue,
            burn_share=share,
            contracted_compute=compute,
            compute_share=self.compute_share if self.compute_share is not None else d["compute_share"],
            dilution_limit=dilution,
            reported_target=target,
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



@dataclass(frozen=True, eq=False)
class RoundsResult(Summarised):
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
    reported_target: float | None = None

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

    @cached_property
    def outflows(self) -> pd.Series:
        """Dated outflows per calendar year, USD bn: burn plus contracted payments beyond the plan."""
        return self.burn.add(self.excess_commitments, fill_value=0.0).rename("outflows_usd_bn")

    @property
    def horizon(self) -> pd.Timestamp:
        """End of the funding horizon: the end of ``spec.burn_through`` (the projections' last year)."""
        return pd.Timestamp(year=self.spec.burn_through + 1, month=1, day=1)

    @property
    def cash_after_last_round(self) -> float:
        """Cash after the last round, USD bn: primary capital raised since ``burn_from`` less the outflows since then."""
        start = pd.Timestamp(year=self.spec.burn_from, month=1, day=1)
        last = self.marks.index[-1]
        raised = float(self.raised[self.raised.index >= start].sum())
        return raised - self.flow_between(self.outflows, start, last)

    def cash_on_hand(self, at: pd.Timestamp | str | None = None) -> float:
        """Cash on hand at a date (default the next raise date), USD bn: negative once the runway has ended."""
        at = self.next_date if at is None else pd.Timestamp(at)
        last = self.marks.index[-1]
        if at < last:
            raise SpecError(f"cash_on_hand: {at.date()} is before the last round ({last.date()}).")
        return self.cash_after_last_round - self.flow_between(self.outflows, last, at)

    def future_outflows(self, at: pd.Timestamp | str | None = None) -> float:
        """Outflows from a date (default the next raise date) to the end of the horizon, USD bn."""
        at = self.next_date if at is None else pd.Timestamp(at)
        return self.flow_between(self.outflows, at, self.horizon)

    def runway(self) -> pd.Timestamp | None:
        """Date the cash after the last round runs out on the outflows (None: beyond the projections)."""
        need = self.outflows
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

    def surplus(self) -> float:
        """Cash on hand at the next raise less the outflows it must fund to the horizon, USD bn (< 0: a need)."""
        return self.cash_on_hand() - self.future_outflows()

    def next_raise_required(self) -> float:
        """The raise needed at the next date, USD bn: future outflows to the horizon minus cash on hand, >= 0."""
        return max(0.0, -self.surplus())

    def essay_raise(self) -> float:
        """The essay's reading of the raise, USD bn: the whole cumulative burn ``burn_from``-``burn_through``.

        Section X: the IPO must "raise enough to retire a cumulative burn
        approaching $115 billion". It counts again burn that the 2025-26
        rounds already funded; shown beside :meth:`next_raise_required`.
        """
        return self.cumulative_burn()

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

    @cached_property
    def step_ups_annualised(self) -> pd.Series:
        """Step-ups per year: each raw step-up to the power 1 / (years since the previous mark)."""
        s = self.step_ups
        dates = [*self.marks.index, *([self.next_mark[0]] if self.next_mark is not None else [])]
        years = pd.Series(pd.DatetimeIndex(dates)).diff().dt.days.to_numpy()[1:] / 365.25
        return pd.Series(s.to_numpy() ** (1.0 / years), index=s.index, name="step_up_annualised")

    def _years_to_next(self) -> float:
        return (self.next_date - self.marks.index[-1]).days / 365.25

    def annualise(self, step: float) -> float:
        """A step-up from the last mark to the next date, per year."""
        return float(step) ** (1.0 / self._years_to_next()) if step > 0 else 0.0

    def required_step_up(self) -> float:
        """Lowest next mark at which the raise needed fits within the dilution, over the last mark (0: no raise needed)."""
        return self.next_raise_required() / self.dilution_limit / float(self.marks.iloc[-1])

    def essay_required_step_up(self) -> float:
        """The required step-up on the essay's reading of the raise (the whole cumulative burn), for comparison."""
        return self.essay_raise() / self.dilution_limit / float(self.marks.iloc[-1])

    def readings(self) -> dict[str, float]:
        """The achievable next step-up under each reading the essay allows (name -> raw step-up)."""
        out = {"next private round on the trend of past step-ups": self.trend_step_up()}
        if self.reported_target is not None:
            out["reported IPO target"] = self.reported_target / float(self.marks.iloc[-1])
        if self.next_mark is not None:
            out["next mark the essay implies (1.23x)"] = float(self.step_ups.iloc[-1])
        return out

    def triggers(self) -> list[dict]:
        """For each reading: the required and the achievable step-up (raw and annualised) and whether it fires."""
        req = self.required_step_up()
        return [
            {"reading": name, "required_step_up": req, "step_up": step, "fires": bool(step < req),
             "required_step_up_annualised": self.annualise(req), "step_up_annualised": self.annualise(step),
             "next_date": self.next_date.date().isoformat()}
            for name, step in self.readings().items()
        ]

    def achievable_step_up(self) -> float:
        a = self.spec.achievable
        if a == "trend":
            return self.trend_step_up()
        if a == "target":
            if self.next_mark is None:
                raise SpecError("achievable='target' needs a next_mark (the reported next valuation).")
            return float(self.step_ups.iloc[-1])
        if a == "reported":
            if self.reported_target is None:
                raise SpecError("achievable='reported' needs a reported_target (the reported IPO valuation).")
            return self.reported_target / float(self.marks.iloc[-1])
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
                "step_up_annualised": np.nan,
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
                "step_up_annualised": np.nan,
                "dilution": self.next_raise_required() / value,
                "required_step_up": self.required_step_up(),
                "trend_step_up": self.trend_step_up(),
            }
        frame.loc[self.step_ups_annualised.index, "step_up_annualised"] = self.step_ups_annualised.to_numpy()
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

    def cash_table(self) -> pd.DataFrame:
        """The cash identity at the next raise date, USD bn: raise needed = future outflows - cash on hand."""
        last, nxt = self.marks.index[-1], self.next_date
        rows = {
            "cash_after_last_round_usd_bn": self.cash_after_last_round,
            "outflows_last_round_to_next_usd_bn": self.flow_between(self.outflows, last, nxt),
            "cash_on_hand_usd_bn": self.cash_on_hand(),
            "future_outflows_usd_bn": self.future_outflows(),
            "required_raise_usd_bn": self.next_raise_required(),
            "essay_raise_usd_bn": self.essay_raise(),
        }
        frame = pd.DataFrame({"value": pd.Series(rows, dtype=float)})
        frame.attrs["note"] = (f"cash from {self.spec.burn_from}-01-01; last round {last.date()}, next raise {nxt.date()}, "
                               f"horizon {self.horizon.date()}")
        return frame

    def to_dict(self) -> dict:
        """JSON-ready summary (money USD bn, shares 0-1)."""
        return {
            "step_ups": [float(v) for v in self.step_ups],
            "step_ups_annualised": [float(v) for v in self.step_ups_annualised],
            "required_step_up": self.required_step_up(),
            "achievable_step_up": self.achievable_step_up(),
            "trigger": bool(self.trigger),
            "triggers": self.triggers(),
            "cumulative_burn_2029": self.cumulative_burn(2029),
            "cash_after_last_round_usd_bn": self.cash_after_last_round,
            "cash_on_hand_usd_bn": self.cash_on_hand(),
            "future_outflows_usd_bn": self.future_outflows(),
            "required_raise_usd_bn": self.next_raise_required(),
            "essay_raise_usd_bn": self.essay_raise(),
            "essay_required_step_up": self.essay_required_step_up(),
            "dilution": self.dilution_limit,
            "next_date": self.next_date.date().isoformat(),
            "runway": None if self.runway() is None else self.runway().date().isoformat(),
            "compute": self.compute_reading,
            "inputs": self.spec.inputs if self.spec.marks is None else "given",
            "undated_term_years": self.contracted_compute.attrs.get("undated_term_years"),
            "contracted_compute_usd_bn": {int(y): float(v) for y, v in self.contracted_compute.items()},
        }

    @property
    def compute_reading(self) -> str:
        """Where the contracted compute came from: "contracts", "ramp" or "given" (passed in the spec)."""
        return "given" if self.spec.contracted_compute is not None else self.spec.compute

    def summary(self) -> str:
        runway = self.runway()
        steps = ", ".join(f"{v:.2f}" for v in self.step_ups)
        annual = ", ".join(f"{v:.2f}" for v in self.step_ups_annualised)
        need = self.next_raise_required()
        lines = [
            "Up-round borrower",
            f"  step-ups: {steps} (per year: {annual})   trend next: {self.trend_step_up():.2f}",
            f"  cash after the last round {self.cash_after_last_round:,.1f} bn; at the next raise "
            f"({self.next_date:%Y-%m-%d}) {self.cash_on_hand():,.1f} bn against outflows to {self.spec.burn_through}-end "
            f"of {self.future_outflows():,.1f} bn -> raise needed {need:,.1f} bn"
            + (f" (surplus {self.surplus():,.1f} bn)" if need == 0 else "")
            + f"; runway: {'beyond the projections' if runway is None else format(runway, '%Y-%m')}",
            f"  the essay's reading (retire the whole {self.spec.burn_from}-{self.spec.burn_through} burn): "
            f"{self.essay_raise():,.1f} bn, which counts again the burn already funded (required step-up "
            f"{self.essay_required_step_up():.2f})",
            f"  at {self.dilution_limit:.1%} dilution the required step-up is {self.required_step_up():.2f}",
        ]
        for t in self.triggers():
            lines.append(f"    {t['reading']}: {t['step_up']:.2f} (per year {t['step_up_annualised']:.2f}) -> "
                         f"trigger {'YES' if t['fires'] else 'no'}")
        return "\n".join(lines)


def input_readings(**spec) -> pd.DataFrame:
    """The borrower under each reading of the last round (essay, announced), side by side.

    Parameters
    ----------
    **spec
        Any other :class:`RoundsSpec` field (``compute``, ``undated_term_years``,
        ``dilution_limit``, ...); ``inputs`` is set per row.

    Returns
    -------
    pandas.DataFrame
        Index ``inputs``: the last mark and its raise (USD bn), the dilution,
        the raise needed (USD bn), the required step-up, the trend and the
        reported-target step-ups, and the margin of the reported target over
        the requirement (step-up points; negative: the target does not clear).
    """
    spec.pop("inputs", None)
    rows = {}
    for reading in INPUT_READINGS:
        r = RoundsSpec(inputs=reading, **spec).run()
        req = r.required_step_up()
        target = r.reported_target / float(r.marks.iloc[-1]) if r.reported_target is not None else float("nan")
        rows[reading] = {
            "last_mark_usd_bn": float(r.marks.iloc[-1]), "last_raise_usd_bn": float(r.raised.iloc[-1]),
            "last_round": r.marks.index[-1].date().isoformat(), "dilution": r.dilution_limit,
            "required_raise_usd_bn": r.next_raise_required(), "required_step_up": req,
            "trend_step_up": r.trend_step_up(), "reported_target_step_up": target,
            "reported_target_margin": target - req,
        }
    frame = pd.DataFrame(rows).T
    frame.index.name = "inputs"
    return frame
