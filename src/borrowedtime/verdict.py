"""One verdict: is the AI build-out on borrowed time, and how sure?

Computed once here and rendered by every front end (``borrowedtime verdict``,
the report's first section, the last lines of ``make demo``). Three readings,
each from a mechanism the library already has, none of them tuned here:

1. **The monitor on the build-out's own numbers** (:func:`read_buildout`): the
   real-time kinematics (:class:`borrowedtime.monitor.model.KinematicsModel`) and
   regime rule (:class:`borrowedtime.monitor.regimes.RegimeRule`) on the quarterly
   series of the companies' filings (:mod:`borrowedtime.buildout`): the four
   hyperscalers' capex, each platform's, capex over operating cash flow, the
   backlogs and NVIDIA's data-center revenue. The essay's thesis is a claim
   about the second derivative of hyperscaler capex ("it has already gone
   negative", VII); the filings test it.
2. **The treadmill** (:class:`borrowedtime.treadmill.rounds.RoundsSpec`): the
   step-up OpenAI's next round requires against the ones it can achieve, and
   the one assumption that decides it, the term over which the undated
   compute commitments run off; :func:`flip_term` finds the term at which
   each reading flips.
3. **The cascade** (:func:`borrowedtime.cascade.run_stress`): the trigger's
   distribution over Monte Carlo paths beside the deterministic central path,
   and the share of paths that fail the central path's first round against
   those that fail a later one.

The sentences of :attr:`Verdict.summary` are built from these numbers only;
where the filings disagree with the essay they say so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.errors import DataError, SpecError

__all__ = [
    "BUILDOUT_SERIES",
    "SeriesReading",
    "BuildoutReading",
    "TreadmillReading",
    "StressReading",
    "Verdict",
    "read_buildout",
    "read_treadmill",
    "read_stress",
    "flip_term",
    "essay_beside_filings",
    "verdict",
]

#: The build-out series the monitor reads: (source, label). The first is the headline series.
BUILDOUT_SERIES: tuple[tuple[str, str], ...] = (
    ("filings:hyperscalers:capex", "Capex, four hyperscalers (USD bn a quarter)"),
    ("filings:msft:capex", "Capex, Microsoft"),
    ("filings:googl:capex", "Capex, Alphabet"),
    ("filings:amzn:capex", "Capex, Amazon"),
    ("filings:meta:capex", "Capex, Meta"),
    ("filings:hyperscalers:capex_to_ocf", "Capex / operating cash flow, four hyperscalers (trailing 4 quarters)"),
    ("filings:msft:rpo", "Backlog: Microsoft commercial RPO (USD bn)"),
    ("filings:googl:rpo", "Backlog: Google Cloud (USD bn)"),
    ("filings:amzn:rpo", "Backlog: AWS (USD bn)"),
    ("filings:orcl:rpo", "Backlog: Oracle RPO (USD bn)"),
    ("filings:crwv:rpo", "Backlog: CoreWeave RPO (USD bn)"),
    ("filings:nvda:data_center_revenue", "NVIDIA data-center revenue (USD bn a quarter)"),
)

_HEADLINE = "filings:hyperscalers:capex"
_RATIO = "filings:hyperscalers:capex_to_ocf"


# ============================================================================ 1. the monitor


@dataclass(frozen=True)
class SeriesReading:
    """The monitor's real-time reading of one build-out series at its last date.

    Attributes
    ----------
    source, label : str
        ``filings:COMPANY:CONCEPT`` and how it is printed.
    available : bool
        False when the series is not in the filings data (``why`` says so).
    observations : int
    first, last : str or None
        First and last dates (ISO), calendar quarter ends.
    level : float or None
        Last value (USD bn, or a decimal ratio).
    yoy_growth : float or None
        Last value over the value four quarters before, minus one (decimal).
    estimable : bool
        Enough observations for the filter (``min_observations``).
    min_observations : int or None
    seasonal : str
        ``quarterly`` (flows: a seasonal component of period 4) or ``none``
        (stocks and trailing four-quarter ratios).
    trend, trend_low, trend_high : float or None
        S: the filtered trend at the last date (seasonally adjusted for flows), in
        the series' unit, with its 95 % band (exp of log level ± 1.96 sd).
    velocity, velocity_sd : float or None
        S': continuously compounded growth per year of the filtered trend and its sd.
    acceleration, acceleration_sd : float or None
        S'': change of that growth per year (per year^2) and its sd.
    p_accel_neg : float or None
        P(S'' < 0) in real time.
    p_borrowed_time : float or None
        P(S' + H S'' < 0): growth H years out projected negative (the regime rule's probability).
    regime : str
        ``boom``, ``borrowed time``, ``contraction``, ``repair``, ``undetermined``,
        ``too short`` or ``unavailable``.
    call : bool
        A borrowed-time call stands at the last date.
    why : str or None
        Why there is no filtered reading.
    """

    source: str
    label: str
    available: bool = True
    observations: int = 0
    first: str | None = None
    last: str | None = None
    level: float | None = None
    yoy_growth: float | None = None
    estimable: bool = False
    min_observations: int | None = None
    seasonal: str = "none"
    trend: float | None = None
    trend_low: float | None = None
    trend_high: float | None = None
    velocity: float | None = None
    velocity_sd: float | None = None
    acceleration: float | None = None
    acceleration_sd: float | None = None
    p_accel_neg: float | None = None
    p_borrowed_time: float | None = None
    regime: str = "unavailable"
    call: bool = False
    why: str | None = None


@dataclass(frozen=True, eq=False)
class BuildoutReading(Summarised):
    """The monitor on the build-out's quarterly series (:func:`read_buildout`).

    Attributes
    ----------
    readings : tuple of SeriesReading
        In the order asked (the headline series first by default).
    horizon_years, confidence : float
        The regime rule's H and call threshold.
    """

    readings: tuple[SeriesReading, ...]
    horizon_years: float
    confidence: float

    def get(self, source: str) -> SeriesReading | None:
        return next((r for r in self.readings if r.source == source), None)

    def to_frame(self) -> pd.DataFrame:
        """One row per series (index: source)."""
        return pd.DataFrame([asdict(r) for r in self.readings]).set_index("source")

    def to_dict(self) -> dict:
        return {"horizon_years": self.horizon_years, "confidence": self.confidence,
                "series": [asdict(r) for r in self.readings]}

    def summary(self) -> str:
        lines = [f"The monitor on the build-out's filings series (real time; H = {self.horizon_years:g} y)"]
        for r in self.readings:
            if r.estimable:
                lines.append(f"  {r.label} @ {r.last}: S' {r.velocity:+.3f} ± {r.velocity_sd:.3f}/yr, "
                             f"S'' {r.acceleration:+.3f} ± {r.acceleration_sd:.3f}/yr², P(S''<0) {r.p_accel_neg:.2f}, "
                             f"P(borrowed time) {r.p_borrowed_time:.2f}: {r.regime}")
            else:
                lines.append(f"  {r.label}: {r.regime} ({r.why})")
        return "\n".join(lines)


def _seasonal_for(source: str) -> str:
    from borrowedtime.buildout import RATIO_CONCEPTS, STOCK_CONCEPTS, parse_filings_source

    _, concept = parse_filings_source(source)
    return "none" if concept in STOCK_CONCEPTS or concept in RATIO_CONCEPTS else "auto"


def read_buildout(
    sources: Sequence[tuple[str, str]] = BUILDOUT_SERIES,
    *,
    cutoff_years: float = 1.5,
    horizon_years: float = 2.0,
    confidence: float = 0.9,
    data: pd.DataFrame | None = None,
) -> BuildoutReading:
    """Run the real-time monitor on each build-out series.

    Parameters
    ----------
    sources : sequence of (str, str)
        ``(filings:COMPANY:CONCEPT, label)`` pairs; default :data:`BUILDOUT_SERIES`.
    cutoff_years, horizon_years, confidence : float
        The monitor's settings (as ``watch``'s ``--cutoff``, ``--horizon``, ``--confidence``).
    data : DataFrame, optional
        The long quarterly frame of :func:`borrowedtime.datasets.filings` (default: the packaged data).

    Returns
    -------
    BuildoutReading

    Notes
    -----
    Flows (capex, revenue) get the quarterly seasonal component (``seasonal="auto"``:
    period 4, so 6 states and 30 observations before a reading); stocks (backlogs)
    and the trailing four-quarter ratio have no within-year season and get none
    (3 states, 15 observations). The choice is made from the concept, never from
    the data. A series missing from the filings data is listed as unavailable
    with the reason, not dropped.
    """
    from borrowedtime.buildout import filings_series, parse_filings_source
    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.monitor.regimes import RegimeRule
    from borrowedtime.series import as_series

    rule = RegimeRule(horizon_years=horizon_years, confidence=confidence)
    out = []
    for source, label in sources:
        company, concept = parse_filings_source(source)
        try:
            raw = filings_series(company, concept, data=data)
        except DataError as exc:
            out.append(SeriesReading(source, label, available=False, regime="unavailable",
                                     why=str(exc).removeprefix(f"{source}: ")))
            continue
        season = _seasonal_for(source)
        try:
            s = as_series(raw, name=source, min_obs=1)
        except DataError as exc:  # e.g. a non-positive value: no logs, so no reading; said, not dropped
            out.append(SeriesReading(source, label, available=False, regime="unavailable",
                                     observations=len(raw), why=str(exc).removeprefix(source).lstrip(":, ")))
            continue
        # imported here: the monitor package imports scipy.stats (about a second)
        from borrowedtime.monitor.discrete import year_over_year

        yy = year_over_year(s)  # the one YoY arithmetic (monitor.discrete): None when no value a year back
        yoy = float(yy.iloc[-1]) if len(yy) and yy.index[-1] == s.index[-1] else None
        base = dict(source=source, label=label, observations=len(s), first=s.index[0].date().isoformat(),
                    last=s.index[-1].date().isoformat(), level=float(s.iloc[-1]), yoy_growth=yoy,
                    seasonal="quarterly" if season == "auto" else "none")
        if len(s) < 3:
            out.append(SeriesReading(**base, regime="too short", why=f"{len(s)} observation(s)"))
            continue
        res = KinematicsModel(cutoff_years=cutoff_years, seasonal=season).fit(s)
        reg = rule.classify(res)
        cur = reg.current(0)
        lt = res.latest(0)
        if not bool(res.ready[0, -1]):
            out.append(SeriesReading(**base, min_observations=res.min_observations, regime="too short",
                                     why=f"{len(s)} observations, fewer than the {res.min_observations} the filter "
                                         f"needs ({res.model.min_obs_per_state} per state, {res.n_states} states)"))
            continue
        out.append(SeriesReading(
            **base, estimable=True, min_observations=res.min_observations,
            trend=float(np.exp(lt["level"])), trend_low=float(np.exp(lt["level"] - 1.96 * lt["level_sd"])),
            trend_high=float(np.exp(lt["level"] + 1.96 * lt["level_sd"])),
            velocity=lt["velocity"], velocity_sd=lt["velocity_sd"],
            acceleration=lt["acceleration"], acceleration_sd=lt["acceleration_sd"],
            p_accel_neg=lt["p_accel_neg"], p_borrowed_time=cur["p_projected_negative"],
            regime=cur["regime"], call=cur["call"]))
    return BuildoutReading(tuple(out), horizon_years, confidence)


# ============================================================================ 2. the treadmill


@dataclass(frozen=True)
class TreadmillReading:
    """The treadmill's required against achievable step-up, and where it flips.

    Attributes
    ----------
    next_date : str
        Date of the next raise (ISO).
    required_raise_usd_bn : float
    required_step_up : float
        Lowest next mark over the last one at which the raise fits the dilution.
    achievable : dict
        Reading name -> achievable step-up (the trend of past step-ups first).
    fires : dict
        Reading name -> whether the trigger fires (achievable below required).
    undated_term_years : float
        The assumed term of the undated compute commitments (the default reading).
    undated_commitments_usd_bn : float or None
        Their amount (USD bn), when the complex dates none of them.
    flip_term_years : dict
        Reading name -> the undated term (years) at or below which that reading
        fires (None: it fires at no term in 1-20 years, or at every one).
    p_ipo_feasible : float
        Share of clearing-value draws at or above the required value.
    """

    next_date: str
    required_raise_usd_bn: float
    required_step_up: float
    achievable: dict[str, float]
    fires: dict[str, bool]
    undated_term_years: float
    undated_commitments_usd_bn: float | None
    flip_term_years: dict[str, float | None]
    p_ipo_feasible: float

    @property
    def trend_reading(self) -> str:
        return next(iter(self.achievable))


def _required_at(term: float) -> float:
    from borrowedtime.treadmill.rounds import RoundsSpec

    return RoundsSpec(undated_term_years=term).run().required_step_up()


def flip_term(achievable: float, *, low: float = 1.0, high: float = 20.0, tol: float = 0.05,
              required_at: Callable[[float], float] = _required_at) -> float | None:
    """The undated term (years) at which the required step-up falls to ``achievable``.

    The required step-up falls as the term lengthens (the same commitments spread
    over more years leave less to raise before the listing), so the trigger fires
    at terms at or below the returned one. Bisection to ``tol`` years.

    Returns
    -------
    float or None
        None when the trigger fires at every term in [low, high] or at none.
    """
    f_low, f_high = required_at(low) > achievable, required_at(high) > achievable
    if f_low == f_high:
        return None
    lo, hi = low, high
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if required_at(mid) > achievable:
            lo = mid
        else:
            hi = mid
    return round(lo, 2)


def read_treadmill(*, n_draws: int = 5_000, seed: int = 0) -> TreadmillReading:
    """The treadmill at its default inputs (the complex's contracts reading), with the flip of each reading.

    Parameters
    ----------
    n_draws : int, default 5,000
        Draws of the IPO's clearing value (:class:`borrowedtime.treadmill.ipo.IpoSpec`).
    seed : int, default 0
        Seed of those draws.

    Returns
    -------
    TreadmillReading
        Step-ups are multiples of OpenAI's last mark; money in USD bn.
    """
    from borrowedtime.treadmill.ipo import IpoSpec
    from borrowedtime.treadmill.rounds import RoundsSpec

    r = RoundsSpec().run()
    trig = r.triggers()
    achievable = {t["reading"]: float(t["step_up"]) for t in trig}
    fires = {t["reading"]: bool(t["fires"]) for t in trig}
    term = r.contracted_compute.attrs.get("undated_term_years")
    undated = r.contracted_compute.attrs.get("undated_usd_bn")
    ipo = IpoSpec(n_draws=n_draws).run(r, seed=seed)
    return TreadmillReading(
        next_date=r.next_date.date().isoformat(), required_raise_usd_bn=float(r.next_raise_required()),
        required_step_up=float(r.required_step_up()), achievable=achievable, fires=fires,
        undated_term_years=float(term) if term is not None else float("nan"),
        undated_commitments_usd_bn=None if undated is None else float(undated),
        flip_term_years={k: flip_term(v) for k, v in achievable.items()},
        p_ipo_feasible=float(ipo.p_feasible),
    )


# ============================================================================ 3. the cascade


@dataclass(frozen=True)
class StressReading:
    """The cascade's trigger over Monte Carlo paths beside its central path.

    Attributes
    ----------
    scenario : str
    paths, seed : int
    horizon_quarters : int
    quarter_0 : str
        The first simulated quarter.
    triggered_share : float
        Share of paths on which some lab's round fails within the horizon.
    median_trigger, trigger_quartiles : str or None, tuple
        Median trigger quarter and the quartiles (labels) over triggered paths.
    central_first_round : str or None
        The central path's first round (quarter label) of the first treadmill lab.
    central_required, central_achievable : float or None
        Its required and achievable step-ups there.
    central_trigger : str or None
        The central path's trigger quarter (None: it never triggers).
    first_round_share, later_share : float
        Share of all paths that trigger at the central path's first round, and later.
    """

    scenario: str
    paths: int
    seed: int
    horizon_quarters: int
    quarter_0: str
    triggered_share: float
    median_trigger: str | None
    trigger_quartiles: tuple[str, str] | None
    central_first_round: str | None
    central_required: float | None
    central_achievable: float | None
    central_trigger: str | None
    first_round_share: float
    later_share: float


def read_stress(scenario="base", *, paths: int | None = None, seed: int = 0,
                progress: Callable[[int, int], None] | None = None, result=None) -> StressReading:
    """Run the cascade's Monte Carlo (no stretches) and read its trigger distribution.

    Parameters
    ----------
    scenario : str or Scenario, default "base"
        The cascade scenario (:func:`borrowedtime.cascade.run_stress`).
    paths, seed : int
        Monte Carlo paths (default: the scenario's, 10,000 for ``base``) and root seed (same seed, same
        numbers on any backend). The run's chunks are ``run_stress``'s default, so the base case's
        paths are those of ``borrowedtime stress SCENARIO --paths N --seed S``.
    progress : callable, optional
        ``progress(done_chunks, total_chunks)``.
    result : StressResult, optional
        A run already made (:func:`borrowedtime.cascade.run_stress`: the HTML report passes its stress
        section's run, so both sections show the same numbers): read it instead of running;
        ``scenario``, ``paths`` and ``seed`` are then the run's own.

    Returns
    -------
    StressReading
        Shares are of all paths; quarters are labels such as ``2027Q3``.
    """
    from borrowedtime.cascade import run_stress
    from borrowedtime.cascade.model import NEVER

    res = result if result is not None else run_stress(scenario, paths=paths, seed=seed, stretches=False,
                                                         sensitivity=False, progress=progress)
    trig = np.asarray(res.runs["base"]["trigger"])
    hit = trig != NEVER
    tq = res.trigger_quarter()
    central = res.central_path()
    lab = next((row for row in central["labs"] if row.get("treadmill") is not None),
               central["labs"][0] if central["labs"] else None)
    first_label = lab["first_round"] if lab else None
    first_q = None
    if first_label is not None:
        first_q = next((q for q in range(res.model.horizon) if res.label(q) == first_label), None)
    at_first = float((hit & (trig == first_q)).mean()) if first_q is not None else 0.0
    later = float((hit & (trig > (first_q if first_q is not None else -1))).mean())
    quartiles = (res.label(np.floor(tq["p25"])), res.label(np.floor(tq["p75"]))) if "p25" in tq else None
    return StressReading(
        scenario=res.scenario.name, paths=res.paths, seed=res.seed, horizon_quarters=res.model.horizon,
        quarter_0=res.label(0), triggered_share=float(hit.mean()), median_trigger=tq.get("median_label"),
        trigger_quartiles=quartiles, central_first_round=first_label,
        central_required=lab["required_step_up"] if lab else None,
        central_achievable=lab["achievable_step_up"] if lab else None,
        central_trigger=lab["trigger"] if lab else None, first_round_share=at_first, later_share=later,
    )


# ============================================================================ the verdict


@dataclass(frozen=True, eq=False)
class Verdict(Summarised):
    """One answer to "is the AI build-out on borrowed time, and how sure?" (:func:`verdict`).

    Attributes
    ----------
    monitor : BuildoutReading
    essay : dict
        What the essay states beside what the filings say: its capex
        acceleration (pp, VII), its annual capex and capex / cash-flow points,
        and the filings' calendar-year sums of the four platforms.
    treadmill : TreadmillReading
    stress : StressReading
    sentences : tuple of str
        The summary, a few sentences (:meth:`summary` joins them).
    """

    monitor: BuildoutReading
    essay: dict
    treadmill: TreadmillReading
    stress: StressReading
    sentences: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        return "\n".join(self.sentences)

    def to_frame(self) -> pd.DataFrame:
        """The small table: one row per question, the reading and how sure."""
        return verdict_table(self)

    def to_dict(self) -> dict:
        return {
            "summary": list(self.sentences),
            "table": self.to_frame().to_dict(orient="records"),
            "monitor": self.monitor.to_dict(),
            "essay": self.essay,
            "treadmill": asdict(self.treadmill),
            "stress": asdict(self.stress),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str) + "\n"

    def __repr__(self) -> str:
        return f"<Verdict {self.sentences[0] if self.sentences else ''}>"


def essay_beside_filings(data: pd.DataFrame | None = None) -> dict:
    """The essay's annual capex, capex / cash flow and acceleration beside the filings' calendar-year sums.

    Returns
    -------
    dict
        ``essay_capex_usd_bn``, ``essay_capex_to_ocf`` (year -> the essay's
        figure, VII), ``essay_acceleration_pp``; ``filings_capex_usd_bn``,
        ``filings_capex_to_ocf``, ``filings_growth_pct``,
        ``filings_acceleration_pp`` (the four platforms, calendar years with
        every quarter; :func:`borrowedtime.buildout.annual_totals`), or
        ``filings_unavailable`` with the reason.
    """
    from borrowedtime.buildout import annual_totals
    from borrowedtime.datasets import essay_data

    e = essay_data()
    capex = {str(p["date"])[:4]: p["value"] for p in e["series"]["hyperscaler_capex"]["points"]}
    ratio = {str(p["date"])[:4]: p["value"] for p in e["series"]["capex_to_operating_cash_flow"]["points"]}
    out = {"essay_capex_usd_bn": capex, "essay_capex_to_ocf": ratio,
           "essay_acceleration_pp": list(e["facts"]["capex_acceleration_pp"]["values"]),
           "essay_source": e["series"]["hyperscaler_capex"]["source"]}
    try:
        cap = annual_totals("capex", data=data)
        ocf = annual_totals("operating_cash_flow", data=data)
        out["filings_capex_usd_bn"] = {str(y): round(float(v), 1) for y, v in cap.items()}
        both = cap.index.intersection(ocf.index)
        out["filings_capex_to_ocf"] = {str(y): round(float(cap[y] / ocf[y]), 3) for y in both}
        # growth between consecutive calendar years only (a missing year gives no growth, not a two-year one)
        full = cap.reindex(range(int(cap.index.min()), int(cap.index.max()) + 1))
        g = (full / full.shift(1) - 1.0).dropna()
        out["filings_growth_pct"] = {str(y): round(100 * float(v), 1) for y, v in g.items()}
        out["filings_acceleration_pp"] = {str(y): round(float(v), 1) for y, v in (100 * g).diff().dropna().items()}
    except DataError as exc:
        out["filings_unavailable"] = str(exc)
    return out


def _pct(x: float | None, digits: int = 0) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f} %"


def _other_flips(tr: TreadmillReading) -> str:
    """The flip of the readings other than the trend, in words (empty when none flips in 1-20 years)."""
    parts = [f"{tr.flip_term_years[k]:.1f} years on the {k.removeprefix('next mark the essay implies ').strip('()')}"
             f"{' next mark the essay implies' if k.startswith('next mark the essay implies') else ''}"
             for k in list(tr.achievable)[1:] if tr.flip_term_years.get(k) is not None]
    return f" ({'; '.join(parts)})" if parts else ""


def _sentences(mon: BuildoutReading, essay: dict, tr: TreadmillReading, st: StressReading) -> tuple[str, ...]:
    out = []
    h = mon.get(_HEADLINE)
    ratio = mon.get(_RATIO)
    capex_call = None
    if h is not None and h.estimable:
        accel_neg = h.p_accel_neg >= 0.5
        capex_call = h.call
        sure = ("confidently" if max(h.p_accel_neg, 1 - h.p_accel_neg) >= 0.9 else "but not confidently")
        out.append(
            f"Observed: the four hyperscalers' capex was ${h.level:,.0f}bn in the quarter to {h.last}"
            + (f", {100 * h.yoy_growth:+.0f} % on a year before" if h.yoy_growth is not None else "")
            + f"; the real-time monitor reads growth S′ = {h.velocity:+.2f} a year and acceleration "
            f"S″ = {h.acceleration:+.2f} ± {h.acceleration_sd:.2f}, P(S″ < 0) = {h.p_accel_neg:.2f}: the "
            f"acceleration is {'negative' if accel_neg else 'positive'}, {sure}; regime '{h.regime}', "
            f"P(borrowed time) = {h.p_borrowed_time:.2f}"
            + ("; a borrowed-time call stands." if h.call else "; no borrowed-time call.")
        )
        essay_pp = essay.get("essay_acceleration_pp") or []
        if not accel_neg:
            out.append(
                "This disagrees with the essay, which says the acceleration of hyperscaler capex 'has already "
                f"rolled over' ({', '.join(f'{v:+g}' for v in essay_pp[1:])} pp, on its 2026-27 estimates): the "
                f"filings to {h.last} do not show it."
            )
        else:
            out.append(f"This agrees with the essay's claim that the acceleration has rolled over "
                       f"(P(S″ < 0) = {h.p_accel_neg:.2f} on the filings to {h.last}).")
    else:
        why = h.why if h is not None else "not read"
        out.append(f"Observed: no filtered reading of the hyperscalers' quarterly capex: {why.rstrip('.')}. The "
                   "monitor cannot test the essay's claim that its acceleration has rolled over.")
        other = [r for r in mon.readings if r.estimable]
        if other:
            out.append("What the filings hold so far: " + "; ".join(
                f"{r.source.removeprefix('filings:')} to {r.last}: {r.regime}, S″ {r.acceleration:+.2f} "
                f"(P(S″ < 0) = {r.p_accel_neg:.2f}), P(borrowed time) = {r.p_borrowed_time:.2f}" for r in other) + ".")
            up = [r for r in other if r.source.endswith(":capex") and r.p_accel_neg < 0.5]
            if up:
                out.append(f"Where a platform's capex can be read ({', '.join(r.source.split(':')[1] for r in up)}, "
                           f"to {max(r.last for r in up)}), its acceleration reads positive"
                           + ("" if all(r.p_accel_neg < 0.1 for r in up) else " (not confidently)")
                           + ", not negative as the essay says of the aggregate; one platform's older quarters "
                           "do not test the essay's 2026-27 claim.")
    if ratio is not None and ratio.level is not None:
        e_ratio = essay.get("essay_capex_to_ocf", {})
        out.append(f"Capex took {_pct(ratio.level)} of the platforms' operating cash flow over the four quarters "
                   f"to {ratio.last} (the essay: about {_pct(e_ratio.get('2025'))} in 2025, "
                   f"{_pct(e_ratio.get('2026'))} in 2026 on consensus).")
    trend = tr.trend_reading
    flip = tr.flip_term_years.get(trend)
    fires_default = tr.fires[trend]
    out.append(
        f"The treadmill: OpenAI's next raise ({tr.next_date}, ${tr.required_raise_usd_bn:,.0f}bn) needs a "
        f"{tr.required_step_up:.2f}× step-up against a {tr.achievable[trend]:.2f}× trend of its past step-ups, so "
        + ("the essay's trigger fires" if fires_default else "it clears and the essay's trigger does not fire")
        + f" at the default inputs. That rests on one assumption, the term over which the undated compute "
        f"commitments run off ({tr.undated_term_years:g} years assumed)"
        + (f": at {flip:.1f} years or less it fires" if flip is not None else "")
        + _other_flips(tr) + "."
    )
    if st.central_trigger is None:
        central = (f"its central path (every input at its median, no shock) never triggers (it clears the "
                   f"{st.central_first_round} round at {st.central_achievable:.2f}× against {st.central_required:.2f}×)")
    else:
        central = f"its central path triggers too, in {st.central_trigger}"
    out.append(
        f"The cascade ({st.paths:,} paths, seed {st.seed}) triggers on {_pct(st.triggered_share)} of paths, "
        f"median {st.median_trigger or 'none'}, although {central}: the Monte Carlo draws growth around the "
        f"plan, and {_pct(st.first_round_share)} of all paths fail that {st.central_first_round} round, "
        f"{_pct(st.later_share)} a later, thinner one."
    )
    if capex_call is None:
        head = "Verdict: the build-out's own numbers cannot answer yet (too few quarters of the four platforms' capex); "
    elif capex_call:
        head = "Verdict: on borrowed time by the build-out's own numbers; "
    else:
        head = "Verdict: not on borrowed time by the build-out's own numbers to date; "
    out.append(
        head + ("the structure's trigger fires at the default inputs" if fires_default else
                "the structure's trigger does not fire at the default inputs")
        + f" but fires on {_pct(st.triggered_share)} of simulated paths"
        + (f" and if the undated commitments run off in {flip:.1f} years or less" if flip is not None else "")
        + ": the risk is conditional, not yet observed."
    )
    return (out[-1], *out[:-1])


def verdict_table(v: Verdict) -> pd.DataFrame:
    """The verdict's small table (question, reading, how sure)."""
    rows = []
    h = v.monitor.get(_HEADLINE)
    if h is not None and h.estimable:
        rows.append({"question": "Is hyperscaler capex growth decelerating? (S″, quarterly filings)",
                     "reading": f"S″ {h.acceleration:+.2f} ± {h.acceleration_sd:.2f}/yr²",
                     "how sure": f"P(S″<0) = {h.p_accel_neg:.2f}"})
        rows.append({"question": "Borrowed-time call on hyperscaler capex?",
                     "reading": f"{h.regime} (S′ {h.velocity:+.2f}/yr)",
                     "how sure": f"P(borrowed time) = {h.p_borrowed_time:.2f}"})
    else:
        rows.append({"question": "Is hyperscaler capex growth decelerating? (S″, quarterly filings)",
                     "reading": h.regime if h is not None else "not read", "how sure": "no filtered reading"})
    r = v.monitor.get(_RATIO)
    if r is not None and r.level is not None:
        rows.append({"question": "Capex / operating cash flow (four platforms, trailing 4 quarters)",
                     "reading": f"{r.level:.2f} at {r.last}",
                     "how sure": (f"S′ {r.velocity:+.2f}/yr, P(S″<0) = {r.p_accel_neg:.2f}" if r.estimable
                                  else r.regime)})
    tr = v.treadmill
    trend = tr.trend_reading
    flip = tr.flip_term_years.get(trend)
    rows.append({"question": f"Does OpenAI's next round ({tr.next_date}) clear?",
                 "reading": f"required {tr.required_step_up:.2f}× vs trend {tr.achievable[trend]:.2f}×",
                 "how sure": (f"fires if undated term ≤ {flip:.1f} y (assumed {tr.undated_term_years:g})"
                              if flip is not None else f"undated term assumed {tr.undated_term_years:g} y")})
    st = v.stress
    rows.append({"question": "Does the cascade trigger?",
                 "reading": f"{_pct(st.triggered_share)} of paths, median {st.median_trigger or 'none'}",
                 "how sure": f"central path: {st.central_trigger or 'no trigger'}; {st.paths:,} paths, seed {st.seed}"})
    return pd.DataFrame(rows)


def verdict(
    *,
    paths: int | None = None,
    seed: int = 0,
    scenario="base",
    horizon_years: float = 2.0,
    confidence: float = 0.9,
    data: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    stress=None,
) -> Verdict:
    """Is the AI build-out on borrowed time, and how sure? (module docstring).

    Parameters
    ----------
    paths : int, optional
        Monte Carlo paths of the cascade (at least 100; default: the scenario's, 10,000 for ``base``).
        Seeded in ``run_stress``'s default chunks, so the base case's paths and trigger share are those
        of ``borrowedtime stress SCENARIO --seed S`` (and of the HTML report's stress section).
    seed : int, default 0
        Root seed of the cascade and of the IPO's clearing-value draws.
    scenario : str or Scenario, default "base"
        The cascade scenario (a packaged name, a YAML path or a loaded scenario).
    horizon_years, confidence : float
        The regime rule's H and call threshold for the monitor.
    data : DataFrame, optional
        The long quarterly filings frame (default: the packaged data).
    progress : callable, optional
        Called with the name of each step before it runs.
    stress : StressResult, optional
        The cascade's run already made (:func:`borrowedtime.cascade.run_stress` with this ``seed``; the
        HTML report passes its stress section's run): read, not run again; ``paths`` and ``scenario``
        are then the run's own.

    Returns
    -------
    Verdict
    """
    if stress is not None:
        if int(stress.seed) != seed:
            raise SpecError(f"verdict: the stress run given has seed {stress.seed}, the verdict seed {seed!r}; "
                            "pass the run made with the verdict's seed.")
        paths, scenario = stress.paths, stress.scenario
    if not (paths is None or (isinstance(paths, int | np.integer) and paths >= 100)):
        raise SpecError(f"verdict: paths must be an integer of at least 100. Got {paths!r}.")
    if not (isinstance(seed, int | np.integer) and seed >= 0):
        raise SpecError(f"verdict: seed must be an integer >= 0. Got {seed!r}.")
    from borrowedtime.cascade.scenario import load_scenario

    scn = load_scenario(scenario) if isinstance(scenario, str) else scenario  # a bad name fails before any work
    step = progress or (lambda name: None)
    step("monitor")
    mon = read_buildout(horizon_years=horizon_years, confidence=confidence, data=data)
    essay = essay_beside_filings(data)
    step("treadmill")
    tr = read_treadmill(seed=seed)
    step("stress")
    st = read_stress(scn, paths=None if paths is None else int(paths), seed=int(seed), result=stress)
    return Verdict(mon, essay, tr, st, _sentences(mon, essay, tr, st))
