"""League table: the second-derivative monitor against LPPLS and PSY GSADF, in real time.

Each detector turns a series into *warning episodes* (start, end), where the
start is the date on which the warning was first known using data dated <=
that date:

* ``borrowedtime``: the real-time warning windows of the second-derivative
  monitor (:func:`borrowedtime.backtest.monitor_windows`);
* ``lppls``: days on which the LPPLS positive-bubble confidence
  (:class:`~borrowedtime.detectors.lppls.LPPLSModel`) is at least a threshold;
* ``gsadf``: PSY date-stamped episodes of explosive BSADF
  (:class:`~borrowedtime.detectors.psy.PSYTest`), dated when each had lasted
  the minimum duration.

Scoring against one turn (the series' maximum unless given): an episode
*anticipates* the turn if it starts on or before the turn and is still on
within ``horizon_days`` before it; the **first warning** is the earliest
start of such an episode, the **lead** the days from it to the turn, and
**false alarms** are the episodes that ended before that horizon (warnings in
what was, for this turn, a calm stretch). Episodes starting after the turn
are not scored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from borrowedtime.detectors.lppls import LPPLSModel
from borrowedtime.detectors.psy import PSYTest
from borrowedtime.errors import BorrowedTimeError, DataError
from borrowedtime.series import as_series

__all__ = ["LeagueEntry", "LeagueTable", "league_table", "DETECTORS"]

DETECTORS = ("borrowedtime", "lppls", "gsadf")
Episode = tuple[pd.Timestamp, pd.Timestamp | None]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LeagueEntry:
    """One detector's real-time record on one series.

    Attributes
    ----------
    name : str
        ``borrowedtime``, ``lppls`` or ``gsadf``.
    warnings : list of (Timestamp, Timestamp or None)
        Warning episodes (start, end); end None while still on at the last date.
    first_warning : Timestamp or None
        Earliest start of an episode still on within the horizon before the turn.
    lead_days : int or None
        Days from the first warning to the turn.
    false_alarms : int
        Episodes that ended before the horizon.
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
    false_alarms: int
    seconds: float
    note: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "first_warning": None if self.first_warning is None else self.first_warning.date().isoformat(),
            "lead_days": self.lead_days,
            "warnings": [s.date().isoformat() for s, _ in self.warnings],
            "seconds": round(self.seconds, 3),
            "false_alarms": self.false_alarms,
            "note": self.note,
            **self.extra,
        }


@dataclass(frozen=True, eq=False)
class LeagueTable:
    """The three detectors side by side on one series and one turn."""

    series_name: str
    turn: pd.Timestamp
    horizon_days: int
    entries: list[LeagueEntry]
    signals: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "detector": e.name,
                "first_warning": e.first_warning,
                "lead_days": e.lead_days,
                "episodes": len(e.warnings),
                "false_alarms": e.false_alarms,
                "seconds": e.seconds,
                "note": e.note,
            }
            for e in self.entries
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        return {
            "series": self.series_name,
            "turn": self.turn.date().isoformat(),
            "horizon_days": self.horizon_days,
            "detectors": [e.to_dict() for e in self.entries],
        }

    def summary(self) -> str:
        lines = [f"Detector league on {self.series_name}, turn {self.turn.date()} (horizon {self.horizon_days} days):"]
        for e in self.entries:
            fw = e.first_warning.date() if e.first_warning is not None else "none"
            lines.append(
                f"  {e.name:13s} first warning {fw}, lead {e.lead_days if e.lead_days is not None else '-'} days, "
                f"{len(e.warnings)} episode(s), {e.false_alarms} false alarm(s), {e.seconds:.2f} s. {e.note}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _score(
    name: str, episodes: list[Episode], turn: pd.Timestamp, horizon_days: int, seconds: float,
    note: str = "", extra: dict | None = None,
) -> LeagueEntry:
    lo = turn - pd.Timedelta(days=horizon_days)
    # an episode anticipates the turn if it starts by the turn and is still on within the horizon
    inside = [s for s, e in episodes if s <= turn and (e is None or e >= lo)]
    first = min(inside) if inside else None
    lead = int((turn - first).days) if first is not None else None
    false = sum(1 for _, e in episodes if e is not None and e < lo)
    return LeagueEntry(name, list(episodes), first, lead, false, seconds, note, extra or {})


def _monitor_episodes(series: pd.Series) -> list[Episode]:
    from borrowedtime.backtest import monitor_windows  # the lead's real-time monitor

    return [(pd.Timestamp(s), None if e is None else pd.Timestamp(e)) for s, e in monitor_windows(series)]


def league_table(
    series: pd.Series,
    *,
    turn: str | pd.Timestamp | None = None,
    horizon_days: int = 730,
    lppls: LPPLSModel | None = None,
    lppls_threshold: float = 0.2,
    psy: PSYTest | None = None,
    on_progress: Progress | None = None,
) -> LeagueTable:
    """Run the three detectors in real time on one series and score them against a turn.

    Parameters
    ----------
    series : pandas.Series
        Prices or index levels (> 0) on a DatetimeIndex.
    turn : date, optional
        The peak or turn to anticipate; default the date of the series' maximum.
    horizon_days : int, default 730
        Episodes still on within this many calendar days before the turn
        anticipate it; episodes that ended earlier are false alarms.
    lppls : LPPLSModel, optional
        LPPLS settings (default: the ``lppls`` package's README configuration).
    lppls_threshold : float, default 0.2
        Positive-bubble confidence at or above which LPPLS warns.
    psy : PSYTest, optional
        PSY settings (default lag 0, 1000 replications, 95%).
    on_progress : callable, optional
        ``on_progress(stage, advance, total)``: ``advance == 0`` announces a
        stage and its total, later calls advance it.

    Returns
    -------
    LeagueTable
    """
    y = as_series(series, name=str(series.name or "series"), positive=True, min_obs=3)
    if turn is None:
        turn_ts = pd.Timestamp(y.idxmax())
    else:
        try:
            turn_ts = pd.Timestamp(turn)
        except (TypeError, ValueError):
            raise DataError(f"turn: cannot parse date {turn!r} (expected YYYY-MM-DD).") from None
        if not y.index[0] <= turn_ts <= y.index[-1]:
            raise DataError(
                f"turn: {turn_ts.date()} lies outside the series ({y.index[0].date()}..{y.index[-1].date()})."
            )
    progress = on_progress or (lambda stage, k, total: None)
    entries: list[LeagueEntry] = []
    signals: dict = {}

    # --- the second-derivative monitor
    t0 = time.perf_counter()
    try:
        eps = _monitor_episodes(y)
        entries.append(_score("borrowedtime", eps, turn_ts, horizon_days, time.perf_counter() - t0,
                              "second-derivative monitor, real-time windows"))
        signals["borrowedtime"] = eps
    except ImportError:
        entries.append(_score("borrowedtime", [], turn_ts, horizon_days, 0.0,
                              "not available: borrowedtime.backtest.monitor_windows is missing"))

    # --- LPPLS
    model = lppls or LPPLSModel()
    t0 = time.perf_counter()
    if len(y) < model.window:
        entries.append(_score("lppls", [], turn_ts, horizon_days, 0.0,
                              f"not run: {len(y)} observations < window {model.window}"))
    else:
        n_outer = len(range(model.window - 1, len(y), model.outer_increment))
        progress("lppls", 0, n_outer)
        conf = model.confidence(y, on_progress=lambda k: progress("lppls", k, n_outer))
        eps = conf.warnings(lppls_threshold)
        pos = conf.positive
        entries.append(_score(
            "lppls", eps, turn_ts, horizon_days, time.perf_counter() - t0,
            f"positive confidence >= {lppls_threshold:g}; window {model.window}..{model.smallest_window}, "
            f"peak {pos.max():.2f} on {pos.idxmax().date()}",
            {"peak_confidence": float(pos.max()), "peak_date": pos.idxmax().date().isoformat()},
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
            "gsadf", res.warnings(), turn_ts, horizon_days, time.perf_counter() - t0,
            f"lag {test.lag}: GSADF {res.gsadf:.2f} vs {level}% cv {res.cv.gsadf[res._level_idx]:.2f}; "
            "GSADF by lag " + ", ".join(f"{k}: {v:.2f}" for k, v in by_lag.items()),
            {"gsadf": round(res.gsadf, 4), "sadf": round(res.sadf, 4), "lag": test.lag,
             "gsadf_by_lag": by_lag, "gsadf_cv": round(float(res.cv.gsadf[res._level_idx]), 4)},
        ))
        signals["gsadf"] = res.to_frame()
    except BorrowedTimeError as exc:
        entries.append(_score("gsadf", [], turn_ts, horizon_days, 0.0, f"not run: {exc}"))
    signals["series"] = y
    return LeagueTable(str(y.name), turn_ts, horizon_days, entries, signals)

