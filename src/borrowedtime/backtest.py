"""Real-time evaluation of the second-derivative monitor against what followed.

The monitor runs date by date: the filtered kinematics at t use data dated
<= t and a scale estimated on those data only, so one filter pass *is* the
date-by-date run (``tests/test_backtest.py`` checks this by refitting on
prefixes, and a property test shows appending data never changes a past
estimate). Each warning episode is scored against the series' own
year-over-year growth, the figure the market watches: its lead is the time
from the call to the first date that growth printed negative while the call
stood; an episode in which growth never turned negative is a false alarm.

Year-over-year growth on daily data flickers around zero for days when it
turns (NASDAQ in 1998 printed four separate "turns" in five weeks). **Merge
rule**: negative readings separated by fewer than the call rule's persistence
span (one quarter: 3 monthly or ~63 business-day observations) of
non-negative growth are one episode, and a turn is the first negative reading
of an episode (:func:`negative_episodes`). The principle is the one the calls
obey: a change that does not last a quarter, the reporting period, is not
news; the monitor is held to the same standard as what it is scored against.

A naive rule is scored on the same table: *year-over-year growth fell at
every observation over a quarter while still positive* (three months running
on monthly data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime.errors import DataError
from borrowedtime.kinematics import KinematicsModel, KinematicsResult
from borrowedtime.regimes import RegimeResult, RegimeRule, Window
from borrowedtime.series import as_series, days_since_epoch

__all__ = [
    "year_over_year",
    "naive_calls",
    "borrowed_time_windows",
    "Backtest",
    "BacktestResult",
    "ScoredWindow",
    "run_backtest",
    "monitor_windows",
    "negative_episodes",
]

_MONTH = 365.25 / 12


def year_over_year(series: pd.Series) -> pd.Series:
    """Growth over one year, decimal, using only data dated <= each date.

    Regular monthly/quarterly/annual data compare with the observation 12/4/1
    periods back; other data with the last observation dated at least one year
    earlier. Dates with no observation a year back are omitted.
    """
    s = series
    freq = s.attrs.get("frequency")
    if freq is not None and freq.name in ("monthly", "quarterly", "annual"):
        months = s.index.year * 12 + s.index.month
        back = pd.Series(s.to_numpy(), index=months)
        prior = back.reindex(months - 12).to_numpy()
        yoy = s.to_numpy() / prior - 1.0
        out = pd.Series(yoy, index=s.index, name="yoy").dropna()  # no value a year back: omitted
        return out
    days = days_since_epoch(s.index)
    pos = np.searchsorted(days, days - 365.25 * 0.999, side="right") - 1
    ok = pos >= 0
    yoy = s.to_numpy()[ok] / s.to_numpy()[pos[ok]] - 1.0
    return pd.Series(yoy, index=s.index[ok], name="yoy")


def negative_episodes(yoy: pd.Series, k: int) -> pd.Series:
    """Where YoY growth is in a negative episode: gaps of fewer than ``k`` non-negative readings are merged.

    Parameters
    ----------
    yoy : pandas.Series
        Year-over-year growth, decimal.
    k : int
        Persistence in observations (the call rule's; 1 merges nothing).

    Returns
    -------
    pandas.Series of bool
        True at negative readings and inside the short gaps between them.
    """
    neg = (yoy < 0).to_numpy()
    out = neg.copy()
    idx = np.flatnonzero(neg)
    if idx.size > 1 and k > 1:
        gaps = np.diff(idx) - 1  # non-negative readings between two negative ones
        for a, g in zip(idx[:-1], gaps, strict=True):
            if 0 < g < k:
                out[a + 1 : a + 1 + g] = True
    return pd.Series(out, index=yoy.index, name="negative_episode")


def borrowed_time_windows(regimes: RegimeResult, yoy: pd.Series, series: int | str = 0) -> list[Window]:
    """Warning episodes called while growth as the market reads it was still positive.

    The market's S' is year-over-year growth; the filtered velocity leads it by
    months, so a call made in borrowed time may already carry the label
    contraction. Where YoY growth is not yet defined (the first year), the
    filtered velocity decides.
    """
    yoy_at = yoy.reindex(regimes.index)
    labels = regimes.labels(series)
    out = []
    for w in regimes.windows(series):
        g = yoy_at.loc[w.start]
        if (g > 0) if pd.notna(g) else labels.loc[w.start] == "borrowed time":
            out.append(w)
    return out


def naive_calls(yoy: pd.Series, k: int = 3) -> pd.Series:
    """The naive rule: YoY growth positive and lower than the observation before, k times running."""
    falling = (yoy.diff() < 0) & (yoy > 0)
    run = falling.astype(int).groupby((~falling).cumsum()).cumsum()
    return (run >= k).rename("naive_call")


@dataclass(frozen=True)
class ScoredWindow:
    """A warning episode and what followed it."""

    window: Window
    turn: pd.Timestamp | None  # first date YoY < 0 while the call stood
    growth_peak: pd.Timestamp | None  # peak of YoY in the 3 years before the turn

    @property
    def start(self) -> pd.Timestamp:
        return self.window.start

    @property
    def end(self) -> pd.Timestamp | None:
        return self.window.end

    @property
    def lead_months(self) -> float | None:
        if self.turn is None:
            return None
        return (self.turn - self.start).days / _MONTH

    @property
    def hit(self) -> bool:
        return self.turn is not None

    def to_dict(self) -> dict:
        lead = self.lead_months
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "lead_months": None if lead is None else round(lead),
            "yoy_negative": _iso(self.turn),
            "growth_peak": _iso(self.growth_peak),
            "rollover": _iso(self.window.rollover),
            "velocity_zero": _iso(self.window.velocity_zero),
        }


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else ts.date().isoformat()


def _score(
    starts_ends: list[Window], yoy: pd.Series, last: pd.Timestamp, k: int = 1
) -> list[ScoredWindow]:
    out = []
    neg = negative_episodes(yoy, k)
    for w in starts_ends:
        stop = w.end if w.end is not None else last
        seg = neg[(neg.index >= w.start) & (neg.index <= stop)]
        turn = seg.index[np.argmax(seg.to_numpy())] if seg.any() else None
        peak = None
        if turn is not None:
            prior = yoy[(yoy.index > turn - pd.DateOffset(years=3)) & (yoy.index <= turn)]
            peak = prior.idxmax() if len(prior) else None
        out.append(ScoredWindow(w, turn, peak))
    return out


def _episodes(flag: pd.Series) -> list[Window]:
    arr = flag.to_numpy(bool)
    edges = np.diff(np.concatenate([[False], arr, [False]]).astype(np.int8))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [
        Window(flag.index[s], flag.index[e] if e < arr.size else None, None, None)
        for s, e in zip(starts, stops, strict=True)
    ]


@dataclass(frozen=True)
class Backtest:
    """A real-time backtest specification.

    Parameters
    ----------
    model : KinematicsModel
        The filter (default settings: see :class:`KinematicsModel`).
    rule : RegimeRule
        How calls are made (default settings: see :class:`RegimeRule`).
    calm : (str, str), optional
        A span in which nothing should be called (e.g. ``("1992-01-01",
        "2003-12-31")``); calls starting there are counted as calm calls.
    """

    model: KinematicsModel = field(default_factory=KinematicsModel)
    rule: RegimeRule = field(default_factory=RegimeRule)
    calm: tuple[str, str] | None = None

    def run(self, series: pd.Series, outcome: pd.Series | None = None) -> BacktestResult:
        s = as_series(series, name=str(series.name or "series"))
        kin = self.model.fit(s)
        reg = self.rule.classify(kin)
        yoy = year_over_year(s)
        if yoy.empty:
            raise DataError(f"{s.name}: less than a year of data; year-over-year growth is undefined.")
        wins = borrowed_time_windows(reg, yoy)
        k = reg.persistence
        scored = _score(wins, yoy, s.index[-1], k)
        naive = _score(_episodes(naive_calls(yoy, k)), yoy, s.index[-1], k)
        if outcome is not None:
            outcome = as_series(outcome, name=str(outcome.name or "outcome"), positive=False)
        return BacktestResult(
            name=str(s.name),
            series=s,
            yoy=yoy,
            kinematics=kin,
            regimes=reg,
            windows=scored,
            naive=naive,
            outcome=outcome,
            calm=None if self.calm is None else (pd.Timestamp(self.calm[0]), pd.Timestamp(self.calm[1])),
            spec=self,
        )


def run_backtest(
    series: pd.Series,
    outcome: pd.Series | None = None,
    *,
    calm: tuple[str, str] | None = None,
    model: KinematicsModel | None = None,
    rule: RegimeRule | None = None,
) -> BacktestResult:
    """Run :class:`Backtest` with default settings unless given."""
    return Backtest(model or KinematicsModel(), rule or RegimeRule(), calm).run(series, outcome)


def monitor_windows(series: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
    """Real-time borrowed-time windows (start, end) of the default monitor."""
    return [(w.start, w.end) for w in run_backtest(series).windows]


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """What the monitor and the naive rule called, and what followed."""

    name: str
    series: pd.Series
    yoy: pd.Series
    kinematics: KinematicsResult
    regimes: RegimeResult
    windows: list[ScoredWindow]
    naive: list[ScoredWindow]
    outcome: pd.Series | None
    calm: tuple[pd.Timestamp, pd.Timestamp] | None
    spec: Backtest

    # -------------------------------------------------------------- turns
    @property
    def turns(self) -> list[pd.Timestamp]:
        """Dates YoY growth turned negative: the first reading of each merged negative episode.

        Episodes are merged by :func:`negative_episodes` with the call rule's
        persistence; an episode already under way on the first YoY date is not
        a turn (it was not seen to happen).
        """
        neg = negative_episodes(self.yoy, self.regimes.persistence).to_numpy()
        cross = neg[1:] & ~neg[:-1]
        return list(self.yoy.index[1:][cross])

    def _in_calm(self, ts: pd.Timestamp) -> bool:
        return self.calm is not None and self.calm[0] <= ts <= self.calm[1]

    def _rule_row(self, rule: str, wins: list[ScoredWindow]) -> dict:
        hits = [w for w in wins if w.hit]
        first = {}
        for w in hits:  # the first call of each turn
            first.setdefault(w.turn, w)
        leads = [w.lead_months for w in first.values()]
        row = {
            "rule": rule,
            "calls": len(wins),
            "hits": len(first),
            "false_alarms": len(wins) - len(hits),
            "calm_calls": sum(self._in_calm(w.start) for w in wins) if self.calm else None,
            "median_lead_months": float(np.median(leads)) if leads else None,
        }
        return row

    def comparison(self) -> pd.DataFrame:
        """Monitor vs naive rule, per turn of YoY growth: first call, lead, calm calls."""
        rows = []
        for label, wins in (("second-derivative monitor", self.windows), ("naive: YoY falling", self.naive)):
            base = self._rule_row(label, wins)
            for turn in self.turns:
                standing = [w for w in wins if w.turn == turn]
                call = min((w.start for w in standing), default=None)
                rows.append(
                    {
                        **base,
                        "yoy_negative": turn.date().isoformat(),
                        "first_call": None if call is None else call.date().isoformat(),
                        "lead_months": None if call is None else round((turn - call).days / _MONTH),
                    }
                )
            if not self.turns:
                rows.append({**base, "yoy_negative": None, "first_call": None, "lead_months": None})
        return pd.DataFrame(rows)

    def outcome_summary(self) -> dict | None:
        """The outcome series around each turn: its trough and whether it rose before the turn."""
        if self.outcome is None:
            return None
        o = self.outcome
        out = []
        for turn in self.turns:
            before = o[(o.index > turn - pd.DateOffset(years=5)) & (o.index <= turn)]
            if before.empty:
                continue
            trough = before.idxmin()
            out.append(
                {
                    "yoy_negative": turn.date().isoformat(),
                    "trough": trough.date().isoformat(),
                    "trough_value": float(before.min()),
                    "value_at_turn": float(before.iloc[-1]),
                    "rose_before_turn": bool(before.iloc[-1] > before.min()),
                }
            )
        return {"name": str(o.name), "turns": out}

    def to_dict(self) -> dict:
        return {
            "series": self.name,
            "settings": {
                "cutoff_years": self.spec.model.cutoff_years,
                "seasonal": self.kinematics.season,
                "horizon_years": self.spec.rule.horizon_years,
                "confidence": self.spec.rule.confidence,
                "release": self.spec.rule.release,
                "persistence_obs": self.regimes.persistence,
            },
            "windows": [w.to_dict() for w in self.windows],
            "naive_windows": [w.to_dict() for w in self.naive],
            "yoy_negative": [t.date().isoformat() for t in self.turns],
            "calm": None if self.calm is None else [self.calm[0].date().isoformat(), self.calm[1].date().isoformat()],
            "comparison": self.comparison().to_dict(orient="records"),
            "outcome": self.outcome_summary(),
        }

    def summary(self) -> str:
        n_calls = len(self.regimes.windows(0))
        lines = [
            f"Backtest of {self.name}: {n_calls} call window(s), {len(self.windows)} of them made while "
            f"year-over-year growth was still positive (borrowed time; scored below), "
            f"{n_calls - len(self.windows)} after it had turned negative"
        ]
        for w in self.windows:
            d = w.to_dict()
            lines.append(
                f"  call {d['start']} -> {d['end'] or 'standing'}; YoY<0 {d['yoy_negative'] or '-'}; "
                f"lead {d['lead_months'] if d['lead_months'] is not None else '-'} months"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (f"<BacktestResult {self.name}: {len(self.regimes.windows(0))} call windows, "
                f"{len(self.windows)} borrowed-time, {len(self.turns)} YoY turns, "
                f"{self.series.index[0].date()}..{self.series.index[-1].date()}>")
