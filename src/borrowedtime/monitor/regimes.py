r"""Regimes, calls and events from real-time kinematics.

Each date is labelled from the filtered velocity :math:`S'` and the growth
projected over a refinancing horizon :math:`H`, :math:`g_H = S' + H\,S''`:

==============  =================  ==========================================
label           velocity S'        projected growth g_H = S' + H S''
==============  =================  ==========================================
boom            > 0                > 0 (still growing at the horizon)
borrowed time   > 0                < 0 (growing now, gone within H)
contraction     < 0                < 0
repair          < 0                > 0 (shrinking now, back within H)
==============  =================  ==========================================

With :math:`H\to\infty` the test on :math:`g_H` is the sign of :math:`S''`
(the textbook definition of borrowed time: S'' < 0 while S' > 0). A finite
horizon asks that the deceleration *matter*: at its current pace it takes
growth through zero before the structure next has to refinance. The default
H = 2 years is the teaser period of the 2/28 hybrid ARM, the essay's
canonical refinance-into-growth structure (essay, section I); it is fixed by
that principle, not fitted.

A **call** (the warning) is made when :math:`P(g_H < 0) \ge` ``confidence``
(default 0.9, "very likely" in the IPCC calibrated language, Mastrandrea et
al. 2010) at every observation over ``persistence_years`` (default one
quarter, the reporting period of the issuers the thesis watches), and
released when :math:`P(g_H < 0) <` ``release`` (default 0.5: no longer more
likely than not) over the same span. A standing call is labelled borrowed
time while :math:`P(S'>0) \ge 1/2` and contraction after; with no call the
label is boom or repair. The hysteresis between ``confidence`` and
``release`` keeps noise from flickering the label.

References
----------
.. [1] Mastrandrea, M. D. et al. (2010). *Guidance Note for Lead Authors of the
   IPCC Fifth Assessment Report on Consistent Treatment of Uncertainties*. IPCC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from borrowedtime._checks import require
from borrowedtime._episodes import runs
from borrowedtime._numba import jit
from borrowedtime._results import Summarised
from borrowedtime.monitor.result import KinematicsResult

__all__ = ["RegimeRule", "RegimeResult", "Window", "LABELS"]

LABELS = ("undetermined", "boom", "borrowed time", "contraction", "repair")


@dataclass(frozen=True)
class Window:
    """One warning episode, as called in real time.

    Attributes
    ----------
    start : Timestamp
        Date the call was first made (data dated <= start only).
    end : Timestamp or None
        Date the call was released; None while it still stands.
    rollover : Timestamp or None
        Last date before ``start`` at which the real-time acceleration turned
        from positive to negative (the S'' roll-over the call confirms).
    velocity_zero : Timestamp or None
        First date in the episode at which P(S' > 0) fell below one half.
    """

    start: pd.Timestamp
    end: pd.Timestamp | None
    rollover: pd.Timestamp | None
    velocity_zero: pd.Timestamp | None

    def months(self, until: pd.Timestamp | None = None) -> float | None:
        """Length of the episode in months (to ``until`` if still standing)."""
        stop = self.end if self.end is not None else until
        if stop is None:
            return None
        return (stop - self.start).days / (365.25 / 12)

    def borrowed_months(self) -> float | None:
        """Months from the call to S' crossing zero: the borrowed time itself."""
        if self.velocity_zero is None:
            return None
        return (self.velocity_zero - self.start).days / (365.25 / 12)


@dataclass(frozen=True)
class RegimeRule:
    """How calls are made from real-time kinematics (specification).

    Parameters
    ----------
    horizon_years : float, default 2.0
        Refinancing horizon H (years) of the projected growth S' + H S''; the
        2/28 teaser period. ``inf`` reduces the test to the sign of S''.
    confidence : float, default 0.9
        P(S' + H S'' < 0) needed to make a call.
    release : float, default 0.5
        A call is released when that probability falls below this.
    persistence_years : float, default 0.25
        Span (years) over which the condition must hold, at every observation,
        to make or release a call; at least one observation.
    """

    horizon_years: float = 2.0
    confidence: float = 0.9
    release: float = 0.5
    persistence_years: float = 0.25

    def __post_init__(self) -> None:
        require(self.horizon_years > 0, self, "horizon_years", "> 0")
        require(0.5 <= self.confidence < 1, self, "confidence", "in [0.5, 1)")
        require(0 < self.release <= self.confidence, self, "release", "in (0, confidence]")
        require(self.persistence_years >= 0, self, "persistence_years", ">= 0")

    def persistence_obs(self, periods_per_year: float) -> int:
        """Observations the condition must hold for (at least one)."""
        return max(1, int(round(self.persistence_years * periods_per_year)))

    def p_projected_negative(self, result: KinematicsResult) -> np.ndarray:
        """Real-time P(S' + H S'' < 0), shape (series, time)."""
        v = result.filtered[..., 1]
        a = result.filtered[..., 2]
        c = result.filtered_cov
        if np.isinf(self.horizon_years):
            return result.p_accel_negative
        h = self.horizon_years
        mean = v + h * a
        var = (c[..., 1, 1] + 2 * h * c[..., 1, 2] + h * h * c[..., 2, 2]) * result.sigma2
        with np.errstate(invalid="ignore", divide="ignore"):
            p = stats.t.cdf(-mean / np.sqrt(var), df=np.maximum(result.dof, 1))
        return np.where(result.ready, p, np.nan)

    def _projected_arg(self, result: KinematicsResult) -> tuple[np.ndarray, np.ndarray]:
        """``(x, dof)`` with P(S' + H S'' < 0) = t_dof CDF(x) (before masking by ``ready``)."""
        v = result.filtered[..., 1]
        a = result.filtered[..., 2]
        c = result.filtered_cov
        h = self.horizon_years
        mean = v + h * a
        var = (c[..., 1, 1] + 2 * h * c[..., 1, 2] + h * h * c[..., 2, 2]) * result.sigma2
        dof = result.dof
        # the degrees of freedom are shared by the series of one missing pattern: keep a broadcast view so
        with np.errstate(invalid="ignore", divide="ignore"):  # that the quantiles are per date, not per cell
            if dof.ndim == 2 and dof.strides[0] == 0:
                return -mean / np.sqrt(var), np.broadcast_to(np.maximum(dof[0], 1), dof.shape)
            return -mean / np.sqrt(var), np.maximum(dof, 1)

    def probabilities_at(self, result: KinematicsResult, series: np.ndarray,
                         time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(S' + H S'' < 0) and P(S' > 0) at the cells ``(series[j], time[j])`` alone.

        Equal bit for bit to ``p_projected_negative(result)[series, time]`` and
        ``result.p_velocity_positive[series, time]`` (the same formulas on those cells).
        """
        if np.isinf(self.horizon_years):
            return (self.p_projected_negative(result)[series, time],
                    result.p_velocity_positive[series, time])
        cells = _Cells(result.filtered[series, time], result.filtered_cov[series, time],
                       result.sigma2[series, time], result.dof[series, time])
        x, df = self._projected_arg(cells)
        p_proj = np.where(result.ready[series, time], stats.t.cdf(x, df=df), np.nan)
        sd = np.sqrt(np.maximum(cells.filtered_cov[..., 1, 1] * cells.sigma2, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = cells.filtered[..., 1] / sd
            p_neg = stats.t.cdf(-z, df=np.maximum(cells.dof, 1))
        return p_proj, 1.0 - np.where(cells.dof > 0, p_neg, np.nan)

    def labels_and_calls(self, result: KinematicsResult) -> tuple[np.ndarray, np.ndarray]:
        """``label_code`` and ``call`` of :meth:`classify`, equal bit for bit, without the probability arrays.

        The labels and calls only compare probabilities with ``confidence``,
        ``release`` and 1/2. Each comparison is made on the t statistic against
        the t quantile of that level instead (:func:`_t_cdf_compare`; the
        quantiles are computed once per degrees of freedom when the series
        share them, as with one missing pattern), and the CDF is evaluated only
        within 1e-9 (relative) of a quantile. What the screen shows at the last
        date is computed by :meth:`classify`'s formulas on those cells alone.
        """
        if np.isinf(self.horizon_years):
            reg = self.classify(result)
            return reg.label_code, reg.call
        ready = result.ready
        x, df = self._projected_arg(result)
        enter = _t_cdf_compare(x, df, self.confidence, strict=False)
        stay = _t_cdf_compare(x, df, self.release, strict=False)  # not (p < release)
        # the state machine only sees p >= confidence, p < release and NaN: a stand-in with those answers
        proxy = np.where(enter, 1.0, np.where(stay, self.release, 0.0))
        proxy[~ready | np.isnan(x)] = np.nan
        freq = result.frequency
        k = self.persistence_obs(freq.periods_per_year) if freq.regular else 1
        calls = _calls(proxy, self.confidence, self.release, k)
        with np.errstate(invalid="ignore", divide="ignore"):
            xv = -(result.filtered[..., 1] / result.velocity_sd)
        # p_vel = 1 - CDF(xv) >= 1/2 exactly when CDF(xv) <= 1/2 (1 - c is exact for c in [1/2, 1])
        growing = (result.dof > 0) & ~np.isnan(xv) & ~_t_cdf_compare(xv, df, 0.5, strict=True)
        label = np.zeros(proxy.shape, dtype=np.int8)
        label[ready & ~calls & growing] = 1
        label[ready & calls & growing] = 2
        label[ready & calls & ~growing] = 3
        label[ready & ~calls & ~growing] = 4
        return label, calls

    def classify(self, result: KinematicsResult) -> RegimeResult:
        """Label every date of every series, with calls and events (real time)."""
        p_proj = self.p_projected_negative(result)
        p_vel = result.p_velocity_positive
        # Irregular dates (funding rounds): each observation is news; persistence 1.
        freq = result.frequency
        k = self.persistence_obs(freq.periods_per_year) if freq.regular else 1
        calls = _calls(p_proj, self.confidence, self.release, k)
        growing = p_vel >= 0.5
        label = np.zeros(p_proj.shape, dtype=np.int8)  # undetermined
        ready = result.ready
        label[ready & ~calls & growing] = 1
        label[ready & calls & growing] = 2
        label[ready & calls & ~growing] = 3
        label[ready & ~calls & ~growing] = 4
        return RegimeResult(
            index=result.index,
            names=result.names,
            label_code=label,
            call=calls,
            p_projected_negative=p_proj,
            p_velocity_positive=p_vel,
            acceleration=result.filtered[..., 2],
            rule=self,
            persistence=k,
        )


@dataclass(frozen=True)
class _Cells:
    """The fields :meth:`RegimeRule._projected_arg` reads, at some cells of a fit."""

    filtered: np.ndarray
    filtered_cov: np.ndarray
    sigma2: np.ndarray
    dof: np.ndarray


def _t_cdf_compare(x: np.ndarray, df: np.ndarray, level: float, *, strict: bool) -> np.ndarray:
    """``stats.t.cdf(x, df) > level`` (``strict``) or ``>= level``, elementwise, without the CDF far from the quantile.

    Parameters
    ----------
    x : ndarray
        t statistics (NaN allowed: False there, as the comparison of NaN).
    df : ndarray
        Degrees of freedom, broadcastable to ``x``; a broadcast view whose
        rows are all one row (strides 0, as a fit with one missing pattern
        gives) costs one quantile per column.
    level : float
        Probability in (0, 1).

    Notes
    -----
    The t quantile ``q = stats.t.ppf(level, df)`` decides every cell farther
    than ``1e-9 (1 + |q|)`` from it (the CDF is increasing); the cells within
    that band are decided by ``stats.t.cdf`` itself, so the answer is that
    of evaluating the CDF everywhere (the quantile is far more accurate than
    the band).
    """
    df = np.broadcast_to(df, x.shape)
    if df.ndim == 2 and df.strides[0] == 0:
        q = np.broadcast_to(stats.t.ppf(level, df[0]), x.shape)
    elif df.ndim == 2:  # one quantile row per distinct row (a fit has one per missing pattern)
        rows, inverse = np.unique(df, axis=0, return_inverse=True)
        q = stats.t.ppf(level, rows)[inverse.ravel()]
    else:
        q = stats.t.ppf(level, df)
    tol = 1e-9 * (1.0 + np.abs(q))
    out = x > q + tol
    near = np.abs(x - q) <= tol
    if near.any():
        c = stats.t.cdf(x[near], df[near])
        out[near] = c > level if strict else c >= level
    return out


def _calls_loop(p: np.ndarray, enter: float, leave: float, k: int, out: np.ndarray) -> np.ndarray:
    """Hysteresis state machine over time for each series (reference; numba-compiled below)."""
    n_series, n = p.shape
    for i in range(n_series):
        on = False
        run_in = 0
        run_out = 0
        for t in range(n):
            pt = p[i, t]
            if np.isnan(pt):
                out[i, t] = on
                continue
            if not on:
                run_in = run_in + 1 if pt >= enter else 0
                if run_in >= k:
                    on = True
                    run_out = 0
            else:
                run_out = run_out + 1 if pt < leave else 0
                if run_out >= k:
                    on = False
                    run_in = 0
            out[i, t] = on
    return out


_calls_compiled = jit(_calls_loop)


def _calls(p: np.ndarray, enter: float, leave: float, k: int) -> np.ndarray:
    """True where a call stands: enter after k readings >= enter, leave after k < leave."""
    p = np.ascontiguousarray(p, dtype=np.float64)
    return _calls_compiled(p, float(enter), float(leave), int(k), np.zeros(p.shape, dtype=np.bool_))


@dataclass(frozen=True, eq=False)
class RegimeResult(Summarised):
    """Labels, calls and events, real time; arrays are (series, time)."""

    index: pd.DatetimeIndex
    names: tuple[str, ...]
    label_code: np.ndarray
    call: np.ndarray
    p_projected_negative: np.ndarray
    p_velocity_positive: np.ndarray
    acceleration: np.ndarray
    rule: RegimeRule
    persistence: int
    _windows: dict = field(default_factory=dict, repr=False)

    def labels(self, series: int | str = 0) -> pd.Series:
        """The regime label of each date, as strings."""
        i = self._i(series)
        return pd.Series(np.asarray(LABELS, dtype=object)[self.label_code[i]], index=self.index, name="regime")

    def _i(self, series: int | str) -> int:
        return self.names.index(series) if isinstance(series, str) else int(series)

    def windows(self, series: int | str = 0) -> list[Window]:
        """Warning episodes of one series, in date order."""
        i = self._i(series)
        if i in self._windows:
            return self._windows[i]
        call = self.call[i]
        acc = self.acceleration[i]
        vel_pos = self.p_velocity_positive[i] >= 0.5
        out: list[Window] = []
        starts, stops = runs(call)  # stop: first index after the episode
        for s, e in zip(starts, stops, strict=True):
            end = self.index[e] if e < self.index.size else None
            roll = None
            for t in range(s, 0, -1):
                if acc[t] < 0 <= acc[t - 1]:
                    roll = self.index[t]
                    break
            vz = None
            below = np.flatnonzero(~vel_pos[s:e])
            if below.size:
                vz = self.index[s + below[0]]
            out.append(Window(self.index[s], end, roll, vz))
        self._windows[i] = out
        return out

    def to_frame(self, series: int | str = 0) -> pd.DataFrame:
        i = self._i(series)
        return pd.DataFrame(
            {
                "regime": self.labels(i),
                "call": self.call[i],
                "p_projected_negative": self.p_projected_negative[i],
                "p_vel_pos": self.p_velocity_positive[i],
            },
            index=self.index,
        )

    def current(self, series: int | str = 0) -> dict:
        """The latest label and the events of the latest window."""
        i = self._i(series)
        wins = self.windows(i)
        last = wins[-1] if wins else None
        return {
            "date": self.index[-1],
            "regime": LABELS[self.label_code[i, -1]],
            "call": bool(self.call[i, -1]),
            "p_projected_negative": float(self.p_projected_negative[i, -1]),
            "last_window": None
            if last is None
            else {
                "start": last.start,
                "end": last.end,
                "rollover": last.rollover,
                "velocity_zero": last.velocity_zero,
            },
        }

    def summary(self) -> str:
        r = self.rule
        lines = [
            f"Regimes: call when P(S' + {r.horizon_years:g}y S'' < 0) >= {r.confidence:g} for "
            f"{self.persistence} obs; release below {r.release:g}",
        ]
        for name in self.names[:5]:
            c = self.current(name)
            wins = self.windows(name)
            labels = self.labels(name)
            bt = sum(labels.loc[w.start] == "borrowed time" for w in wins)
            lines.append(
                f"  {name} @ {c['date'].date()}: {c['regime']}, {len(wins)} call window(s), {bt} of them "
                f"begun in borrowed time (filtered S' > 0)"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<RegimeResult {len(self.names)} series, {self.index.size} dates "
                f"{self.index[0].date()}..{self.index[-1].date()}, "
                f"{sum(len(self.windows(i)) for i in range(len(self.names)))} call windows>")
