r"""The log-periodic power law singularity (LPPLS) model and its confidence indicator.

The LPPLS model (Johansen, Ledoit and Sornette 2000) describes the expected
log price of a bubble as super-exponential growth decorated by accelerating
log-periodic oscillations, up to a critical time :math:`t_c`:

.. math::

    \ln p(t) = A + B (t_c - t)^m + C_1 (t_c - t)^m \cos(\omega \ln(t_c - t))
               + C_2 (t_c - t)^m \sin(\omega \ln(t_c - t)).

Given the three nonlinear parameters :math:`(t_c, m, \omega)` the four linear
ones :math:`(A, B, C_1, C_2)` solve one least-squares problem (Filimonov and
Sornette 2013), so the fit is a search over a 3-D box of the profiled sum of
squared residuals (SSE). Ours is deterministic given the seed and does not
depend on luck:

1. a dense grid over the box (log-spaced in :math:`t_c - t_2`), evaluated
   for all nested windows sharing an end date in one backward pass (the normal
   equations of every window are suffix sums of the same basis values);
2. Levenberg-Marquardt in all seven parameters, with :math:`(t_c, m, \omega)`
   held in the box (an active set on its faces) and the linear parameters
   re-solved after each step; a step is kept only if it lowers the SSE. It
   starts from the lowest local minima of the grid, from a few seeded random
   points and from the previous (longer) nested window's solution; every
   start gets a short run (cut after a few steps when still far above the
   best SSE of the window so far), the best distinct end points run to
   convergence and the winner is polished. The seed also shifts the grid by a random
   fraction of a cell.

On the NASDAQ benchmark (``benchmarks/results_detectors.md``) the result is at
least as good as the best of 25 bounded Nelder-Mead multistarts of the same
cost (to 1e-9) in 99% of windows, and the same seed gives bit-identical output.

**Confidence indicator** (Sornette et al. 2015): at each date :math:`t_2` fit
the nested windows ending there, of ``window`` down to ``smallest_window``
observations in steps of ``inner_increment``; the positive-bubble confidence
is the share of windows whose fit passes the filter conditions with
:math:`B < 0` (super-exponential growth), the negative-bubble confidence the
share with :math:`B > 0`. Each value uses only data dated <= :math:`t_2`.

The filter conditions and the search box default to those of the ``lppls``
package (Nielsen, MIT licence): :math:`0 < m < 1`, :math:`2 < \omega < 15`,
:math:`\max(t_2 - 60, t_2 - 0.5 T) < t_c < \min(t_2 + 252, t_2 + 0.5 T)` days
(:math:`T = t_2 - t_1`), number of oscillations
:math:`O = \frac{\omega}{2\pi}\ln\frac{t_c - t_1}{t_c - t_2} > 2.5` and damping
:math:`D = \frac{m |B|}{\omega |C|} > 0.5` with :math:`|C| = \sqrt{C_1^2 + C_2^2}`.

Time is measured in calendar days, as in the ``lppls`` package. The package's
60 and 252 are days of daily data; on coarser data (``tc_units="auto"``, the
default) they count observations instead, scaled by the first window's median
spacing (:meth:`LPPLSModel.at_frequency`), so a monthly run searches
:math:`t_c` up to 252 months ahead, not eight.

References
----------
.. [1] Johansen, A., Ledoit, O. and Sornette, D. (2000). "Crashes as critical
   points." International Journal of Theoretical and Applied Finance 3(2), 219-255.
.. [2] Filimonov, V. and Sornette, D. (2013). "A stable and robust calibration
   scheme of the log-periodic power law model." Physica A 392(17), 3698-3707.
.. [3] Sornette, D., Demos, G., Zhang, Q., Cauwels, P., Filimonov, V. and
   Zhang, Q. (2015). "Real-time prediction and post-mortem analysis of the
   Shanghai 2015 stock market bubble and crash." Journal of Investment
   Strategies 4(4), 77-95.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from borrowedtime._checks import require
from borrowedtime._episodes import episodes_from_flags
from borrowedtime._montecarlo import as_generator
from borrowedtime._results import Summarised
from borrowedtime.detectors import _lppls_kernels
from borrowedtime.errors import DataError, SpecError
from borrowedtime.series import as_series, days_since_epoch

__all__ = ["LPPLSFilter", "LPPLSModel", "LPPLSFit", "LPPLSConfidence", "lppls_log_price"]

_FIT_COLUMNS = ("tc", "m", "omega", "A", "B", "C1", "C2", "sse", "grid_sse")


def lppls_log_price(t, tc: float, m: float, omega: float, a: float, b: float, c1: float, c2: float):
    """The LPPLS expected log price at times ``t`` (days, all before ``tc``)."""
    dt = tc - np.asarray(t, dtype=float)
    f = dt**m
    x = np.log(dt)
    return a + f * (b + c1 * np.cos(omega * x) + c2 * np.sin(omega * x))


@dataclass(frozen=True)
class LPPLSFilter:
    """Filter conditions that qualify a fit (defaults of the ``lppls`` package).

    Attributes
    ----------
    m_min, m_max : float
        Open interval for the exponent m.
    w_min, w_max : float
        Open interval for the log-frequency omega.
    O_min : float
        Fewest oscillations between t1 and tc.
    D_min : float
        Smallest damping m|B| / (omega |C|).
    tc_min_days, tc_max_days : float
        tc may lie at most this many calendar days before / after t2 ...
    tc_min_frac, tc_max_frac : float
        ... and at most this fraction of the window length T = t2 - t1.
    """

    m_min: float = 0.0
    m_max: float = 1.0
    w_min: float = 2.0
    w_max: float = 15.0
    O_min: float = 2.5
    D_min: float = 0.5
    tc_min_days: float = 60.0
    tc_max_days: float = 252.0
    tc_min_frac: float = 0.5
    tc_max_frac: float = 0.5

    def __post_init__(self) -> None:
        if not self.m_min < self.m_max:
            raise SpecError(f"LPPLSFilter: m_min must be < m_max. Got {self.m_min!r}, {self.m_max!r}.")
        if not self.w_min < self.w_max:
            raise SpecError(f"LPPLSFilter: w_min must be < w_max. Got {self.w_min!r}, {self.w_max!r}.")
        for name in ("tc_min_days", "tc_max_days", "tc_min_frac", "tc_max_frac"):
            require(not getattr(self, name) < 0, self, name, ">= 0")

    def qualified(self, fits: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> np.ndarray:
        """Boolean mask of fits passing every condition.

        Parameters
        ----------
        fits : ndarray, shape (..., >= 7)
            tc (days), m, omega, A, B, C1, C2 in the last axis.
        t1, t2 : ndarray
            Window start and end in days, broadcastable to ``fits[..., 0]``.
        """
        tc, m, w, b = fits[..., 0], fits[..., 1], fits[..., 2], fits[..., 4]
        c = np.hypot(fits[..., 5], fits[..., 6])
        span = t2 - t1
        lo = np.maximum(t2 - self.tc_min_days, t2 - self.tc_min_frac * span)
        hi = np.minimum(t2 + self.tc_max_days, t2 + self.tc_max_frac * span)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (tc - t1) / (tc - t2)
            osc = np.where(ratio > 0, w / (2 * np.pi) * np.log(np.where(ratio > 0, ratio, 1.0)), np.nan)
            damp = m * np.abs(b) / (w * c)
        return (
            (lo < tc) & (tc < hi)
            & (self.m_min < m) & (m < self.m_max)
            & (self.w_min < w) & (w < self.w_max)
            & (osc > self.O_min) & (damp > self.D_min)
        )


@dataclass(frozen=True)
class LPPLSModel:
    """Settings of the LPPLS fit and of its nested-window confidence indicator.

    Parameters
    ----------
    window : int, default 120
        Longest fitting window, in observations.
    smallest_window : int, default 30
        Windows shrink from ``window`` towards this size (exclusive, as in
        the ``lppls`` package: 120, 115, ..., 35).
    outer_increment : int, default 1
        Step between successive end dates t2, in observations.
    inner_increment : int, default 5
        Step between nested window sizes, in observations.
    filters : LPPLSFilter
        Conditions that qualify a fit; also set the search box for tc.
    m_bounds, w_bounds : (float, float)
        Search box for m and omega.
    tc_gap : float, default 0.5
        tc lies at least this many median observation spacings (of the first
        window: data known at the first end date) after t2.
    grid : (int, int, int), default (12, 8, 24)
        Grid points in tc, m and omega.
    n_starts : int, default 6
        Lowest local minima of the grid refined by Levenberg-Marquardt.
    n_random_starts : int, default 6
        Further Levenberg-Marquardt starts drawn from ``seed`` (the same
        relative positions in every window's box).
    short_iter : int, default 10
        Cost evaluations every start gets first.
    n_keep : int, default 3
        Starts (lowest SSE after the short run) refined to convergence.
    max_iter : int, default 60
        Cost evaluations per refinement (four times that to polish the winner).
    abandon_ratio : float, default 2.0
        A short run (the warm start first, then the grid minima from the lowest,
        then the random starts) whose SSE is still above ``abandon_ratio``
        times the lowest SSE reached so far in the window after ``abandon_at``
        cost evaluations stops there; ``inf`` never stops.
    abandon_at : int, default 3
        Cost evaluations before a short run can be abandoned.
    seed : int, default 0
        Shifts the grid by a random fraction of a cell and draws the random
        starts; the same seed gives bit-identical output.
    tc_units : {"auto", "days"}, default "auto"
        How ``filters.tc_min_days`` / ``tc_max_days`` (the ``lppls`` package's
        60 and 252, set for daily data) are read. ``"auto"``: as days on daily
        data (median spacing of the first window at most 4 days) and as that
        many *observations* on coarser data (times the first window's median
        spacing in days, data known at the first end date), so a monthly run
        searches tc over 60..252 months, not two to eight; see
        :meth:`at_frequency`. ``"days"``: as days, whatever the data.
    """

    window: int = 120
    smallest_window: int = 30
    outer_increment: int = 1
    inner_increment: int = 5
    filters: LPPLSFilter = field(default_factory=LPPLSFilter)
    m_bounds: tuple[float, float] = (0.01, 1.0)
    w_bounds: tuple[float, float] = (2.0, 15.0)
    tc_gap: float = 0.5
    grid: tuple[int, int, int] = (12, 8, 24)
    n_starts: int = 6
    n_random_starts: int = 6
    short_iter: int = 10
    n_keep: int = 3
    max_iter: int = 60
    abandon_ratio: float = 2.0
    abandon_at: int = 3
    seed: int = 0
    tc_units: str = "auto"

    def __post_init__(self) -> None:
        name = type(self).__name__
        require(self.tc_units in ("auto", "days"), self, "tc_units", "'auto' or 'days'", instead=True)
        for attr in ("window", "smallest_window", "outer_increment", "inner_increment", "n_starts", "max_iter",
                     "short_iter", "n_keep"):
            v = getattr(self, attr)
            require(isinstance(v, int | np.integer) and v >= 1, self, attr, "an int >= 1", instead=True)
        require(self.smallest_window >= 8, self, "smallest_window", ">= 8 (7 parameters are fitted)", instead=True)
        if self.smallest_window >= self.window:
            raise SpecError(
                f"{name}: smallest_window ({self.smallest_window}) must be smaller than window ({self.window})."
            )
        lo, hi = self.m_bounds
        if not 0 < lo < hi:
            raise SpecError(f"The 'm_bounds' parameter of {name} must satisfy 0 < lo < hi. Got {self.m_bounds!r}.")
        lo, hi = self.w_bounds
        if not 0 < lo < hi:
            raise SpecError(f"The 'w_bounds' parameter of {name} must satisfy 0 < lo < hi. Got {self.w_bounds!r}.")
        require(isinstance(self.n_random_starts, int | np.integer) and self.n_random_starts >= 0, self,
                "n_random_starts", "an int >= 0")
        require(self.abandon_ratio >= 1.0, self, "abandon_ratio", ">= 1")
        require(isinstance(self.abandon_at, int | np.integer) and self.abandon_at >= 1, self,
                "abandon_at", "an int >= 1")
        require(len(self.grid) == 3 and min(self.grid) >= 2, self, "grid", "3 ints >= 2")
        require(self.tc_gap > 0, self, "tc_gap", "> 0")

    # ------------------------------------------------------------------ helpers

    @property
    def sizes(self) -> np.ndarray:
        """Nested window lengths (observations), longest first."""
        return np.arange(self.window, self.smallest_window, -self.inner_increment, dtype=np.int64)

    def _prepare(self, series, *, need: int) -> tuple[pd.Series, np.ndarray, np.ndarray]:
        y = as_series(series, name=str(getattr(series, "name", None) or "series"), positive=True, min_obs=3)
        if len(y) < need:
            raise DataError(
                f"{y.name}: {len(y)} observations, but the LPPLS window needs {need}; "
                "use a shorter window or a longer series."
            )
        t = days_since_epoch(y.index)
        return y, t, np.log(y.to_numpy())

    def _grids(self, spacing: float, scale: float):
        rng = as_generator(self.seed)
        nk, nm, nq = self.grid
        u = rng.uniform(-0.5, 0.5, size=3)
        f = self.filters
        lo = self.tc_gap * spacing
        hi = min(f.tc_max_days, f.tc_max_frac * spacing * (self.window - 1))
        if hi <= lo:
            raise SpecError(
                f"{type(self).__name__}: the tc search range is empty ({lo:g} to {hi:g} days after t2)."
            )
        # the grid includes the faces of the box (optima often lie on them); the seed shifts
        # the interior points by up to a quarter of a cell
        # the branch-free sine/cosine of the kernels is accurate for |omega ln(sc - s)| below a bound:
        # s in [-1, 0] (scaled), sc in [lo, hi] / scale, so |ln(sc - s)| <= max(|ln lo/scale|, ln(1 + hi/scale))
        reach = self.w_bounds[1] * max(abs(np.log(lo / scale)), np.log1p(hi / scale))
        if not reach < _lppls_kernels.SINCOS_MAX_ABS:
            raise SpecError(
                f"{type(self).__name__}: w_bounds {self.w_bounds!r} reach |omega ln(tc - t)| = {reach:.3g} on "
                f"this window, beyond the {_lppls_kernels.SINCOS_MAX_ABS:g} the kernels' sine and cosine "
                "are accurate for; lower the upper omega bound."
            )
        sc = np.exp(_shifted(np.log(lo), np.log(hi), nk, u[0]))
        mg = _shifted(*self.m_bounds, nm, u[1])
        wg = _shifted(*self.w_bounds, nq, u[2])
        unit = rng.uniform(0.0, 1.0, size=(self.n_random_starts, 3))
        return sc / scale, mg, wg, lo / scale, unit

    def _run(self, t, y, ends, sizes, on_progress=None, chunk: int = 48):
        if on_progress is None:
            # one parallel call: no threads waiting at the end of every chunk (the end dates are
            # independent, so the output does not depend on the chunking)
            chunk = max(len(ends), 1)
        # the spacing of the first window only (the data known at the first end date): the fits at a
        # date never depend on the spacing of later data
        spacing = float(np.median(np.diff(t[: self.window])))
        scale = spacing * (self.window - 1)
        sc, mg, wg, sc_lo, unit = self._grids(spacing, scale)
        f = self.filters
        out = np.empty((len(ends), len(sizes), 10))
        for start in range(0, len(ends), chunk):
            part = ends[start : start + chunk]
            _lppls_kernels.lppls_nested_fits(
                t, y, part, sizes, scale, sc, mg, wg, sc_lo, f.tc_max_days / scale, f.tc_max_frac,
                self.m_bounds[0], self.m_bounds[1], self.w_bounds[0], self.w_bounds[1],
                self.n_starts, unit, self.short_iter, self.n_keep, self.max_iter,
                self.abandon_ratio, self.abandon_at, out[start : start + chunk],
            )
            if on_progress is not None:
                on_progress(len(part))
        return _to_days(out, t, ends, scale)

    # ------------------------------------------------------------------ public

    def at_frequency(self, index: pd.DatetimeIndex) -> LPPLSModel:
        """These settings with the tc bounds read for the data's frequency (``tc_units="auto"``).

        Only the first ``window`` dates are read (the data known at the first
        end date), so appending later data never changes the bounds. On daily
        data (median spacing at most 4 days, calendar or business days) and
        with ``tc_units="days"`` the model is returned as it is; otherwise a
        copy whose ``filters`` count ``tc_min_days`` / ``tc_max_days`` in
        observations (times the median spacing in days) and whose ``tc_units``
        is ``"days"`` (so it is not scaled twice).
        """
        if self.tc_units == "days":
            return self
        days = np.diff(days_since_epoch(index[: self.window]))
        spacing = float(np.median(days)) if days.size else 1.0
        if spacing <= 4.0:
            return self
        f = self.filters
        scaled = replace(f, tc_min_days=f.tc_min_days * spacing, tc_max_days=f.tc_max_days * spacing)
        return replace(self, filters=scaled, tc_units="days")

    def fit(self, series: pd.Series) -> LPPLSFit:
        """Fit one LPPLS to the whole series (one window, all observations).

        Parameters
        ----------
        series : pandas.Series
            Prices (> 0) on a DatetimeIndex.

        Returns
        -------
        LPPLSFit
        """
        y, t, logp = self._prepare(series, need=9)
        model = replace(self, window=len(y), smallest_window=8).at_frequency(y.index)
        ends = np.array([len(y) - 1], dtype=np.int64)
        fits = model._run(t, logp, ends, np.array([len(y)], dtype=np.int64))[0, 0]
        q = bool(model.filters.qualified(fits, t[0], t[-1]))
        return LPPLSFit(
            params=dict(zip(_FIT_COLUMNS, map(float, fits[:9]), strict=True)),
            t1=y.index[0], t2=y.index[-1], n_obs=len(y), qualified=q,
            model=replace(model, window=self.window, smallest_window=self.smallest_window),
        )

    def confidence(
        self, series: pd.Series, *, on_progress: Callable[[int], None] | None = None
    ) -> LPPLSConfidence:
        """Real-time positive and negative bubble confidence at every end date.

        Parameters
        ----------
        series : pandas.Series
            Prices (> 0) on a DatetimeIndex; at least ``window`` observations.
        on_progress : callable, optional
            Called with the number of end dates just finished.

        Returns
        -------
        LPPLSConfidence
        """
        y, t, logp = self._prepare(series, need=self.window)
        model = self.at_frequency(y.index)
        ends = np.arange(model.window - 1, len(y), model.outer_increment, dtype=np.int64)
        sizes = model.sizes
        fits = model._run(t, logp, ends, sizes, on_progress=on_progress)
        t2 = t[ends][:, None]
        t1 = t[ends[:, None] - sizes[None, :] + 1]
        qual = model.filters.qualified(fits, t1, t2)
        b = fits[..., 4]
        return LPPLSConfidence(
            index=y.index[ends], fits=fits, qualified=qual, sizes=sizes,
            t1_days=t1, t2_days=t[ends], b_negative=b < 0, b_positive=b > 0, model=model,
        )


def _shifted(lo: float, hi: float, n: int, u: float) -> np.ndarray:
    """``n`` points from ``lo`` to ``hi`` inclusive, interior ones shifted by ``u / 2`` of a cell."""
    grid = np.linspace(lo, hi, n)
    grid[1:-1] += 0.5 * u * (hi - lo) / (n - 1)
    return grid


def _to_days(out: np.ndarray, t: np.ndarray, ends: np.ndarray, scale: float) -> np.ndarray:
    """Kernel output (scaled, centred) to tc in days and linear parameters in day units."""
    sc, m, w = out[..., 0], out[..., 1], out[..., 2]
    a, b, c1, c2 = out[..., 3], out[..., 4], out[..., 5], out[..., 6]
    k = scale ** (-m)
    phi = w * np.log(scale)
    res = np.empty(out.shape[:-1] + (9,))
    res[..., 0] = t[ends][:, None] + sc * scale
    res[..., 1] = m
    res[..., 2] = w
    res[..., 3] = a + out[..., 9]
    res[..., 4] = b * k
    res[..., 5] = k * (c1 * np.cos(phi) - c2 * np.sin(phi))
    res[..., 6] = k * (c1 * np.sin(phi) + c2 * np.cos(phi))
    res[..., 7] = out[..., 7]
    res[..., 8] = out[..., 8]
    return res


@dataclass(frozen=True, eq=False)
class LPPLSFit(Summarised):
    """One LPPLS fit: parameters (tc in days since 1970-01-01), SSE, filter verdict."""

    params: dict
    t1: pd.Timestamp
    t2: pd.Timestamp
    n_obs: int
    qualified: bool
    model: LPPLSModel

    @property
    def tc_date(self) -> pd.Timestamp:
        """The critical time as a date."""
        return pd.Timestamp("1970-01-01") + pd.to_timedelta(self.params["tc"], unit="D")

    def to_frame(self) -> pd.DataFrame:
        """One row: the seven parameters, SSE, the grid's best SSE and the verdict."""
        row = dict(self.params, t1=self.t1, t2=self.t2, n_obs=self.n_obs, qualified=self.qualified)
        return pd.DataFrame([row])

    def summary(self) -> str:
        p = self.params
        return (
            f"LPPLS fit {self.t1.date()}..{self.t2.date()} ({self.n_obs} obs): "
            f"tc={self.tc_date.date()} m={p['m']:.3f} omega={p['omega']:.3f} "
            f"B={p['B']:.4g} SSE={p['sse']:.6g} qualified={self.qualified}"
        )


@dataclass(frozen=True, eq=False)
class LPPLSConfidence(Summarised):
    """The nested-window LPPLS confidence indicator, in real time.

    Attributes
    ----------
    index : DatetimeIndex
        End dates t2 (one per outer window).
    fits : ndarray, shape (len(index), len(sizes), 9)
        tc (days since 1970-01-01), m, omega, A, B, C1, C2 (day units), SSE,
        and the best SSE on the grid before refinement.
    qualified : ndarray of bool, shape (len(index), len(sizes))
        Fits passing the filter conditions.
    sizes : ndarray of int
        Nested window lengths in observations.
    """

    index: pd.DatetimeIndex
    fits: np.ndarray
    qualified: np.ndarray
    sizes: np.ndarray
    t1_days: np.ndarray
    t2_days: np.ndarray
    b_negative: np.ndarray
    b_positive: np.ndarray
    model: LPPLSModel

    @property
    def positive(self) -> pd.Series:
        """Share of nested windows with a qualified fit and B < 0 (positive bubble)."""
        v = (self.qualified & self.b_negative).mean(axis=1)
        return pd.Series(v, index=self.index, name="pos_conf")

    @property
    def negative(self) -> pd.Series:
        """Share of nested windows with a qualified fit and B > 0 (negative bubble)."""
        v = (self.qualified & self.b_positive).mean(axis=1)
        return pd.Series(v, index=self.index, name="neg_conf")

    def peer_style(self) -> pd.DataFrame:
        """Confidence as the ``lppls`` package computes it: qualified share *among fits of that sign*."""
        qp = (self.qualified & self.b_negative).sum(axis=1)
        qn = (self.qualified & self.b_positive).sum(axis=1)
        np_, nn = self.b_negative.sum(axis=1), self.b_positive.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            pos = np.where(np_ > 0, qp / np.maximum(np_, 1), 0.0)
            neg = np.where(nn > 0, qn / np.maximum(nn, 1), 0.0)
        return pd.DataFrame({"pos_conf": pos, "neg_conf": neg}, index=self.index)

    def warnings(self, threshold: float = 0.1) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
        """Episodes (start, end) where the positive confidence is >= ``threshold``; end None if open."""
        return episodes_from_flags(self.positive >= threshold)

    def to_frame(self) -> pd.DataFrame:
        """One row per end date: positive and negative confidence, median tc of qualified fits."""
        tc = np.where(self.qualified, self.fits[..., 0], np.nan)
        count = np.isfinite(tc).sum(axis=1)
        med = np.full(len(tc), np.nan)
        if count.any():
            med[count > 0] = np.nanmedian(tc[count > 0], axis=1)
        tc_date = pd.to_datetime(np.where(np.isfinite(med), med, np.nan), unit="D", origin="unix")
        return pd.DataFrame(
            {"pos_conf": self.positive.to_numpy(), "neg_conf": self.negative.to_numpy(), "tc_median": tc_date},
            index=self.index,
        )

    def fits_frame(self) -> pd.DataFrame:
        """Every nested fit: one row per (t2, window size)."""
        o, w = np.meshgrid(np.arange(len(self.index)), np.arange(len(self.sizes)), indexing="ij")
        frame = pd.DataFrame(self.fits.reshape(-1, 9), columns=list(_FIT_COLUMNS))
        frame.insert(0, "size", self.sizes[w.ravel()])
        frame.insert(0, "t2", self.index[o.ravel()])
        frame["qualified"] = self.qualified.ravel()
        return frame

    def summary(self) -> str:
        pos = self.positive
        m = self.model
        return (
            f"LPPLS confidence: {len(self.index)} end dates x {len(self.sizes)} windows "
            f"({m.window}..{m.smallest_window + m.inner_increment} obs), "
            f"peak positive confidence {pos.max():.2f} on {pos.idxmax().date()}, "
            f"last {pos.iloc[-1]:.2f} on {pos.index[-1].date()}."
        )
