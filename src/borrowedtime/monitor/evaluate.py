r"""Skill of every early-warning rule as a forecast of "a turn follows within h months".

The event (issue 22): at a date t where year-over-year growth is positive,
**a turn follows within h months** when the first negative YoY print after at
least 24 months of positive growth (:func:`borrowedtime.monitor.scoring.find_turns`;
8 quarters on quarterly data) is dated in (t, t + h months]. Dates whose
window (t, t + h] runs past the series' last observation are left out (their
outcome is not known yet). Every rule gives, at every such (series, date)
pair, a real-time *score* computed from data dated <= t only (higher: a turn
is more likely); the pairs of a panel are pooled.

Skill scores:

* **AUROC**, pooled over all (series, date) pairs: the probability that a
  pair followed by a turn scores higher than one not followed by a turn (ties
  count one half), i.e. the Mann-Whitney U statistic over n1 n0 (Hanley and
  McNeil 1982). Pooled over series, so a score must be comparable across
  series: every rule below is in units of the series' own real-time
  variability, or a probability. Its 95 % interval is a percentile bootstrap
  over *series* (whole series are resampled with replacement, seeded): pairs
  of one series are strongly dependent, series much less so.
* **Brier score** (Brier 1950) and a **reliability table** (ten equal bins of
  the forecast probability: mean forecast against observed frequency,
  Murphy and Winkler 1977) for the rules whose score is a probability.

Every rule is evaluated on the same pairs: those where all rules of the run
have a score (each needs some history before its first one).

Rules (:data:`RULES`; all real time):

``monitor``
    The monitor's P(a turn within h) (:func:`borrowedtime.monitor.events.p_turn_within`):
    its forecast of this very event.
``projection``
    The monitor's P(S' + H S'' < 0), H = 2 years (:class:`~borrowedtime.monitor.regimes.RegimeRule`),
    the probability behind its calls; not a probability of this event.
``baseline``
    Minus z, the six-month change in YoY log growth over its real-time
    root mean square (issue 11's named baseline, :func:`borrowedtime.monitor.backtest.baseline_calls`).
``naive``
    The fall in YoY growth over three months, decimal.
``markov``
    Hamilton's (1989) two-regime Markov-switching model of growth: the
    filtered probability of the low-mean regime (:func:`markov_low_regime`).
``monitor-calibrated``
    The monitor's P(a turn within h), recalibrated in real time on the panel
    (:mod:`borrowedtime.monitor.recalibrate`).
``yoy-extrapolation``, ``monitor-yoy``, ``z3``, ``z12``, ``cb6``, ``projection-h1``, ``projection-hinf``,
``projection-cutoff3``, ``projection-ar1``, ``monitor-cutoff3``
    The candidates for a better S'' (:mod:`borrowedtime.monitor.evaluate_rules`).

References
----------
.. [1] Hanley, J. A. and McNeil, B. J. (1982). "The meaning and use of the area under a
   receiver operating characteristic (ROC) curve." Radiology 143(1), 29-36.
.. [2] Brier, G. W. (1950). "Verification of forecasts expressed in terms of probability."
   Monthly Weather Review 78(1), 1-3.
.. [3] Murphy, A. H. and Winkler, R. L. (1977). "Reliability of subjective probability
   forecasts of precipitation and temperature." JRSS C 26(1), 41-47.
.. [4] Hamilton, J. D. (1989). "A new approach to the economic analysis of nonstationary
   time series and the business cycle." Econometrica 57(2), 357-384.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from borrowedtime._results import Summarised
from borrowedtime.errors import DataError, SpecError
from borrowedtime.monitor.discrete import year_over_year
from borrowedtime.monitor.evaluate_rules import (
    RENAMED,
    VARIANTS,
    PanelData,
    RuleSpec,
    markov_low_regime,
)
from borrowedtime.monitor.scoring import turn_within
from borrowedtime.series import Frequency, infer_frequency

__all__ = [
    "RULES",
    "DEFAULT_RULES",
    "Evaluation",
    "EvaluationResult",
    "auroc",
    "auroc_weighted",
    "brier",
    "reliability_table",
    "event_pairs",
    "evaluate_panel",
    "markov_low_regime",
    "prepare_panel",
]


#: Every rule evaluate knows, by name.
RULES: dict[str, RuleSpec] = dict(VARIANTS)
DEFAULT_RULES = ("monitor", "projection", "baseline", "naive", "markov")
_BINS = np.linspace(0.0, 1.0, 11)


# ============================================================================ skill scores


def auroc(score: np.ndarray, event: np.ndarray) -> float:
    """Area under the ROC curve: P(score of an event pair > score of a non-event pair), ties 1/2.

    Parameters
    ----------
    score : array (n,)
        Higher means the event is more likely.
    event : array (n,) of bool
        Whether the event followed.

    Returns
    -------
    float
        In [0, 1]; NaN when either class is empty.

    Notes
    -----
    The Mann-Whitney U of the event pairs over n1 n0, from average ranks
    (Hanley and McNeil 1982).
    """
    score = np.asarray(score, dtype=float)
    event = np.asarray(event, dtype=bool)
    n1 = int(event.sum())
    n0 = event.size - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = stats.rankdata(score)
    u = ranks[event].sum() - n1 * (n1 + 1) / 2.0
    return float(u / (n1 * n0))


def auroc_weighted(score: np.ndarray, event: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """AUROC with pair weights, for many weight vectors at once (the bootstrap over series).

    Parameters
    ----------
    score, event : array (n,)
    weights : array (B, n)
        Non-negative multiplicity of each pair in each of B resamples.

    Returns
    -------
    array (B,)
        Weighted AUROC of each resample (NaN where a class has zero weight).
    """
    score = np.asarray(score, dtype=float)
    event = np.asarray(event, dtype=bool)
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    _, group = np.unique(score, return_inverse=True)  # tie groups in score order
    g = group.max() + 1 if group.size else 0
    out = np.empty(w.shape[0])
    for b in range(w.shape[0]):
        w1 = np.bincount(group, weights=w[b] * event, minlength=g)
        w0 = np.bincount(group, weights=w[b] * ~event, minlength=g)
        below = np.cumsum(w0) - w0  # negatives strictly below each group
        tot1, tot0 = w1.sum(), w0.sum()
        out[b] = np.nan if tot1 == 0 or tot0 == 0 else float((w1 * (below + 0.5 * w0)).sum() / (tot1 * tot0))
    return out


def brier(p: np.ndarray, event: np.ndarray) -> float:
    """Mean squared difference between forecast probabilities and outcomes (0 best, Brier 1950)."""
    p = np.asarray(p, dtype=float)
    return float(np.mean((p - np.asarray(event, dtype=float)) ** 2)) if p.size else float("nan")


def reliability_table(p: np.ndarray, event: np.ndarray, bins: np.ndarray = _BINS) -> pd.DataFrame:
    """Forecasts in equal-width probability bins: count, mean forecast, observed frequency.

    A reliable forecast has ``observed`` close to ``mean_p`` in every bin
    (Murphy and Winkler 1977). The last bin includes 1.
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(event, dtype=float)
    k = np.clip(np.searchsorted(bins, p, side="right") - 1, 0, bins.size - 2)
    rows = []
    for j in range(bins.size - 1):
        m = k == j
        n = int(m.sum())
        rows.append({"lo": float(bins[j]), "hi": float(bins[j + 1]), "n": n,
                     "mean_p": float(p[m].mean()) if n else float("nan"),
                     "observed": float(y[m].mean()) if n else float("nan")})
    return pd.DataFrame(rows)


# ============================================================================ the panel and the event


def prepare_panel(frame: pd.DataFrame) -> tuple[PanelData, list[tuple[str, str]]]:
    """Numeric, strictly positive series on one monthly or quarterly grid, and the skipped ones.

    Parameters
    ----------
    frame : pandas.DataFrame
        A wide panel as read by :func:`borrowedtime.monitor.screen.read_panel`.

    Returns
    -------
    (PanelData, list of (name, reason))

    Raises
    ------
    DataError
        No usable series, or dates that are neither monthly nor quarterly.
    """
    # the screen's cell checks: one reader, one set of reasons
    from borrowedtime.monitor.screen import _coerce

    numeric, skipped = _coerce(frame)
    skip = [(s.name, s.why) for s in skipped]
    numeric = numeric.loc[numeric.notna().any(axis=1)]
    where = str(frame.attrs.get("source", "panel"))
    if numeric.shape[1] == 0 or numeric.shape[0] < 3:
        raise DataError(f"{where}: no usable series (every column skipped or too few dates).")
    freq = infer_frequency(numeric.index, where=where)
    if freq.name not in ("monthly", "quarterly"):
        raise DataError(f"{where}: evaluate needs monthly or quarterly dates; these are {freq}.")
    numeric.attrs["frequency"] = freq
    yoy: dict[str, pd.Series] = {}
    keep = []
    for name in numeric.columns:
        s = numeric[name].dropna()
        s.attrs["frequency"] = freq
        g = year_over_year(s)
        if g.size < 2 * int(freq.periods_per_year):
            skip.append((name, f"{g.size} year-over-year growth values; evaluate needs at least two years of them."))
            continue
        yoy[name] = g
        keep.append(name)
    if not keep:
        raise DataError(f"{where}: no series has two years of year-over-year growth.")
    numeric = numeric[keep]
    numeric.attrs["frequency"] = freq
    return PanelData(numeric, freq, yoy), skip


def event_pairs(yoy: pd.Series, horizon_months: int, min_positive_months: int = 24) -> pd.Series:
    """Whether a turn follows within ``horizon_months``, at each date where YoY growth is positive.

    Parameters
    ----------
    yoy : pandas.Series
        Year-over-year growth, decimal, on a sorted DatetimeIndex, no NaN.
    horizon_months : int
        h: the turn must be dated in (t, t + h months].
    min_positive_months : int, default 24
        Months of positive growth a turn needs before it (:func:`~borrowedtime.monitor.scoring.find_turns`).

    Returns
    -------
    pandas.Series of bool
        Indexed by the dates t with YoY > 0 and t + h <= the last date.
    """
    idx = yoy.index
    keep = (yoy.to_numpy() > 0) & (idx + pd.DateOffset(months=horizon_months) <= idx[-1])
    hit = turn_within(yoy, horizon_months, min_positive_months)
    return pd.Series(hit[keep], index=idx[keep], name="turn_within")


# ============================================================================ the evaluation


@dataclass(frozen=True)
class Evaluation:
    """Score rules as real-time forecasts of a turn within h months (specification).

    Parameters
    ----------
    horizons : tuple of int, default (6, 12)
        h in months (quarterly data: multiples of 3).
    rules : tuple of str, default :data:`DEFAULT_RULES`
        Names from :data:`RULES`.
    n_boot : int, default 1000
        Bootstrap resamples of the series for the AUROC interval.
    seed : int, default 0
        Seed of the bootstrap (one ``default_rng``).
    min_positive_months : int, default 24
        Positive run a turn needs (24 months: 8 quarters on quarterly data).
    markov_refit_years : float, default 5.0
        The Markov-switching rule is re-estimated every this many years on data <= t.
    """

    horizons: tuple[int, ...] = (6, 12)
    rules: tuple[str, ...] = DEFAULT_RULES
    n_boot: int = 1000
    seed: int = 0
    min_positive_months: int = 24
    markov_refit_years: float = 5.0

    def __post_init__(self) -> None:
        if not self.horizons or any(not isinstance(h, int | np.integer) or h < 1 for h in self.horizons):
            raise SpecError(f"The 'horizons' parameter of Evaluation must be ints >= 1 (months). Got {self.horizons!r}.")
        unknown = [r for r in self.rules if r not in RULES]
        if unknown and unknown[0] in RENAMED:
            raise SpecError(f"Rule {unknown[0]!r} is now named {RENAMED[unknown[0]]!r} (2026-12-05: 'monitor' is the "
                            "monitor's P(turn within h), 'projection' its P(S' + 2y S'' < 0)).")
        if unknown or not self.rules:
            raise SpecError(f"Unknown rule {unknown[0] if unknown else '(none given)'!r}; evaluate knows: "
                            f"{', '.join(RULES)}.")
        if not isinstance(self.n_boot, int | np.integer) or self.n_boot < 0:
            raise SpecError(f"The 'n_boot' parameter of Evaluation must be an int >= 0. Got {self.n_boot!r}.")
        if not self.markov_refit_years > 0:
            raise SpecError(f"The 'markov_refit_years' parameter of Evaluation must be > 0. Got {self.markov_refit_years!r}.")

    def run(self, panel: pd.DataFrame, *, on_progress: Callable[[str, int, int], None] | None = None) -> EvaluationResult:
        """Score every rule on every (series, date) pair of a panel.

        Parameters
        ----------
        panel : pandas.DataFrame
            Wide panel (date index, one column per series), monthly or quarterly.
        on_progress : callable, optional
            ``(stage, done, total)`` as rules and series are scored.

        Returns
        -------
        EvaluationResult
        """
        data, skipped = prepare_panel(panel)
        if data.freq.name == "quarterly":
            bad = [h for h in self.horizons if h % 3]
            if bad:
                raise SpecError(f"--horizons {bad[0]}: quarterly data need horizons in multiples of 3 months.")
        names = list(data.frame.columns)
        # Scores: rule -> horizon -> {series: pd.Series on that series' YoY dates}
        scores: dict[str, dict[int, dict[str, pd.Series]]] = {}
        cpu: dict[str, float] = {}
        for r in self.rules:
            t0 = time.process_time()
            spec = RULES[r]
            cb = (lambda d, t, r=r: on_progress(r, d, t)) if on_progress else None
            if spec.horizon_dependent:
                scores[r] = {h: spec.fn(data, h, self, cb) for h in self.horizons}
            else:
                one = spec.fn(data, None, self, cb)
                scores[r] = dict.fromkeys(self.horizons, one)
            cpu[r] = time.process_time() - t0
        rows, pairs, rel = [], {}, []
        rng = np.random.default_rng(self.seed)
        boot = rng.integers(0, len(names), size=(self.n_boot, len(names)))  # same resamples for every rule
        counts = np.stack([np.bincount(b, minlength=len(names)) for b in boot]) if self.n_boot else None
        for h in self.horizons:
            ev_parts, sid, score_cols, dates = [], [], {r: [] for r in self.rules}, []
            for j, name in enumerate(names):
                ev = event_pairs(data.yoy[name], h, self.min_positive_months)
                cols = {r: scores[r][h][name].reindex(ev.index).to_numpy(float) for r in self.rules}
                ok = np.all([np.isfinite(c) for c in cols.values()], axis=0)
                ev_parts.append(ev.to_numpy()[ok])
                sid.append(np.full(int(ok.sum()), j))
                dates.append(ev.index[ok])
                for r in self.rules:
                    score_cols[r].append(cols[r][ok])
            event = np.concatenate(ev_parts)
            series_id = np.concatenate(sid)
            if event.size == 0:
                raise DataError(f"{panel.attrs.get('source', 'panel')}: no (series, date) pair at h = {h} months "
                                f"where every rule has a score ({', '.join(self.rules)}); the series are too "
                                "short for these rules.")
            frame = pd.DataFrame({"series": np.asarray(names, dtype=object)[series_id],
                                  "date": np.concatenate([np.asarray(d) for d in dates]) if dates else [],
                                  "event": event})
            for r in self.rules:
                s = np.concatenate(score_cols[r])
                frame[r] = s
                a = auroc(s, event)
                if counts is not None and event.size:
                    bs = auroc_weighted(s, event, counts[:, series_id])
                    bs = bs[np.isfinite(bs)]
                    ci = (float(np.quantile(bs, 0.025)), float(np.quantile(bs, 0.975))) if bs.size else (np.nan, np.nan)
                else:
                    ci = (float("nan"), float("nan"))
                prob = RULES[r].probability
                rows.append({"name": r, "horizon": int(h), "auroc": a, "auroc_ci": ci,
                             "brier": brier(s, event) if prob else None, "n": int(event.size),
                             "events": int(event.sum()), "series": int(np.unique(series_id).size)})
                if prob:
                    t = reliability_table(s, event)
                    t.insert(0, "horizon", int(h))
                    t.insert(0, "name", r)
                    rel.append(t)
            pairs[int(h)] = frame
        return EvaluationResult(
            table=pd.DataFrame(rows),
            reliability=pd.concat(rel, ignore_index=True) if rel else pd.DataFrame(
                columns=["name", "horizon", "lo", "hi", "n", "mean_p", "observed"]),
            pairs=pairs,
            skipped=tuple(skipped),
            frequency=data.freq,
            n_series=len(names),
            cpu_seconds=cpu,
            source=str(panel.attrs.get("source", "")),
            spec=self,
        )


@dataclass(frozen=True, eq=False)
class EvaluationResult(Summarised):
    """Skill of each rule at each horizon (frozen result).

    Attributes
    ----------
    table : DataFrame
        One row per (rule, horizon): ``auroc``, ``auroc_ci`` (95 %, bootstrap
        over series), ``brier`` (None for scores that are not probabilities),
        ``n`` pairs and ``events``.
    reliability : DataFrame
        Per probability rule and horizon, ten bins: ``n``, ``mean_p``, ``observed``.
    pairs : dict
        horizon -> DataFrame of the scored pairs (series, date, event, one column per rule).
    cpu_seconds : dict
        rule -> CPU seconds this process spent computing its scores (all horizons).
    """

    table: pd.DataFrame
    reliability: pd.DataFrame
    pairs: dict[int, pd.DataFrame]
    skipped: tuple[tuple[str, str], ...]
    frequency: Frequency
    n_series: int
    cpu_seconds: dict[str, float]
    source: str
    spec: Evaluation = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict:
        rules = []
        for r in self.table.to_dict(orient="records"):
            rules.append({**r, "auroc_ci": list(r["auroc_ci"])})
        rel = [{"name": n, "horizon": int(h), "bins": g.drop(columns=["name", "horizon"]).to_dict(orient="records")}
               for (n, h), g in self.reliability.groupby(["name", "horizon"], sort=False)]
        return {
            "panel": {"source": self.source, "series": self.n_series, "frequency": self.frequency.name,
                      "skipped": [{"name": n, "why": w} for n, w in self.skipped]},
            "event": (f"a turn (first negative YoY print after >= {self.spec.min_positive_months} months positive) "
                      "within h months, at dates with YoY growth > 0"),
            "cpu_seconds": {k: round(v, 2) for k, v in self.cpu_seconds.items()},
            "bootstrap": {"resamples": self.spec.n_boot, "seed": self.spec.seed, "over": "series"},
            "rules": rules,
            "reliability": rel,
        }

    def summary(self) -> str:
        lines = [f"Evaluation of {len(self.spec.rules)} rule(s) on {self.n_series} {self.frequency.name} series"
                 f"{f' ({self.source})' if self.source else ''}: a turn within h months, at dates YoY > 0"]
        for r in self.table.itertuples(index=False):
            lo, hi = r.auroc_ci
            b = "" if r.brier is None or r.brier != r.brier else f", Brier {r.brier:.3f}"
            lines.append(f"  h={r.horizon:>2} {r.name:<18} AUROC {r.auroc:.3f} [{lo:.3f}, {hi:.3f}]{b} "
                         f"({r.n} pairs, {r.events} events)")
        return "\n".join(lines)


def evaluate_panel(panel: pd.DataFrame, *, horizons: Sequence[int] = (6, 12), rules: Sequence[str] = DEFAULT_RULES,
                   n_boot: int = 1000, seed: int = 0,
                   on_progress: Callable[[str, int, int], None] | None = None) -> EvaluationResult:
    """Run :class:`Evaluation` with these settings (the one call the CLI makes)."""
    return Evaluation(tuple(int(h) for h in horizons), tuple(rules), n_boot, seed).run(panel, on_progress=on_progress)

