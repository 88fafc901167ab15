"""Run the models the HTML report shows (model layer; the report only formats).

:func:`compute_report` runs every entry of :data:`COMPUTATIONS` and returns a
:class:`ReportInputs`: each key's computed result, or the reason it was skipped
(a reference file that is not there, say). ``borrowedtime.report`` then turns
each result into HTML without running anything.

Adding a section to the report takes two lines, one per layer:

1. here, ``COMPUTATIONS["credit"] = credit_inputs`` where
   ``credit_inputs(options: ReportOptions) -> CreditResult`` runs the model
   (raise :class:`SectionUnavailable` with a reason when it cannot run);
2. in ``report/sections.py``, ``ReportSection("credit", "Credit loss", credit.render)``
   where ``render(result) -> str`` returns the section's HTML.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "COMPUTATIONS",
    "CALM_NATIONAL",
    "ReportInputs",
    "ReportOptions",
    "SectionUnavailable",
    "WatchResult",
    "backtest_table",
    "compute_report",
]

#: The calm decade in which calls on the national index count as false alarms.
CALM_NATIONAL = ("1992-01-01", "2003-12-31")
#: Case-Shiller is published about two months after the reference month; calls are scored as published.
CASE_SHILLER_RELEASE_LAG = 2


class SectionUnavailable(Exception):  # noqa: N818 - a reason, not an error
    """A section cannot be computed here (its reference data are absent); the message says why."""


@dataclass(frozen=True)
class ReportOptions:
    """What the report's computations may read.

    Attributes
    ----------
    series : tuple of (str, str or None)
        Extra series to watch and chart, as (source, column) pairs.
    shared_data : Path, optional
        The folder of reference series; default
        :func:`borrowedtime.datasets.shared_data_dir` (its ``BORROWEDTIME_SHARED_DATA``
        override, else the folder beside the checkout). Sections whose files are
        not there are skipped with the reason.
    seed : int
        Root seed of every Monte Carlo run.
    quick : bool
        Smaller Monte Carlo runs and coarse detector settings (tests, demos).
    options : dict
        Section-specific options (``complex``, ``complex_overlay``...).
    """

    series: tuple[tuple[str, str | None], ...] = ()
    shared_data: Path | None = None
    seed: int = 0
    quick: bool = False
    options: dict = field(default_factory=dict)

    def reference(self, key: str) -> Path | None:
        """Path of a shared reference series (``case_shiller``, ``delinquency``, ``nasdaq``...) or None."""
        from borrowedtime.datasets import reference_path

        return reference_path(key, required=False, folder=self.shared_data)

    def shared(self, key: str, needed_for: str) -> Path:
        """Path of a reference series, or :class:`SectionUnavailable` naming the file and what needs it."""
        from borrowedtime.datasets import ENV_VAR, reference_path
        from borrowedtime.errors import DataError

        try:
            return reference_path(key, required=True, folder=self.shared_data)
        except DataError as exc:
            raise SectionUnavailable(f"{needed_for}: {exc} Put the shared reference data beside the checkout "
                                     f"or set {ENV_VAR}.") from None


@dataclass(frozen=True, eq=False)
class ReportInputs:
    """Every computed result the report formats, and what was skipped.

    Attributes
    ----------
    results : dict
        Key of :data:`COMPUTATIONS` to its result.
    skipped : dict
        Key to the reason it was not computed.
    options : ReportOptions
    """

    results: dict[str, Any]
    skipped: dict[str, str]
    options: ReportOptions

    def __repr__(self) -> str:
        return f"<ReportInputs computed={list(self.results)} skipped={list(self.skipped)}>"


@dataclass(frozen=True, eq=False)
class WatchResult:
    """The watched series screened at their latest date (the report's first screen).

    Attributes
    ----------
    screen : borrowedtime.monitor.screen.ScreenResult
    labels : dict
        Series name to a human label ("Hyperscaler capex, USD bn, annual").
    links : dict
        Series name to the anchor of the section that charts it.
    """

    screen: Any
    labels: dict[str, str]
    links: dict[str, str]


def _user_series(options: ReportOptions) -> list[pd.Series]:
    from borrowedtime.series import is_remote, load_series

    out = []
    for source, column in options.series:
        src = source if is_remote(str(source)) else Path(source)
        out.append(load_series(src, column))
    return out


def _buildout_series() -> list[tuple[str, str, pd.Series]]:
    """The build-out's filings series that the packaged data hold (:data:`borrowedtime.verdict.BUILDOUT_SERIES`)."""
    from borrowedtime.buildout import filings_series, parse_filings_source
    from borrowedtime.errors import DataError
    from borrowedtime.verdict import BUILDOUT_SERIES

    out = []
    for source, label in BUILDOUT_SERIES:
        try:
            out.append((source, label, filings_series(*parse_filings_source(source))))
        except DataError:
            continue  # not in the data: the verdict section names it and why
    return out


def watch_inputs(options: ReportOptions) -> WatchResult:
    """The build-out's filings series, the essay's capex series, OpenAI's marks, the national index and any
    ``--series``, screened."""
    from borrowedtime.essay import essay_series
    from borrowedtime.monitor.screen import Screen
    from borrowedtime.series import load_series

    series: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    links: dict[str, str] = {}
    for key, label in (("hyperscaler_capex", "Hyperscaler capex (USD bn a year; essay, VII)"),
                       ("openai_valuation", "OpenAI's marks (post-money, USD bn; essay, V)")):
        series[key] = essay_series(key)
        labels[key] = label
        links[key] = "essay"
    for key, label, s in _buildout_series():
        series[key], labels[key], links[key] = s, label + " (filings)", "verdict"
    cs = options.reference("case_shiller")
    if cs is not None:
        s = load_series(cs, column="National-US")
        series["National-US"] = s
        labels["National-US"] = "Case-Shiller U.S. National home prices (NSA)"
        links["National-US"] = "kinematics"
    for s in _user_series(options):
        name = str(s.name)
        while name in series:
            name += "'"
        series[name] = s
        labels[name] = f"{name} ({s.attrs.get('source', 'user series')})"
        links[name] = "kinematics"
    return WatchResult(screen=Screen().run(series), labels=labels, links=links)


def essay_inputs(options: ReportOptions):
    """The essay's capex arithmetic and OpenAI step-ups (see :func:`essay_tables`)."""
    from borrowedtime.essay_arithmetic import essay_tables

    return essay_tables()


@dataclass(frozen=True, eq=False)
class Backtests:
    """Real-time backtests to chart: (result, heading, note) triples.

    ``p_turn`` holds, for each item, the real-time P(YoY growth first goes
    negative within 3, 6, 12, 24 months) at every date (dates x months;
    :meth:`borrowedtime.monitor.result.KinematicsResult.p_turn_within`).
    """

    items: tuple[tuple[Any, str, str], ...]
    p_turn: tuple[pd.DataFrame, ...] = ()


def kinematics_inputs(options: ReportOptions) -> Backtests:
    """The national index backtest (with delinquency as outcome) and one per ``--series``."""
    from borrowedtime.monitor.backtest import run_backtest
    from borrowedtime.series import load_series

    items = []
    cs, dq = options.reference("case_shiller"), options.reference("delinquency")
    if cs is not None:
        s = load_series(cs, column="National-US")
        o = load_series(dq) if dq is not None else None
        items.append((run_backtest(s, o, calm=CALM_NATIONAL, release_lag=CASE_SHILLER_RELEASE_LAG),
                      "Case-Shiller U.S. National (NSA), real time",
                      "Calm decade for false alarms: 1992-2003. Calls scored as published, two months after the "
                      "reference month (Case-Shiller's release lag). Outcome: bank mortgage delinquency "
                      "(FRED DRSFRMACBS)."))
    for s in _user_series(options):
        items.append((run_backtest(s), str(s.name), f"Source: {s.attrs.get('source', '')}."))
    if not items:
        options.shared("case_shiller", "the national-index backtest")
    return Backtests(tuple(items), tuple(bt.kinematics.p_turn_within(0) for bt, _, _ in items))


def backtest_table(bt) -> pd.DataFrame:
    """A backtest's comparison of the monitor and the naive rule, one row per rule and turn (CLI, report)."""
    cols = ["rule", "yoy_negative", "first_call", "lead_months", "standing_0m", "standing_3m", "standing_6m",
            "calls", "false_alarms", "calm_calls"]
    comp = bt.comparison()
    return comp[[c for c in cols if c in comp.columns]]


def audit_inputs(options: ReportOptions):
    """The audit of the essay's numbers and each platform's backlog by lab (USD bn)."""
    from borrowedtime.audit import audit
    from borrowedtime.complex import load_complex, platform_concentration

    cx = load_complex(options.options.get("complex"), overlay=options.options.get("complex_overlay"))
    return audit(cx), platform_concentration(cx).to_frame()


def treadmill_inputs(options: ReportOptions):
    """The treadmill (cohorts on Case-Shiller when present, the rounds, the IPO)."""
    from borrowedtime.series import load_series
    from borrowedtime.treadmill import run_treadmill

    cs, dq = options.reference("case_shiller"), options.reference("delinquency")
    prices = load_series(cs, column="National-US") if cs is not None else None
    delinquency = load_series(dq) if dq is not None and prices is not None else None
    return run_treadmill(prices, delinquency, n_loans=60_000 if options.quick else 1_000_000,
                         n_draws=5_000 if options.quick else 20_000, seed=options.seed)


@dataclass(frozen=True, eq=False)
class DetectorInputs:
    """The detector league on one series, and the settings note."""

    table: Any
    series: pd.Series
    quick: bool


def detectors_inputs(options: ReportOptions) -> DetectorInputs:
    """The three bubble detectors on NASDAQ 1994-2000 (quick: its last 260 days, coarse settings)."""
    from borrowedtime.detectors.league import league_table
    from borrowedtime.detectors.lppls import LPPLSModel
    from borrowedtime.detectors.psy import PSYTest
    from borrowedtime.series import load_series

    series = load_series(options.shared("nasdaq", "the detector league"), column="Adj Close")
    if options.quick:
        series = series.iloc[-260:]
        lppls = LPPLSModel(window=60, smallest_window=30, inner_increment=10, outer_increment=10,
                           grid=(5, 3, 8), n_starts=1, max_iter=10, seed=options.seed)
        psy = PSYTest(reps=40, seed=options.seed, sensitivity_lags=(0, 1), cache=False)
    else:
        lppls = LPPLSModel(seed=options.seed)
        psy = PSYTest(seed=options.seed)
    # the file ends on the composite's closing high of 2000-03-10, the turn known in hindsight: score against it
    # (a series still at its high is otherwise live, nothing scored)
    turn = series.idxmax()
    return DetectorInputs(league_table(series, turn=turn, lppls=lppls, psy=psy), series, options.quick)


def credit_inputs(options: ReportOptions):
    """The platforms' loan books (EL, VaR/ES, contributions, the wraps, the correlation sweep)."""
    from borrowedtime.credit.books import credit_report_inputs

    return credit_report_inputs(seed=options.seed, quick=options.quick)


def capex_inputs(options: ReportOptions):
    """The capex machine (essay VII, VIII, XII) at its default inputs."""
    from borrowedtime.capex.machine import run_capex

    return run_capex()


def calibration_inputs(options: ReportOptions):
    """Calibration of the default monitor on the national index (one-step PIT, coverage, Ljung-Box)."""
    from borrowedtime.monitor.calibration import Calibration
    from borrowedtime.series import load_series

    series = load_series(options.shared("case_shiller", "the calibration section"), column="National-US")
    return Calibration().fit(series)


@dataclass(frozen=True, eq=False)
class StressInputs:
    """The base stress scenario and the quarter-by-quarter story of one path on which a mark fails."""

    result: Any
    timeline: list[str]


def stress_inputs(options: ReportOptions) -> StressInputs:
    """The base scenario run forward as ``borrowedtime stress base --seed SEED`` runs it (its paths, chunk size and
    sensitivity; 1,000 paths when quick, which the page states), and the run's example path. The run is the
    verdict's too (:func:`stress_run`: made once per report)."""
    result = stress_run(options.seed, options.quick)
    return StressInputs(result, result.example_path()["timeline"])


@functools.lru_cache(maxsize=1)
def stress_run(seed: int, quick: bool):
    """The report's one cascade run (:func:`borrowedtime.cascade.run_stress` on ``base``), made once and read by
    the verdict (first section) and the stress section, so both show the same numbers."""
    from borrowedtime.cascade import run_stress

    return run_stress("base", paths=1_000 if quick else None, seed=seed)


def verdict_inputs(options: ReportOptions):
    """The one verdict (:func:`borrowedtime.verdict.verdict`) on the report's cascade run (:func:`stress_run`):
    without ``quick`` the run is ``borrowedtime verdict --seed S``'s, so the report prints the same summary;
    with ``quick`` both sections read the 1,000-path run."""
    from borrowedtime.verdict import verdict

    return verdict(seed=options.seed, stress=stress_run(options.seed, options.quick))


#: Key -> computation, in the order they run. One line per section.
COMPUTATIONS: dict[str, Callable[[ReportOptions], Any]] = {
    "verdict": verdict_inputs,
    "watch": watch_inputs,
    "essay": essay_inputs,
    "kinematics": kinematics_inputs,
    "calibration": calibration_inputs,
    "audit": audit_inputs,
    "treadmill": treadmill_inputs,
    "detectors": detectors_inputs,
    "credit": credit_inputs,
    "capex": capex_inputs,
    "stress": stress_inputs,
}


def compute_report(
    options: ReportOptions,
    *,
    keys: list[str] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ReportInputs:
    """Run the report's computations.

    Parameters
    ----------
    options : ReportOptions
    keys : list of str, optional
        Run only these (default: all of :data:`COMPUTATIONS`).
    on_step : callable, optional
        Called with each key before it runs (progress).

    Returns
    -------
    ReportInputs
        Results by key; a computation that raised :class:`SectionUnavailable`
        is in ``skipped`` with its reason, and so is each part a result names
        in a ``skipped_parts`` mapping (part -> reason). Any other error (bad user input)
        propagates.
    """
    results: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for key, fn in COMPUTATIONS.items():
        if keys is not None and key not in keys:
            continue
        if on_step:
            on_step(key)
        try:
            results[key] = fn(options)
        except SectionUnavailable as why:
            skipped[key] = str(why)
            continue
        for part, why in getattr(results[key], "skipped_parts", {}).items():
            skipped[f"{key}: {part}"] = why
    return ReportInputs(results=results, skipped=skipped, options=options)
