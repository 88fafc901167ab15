"""One way to score every early-warning rule: turns, anticipated turns, false alarms.

The definitions are those of issue 11 and are applied to every rule alike (the
monitor, the named baseline and the naive rule), on any series:

* a **turn** is the first date year-over-year growth is negative after at
  least ``min_positive_months`` (24) months of positive growth;
* a turn is **anticipated** at horizon k when a call is *standing* k months
  before it (the last observation dated <= turn - k months carries a call)
  and that call *began* at most ``max_age_months`` (24) months before the
  turn; the hit test is strict: a call begun in the very month of the turn
  does not count at k = 0 unless it was already standing then, and a call
  released before turn - k does not count at all;
* the **lead** is the time from the start of the standing call to the turn,
  in months;
* a **false alarm** is a call with no turn within ``false_alarm_months`` (24)
  months of its start (start <= turn <= start + 24 months).

Calls are taken as *published*: with a release lag of N observations (Case-
Shiller is published about two months after its reference month), a call
computed from data through reference date t can only be acted on N
observations later, so every call flag is shifted N observations later
before scoring (:func:`lag_calls`); turns stay dated by reference month, so
every lead is shortened by the lag.

Times are measured in calendar months (``pandas.DateOffset``), so the same
rules apply to monthly, quarterly and daily series.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime._episodes import episodes_from_flags
from borrowedtime.errors import DataError, SpecError

__all__ = [
    "ScoringRule",
    "ScoredCall",
    "RuleScore",
    "find_turns",
    "turn_within",
    "call_episodes",
    "lag_calls",
    "score_calls",
]

_MONTH_DAYS = 365.25 / 12


def _months_between(a: pd.Timestamp, b: pd.Timestamp) -> float:
    """b - a in (average) months."""
    return (b - a).days / _MONTH_DAYS


@dataclass(frozen=True)
class ScoringRule:
    """The scoring definitions (all in months); defaults are issue 11's.

    Parameters
    ----------
    standing_months : int, default 6
        k: a call must be standing this many months before the turn.
    max_age_months : int, default 24
        The anticipating call must have begun at most this long before the turn.
    false_alarm_months : int, default 24
        A call with no turn within this many months of its start is a false alarm.
    min_positive_months : int, default 24
        A turn needs at least this many months of positive YoY growth before it.
    """

    standing_months: int = 6
    max_age_months: int = 24
    false_alarm_months: int = 24
    min_positive_months: int = 24

    def __post_init__(self) -> None:
        for name in ("standing_months", "max_age_months", "false_alarm_months", "min_positive_months"):
            v = getattr(self, name)
            if not isinstance(v, int | np.integer) or v < 0:
                raise SpecError(f"The '{name}' parameter of ScoringRule must be an int >= 0. Got {v!r} instead.")
        if self.standing_months > self.max_age_months:
            raise SpecError("ScoringRule: standing_months must be <= max_age_months.")


def find_turns(yoy: pd.Series, min_positive_months: int = 24) -> list[pd.Timestamp]:
    """Dates YoY growth first printed negative after >= ``min_positive_months`` of positive growth.

    Parameters
    ----------
    yoy : pandas.Series
        Year-over-year growth (decimal) on a sorted DatetimeIndex, no NaN.
    min_positive_months : int
        The positive run before the turn must span at least this many months
        (from its first positive date to the turn).
    """
    if yoy.isna().any():
        raise DataError(f"{yoy.name}: YoY growth has missing values; scoring needs a complete series.")
    g = yoy.to_numpy(float)
    idx = yoy.index
    out: list[pd.Timestamp] = []
    run_start = None
    for t in range(g.size):
        if g[t] > 0:
            if run_start is None:
                run_start = idx[t]
        else:  # zero or negative ends the positive run
            if g[t] < 0 and run_start is not None and idx[t] - pd.DateOffset(months=min_positive_months) >= run_start:
                out.append(idx[t])
            run_start = None
    return out


def turn_within(yoy: pd.Series, horizon_months: int, min_positive_months: int = 24) -> np.ndarray:
    """Whether a turn is dated in (t, t + h months], at every date of ``yoy`` (bool; outcome not censored).

    The caller decides which dates' outcomes are known (t + h <= the date it stands at).
    """
    idx = yoy.index.as_unit("ns")
    turns = pd.DatetimeIndex(find_turns(yoy, min_positive_months)).as_unit("ns").asi8
    ends = (idx + pd.DateOffset(months=horizon_months)).asi8
    if turns.size == 0:
        return np.zeros(idx.size, dtype=bool)
    nxt_i = np.searchsorted(turns, idx.asi8, side="right")
    nxt = np.where(nxt_i < turns.size, turns[np.minimum(nxt_i, turns.size - 1)], np.iinfo(np.int64).max)
    return nxt <= ends


def call_episodes(flag: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
    """(start, end) of each run of True in a boolean series; end is the first date after it (None if open)."""
    return episodes_from_flags(flag)


def lag_calls(flag: pd.Series, release_lag: int) -> pd.Series:
    """Calls as they could be acted on: each flag moved ``release_lag`` observations later.

    The first ``release_lag`` dates carry no call (nothing was published yet).
    """
    if not isinstance(release_lag, int | np.integer) or release_lag < 0:
        raise SpecError(f"release lag must be an int >= 0 observations. Got {release_lag!r} instead.")
    if release_lag == 0:
        return flag.astype(bool)
    arr = flag.to_numpy(bool)
    out = np.zeros_like(arr)
    out[release_lag:] = arr[:-release_lag] if release_lag < arr.size else False
    return pd.Series(out, index=flag.index, name=flag.name)


@dataclass(frozen=True)
class ScoredCall:
    """One call episode and what followed it."""

    start: pd.Timestamp
    end: pd.Timestamp | None
    turn: pd.Timestamp | None  # first turn within false_alarm_months of the start
    anticipated: bool  # standing k months before that turn and begun <= max_age before it

    @property
    def false_alarm(self) -> bool:
        return self.turn is None

    @property
    def lead_months(self) -> float | None:
        """Months from the call's start to the turn it was followed by."""
        return None if self.turn is None else _months_between(self.start, self.turn)


@dataclass(frozen=True, eq=False)
class RuleScore:
    """How one rule fared on one series (frozen result)."""

    name: str
    calls: tuple[ScoredCall, ...]
    turns: tuple[pd.Timestamp, ...]
    first_call: dict  # turn -> start of the call standing k months before it (anticipated) or None
    standing: dict  # k -> {turn: bool} standing k months before the turn, begun <= max_age before it
    series_years: float
    rule: ScoringRule = field(repr=False)

    @property
    def anticipated(self) -> int:
        return sum(v is not None for v in self.first_call.values())

    @property
    def false_alarms(self) -> int:
        return sum(c.false_alarm for c in self.calls)

    def leads(self) -> list[float]:
        return [_months_between(s, t) for t, s in self.first_call.items() if s is not None]

    @property
    def median_lead_months(self) -> float | None:
        leads = self.leads()
        return float(np.median(leads)) if leads else None

    def hits_at(self, k: int) -> int:
        return sum(self.standing[k].values())

    def to_frame(self) -> pd.DataFrame:
        """One row per turn: the anticipating call, its lead, and the hit at each horizon."""
        rows = []
        for t in self.turns:
            s = self.first_call[t]
            row = {
                "rule": self.name,
                "turn": t.date().isoformat(),
                "first_call": None if s is None else s.date().isoformat(),
                "lead_months": None if s is None else round(_months_between(s, t)),
            }
            for k in sorted(self.standing):
                row[f"standing_{k}m"] = bool(self.standing[k][t])
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lead = self.median_lead_months
        return (
            f"{self.name}: {self.anticipated}/{len(self.turns)} turns anticipated "
            f"(standing {self.rule.standing_months} months before), median lead "
            f"{'-' if lead is None else f'{lead:.0f}'} months, {self.false_alarms} false alarm(s) "
            f"in {len(self.calls)} call(s), {self.series_years:.1f} series-years"
        )

    def __repr__(self) -> str:
        return f"RuleScore({self.summary()})"


def _standing_call(
    episodes: list[tuple[pd.Timestamp, pd.Timestamp | None]], at: pd.Timestamp, flag: pd.Series,
    turns_at: frozenset = frozenset(),
) -> pd.Timestamp | None:
    """Start of the call standing at date ``at`` (as of the last observation dated <= at).

    When ``at`` is a turn itself (k = 0), the call must stand at the last
    observation *before* it: the print that shows the turn is too late.
    """
    pos = flag.index.searchsorted(at, side="right") - 1
    if at in turns_at:  # k = 0: the last observation before the turn itself
        pos = flag.index.searchsorted(at, side="left") - 1
    if pos < 0 or not flag.iloc[pos]:
        return None
    d = flag.index[pos]
    for s, e in episodes:
        if s <= d and (e is None or d < e):
            return s
    return None  # pragma: no cover - a True flag always lies in an episode


def score_calls(
    flag: pd.Series,
    yoy: pd.Series,
    *,
    name: str = "rule",
    rule: ScoringRule | None = None,
    horizons: tuple[int, ...] = (0, 3, 6),
    release_lag: int = 0,
) -> RuleScore:
    """Score a boolean call series against the turns of YoY growth.

    Parameters
    ----------
    flag : pandas.Series of bool
        True where the rule's call stands, dated by the reference date of the
        data it used (real time: computed from data dated <= that date).
    yoy : pandas.Series
        Year-over-year growth, decimal, dated by reference date.
    name : str
        Label of the rule.
    rule : ScoringRule, optional
        Definitions (default: issue 11's).
    horizons : tuple of int
        k (months) at which the strict standing test is also reported.
    release_lag : int, default 0
        Observations between a reference date and the publication of its data.

    Returns
    -------
    RuleScore
    """
    rule = rule or ScoringRule()
    if not isinstance(flag.index, pd.DatetimeIndex) or not isinstance(yoy.index, pd.DatetimeIndex):
        raise DataError("score_calls: flag and yoy need a DatetimeIndex.")
    flag = lag_calls(flag.astype(bool), release_lag)
    turns = find_turns(yoy, rule.min_positive_months)
    eps = call_episodes(flag)
    ks = sorted({*horizons, rule.standing_months})
    standing: dict[int, dict] = {k: {} for k in ks}
    first: dict = {}
    for t in turns:
        for k in ks:
            s = _standing_call(eps, t - pd.DateOffset(months=k), flag, frozenset({t}) if k == 0 else frozenset())
            ok = s is not None and s >= t - pd.DateOffset(months=rule.max_age_months)
            standing[k][t] = ok
            if k == rule.standing_months:
                first[t] = s if ok else None
    turn_arr = pd.DatetimeIndex(turns)
    calls = []
    for s, e in eps:
        after = turn_arr[(turn_arr >= s) & (turn_arr <= s + pd.DateOffset(months=rule.false_alarm_months))]
        t = after[0] if len(after) else None
        calls.append(ScoredCall(s, e, t, t is not None and first.get(t) == s))
    years = (yoy.index[-1] - yoy.index[0]).days / 365.25 if len(yoy) > 1 else 0.0
    return RuleScore(
        name=name,
        calls=tuple(calls),
        turns=tuple(turns),
        first_call=first,
        standing={k: standing[k] for k in ks if k in horizons or k == rule.standing_months},
        series_years=years,
        rule=rule,
    )
