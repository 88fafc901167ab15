r"""The rules :mod:`borrowedtime.monitor.evaluate` scores, each a real-time score per (series, date).

Every rule maps a panel to, per series, a score on the dates of its
year-over-year growth, computed from data dated <= each date (higher: a turn
is more likely). Scores that are pooled over series are in units of each
series' own real-time variability, or probabilities.

The candidates for a better S'' (issue 22, item 3) are here beside the
monitor, the baseline, the naive rule and the Markov-switching peer; each
candidate's settings were fixed by the principle written in its docstring
before any of its scores was seen (``benchmarks/bench_evaluate.py``):

``yoy-extrapolation``
    The baseline's construction given an uncertainty: YoY log growth g
    extrapolated h months ahead at its six-month pace, g + (h/6) Δ6 g, and
    P(that < 0) under a normal forecast error whose scale is the real-time
    root mean square of this very extrapolation's past h-month errors
    (errors known by t; at least 36 of them, the baseline's minimum).
``monitor-yoy``
    The monitor's filter applied to YoY log growth instead of log S: the local
    quadratic trend (cutoff 1.5 years, no season, scale memory 7 years: the
    monitor's defaults) run on g, and P(g at t + h < 0) from the model's own
    h-step predictive distribution (state mean and covariance propagated h
    months with the trend's jerk noise, plus the observation noise).
``z3``, ``z12``
    The baseline with its six-month span replaced by a quarter (the naive
    rule's span) and by a year (the span of YoY growth itself).
``cb6``
    Minus the six-month growth rate of S, annualised (the span of the
    Conference Board's six-month rule for its leading index), over its
    real-time root mean square.
``projection-h1``, ``projection-hinf``, ``projection-cutoff3``, ``projection-ar1``
    The monitor's projection P(S' + H S'' < 0) with its own opt-in settings
    already in the code: horizon 1 year, the sign of S'' (H = inf), a 3-year
    cutoff, the AR(1) momentum cycle.
``monitor-cutoff3``
    The monitor's P(a turn within h) (:func:`borrowedtime.monitor.events.p_turn_within`)
    with the 3-year cutoff (added after the 3-year cutoff met the target as
    P(S' + 2y S'' < 0); no setting of its own).
``monitor-calibrated``
    The monitor's P(a turn within h), recalibrated in real time on the panel's
    own record by Platt scaling (:class:`borrowedtime.monitor.recalibrate.RealTimePlatt`;
    its settings are stated there). Fixed before its scores were seen; the
    raw probability's reliability tables had been seen.

The monitor's own rules are ``monitor`` (its event probability, P(a turn
within h), the instrument issue 22 asks for) and ``projection`` (its
P(S' + 2y S'' < 0), the probability behind its calls); before 2026-12-05 they
were named ``monitor-turn`` and ``monitor`` (:data:`RENAMED`).
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from borrowedtime.monitor.backtest import _baseline_gz
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import RegimeRule, _calls
from borrowedtime.monitor.statespace import _trend_blocks
from borrowedtime.series import Frequency

__all__ = ["PanelData", "RuleSpec", "VARIANTS", "RENAMED", "markov_low_regime", "lag_change", "z_score",
           "calls_from_p", "yoy_extrapolation_p", "monitor_yoy_p"]

Progress = Callable[[int, int], None] | None


@dataclass(frozen=True, eq=False)
class PanelData:
    """A checked panel: strictly positive series on one grid, and their YoY growth (decimal)."""

    frame: pd.DataFrame  # (dates, series), NaN allowed
    freq: Frequency
    yoy: dict[str, pd.Series]


@dataclass(frozen=True)
class RuleSpec:
    """A rule: its score function, whether the score is a probability, whether it depends on h."""

    fn: Callable[[PanelData, int | None, Any, Progress], dict[str, pd.Series]]
    probability: bool
    horizon_dependent: bool
    description: str


# ============================================================================ building blocks


def lag_change(values: np.ndarray, index: pd.DatetimeIndex, months: int) -> np.ndarray:
    """x_t - x at the last date <= t - ``months`` (NaN when no date lies within half a month of it)."""
    back = index - pd.DateOffset(months=months)
    pos = index.searchsorted(back, side="right") - 1
    ok = (pos >= 0) & (index[np.maximum(pos, 0)] > back - pd.Timedelta(days=16))
    return np.where(ok, values - values[np.maximum(pos, 0)], np.nan)


def z_score(d: np.ndarray, min_obs: int = 36) -> np.ndarray:
    """d over its real-time expanding root mean square (values dated <= t; NaN before ``min_obs``)."""
    have = np.isfinite(d)
    cnt = np.cumsum(have)
    rms = np.sqrt(np.cumsum(np.where(have, d * d, 0.0)) / np.maximum(cnt, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(have & (cnt >= min_obs), d / rms, np.nan)


def calls_from_p(g: np.ndarray, p: np.ndarray, persistence: int, confidence: float = 0.9,
                 release: float = 0.5) -> np.ndarray:
    """The monitor's call rule on any probability, made only while YoY growth g > 0.

    Enter after ``persistence`` readings >= ``confidence``, release after as
    many < ``release`` (:class:`~borrowedtime.monitor.regimes.RegimeRule`); a call
    stands only while g > 0, as the monitor's borrowed-time calls do.
    """
    pos = np.where(g > 0, np.nan_to_num(p, nan=0.0), 0.0)
    return _calls(pos[None, :], confidence, release, persistence)[0] & (g > 0)


# ============================================================================ rules


def _per_series(data: PanelData, fn: Callable[[str, pd.Series], np.ndarray]) -> dict[str, pd.Series]:
    return {n: pd.Series(fn(n, g), index=g.index) for n, g in data.yoy.items()}


def _monitor_p(model: KinematicsModel, rule: RegimeRule) -> Callable:
    def fn(data: PanelData, h: int | None, spec: Any, progress: Progress) -> dict[str, pd.Series]:
        kin = model.fit(data.frame)
        p = rule.p_projected_negative(kin)
        if progress:
            progress(1, 1)
        out = {}
        for i, n in enumerate(kin.names):
            out[n] = pd.Series(p[i], index=kin.index).reindex(data.yoy[n].index)
        return out

    return fn


def _monitor_turn(model: KinematicsModel) -> Callable:
    # one fit and one P(turn within h) per panel and horizon, shared by the rules built on it
    # (``monitor`` and ``monitor-calibrated``): a panel is its PanelData object (hashed by identity)
    done: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def fn(data: PanelData, h: int | None, spec: Any, progress: Progress) -> dict[str, pd.Series]:
        from borrowedtime.monitor.events import p_turn_within

        per_h = done.setdefault(data, {})
        if int(h) not in per_h:
            kin = model.fit(data.frame)
            p = p_turn_within(kin, (int(h),))[..., 0]
            per_h[int(h)] = {n: pd.Series(p[i], index=kin.index).reindex(data.yoy[n].index)
                             for i, n in enumerate(kin.names)}
        if progress:
            progress(1, 1)
        return dict(per_h[int(h)])

    return fn


def _baseline(data: PanelData, h, spec, progress) -> dict[str, pd.Series]:
    return _per_series(data, lambda n, g: -_baseline_gz(g, 36)[1])


def _naive(data: PanelData, h, spec, progress) -> dict[str, pd.Series]:
    return _per_series(data, lambda n, g: -lag_change(g.to_numpy(float), g.index, 3))


def _zk(months: int) -> Callable:
    def fn(data: PanelData, h, spec, progress) -> dict[str, pd.Series]:
        return _per_series(data, lambda n, g: -z_score(lag_change(np.log1p(g.to_numpy(float)), g.index, months)))

    return fn


def _cb6(data: PanelData, h, spec, progress) -> dict[str, pd.Series]:
    def one(n: str, g: pd.Series) -> np.ndarray:
        s = data.frame[n].dropna()
        r6 = 2.0 * lag_change(np.log(s.to_numpy(float)), s.index, 6)  # annualised six-month log growth
        return pd.Series(-z_score(r6), index=s.index).reindex(g.index).to_numpy()

    return _per_series(data, one)


def yoy_extrapolation_p(yoy: pd.Series, horizon_months: int, min_obs: int = 36) -> np.ndarray:
    """P(YoY log growth h months ahead < 0), extrapolating its six-month change; real time.

    Parameters
    ----------
    yoy : pandas.Series
        Year-over-year growth, decimal.
    horizon_months : int
        h.
    min_obs : int, default 36
        Past forecast errors needed before a probability is given.

    Returns
    -------
    array
        Phi(-f_t / s_t) with f_t = g_t + (h/6)(g_t - g_{t-6 months}) and s_t the
        root mean square of the errors g_{tau+h} - f_tau known at t (tau + h <= t).
    """
    g = np.log1p(yoy.to_numpy(float))
    idx = yoy.index
    f = g + (horizon_months / 6.0) * lag_change(g, idx, 6)
    ahead = idx + pd.DateOffset(months=horizon_months)
    pos = idx.searchsorted(ahead, side="left")
    exact = (pos < idx.size) & (idx[np.minimum(pos, idx.size - 1)] == ahead)
    err = np.where(exact, g[np.minimum(pos, idx.size - 1)] - f, np.nan)  # realised at date ahead
    # error of forecast tau is known from date tau + h on: accumulate at its realisation date
    sq = np.zeros(idx.size)
    cnt = np.zeros(idx.size)
    okk = np.isfinite(err)
    np.add.at(sq, pos[okk], err[okk] ** 2)
    np.add.at(cnt, pos[okk], 1.0)
    csq, ccnt = np.cumsum(sq), np.cumsum(cnt)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.sqrt(csq / ccnt)
        return np.where(ccnt >= min_obs, stats.norm.cdf(-f / s), np.nan)


def _yoy_extrapolation(data: PanelData, h, spec, progress) -> dict[str, pd.Series]:
    return _per_series(data, lambda n, g: yoy_extrapolation_p(g, int(h)))


def monitor_yoy_p(data: PanelData, horizon_months: int, model: KinematicsModel | None = None) -> dict[str, pd.Series]:
    """P(YoY log growth h months ahead < 0) from the monitor's filter run on YoY log growth.

    The local quadratic trend of :class:`~borrowedtime.monitor.model.KinematicsModel`
    (``seasonal='none'``, other settings default) is fitted to g = log(1 + YoY)
    (as the log of the positive series 1 + YoY); the h-step predictive mean of
    g is l + tau v + tau^2 a / 2 (tau = h/12 years) and its variance
    sigma^2 (c' P c + q c' Sigma(tau) c + 1), c = (1, tau, tau^2/2), with the
    filtered covariance P, the jerk ratio q and the observation noise; the
    probability is Student-t with the scale's degrees of freedom.
    """
    model = model or KinematicsModel(seasonal="none")
    frame = pd.DataFrame({n: (1.0 + g) for n, g in data.yoy.items()})
    frame.attrs["frequency"] = data.freq
    kin = model.fit(frame)
    tau = horizon_months / 12.0
    c = np.array([1.0, tau, tau * tau / 2.0])
    _, Qt = _trend_blocks(np.array([tau]), kin.q)
    mean = kin.filtered @ c
    var = (np.einsum("i,...ij,j->...", c, kin.filtered_cov, c) + float(c @ Qt[0] @ c) + 1.0) * kin.sigma2
    with np.errstate(invalid="ignore", divide="ignore"):
        p = stats.t.cdf(-mean / np.sqrt(var), df=np.maximum(kin.dof, 1))
    p = np.where(kin.ready, p, np.nan)
    return {n: pd.Series(p[i], index=kin.index).reindex(data.yoy[n].index) for i, n in enumerate(kin.names)}


def _monitor_yoy(data: PanelData, h, spec, progress) -> dict[str, pd.Series]:
    return monitor_yoy_p(data, int(h))


def markov_low_regime(
    series: pd.Series, *, periods_per_year: float, refit_years: float = 5.0, min_years: float = 5.0,
) -> pd.Series:
    """Real-time filtered probability of the low-growth regime of a two-regime Markov-switching model.

    The model (Hamilton 1989's switching mean, without its AR(4) terms) for
    period log growth in percent, x_t = 100 (log S_t - log S_{t-1}):
    x_t = mu_{s_t} + e_t, e_t ~ N(0, sigma^2), s_t a two-state Markov chain
    (statsmodels ``MarkovRegression``). The variance is one for both regimes,
    as in Hamilton (1989): with a regime-dependent variance (a first version)
    the regime labelled "low" by its mean at estimation took the calm dates
    and a crash after the estimate went to the other, high-variance regime.
    The AR(4) terms are left out for cost (a fit with them took about 3.5
    times as long). Seasonality is not modelled: use adjusted data. It is estimated by maximum
    likelihood on data dated <= tau at re-estimation dates tau every
    ``refit_years`` from ``min_years`` of growth on (warm-started from the
    previous estimate); between two of them the filter runs with the last
    estimate, so the probability at t uses data <= t only. The low regime is
    the one with the lower mean.

    Parameters
    ----------
    series : pandas.Series
        Strictly positive values on a regular DatetimeIndex, no NaN.
    periods_per_year : float
        12 for monthly, 4 for quarterly data.
    refit_years, min_years : float
        Re-estimation schedule (years).

    Returns
    -------
    pandas.Series
        P(low-growth regime at t | data <= t), NaN before the first estimate
        or where the estimate failed.
    """
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    s = series.dropna()
    x = 100.0 * np.diff(np.log(s.to_numpy(float)))
    out = np.full(s.size, np.nan)
    step = max(1, int(round(refit_years * periods_per_year)))
    first = int(round(min_years * periods_per_year))
    params = None
    for tau in range(first, x.size, step):
        stop = min(tau + step, x.size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                mod = MarkovRegression(x[: tau + 1], k_regimes=2)
                res = mod.fit(start_params=params, disp=False) if params is not None else mod.fit(disp=False)
                if np.all(np.isfinite(res.params)):
                    params = res.params
            except Exception:  # noqa: BLE001 - an optimiser failure keeps the previous estimate
                pass
            if params is None:
                continue
            filt = np.asarray(MarkovRegression(x[:stop], k_regimes=2).filter(params).filtered_marginal_probabilities)
        low = int(np.argmin(params[2:4]))  # params: p00, p10, const0, const1, sigma2
        out[tau + 1 : stop + 1] = filt[tau:stop, low]  # x[k] is the growth into s[k + 1]
    return pd.Series(out, index=s.index, name="p_low_regime")


def _markov(data: PanelData, h, spec, progress) -> dict[str, pd.Series]:
    ppy = data.freq.periods_per_year
    out = {}
    names = list(data.yoy)
    for k, n in enumerate(names):
        p = markov_low_regime(data.frame[n], periods_per_year=ppy, refit_years=spec.markov_refit_years)
        out[n] = p.reindex(data.yoy[n].index)
        if progress:
            progress(k + 1, len(names))
    return out


def _monitor_calibrated(turn: Callable) -> Callable:
    def fn(data: PanelData, h: int | None, spec: Any, progress: Progress) -> dict[str, pd.Series]:
        from borrowedtime.monitor.recalibrate import RealTimePlatt

        raw = turn(data, h, spec, None)
        cal, _ = RealTimePlatt(int(h), min_positive_months=spec.min_positive_months).apply(raw, data.yoy)
        if progress:
            progress(1, 1)
        return cal

    return fn


_TURN = _monitor_turn(KinematicsModel())

VARIANTS: dict[str, RuleSpec] = {
    "monitor": RuleSpec(_TURN, True, True, "the monitor's P(turn within h) (borrowedtime.monitor.events)"),
    "monitor-calibrated": RuleSpec(_monitor_calibrated(_TURN), True, True,
                                   "the monitor's P(turn within h), Platt-recalibrated in real time on the panel"),
    "monitor-cutoff3": RuleSpec(_monitor_turn(KinematicsModel(cutoff_years=3.0)), True, True,
                                "the monitor's P(turn within h) with a 3-year cutoff"),
    "projection": RuleSpec(_monitor_p(KinematicsModel(), RegimeRule()), True, False,
                           "the monitor's P(S' + 2y S'' < 0)"),
    "baseline": RuleSpec(_baseline, False, False, "-z: six-month change in YoY log growth over its real-time RMS"),
    "naive": RuleSpec(_naive, False, False, "fall in YoY growth over three months"),
    "markov": RuleSpec(_markov, True, False, "Markov-switching (Hamilton 1989): filtered P(low-growth regime)"),
    "yoy-extrapolation": RuleSpec(_yoy_extrapolation, True, True,
                                  "P(g + (h/6) d6g < 0), normal with the real-time RMS of its past errors"),
    "monitor-yoy": RuleSpec(_monitor_yoy, True, True, "the monitor's filter on YoY log growth: P(g at t+h < 0)"),
    "z3": RuleSpec(_zk(3), False, False, "-z of the three-month change in YoY log growth"),
    "z12": RuleSpec(_zk(12), False, False, "-z of the twelve-month change in YoY log growth"),
    "cb6": RuleSpec(_cb6, False, False, "-(six-month annualised growth of S) over its real-time RMS"),
    "projection-h1": RuleSpec(_monitor_p(KinematicsModel(), RegimeRule(horizon_years=1.0)), True, False,
                              "the monitor's P(S' + 1y S'' < 0)"),
    "projection-hinf": RuleSpec(_monitor_p(KinematicsModel(), RegimeRule(horizon_years=float("inf"))), True, False,
                                "the monitor's P(S'' < 0)"),
    "projection-cutoff3": RuleSpec(_monitor_p(KinematicsModel(cutoff_years=3.0), RegimeRule()), True, False,
                                   "the monitor's P(S' + 2y S'' < 0) with a 3-year cutoff"),
    "projection-ar1": RuleSpec(_monitor_p(KinematicsModel(momentum="ar1"), RegimeRule()), True, False,
                               "the monitor's P(S' + 2y S'' < 0) with the AR(1) momentum cycle"),
}

#: Names used before issue 22 settled them (2026-12-05): the monitor's rule for this event is now its
#: event probability, P(turn within h); its projection P(S' + 2y S'' < 0) is ``projection``.
RENAMED: dict[str, str] = {
    "monitor-turn": "monitor",
    "monitor-turn-cutoff3": "monitor-cutoff3",
    "monitor-h1": "projection-h1",
    "monitor-hinf": "projection-hinf",
    "monitor-ar1": "projection-ar1",
}
