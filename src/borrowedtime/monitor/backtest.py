"""Real-time evaluation of the second-derivative monitor against what followed.

The monitor runs date by date: the filtered kinematics at t use data dated
<= t and a scale estimated on those data only, so one filter pass *is* the
date-by-date run (``tests/test_backtest.py`` checks this by refitting on
prefixes, and a property test shows appending data never changes a past
estimate). Each warning episode is scored against the series' own
year-over-year growth, the figure the market watches, by the rules of
:mod:`borrowedtime.monitor.scoring` (issue 11): a turn is the first negative YoY
print after at least 24 months positive; it is anticipated when a call is
standing six months before it (strictly: a call begun in the month of the
turn does not count) and began at most 24 months before it; a call with no
turn within 24 months of its start is a false alarm. Calls are scored as
published: with ``release_lag`` N (Case-Shiller: two months) a call made on
data through t is dated t + N observations, so leads shrink by N.

Two peers are scored on the same table, with the same persistence:

* the **named baseline** of issue 11 (:func:`baseline_calls`): YoY log
  growth positive and its six-month change below minus one real-time
  root mean square for three months running; it stands while growth is
  positive and still falling;
* the **naive rule**: *year-over-year growth fell at every observation over
  a quarter while still positive* (three months running on monthly data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.errors import DataError, SpecError
from borrowedtime.monitor.discrete import year_over_year
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import RegimeResult, RegimeRule, Window
from borrowedtime.monitor.result import KinematicsResult
from borrowedtime.monitor.scoring import RuleScore, ScoringRule, score_calls
from borrowedtime.series import as_series

__all__ = [
    "year_over_year",
    "naive_calls",
    "baseline_calls",
    "calls_from_z",
    "baseline_signal",
    "borrowed_time_windows",
    "Backtest",
    "BacktestResult",
    "ScoredWindow",
    "run_backtest",
    "monitor_windows",
    "score_panel",
    "summarise_panel",
]

_MONTH = 365.25 / 12
MONITOR = "second-derivative monitor"
BASELINE = "baseline: volatility-scaled YoY fall"
NAIVE = "naive: YoY falling"


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


def _baseline_gz(yoy: pd.Series, min_obs: int) -> tuple[np.ndarray, np.ndarray]:
    """YoY log growth g and z, its six-month change over the real-time expanding RMS (NaN until ``min_obs``)."""
    g = np.log1p(yoy.to_numpy(float))
    back = yoy.index - pd.DateOffset(months=6)
    pos = yoy.index.searchsorted(back, side="right") - 1  # last date <= six months earlier
    ok = (pos >= 0) & (yoy.index[np.maximum(pos, 0)] > back - pd.Timedelta(days=16))
    d = np.where(ok, g - g[np.maximum(pos, 0)], np.nan)
    have = ~np.isnan(d)
    cnt = np.cumsum(have)
    rms = np.sqrt(np.cumsum(np.where(have, d * d, 0.0)) / np.maximum(cnt, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(have & (cnt >= min_obs), d / rms, np.nan)
    return g, z


def baseline_signal(yoy: pd.Series, *, threshold: float = -1.0, min_obs: int = 36) -> pd.Series:
    """The baseline's raw condition at each date, g > 0 and z < ``threshold``, without persistence or hysteresis.

    Used by the detector league, which applies one episode rule to every
    detector's raw signal (:mod:`borrowedtime.detectors.league`).
    """
    g, z = _baseline_gz(yoy, min_obs)
    return pd.Series((g > 0) & (z < threshold), index=yoy.index, name="baseline_signal")


def calls_from_z(g: np.ndarray, z: np.ndarray, persistence: int, threshold: float = -1.0) -> np.ndarray:
    """The baseline's call rule on any z: call after ``persistence`` readings of g > 0 and z < threshold,
    stand while g > 0 and z < 0 (the call rule of :func:`baseline_calls`, on any z)."""
    with np.errstate(invalid="ignore"):
        enter = (g > 0) & (z < threshold)
        stay = (g > 0) & (z < 0)
    out = np.zeros(g.size, dtype=bool)
    on, run = False, 0
    for t in range(g.size):
        run = run + 1 if enter[t] else 0
        if not on and run >= persistence:
            on = True
        elif on and not stay[t]:
            on = False
        out[t] = on
    return out


def baseline_calls(yoy: pd.Series, *, persistence: int = 3, min_obs: int = 36, threshold: float = -1.0) -> pd.Series:
    """The named baseline of issue 11: a volatility-scaled fall in YoY log growth.

    With g the year-over-year log growth and z the six-month change in g
    divided by the real-time expanding root mean square of that change (data
    dated <= t, at least ``min_obs`` changes), a call is made when g > 0 and
    z < -1 at ``persistence`` consecutive observations (three months) and
    stands while g > 0 and z < 0. The settings are the issue's, fixed before
    any score was seen; the rule is a peer to beat, not a default.

    Parameters
    ----------
    yoy : pandas.Series
        Year-over-year growth, decimal (:func:`year_over_year`).
    persistence : int, default 3
        Consecutive observations of g > 0 and z < ``threshold`` needed to call.
    min_obs : int, default 36
        Six-month changes needed before the root mean square is trusted.
    threshold : float, default -1.0
        z below which a call is made (the issue's -1; other values only for
        the trade-off curve of ``benchmarks/bench_monitor_panel.py``); the
        call still stands while g > 0 and z < 0.

    Returns
    -------
    pandas.Series of bool
        True where the baseline's call stands.
    """
    g, z = _baseline_gz(yoy, min_obs)
    return pd.Series(calls_from_z(g, z, persistence, threshold), index=yoy.index, name="baseline_call")


@dataclass(frozen=True)
class ScoredWindow:
    """A warning episode of the monitor and what followed it.

    ``published`` is the date the call could first be acted on (the start
    plus the release lag); ``turn`` the first turn of YoY growth within
    24 months of it (None: a false alarm); ``anticipated`` whether this call
    was standing, as published, six months before that turn.
    """

    window: Window
    published: pd.Timestamp
    turn: pd.Timestamp | None
    anticipated: bool
    growth_peak: pd.Timestamp | None  # peak of YoY in the 3 years before the turn

    @property
    def start(self) -> pd.Timestamp:
        return self.window.start

    @property
    def end(self) -> pd.Timestamp | None:
        return self.window.end

    @property
    def lead_months(self) -> float | None:
        """Months from the published call to the turn."""
        if self.turn is None:
            return None
        return (self.turn - self.published).days / _MONTH

    @property
    def hit(self) -> bool:
        return self.anticipated

    def to_dict(self) -> dict:
        lead = self.lead_months
        return {
            "start": _iso(self.start),
            "published": _iso(self.published),
            "end": _iso(self.end),
            "lead_months": None if lead is None else round(lead),
            "anticipated": self.anticipated,
            "yoy_negative": _iso(self.turn),
            "growth_peak": _iso(self.growth_peak),
            "rollover": _iso(self.window.rollover),
            "velocity_zero": _iso(self.window.velocity_zero),
        }


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else ts.date().isoformat()


def _flag_from_windows(windows: list[Window], index: pd.DatetimeIndex) -> pd.Series:
    flag = np.zeros(index.size, dtype=bool)
    for w in windows:
        s = index.searchsorted(w.start)
        e = index.size if w.end is None else index.searchsorted(w.end)
        flag[s:e] = True
    return pd.Series(flag, index=index, name="monitor_call")


def _growth_peak(yoy: pd.Series, turn: pd.Timestamp | None) -> pd.Timestamp | None:
    if turn is None:
        return None
    prior = yoy[(yoy.index > turn - pd.DateOffset(years=3)) & (yoy.index <= turn)]
    return prior.idxmax() if len(prior) else None


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
    release_lag : int, default 0
        Observations between a reference date and the publication of its
        data (2 for Case-Shiller): every rule's calls are scored as published.
    scoring : ScoringRule
        Turns, anticipated turns and false alarms (issue 11's definitions).
    """

    model: KinematicsModel = field(default_factory=KinematicsModel)
    rule: RegimeRule = field(default_factory=RegimeRule)
    calm: tuple[str, str] | None = None
    release_lag: int = 0
    scoring: ScoringRule = field(default_factory=ScoringRule)

    def __post_init__(self) -> None:
        if not isinstance(self.release_lag, int | np.integer) or self.release_lag < 0:
            raise SpecError(
                f"The 'release_lag' parameter of Backtest must be an int >= 0 (observations). "
                f"Got {self.release_lag!r} instead."
            )

    def run(self, series: pd.Series, outcome: pd.Series | None = None) -> BacktestResult:
        s = as_series(series, name=str(series.name or "series"))
        kin = self.model.fit(s)
        reg = self.rule.classify(kin)
        yoy = year_over_year(s)
        if yoy.empty:
            raise DataError(f"{s.name}: less than a year of data; year-over-year growth is undefined.")
        wins = borrowed_time_windows(reg, yoy)
        k = reg.persistence
        flags = {
            MONITOR: _flag_from_windows(wins, s.index).reindex(yoy.index, fill_value=False),
            BASELINE: baseline_calls(yoy, persistence=k),
            NAIVE: naive_calls(yoy, k),
        }
        scores = {
            name: score_calls(f, yoy, name=name, rule=self.scoring, release_lag=self.release_lag)
            for name, f in flags.items()
        }
        # The monitor's windows, with what followed each (episodes map one to one, in order;
        # a window started in the last release_lag observations is not yet published).
        mon = scores[MONITOR]
        by_start = {c.start: c for c in mon.calls}
        scored = []
        for w in wins:
            pos = yoy.index.searchsorted(w.start) + self.release_lag
            c = by_start.get(yoy.index[pos]) if pos < yoy.index.size else None
            if c is not None:
                scored.append(ScoredWindow(w, c.start, c.turn, c.anticipated, _growth_peak(yoy, c.turn)))
        if outcome is not None:
            outcome = as_series(outcome, name=str(outcome.name or "outcome"), positive=False)
        return BacktestResult(
            name=str(s.name),
            series=s,
            yoy=yoy,
            kinematics=kin,
            regimes=reg,
            windows=scored,
            scores=scores,
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
    release_lag: int = 0,
) -> BacktestResult:
    """Run :class:`Backtest` with default settings unless given."""
    return Backtest(model or KinematicsModel(), rule or RegimeRule(), calm, release_lag).run(series, outcome)


def monitor_windows(series: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
    """Real-time borrowed-time windows (start, end) of the default monitor."""
    return [(w.start, w.end) for w in run_backtest(series).windows]


@dataclass(frozen=True, eq=False)
class BacktestResult(Summarised):
    """What the monitor, the baseline and the naive rule called, and what followed."""

    name: str
    series: pd.Series
    yoy: pd.Series
    kinematics: KinematicsResult
    regimes: RegimeResult
    windows: list[ScoredWindow]
    scores: dict[str, RuleScore]
    outcome: pd.Series | None
    calm: tuple[pd.Timestamp, pd.Timestamp] | None
    spec: Backtest

    # -------------------------------------------------------------- turns
    @property
    def turns(self) -> list[pd.Timestamp]:
        """First dates YoY growth was negative after >= 24 months positive (the scored turns)."""
        return list(self.scores[MONITOR].turns)

    def _in_calm(self, ts: pd.Timestamp) -> bool:
        return self.calm is not None and self.calm[0] <= ts <= self.calm[1]

    def comparison(self) -> pd.DataFrame:
        """Monitor vs baseline vs naive rule, one row per rule and turn.

        ``first_call`` is the published start of the call standing six
        months before the turn (None: not anticipated), ``lead_months`` the
        months from it to the turn; ``standing_Km`` the strict hit test at
        K = 0, 3, 6 months; ``calls``, ``false_alarms`` and ``calm_calls``
        are per rule over the whole series.
        """
        rows = []
        for sc in self.scores.values():
            base = {
                "rule": sc.name,
                "calls": len(sc.calls),
                "anticipated": sc.anticipated,
                "false_alarms": sc.false_alarms,
                "calm_calls": sum(self._in_calm(c.start) for c in sc.calls) if self.calm else None,
                "median_lead_months": sc.median_lead_months,
            }
            per_turn = sc.to_frame()
            if per_turn.empty:
                rows.append({**base, "yoy_negative": None, "first_call": None, "lead_months": None})
                continue
            for r in per_turn.to_dict(orient="records"):
                r.pop("rule")
                rows.append({**base, "yoy_negative": r.pop("turn"), **r})
        out = pd.DataFrame(rows)
        if "lead_months" in out:
            out["lead_months"] = out["lead_months"].astype("Int64")
        return out

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
                "release_lag_obs": self.spec.release_lag,
                "standing_months": self.spec.scoring.standing_months,
            },
            "windows": [w.to_dict() for w in self.windows],
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
                f"  call {d['start']} (published {d['published']}) -> {d['end'] or 'standing'}; "
                f"turn {d['yoy_negative'] or '- (false alarm)'}; "
                f"lead {d['lead_months'] if d['lead_months'] is not None else '-'} months"
                f"{'' if w.anticipated or w.turn is None else ' (not standing 6 months before: no hit)'}"
            )
        for sc in self.scores.values():
            lines.append("  " + sc.summary())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<BacktestResult {self.name}: {len(self.regimes.windows(0))} call windows, "
                f"{len(self.windows)} borrowed-time, {len(self.turns)} YoY turns, "
                f"{self.series.index[0].date()}..{self.series.index[-1].date()}>")


def score_panel(
    frame: pd.DataFrame,
    *,
    model: KinematicsModel | None = None,
    rule: RegimeRule | None = None,
    scoring: ScoringRule | None = None,
    release_lag: int = 0,
    baseline_threshold: float = -1.0,
) -> pd.DataFrame:
    """Score the monitor, the baseline and the naive rule on every series of a panel.

    The monitor runs on the whole panel in one vectorised filter pass; each
    rule's calls are scored by :func:`borrowedtime.monitor.scoring.score_calls`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Strictly positive series, one per column, on a shared monthly DatetimeIndex.
    baseline_threshold : float, default -1.0
        z threshold of the baseline (:func:`baseline_calls`); other values
        only for the trade-off curve of ``benchmarks/bench_monitor_panel.py``.

    Returns
    -------
    pandas.DataFrame
        One row per (series, rule): ``turns``, ``anticipated``, ``leads``
        (list of months), ``calls``, ``false_alarms``, ``series_years``.
    """
    model = model or KinematicsModel()
    rule = rule or RegimeRule()
    scoring = scoring or ScoringRule()
    kin = model.fit(frame)
    reg = rule.classify(kin)
    k = reg.persistence
    rows = []
    for i, name in enumerate(kin.names):
        s = frame[frame.columns[i]]
        s = s.copy()
        s.attrs["frequency"] = kin.frequency
        yoy = year_over_year(s)
        wins = borrowed_time_windows(reg, yoy, i)
        flags = {
            MONITOR: _flag_from_windows(wins, kin.index).reindex(yoy.index, fill_value=False),
            BASELINE: baseline_calls(yoy, persistence=k, threshold=baseline_threshold),
            NAIVE: naive_calls(yoy, k),
        }
        for rname, f in flags.items():
            sc = score_calls(f, yoy, name=rname, rule=scoring, release_lag=release_lag)
            rows.append(
                {
                    "series": name,
                    "rule": rname,
                    "turns": len(sc.turns),
                    "anticipated": sc.anticipated,
                    "leads": sc.leads(),
                    "calls": len(sc.calls),
                    "false_alarms": sc.false_alarms,
                    "series_years": sc.series_years,
                }
            )
    return pd.DataFrame(rows)


def summarise_panel(scores: pd.DataFrame) -> pd.DataFrame:
    """Pool :func:`score_panel` rows per rule: anticipated share, median lead, false alarms per 100 series-years."""
    out = []
    for rname, g in scores.groupby("rule", sort=False):
        leads = [x for lst in g["leads"] for x in lst]
        turns = int(g["turns"].sum())
        years = float(g["series_years"].sum())
        out.append(
            {
                "rule": rname,
                "series": int(g["series"].nunique()),
                "turns": turns,
                "anticipated": int(g["anticipated"].sum()),
                "anticipated_share": g["anticipated"].sum() / turns if turns else float("nan"),
                "median_lead_months": float(np.median(leads)) if leads else float("nan"),
                "calls": int(g["calls"].sum()),
                "false_alarms": int(g["false_alarms"].sum()),
                "false_alarms_per_100_series_years": 100.0 * g["false_alarms"].sum() / years if years else float("nan"),
            }
        )
    return pd.DataFrame(out)
