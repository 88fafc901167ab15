"""League table: the second-derivative monitor against LPPLS, PSY GSADF and two simple rules, in real time.

Each detector gives a raw real-time *signal* per date (data dated <= that date):

* ``borrowedtime``: the monitor's condition, P(S' + H S'' < 0) >= its
  confidence while P(S' > 0) >= 1/2 (borrowed time), without its own
  persistence and hysteresis;
* ``lppls``: the LPPLS positive-bubble confidence at or above a threshold
  (on a coarser step of end dates, the last value computed stands until the
  next one);
* ``gsadf``: PSY's BSADF above its critical value, with the real-time
  minimum window (:func:`borrowedtime.detectors.psy.realtime_min_window`);
* ``baseline``: issue 11's named baseline
  (:func:`borrowedtime.monitor.backtest.baseline_calls`): YoY log growth g > 0 and
  z < -1, z its six-month change over the real-time root mean square
  (after three years of observations), without its own three-observation
  persistence and its z < 0 hysteresis;
* ``naive``: year-over-year growth positive and below its previous value.

With a release lag of N observations (``release_lag``) every signal is
moved N observations later before the episode rule: a warning is dated when
it could have been acted on.

**One episode rule for every detector** (issue 11): a warning starts once
the signal has held at every observation for ``min_duration_days`` (28, four
weeks; at least two observations) and is dated on that day, when it became
known; it ends at the first observation the signal is off. Each detector's
own rule (the monitor's quarter of persistence and hysteresis, PSY's log T
duration, LPPLS's raw crossings) would make the false-alarm counts
incomparable.

Scoring against one turn (the series' maximum unless given): a warning is a
**hit at h days** when an episode is *standing* h days before the turn
(reported at 30, 90, 180 and 365 days); the **first warning** is the start of
the episode standing ``horizon_days`` (90) before the turn, the **lead** the
days from it to the turn, and the **move to the turn** the change in the
series from the first warning to the turn (what a user who acted on the
warning gave up). **False alarms** are episodes that ended before that
horizon. Episodes starting after the turn are not scored.

**Live** (no turn given and the series at its maximum on its last date, the
case of a series still rising): there is no turn to score against, so
nothing is scored (no first warning, lead, hits or false alarms); each entry
says whether a warning stands *now*, on the last date, and since when
(``standing_since``).

LPPLS's critical-time bounds (60 days before to 252 after the window's end,
the ``lppls`` package's values for daily data) are counted in observations on
data that are not daily (60 and 252 observations, times the median spacing
of the first window, the data known at the first end date), so a monthly
run searches the same span of *observations* as a daily one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime._episodes import runs
from borrowedtime._results import Summarised
from borrowedtime.detectors.lppls import LPPLSModel
from borrowedtime.detectors.psy import REALTIME_YEARS, PSYTest, realtime_min_window
from borrowedtime.errors import BorrowedTimeError, DataError, SpecError
from borrowedtime.monitor.scoring import lag_calls
from borrowedtime.series import as_series

__all__ = ["LeagueEntry", "LeagueTable", "league_table", "DETECTORS", "EpisodeRule", "HORIZONS_DAYS"]

DETECTORS = ("borrowedtime", "lppls", "gsadf", "baseline", "naive")
HORIZONS_DAYS = (30, 90, 180, 365)
Episode = tuple[pd.Timestamp, pd.Timestamp | None]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LeagueEntry:
    """One detector's real-time record on one series.

    Attributes
    ----------
    name : str
        One of :data:`DETECTORS`.
    warnings : list of (Timestamp, Timestamp or None)
        Warning episodes (start, end); end None while still on at the last date.
    first_warning : Timestamp or None
        Earliest start of an episode still on within the horizon before the turn.
    lead_days : int or None
        Days from the first warning to the turn.
    false_alarms : int or None
        Episodes that ended before the horizon (None when live: no turn to score against).
    hits : dict
        ``{h: bool}``: an episode standing h days before the turn, h in :data:`HORIZONS_DAYS`.
    move_to_turn : float or None
        Change in the series from the first warning to the turn (decimal; 1.57 is +157 %).
    standing_since : Timestamp or None
        Start of the warning still standing on the last date (as published), None if none stands.
    seconds : float
        Wall time of the detector on this series.
    note : str
        Settings, extra statistics, or why the detector could not run.
    extra : dict
        Detector-specific numbers (GSADF by lag, peak LPPLS confidence, ...).
    """

    name: str
    warnings: list[Episode]
    first_warning: pd.Timestamp | None
    lead_days: int | None
    false_alarms: int | None
    seconds: float
    note: str = ""
    extra: dict = field(default_factory=dict)
    hits: dict = field(default_factory=dict)
    move_to_turn: float | None = None
    standing_since: pd.Timestamp | None = None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "first_warning": None if self.first_warning is None else self.first_warning.date().isoformat(),
            "lead_days": self.lead_days,
            "warnings": [s.date().isoformat() for s, _ in self.warnings],
            "seconds": round(self.seconds, 3),
            "false_alarms": self.false_alarms,
            "hits": {str(h): v for h, v in self.hits.items()},
            "move_to_turn": None if self.move_to_turn is None else round(self.move_to_turn, 4),
            "standing_now": self.standing_since is not None,
            "standing_since": None if self.standing_since is None else self.standing_since.date().isoformat(),
            "note": self.note,
            **self.extra,
        }


@dataclass(frozen=True, eq=False)
class LeagueTable(Summarised):
    """The detectors side by side on one series and one turn (``turn`` None: live, nothing scored)."""

    series_name: str
    turn: pd.Timestamp | None
    horizon_days: int
    entries: list[LeagueEntry]
    signals: dict = field(default_factory=dict)
    episode_rule: str = ""
    release_lag: int = 0
    as_of: pd.Timestamp | None = None  # the last date of the series

    @property
    def live(self) -> bool:
        """No turn to score against: the entries say which warnings stand on the last date."""
        return self.turn is None

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "detector": e.name,
                "first_warning": e.first_warning,
                "lead_days": e.lead_days,
                "episodes": len(e.warnings),
                "false_alarms": e.false_alarms,
                **{f"hit_{h}d": e.hits.get(h) for h in HORIZONS_DAYS},
                "move_to_turn": e.move_to_turn,
                "standing_since": e.standing_since,
                "seconds": e.seconds,
                "note": e.note,
            }
            for e in self.entries
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        return {
            "series": self.series_name,
            "live": self.live,
            "as_of": None if self.as_of is None else self.as_of.date().isoformat(),
            "turn": None if self.turn is None else self.turn.date().isoformat(),
            "horizon_days": self.horizon_days,
            "episode_rule": self.episode_rule,
            "release_lag_obs": self.release_lag,
            "detectors": [e.to_dict() for e in self.entries],
        }

    def summary(self) -> str:
        lag = f", signals dated {self.release_lag} observation(s) later (release lag)" if self.release_lag else ""
        if self.live:
            asof = "" if self.as_of is None else f" as of {self.as_of.date()}"
            lines = [f"Detector league on {self.series_name}, live{asof} (no turn in the sample: nothing "
                     f"scored{lag}):"]
            for e in self.entries:
                now = (f"warning standing since {e.standing_since.date()}" if e.standing_since is not None
                       else "no warning standing")
                lines.append(f"  {e.name:13s} {now}; {len(e.warnings)} episode(s), {e.seconds:.2f} s. {e.note}")
            return "\n".join(lines)
        lines = [f"Detector league on {self.series_name}, turn {self.turn.date()} (horizon {self.horizon_days} days"
                 f"{lag}):"]
        for e in self.entries:
            fw = e.first_warning.date() if e.first_warning is not None else "none"
            hits = " ".join(f"{h}d:{'y' if e.hits.get(h) else 'n'}" for h in HORIZONS_DAYS)
            move = "-" if e.move_to_turn is None else f"{e.move_to_turn:+.0%}"
            lines.append(
                f"  {e.name:13s} first warning {fw}, lead {e.lead_days if e.lead_days is not None else '-'} days, "
                f"standing {hits}, move to turn {move}, "
                f"{len(e.warnings)} episode(s), {e.false_alarms} false alarm(s), {e.seconds:.2f} s. {e.note}"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class EpisodeRule:
    """The one episode rule applied to every detector's raw signal.

    Parameters
    ----------
    min_duration_days : float, default 28
        A warning starts once the signal has held at every observation over
        this many calendar days (four weeks); it is dated on that day.
    min_obs : int, default 2
        ... and at no fewer observations.
    """

    min_duration_days: float = 28.0
    min_obs: int = 2

    def describe(self) -> str:
        return (f"signal held at every observation for {self.min_duration_days:g} days (>= {self.min_obs} "
                "observations), dated when confirmed; ends at the first observation it is off")

    def episodes(self, signal: pd.Series) -> list[Episode]:
        """(confirmed start, end) of each warning from a boolean signal (end None if still on)."""
        on = np.asarray(signal.to_numpy(), dtype=bool)
        idx = signal.index
        out: list[Episode] = []
        for i, j in zip(*runs(on), strict=True):
            span = (idx[i:j] - idx[i]).days
            ok = np.flatnonzero((np.arange(j - i) + 1 >= self.min_obs) & (span >= self.min_duration_days))
            if ok.size:
                out.append((idx[i + int(ok[0])], idx[j] if j < on.size else None))
        return out


def _standing(episodes: list[Episode], at: pd.Timestamp) -> pd.Timestamp | None:
    starts = [s for s, e in episodes if s <= at and (e is None or e > at)]
    return min(starts) if starts else None


def _score(
    name: str, episodes: list[Episode], turn: pd.Timestamp | None, horizon_days: int, seconds: float,
    note: str = "", extra: dict | None = None, series: pd.Series | None = None,
) -> LeagueEntry:
    now = min((s for s, e in episodes if e is None), default=None)  # standing on the last date
    if turn is None:  # live: nothing to score against
        return LeagueEntry(name, list(episodes), None, None, None, seconds, note, extra or {}, {}, None, now)
    lo = turn - pd.Timedelta(days=horizon_days)
    first = _standing(episodes, lo)  # the warning standing horizon_days before the turn
    lead = int((turn - first).days) if first is not None else None
    false = sum(1 for _, e in episodes if e is not None and e < lo)
    hits = {h: _standing(episodes, turn - pd.Timedelta(days=h)) is not None for h in HORIZONS_DAYS}
    move = None
    if first is not None and series is not None:
        move = float(series.asof(turn) / series.asof(first) - 1.0)
    return LeagueEntry(name, list(episodes), first, lead, false, seconds, note, extra or {}, hits, move, now)


def _monitor_signal(series: pd.Series) -> pd.Series:
    """The monitor's raw real-time condition: P(S'+H S''<0) >= confidence while P(S'>0) >= 1/2."""
    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.monitor.regimes import RegimeRule

    rule = RegimeRule()
    kin = KinematicsModel().fit(series)
    p = rule.p_projected_negative(kin)[0]
    on = (np.nan_to_num(p, nan=0.0) >= rule.confidence) & (np.nan_to_num(kin.p_velocity_positive[0], nan=0.0) >= 0.5)
    return pd.Series(on, index=kin.index, name="borrowedtime")


def _simple_rule_signals(y: pd.Series) -> dict[str, pd.Series]:
    """Raw signals of the named baseline and the naive rule on the series' own YoY growth."""
    from borrowedtime.monitor.backtest import baseline_signal, naive_calls
    from borrowedtime.monitor.discrete import year_over_year

    yoy = year_over_year(y)
    per_year = realtime_min_window(y.index)[1] // REALTIME_YEARS
    return {
        "baseline": baseline_signal(yoy, min_obs=3 * per_year).reindex(y.index, fill_value=False),
        "naive": naive_calls(yoy, 1).reindex(y.index, fill_value=False),
    }


def _lppls_for(series: pd.Series, model: LPPLSModel | None = None) -> LPPLSModel:
    """LPPLS settings with tc bounds counted in observations on data that are not daily.

    The bounds (60 and 252 by default) are the ``lppls`` package's, in days
    of daily data; on coarser data they are taken as that many observations
    (:meth:`LPPLSModel.at_frequency`, from the first window's spacing), so a
    monthly run searches tc over the same number of observations instead of
    two to eight months.
    """
    return (model or LPPLSModel()).at_frequency(series.index)


def league_table(
    series: pd.Series,
    *,
    turn: str | pd.Timestamp | None = None,
    horizon_days: int = 90,
    lppls: LPPLSModel | None = None,
    lppls_threshold: float = 0.2,
    psy: PSYTest | None = None,
    episode_rule: EpisodeRule | None = None,
    release_lag: int = 0,
    on_progress: Progress | None = None,
) -> LeagueTable:
    """Run the detectors in real time on one series and score them against a turn.

    Parameters
    ----------
    series : pandas.Series
        Prices or index levels (> 0) on a DatetimeIndex.
    turn : date, optional
        The peak or turn to anticipate; default the date of the series' maximum,
        unless that is its last date: then the table is *live* (``turn`` None),
        nothing is scored and each entry says whether its warning stands now.
    horizon_days : int, default 90
        The first warning is the episode standing this many calendar days
        before the turn; episodes that ended earlier are false alarms.
    lppls : LPPLSModel, optional
        LPPLS settings (default: the ``lppls`` package's README configuration);
        on data that are not daily its tc bounds are scaled to observations.
    lppls_threshold : float, default 0.2
        Positive-bubble confidence at or above which LPPLS warns.
    psy : PSYTest, optional
        PSY settings (default lag 0, 1000 replications, 95%, the real-time
        minimum window).
    episode_rule : EpisodeRule, optional
        The one rule turning every detector's signal into warnings (default: four weeks).
    release_lag : int, default 0
        Observations between a reference date and the publication of its
        data (Case-Shiller: 2); every signal is moved that many observations
        later before the episode rule (:func:`borrowedtime.monitor.scoring.lag_calls`).
    on_progress : callable, optional
        ``on_progress(stage, advance, total)``: ``advance == 0`` announces a
        stage and its total, later calls advance it.

    Returns
    -------
    LeagueTable
    """
    y = as_series(series, name=str(series.name or "series"), positive=True, min_obs=3)
    turn_ts: pd.Timestamp | None
    if turn is None:
        turn_ts = pd.Timestamp(y.idxmax())
        if turn_ts == y.index[-1]:  # still at its high: no turn in the sample, live
            turn_ts = None
    else:
        try:
            turn_ts = pd.Timestamp(turn)
        except (TypeError, ValueError):
            raise DataError(f"turn: cannot parse date {turn!r} (expected YYYY-MM-DD).") from None
        if not y.index[0] <= turn_ts <= y.index[-1]:
            raise DataError(
                f"turn: {turn_ts.date()} lies outside the series ({y.index[0].date()}..{y.index[-1].date()})."
            )
    if not isinstance(release_lag, int | np.integer) or release_lag < 0:
        raise SpecError(f"release_lag must be an int >= 0 observations. Got {release_lag!r} instead.")
    progress = on_progress or (lambda stage, k, total: None)
    rule = episode_rule or EpisodeRule()

    def published(signal: pd.Series) -> list[Episode]:
        """The one episode rule on a signal as published (``release_lag`` observations later)."""
        return rule.episodes(lag_calls(signal.astype(bool), int(release_lag)))

    entries: list[LeagueEntry] = []
    signals: dict = {}

    # --- the second-derivative monitor
    t0 = time.perf_counter()
    try:
        eps = published(_monitor_signal(y))
        entries.append(_score("borrowedtime", eps, turn_ts, horizon_days, time.perf_counter() - t0,
                              "second-derivative monitor: P(S'+2y S''<0) >= 0.9 while P(S'>0) >= 0.5",
                              series=y))
        signals["borrowedtime"] = eps
    except ImportError:
        entries.append(_score("borrowedtime", [], turn_ts, horizon_days, 0.0,
                              "not available: the monitor package is missing"))

    # --- LPPLS
    model = _lppls_for(y, lppls)
    t0 = time.perf_counter()
    if len(y) < model.window:
        entries.append(_score("lppls", [], turn_ts, horizon_days, 0.0,
                              f"not run: {len(y)} observations < window {model.window}"))
    else:
        n_outer = len(range(model.window - 1, len(y), model.outer_increment))
        progress("lppls", 0, n_outer)
        conf = model.confidence(y, on_progress=lambda k: progress("lppls", k, n_outer))
        pos = conf.positive
        # between computed end dates (outer_increment > 1) the last value computed stands
        eps = published(pos.reindex(y.index, method="ffill").fillna(0.0) >= lppls_threshold)
        entries.append(_score(
            "lppls", eps, turn_ts, horizon_days, time.perf_counter() - t0,
            f"positive confidence >= {lppls_threshold:g}; window {model.window}..{model.smallest_window}, "
            f"every {model.outer_increment} observation(s), "
            f"peak {pos.max():.2f} on {pos.idxmax().date()}",
            {"peak_confidence": float(pos.max()), "peak_date": pos.idxmax().date().isoformat(),
             "tc_bounds_days": [model.filters.tc_min_days, model.filters.tc_max_days]},
            series=y,
        ))
        signals["lppls"] = conf.to_frame()

    # --- PSY GSADF
    test = psy or PSYTest()
    t0 = time.perf_counter()
    try:
        progress("gsadf", 0, test.reps)
        res = test.fit(y, on_progress=lambda k: progress("gsadf", k, test.reps))
        level = int(test.level * 100)
        by_lag = {str(k): round(g, 3) for k, (_, g) in sorted(res.lag_stats.items())}
        entries.append(_score(
            "gsadf", published(res.to_frame()["above"]), turn_ts, horizon_days, time.perf_counter() - t0,
            f"lag {test.lag}, min window {res.cv.min_window} rows ({test.window_rule}): "
            f"GSADF {res.gsadf:.2f} vs {level}% cv {res.cv.gsadf[res._level_idx]:.2f}; "
            "GSADF by lag " + ", ".join(f"{k}: {v:.2f}" for k, v in by_lag.items()),
            {"gsadf": round(res.gsadf, 4), "sadf": round(res.sadf, 4), "lag": test.lag,
             "gsadf_by_lag": by_lag, "gsadf_cv": round(float(res.cv.gsadf[res._level_idx]), 4)},
            series=y,
        ))
        signals["gsadf"] = res.to_frame()
    except BorrowedTimeError as exc:
        entries.append(_score("gsadf", [], turn_ts, horizon_days, 0.0, f"not run: {exc}"))
    # --- the named baseline and the naive rule (on the series' own YoY growth)
    t0 = time.perf_counter()
    try:
        simple = _simple_rule_signals(y)
    except BorrowedTimeError as exc:
        simple = {}
        for name in ("baseline", "naive"):
            entries.append(_score(name, [], turn_ts, horizon_days, 0.0, f"not run: {exc}"))
    notes = {"baseline": "named baseline: YoY log growth > 0 and its 6-month change < -1 real-time RMS",
             "naive": "naive rule: YoY growth positive and below its previous value"}
    for name, sig in simple.items():
        eps = published(sig)
        entries.append(_score(name, eps, turn_ts, horizon_days, (time.perf_counter() - t0) / 2, notes[name],
                              series=y))
        signals[name] = eps
    signals["series"] = y
    describe = rule.describe() + (
        f"; every signal dated {release_lag} observation(s) later (release lag)" if release_lag else "")
    return LeagueTable(str(y.name), turn_ts, horizon_days, entries, signals, describe, int(release_lag),
                       pd.Timestamp(y.index[-1]))

