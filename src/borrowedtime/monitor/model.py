r"""The monitor's model: real-time level, velocity and acceleration of log S.

:class:`KinematicsModel` is a local quadratic trend on log S in continuous
time (level, velocity, acceleration; white-noise jerk), with a seasonal
component where the data are monthly or quarterly, run as a Kalman filter in
real time and, separately, as a smoother in hindsight; it returns a
:class:`~borrowedtime.monitor.result.KinematicsResult`. Its system matrices are
in :mod:`borrowedtime.monitor.statespace`, the filter kernels in
:mod:`borrowedtime.monitor._kalman`; the discrete arithmetic of a few figures
(growth, acceleration, step-ups) is :mod:`borrowedtime.monitor.discrete`.

The filtered model, in years :math:`\Delta_t` between observations:

.. math::

    y_t &= \ell_t + \gamma_t + \varepsilon_t, \qquad \varepsilon_t \sim N(0, \sigma^2) \\
    \begin{pmatrix}\ell\\ v\\ a\end{pmatrix}_t &=
    \begin{pmatrix}1 & \Delta_t & \Delta_t^2/2\\ 0 & 1 & \Delta_t\\ 0 & 0 & 1\end{pmatrix}
    \begin{pmatrix}\ell\\ v\\ a\end{pmatrix}_{t-1} + \eta_t, \qquad
    \eta_t \sim N(0, q\sigma^2 \Sigma(\Delta_t))

with :math:`\Sigma(\Delta)` the covariance of a thrice-integrated white noise
over :math:`\Delta` (Bar-Shalom, Li and Kirubarajan 2001, sec. 6.2.3) and
:math:`\gamma_t` a dummy seasonal of period s with random-walk shocks of
variance :math:`q_s\sigma^2`.

**Why the signal-to-noise ratio is fixed, not estimated.** With every variance
free, maximum likelihood on the Case-Shiller index drives the acceleration
variance to ~1e-11: acceleration becomes a constant and P(S'' < 0) says
nothing. So shocks enter only through the acceleration (jerk), and their ratio
to the observation noise, q, is fixed by a stated principle: the two-sided
estimate of this model is a smoothing spline with penalty on the third
derivative (Wahba 1978), whose gain is :math:`1/(1 + \lambda\omega^6)`. We put
its half-gain point at the shortest business cycle, 1.5 years (Burns and
Mitchell 1946; the 6-32 quarter band of Baxter and King 1999): fluctuations
at least as long as a business cycle belong to the trend and its
derivatives, shorter ones (and the season) do not. That gives
:math:`q = \bar\Delta\,(2\pi/1.5)^6` per year\ :sup:`5`. Only the scale
:math:`\sigma^2` is estimated by maximum likelihood, concentrated out
(Harvey 1989, sec. 3.4), in real time: the estimate at t uses innovations
dated <= t.

The seasonal shock ratio :math:`q_s` is set so that each seasonal factor is
a local level with a memory of about seven years, like the default 3x5
seasonal filter of X-11/X-13ARIMA-SEATS (U.S. Census Bureau 2017, sec. 7):
the signal-to-noise ratio of a local level with steady gain k is
:math:`k^2/(1-k)`; with k = 1/7 per year and the shocks spread over s periods,
:math:`q_s = k^2/((1-k)s)`.

**The scale forgets (issue 11).** Volatility is not constant over decades
(the Great Moderation halved it in most U.S. macro series), and a scale
averaged over the whole past makes the bands too narrow in turbulent decades
and too wide in calm ones: on the FRED-MD panel only 49 % of series had
real-time 90 % one-step intervals covering 85-95 %. The running scale is
therefore an exponentially weighted mean of the squared standardised
innovations with the same memory as the seasonal factors, seven years
(``scale_memory_years``; the weight of the past falls by 1/7 a year), and
its Student-t degrees of freedom are the discounted count. With it 96 % of
the panel's series cover 85-95 % (``benchmarks/results_calibration.md``).
``scale_memory_years=None`` restores the expanding (maximum-likelihood) scale.

**Momentum (opt-in).** ``momentum="ar1"`` adds a stationary AR(1) cycle
:math:`c_t = \phi c_{t-1} + \kappa_t` beside the white noise (which then
plays the sampling error), so fluctuations faster than the trend can
persist instead of being called white noise. (phi, Var kappa / sigma^2) is
chosen from :data:`MOMENTUM_GRID` per series by the concentrated likelihood
on data <= t, re-estimated once a year from five years of data; each
candidate is one vectorised panel pass. The trend's jerk variance is q times
the total short-run variance, so S, S', S'' keep the 1.5-year half-gain
against everything faster. On FRED-MD it cuts the median lag-1
autocorrelation of the innovations from +0.57 to +0.12, but on Case-Shiller
only to +0.61, and the monitor then anticipates far fewer turns (16 against
35 of 445); it is not the default (see ``BENCHMARKS.md``, issue 11).

**An index's averaging (opt-in).** The Case-Shiller indices are three-month
moving averages: the index point of a month is computed from the repeat-sales
pairs of that month and the two before it (S&P Dow Jones Indices 2019,
"Index Calculations"). ``averaging=3`` observes that:
:math:`y_t = \tfrac13\sum_{j=0}^{2}(\ell_{t-j} + \gamma_{t-j} + c_{t-j}) + \varepsilon_t`,
the mean of three latent monthly log prices (trend, seasonal and a short-run
component c) plus a white sampling error :math:`\varepsilon_t`. The averaging
alone would not do: the three-term mean has a spectral zero at period 3 (an
MA unit root), so white month-to-month variation in the index could not be
fitted; the sampling error sits beside it. The short-run component is white
(phi = 0, monthly price noise) or, with ``momentum="ar1"``, an AR(1) cycle;
its (phi, variance ratio to the sampling error) is chosen from
:func:`cycle_grid` per series on data <= t, re-estimated once a year from five
years of data, each candidate one vectorised panel pass (lagged levels and
cycles are extra states; the dummy seasonal already carries its lags). The
user still sees the trend's S, S', S'' and bands (of the latent monthly
price, not of the average). On Case-Shiller NSA it cuts the innovations'
lag-1 autocorrelation from +0.85 to +0.30 (with the AR(1) cycle; white
short-run noise alone +0.59), short of the 0.2 target; on FRED-MD (not
averaged indices) +0.08. The hindsight smoother runs with the parameters
chosen at the last date. It is opt-in: with honest bands the monitor calls
far fewer turns (``BENCHMARKS.md``, issue 11).

References
----------
.. [1] Harvey, A. C. (1989). *Forecasting, Structural Time Series Models and
   the Kalman Filter*. Cambridge University Press.
.. [2] Wahba, G. (1978). "Improper priors, spline smoothing and the problem of
   guarding against model errors in regression." JRSS B 40(3), 364-372.
.. [3] Burns, A. F. and Mitchell, W. C. (1946). *Measuring Business Cycles*. NBER.
.. [4] Baxter, M. and King, R. G. (1999). "Measuring business cycles:
   approximate band-pass filters." Review of Economics and Statistics 81(4).
.. [5] Bar-Shalom, Y., Li, X. R. and Kirubarajan, T. (2001). *Estimation with
   Applications to Tracking and Navigation*. Wiley.
.. [6] U.S. Census Bureau (2017). *X-13ARIMA-SEATS Reference Manual*, v1.1.
.. [7] S&P Dow Jones Indices (2019). *S&P CoreLogic Case-Shiller Home Price
   Indices Methodology*, "Index Calculations": monthly index points from
   sales pairs accumulated in rolling three-month periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from borrowedtime.errors import DataError, SpecError
from borrowedtime.monitor._kalman import (
    covariance_path,
    kalman_filter_shared,
    rts_smoother_shared,
    run_dense_mean_path,
    run_mean_path,
    scan_panel,
)
from borrowedtime.monitor.discrete import _years_between
from borrowedtime.monitor.result import KinematicsResult
from borrowedtime.monitor.statespace import (
    _DIFFUSE,
    _cycle_system,
    _effective_dof,
    _missing_patterns,
    _real_time_snr,
    _system,
    cycle_grid,
    seasonal_snr,
)
from borrowedtime.series import Frequency, as_series, infer_frequency

__all__ = ["KinematicsModel"]


def _out_arrays(out: dict[str, np.ndarray] | None, N: int, n: int, season: int | None) -> dict:
    """Check ``fit(out=...)``: every array has exactly its result field's shape and dtype."""
    if not out:
        return {}
    shapes = {"filtered": (N, n, 3), "sigma2": (N, n), "innovation": (N, n),
              "innovation_var": (N, n), "log_level": (N, n), "observed": (N, n)}
    if season:
        shapes["seasonal"] = (N, n)
    for name, a in out.items():
        if name not in shapes:
            raise SpecError(f"fit(out=...): {name!r} is not a per-series field of this fit; "
                            f"expected some of {sorted(shapes)}.")
        dtype = np.dtype(bool if name == "observed" else np.float64)
        if not isinstance(a, np.ndarray) or a.shape != shapes[name] or a.dtype != dtype \
                or not a.flags.writeable:
            raise SpecError(f"fit(out=...): {name!r} must be a writable {dtype} array of shape "
                            f"{shapes[name]}. Got {getattr(a, 'dtype', type(a).__name__)} "
                            f"{getattr(a, 'shape', '')}.")
    return dict(out)

@dataclass(frozen=True)
class KinematicsModel:
    """Real-time level, velocity and acceleration of log S (specification).

    Parameters
    ----------
    cutoff_years : float, default 1.5
        Period (years) at which the trend keeps half of a fluctuation; sets the
        jerk-to-noise ratio by :func:`trend_snr`. The default is the shortest
        business cycle (Burns and Mitchell 1946; Baxter and King 1999).
    seasonal : "auto", "none" or int, default "auto"
        ``auto`` adds a seasonal component of the data's natural period (12 for
        monthly, 4 for quarterly) and none otherwise (daily, weekly, annual,
        irregular); an int sets the period in observations; ``none`` drops it.
        ``auto`` looks at the frequency only, never at the data, so the choice
        uses no future information.
    seasonal_memory_years : float, default 7.0
        Memory of each seasonal factor (X-13's default 3x5 seasonal filter
        spans about seven years); sets :func:`seasonal_snr`.
    min_obs_per_state : int, default 5
        Observations per state before an estimate is shown: the one rule of
        the package, :meth:`min_observations`, which ``watch``, ``screen``
        and the report all call. With m states (:meth:`n_states`: 3 for the
        trend, plus period - 1 seasonal ones, plus the cycle where there is
        one) an estimate at t needs at least ``5 m`` observations to date.
        The principle: the first m observations are spent on the diffuse
        start, so the noise scale rests on the ``n - m`` innovations after it;
        with ``n >= 5 m`` that is at least four innovations per unknown state
        and at least ``4 m >= 12`` in all, where the Student-t band is within
        11 % of its large-sample width (t(0.975, 12) = 2.18 against 1.96).
        Below that the filter's numbers are mostly its initialisation: the
        essay's five capex figures and six OpenAI marks are too short (15
        needed), and get the discrete arithmetic only (:func:`growth`,
        :func:`acceleration`, :func:`step_ups`).
    momentum : {"none", "ar1"}, default "none"
        ``ar1`` adds a stationary AR(1) cycle re-estimated yearly on data <= t
        (module docstring); the hindsight smoother uses the cycle chosen on
        all the data.
    scale_memory_years : float or None, default 7.0
        Memory (years) of the real-time noise scale: the weight of the past
        falls by 1/M a year; None: the expanding maximum-likelihood scale.
    averaging : int, default 1
        The series is a moving average of this many latent values plus a
        white sampling error (3 for Case-Shiller; module docstring); the
        ratio of the latent short-run variation to the sampling error (and
        with ``momentum="ar1"`` its persistence) is re-estimated yearly on
        data <= t. 1: no averaging. Regular data only; the hindsight smoother
        uses the parameters chosen on all the data.
    predictive : {"t", "fitted-t", "empirical"}, default "t"
        Shape of the one-step predictive distribution of log S (what
        :mod:`borrowedtime.monitor.calibration` scores): ``t`` Student-t with the
        scale's degrees of freedom; ``fitted-t`` a unit-variance Student-t
        whose degrees of freedom are re-estimated at each date by maximum
        likelihood on the past standardised innovations; ``empirical`` their
        past empirical distribution (module docstring of
        :mod:`borrowedtime.monitor.calibration`). It changes the one-step intervals
        only: S, S', S'', their bands and P(S''<0) are the same for all three.

    Notes
    -----
    Units: the model runs on natural logs with time in years, so velocity is a
    continuously compounded growth rate per year (0.10 is ~10 %/yr) and
    acceleration is the change in that rate per year (per year^2).
    See the module docstring for the equations and references.
    """

    cutoff_years: float = 1.5
    seasonal: Literal["auto", "none"] | int = "auto"
    seasonal_memory_years: float = 7.0
    min_obs_per_state: int = 5
    momentum: Literal["none", "ar1"] = "none"
    scale_memory_years: float | None = 7.0
    averaging: int = 1
    predictive: Literal["t", "fitted-t", "empirical"] = "t"

    def __post_init__(self) -> None:
        if self.predictive not in ("t", "fitted-t", "empirical"):
            raise SpecError(
                f"The 'predictive' parameter of KinematicsModel must be 't', 'fitted-t' or 'empirical'. "
                f"Got {self.predictive!r} instead."
            )
        a = self.averaging
        if isinstance(a, bool) or not (isinstance(a, int | np.integer) and 1 <= a <= 24):
            raise SpecError(
                f"The 'averaging' parameter of KinematicsModel must be an int from 1 to 24 (observations "
                f"averaged by the index; 1: none, 3: Case-Shiller's three-month moving average). Got {a!r} instead."
            )
        if self.scale_memory_years is not None and not self.scale_memory_years > 1:
            raise SpecError(
                f"The 'scale_memory_years' parameter of KinematicsModel must be > 1 or None. "
                f"Got {self.scale_memory_years!r} instead."
            )
        if self.momentum not in ("none", "ar1"):
            raise SpecError(
                f"The 'momentum' parameter of KinematicsModel must be 'none' or 'ar1'. Got {self.momentum!r} instead."
            )
        if not (isinstance(self.cutoff_years, int | float) and self.cutoff_years > 0):
            raise SpecError(
                f"The 'cutoff_years' parameter of KinematicsModel must be a float > 0. "
                f"Got {self.cutoff_years!r} instead."
            )
        s = self.seasonal
        if not (s in ("auto", "none") or (isinstance(s, int | np.integer) and s >= 2)):
            raise SpecError(
                f"The 'seasonal' parameter of KinematicsModel must be 'auto', 'none' or an "
                f"int >= 2. Got {s!r} instead."
            )
        if not (isinstance(self.min_obs_per_state, int | np.integer) and self.min_obs_per_state >= 1):
            raise SpecError(
                f"The 'min_obs_per_state' parameter of KinematicsModel must be an int >= 1. "
                f"Got {self.min_obs_per_state!r} instead."
            )
        if not self.seasonal_memory_years > 1:
            raise SpecError(
                f"The 'seasonal_memory_years' parameter of KinematicsModel must be > 1. "
                f"Got {self.seasonal_memory_years!r} instead."
            )

    # ------------------------------------------------------------------ helpers
    def scale_discount(self, freq: Frequency) -> float:
        """Per-observation weight of the past in the running scale (1.0: no forgetting).

        With ``scale_memory_years`` M the scale is a local level with gain 1/M
        per year, like each seasonal factor: the past keeps (1 - 1/M) per year.
        """
        if self.scale_memory_years is None:
            return 1.0
        ppy = freq.periods_per_year if freq.regular else 1.0
        return float((1.0 - 1.0 / self.scale_memory_years) ** (1.0 / ppy))

    def season_for(self, freq: Frequency) -> int | None:
        """Seasonal period (observations) this model uses for a frequency."""
        if self.seasonal == "none":
            return None
        if self.seasonal == "auto":
            return freq.seasonal_period
        if not freq.regular:
            raise SpecError(
                f"seasonal={self.seasonal} needs regularly spaced data; this series is irregular."
            )
        return int(self.seasonal)

    def n_states(self, freq: Frequency | None) -> int:
        """Unknown states of the model on data of this frequency (None: not known, no season).

        Level, velocity, acceleration, ``period - 1`` seasonal states, and the
        short-run cycle where there is one (``momentum="ar1"`` or
        ``averaging > 1``). An index's averaging adds lagged copies of the
        level and the cycle, which are bookkeeping, not new unknowns: they are
        not counted.
        """
        season = self.season_for(freq) if freq is not None and freq.regular else None
        cycle = self.momentum == "ar1" or self.averaging > 1
        return 3 + (season - 1 if season else 0) + (1 if cycle else 0)

    def min_observations(self, freq: Frequency | None) -> int:
        """Observations to date needed before an estimate is shown: ``min_obs_per_state`` per state.

        The package's one minimum-observations rule (the principle is under
        ``min_obs_per_state``): :attr:`KinematicsResult.ready` uses it,
        ``borrowedtime watch`` reports it, :class:`~borrowedtime.monitor.screen.Screen`
        and the report's first screen give a shorter series the discrete
        arithmetic only. 15 for annual or irregular data, 30 for quarterly
        and 70 for monthly data with the default seasonal component.

        Parameters
        ----------
        freq : Frequency or None
            The data's frequency (None: unknown; no seasonal states).

        Returns
        -------
        int
            Observations (not years).
        """
        return self.min_obs_per_state * self.n_states(freq)

    def fit(
        self, series: pd.Series | pd.DataFrame, *, smooth: bool = False,
        out: dict[str, np.ndarray] | None = None,
    ) -> KinematicsResult:
        """Run the filter on one series or a panel (DataFrame, one column per series).

        Parameters
        ----------
        series : Series or DataFrame
            Positive values on a DatetimeIndex. A DataFrame is a panel: its
            columns share the dates and are filtered in one vectorised pass;
            missing values (NaN) in a panel are allowed and skipped, the
            series with the same missing pattern sharing one covariance path.
        smooth : bool, default False
            Also run the fixed-interval smoother (hindsight) and keep it on the
            result as ``smoothed_*``; never used by real-time calls.
        out : dict, optional
            Arrays to write per-series fields into instead of allocating
            (``filtered``, ``sigma2``, ``seasonal``, ``innovation``,
            ``innovation_var``, ``log_level``, ``observed``; each of exactly the
            field's shape and dtype, e.g. rows of a shared-memory file); the
            result then holds these arrays. Only the default filter writes in place:
            other paths (``momentum='ar1'``, ``averaging > 1``) raise SpecError.

        Returns
        -------
        KinematicsResult
        """
        if out and (self.momentum == "ar1" or self.averaging > 1):
            raise SpecError("fit(out=...) is not available with momentum='ar1' or averaging > 1.")
        if isinstance(series, pd.DataFrame):
            res = self._fit_panel(series, smooth=smooth, out=out)
        else:
            s = as_series(series, name=str(series.name or "series"))
            frame = s.to_frame(name=str(s.name))
            frame.attrs = dict(s.attrs)
            res = self._fit_panel(frame, smooth=smooth, validated=True, out=out)
        if out and any(getattr(res, name) is not a for name, a in out.items()):
            raise SpecError("fit(out=...): this model's filter does not write into given arrays.")
        return res

    def _fit_panel(self, frame: pd.DataFrame, *, smooth: bool, validated: bool = False,
                   out: dict[str, np.ndarray] | None = None) -> KinematicsResult:
        if not isinstance(frame.index, pd.DatetimeIndex):
            raise DataError("panel: expected a DataFrame with a DatetimeIndex.")
        if frame.shape[1] == 0 or frame.shape[0] == 0:
            raise DataError("panel: empty DataFrame.")
        if not frame.index.is_monotonic_increasing or frame.index.has_duplicates:
            raise DataError("panel: dates must be sorted and unique.")
        values = frame.to_numpy(dtype=float).T  # (N, n)
        if not validated:
            n_obs = np.empty(values.shape[0], dtype=np.int64)
            bad = scan_panel(values, n_obs)  # one pass: infinite, non-positive, observations per series
            if bad & 1:
                col, row = np.argwhere(np.isinf(values))[0]
                raise DataError(f"panel, column {frame.columns[col]!r}, {frame.index[row].date()}: infinite value.")
            if bad & 2:  # NaN compares False: missing values pass here
                col, row = np.argwhere(values <= 0)[0]
                raise DataError(
                    f"panel, column {frame.columns[col]!r}, {frame.index[row].date()}: non-positive "
                    "value; growth is measured on logs, so values must be > 0."
                )
            if (n_obs < 3).any():
                col = int(np.flatnonzero(n_obs < 3)[0])
                raise DataError(f"panel, column {frame.columns[col]!r}: fewer than 3 observations.")
        freq = frame.attrs.get("frequency")
        if not isinstance(freq, Frequency):
            freq = infer_frequency(frame.index, where="panel")
        season = self.season_for(freq)
        index = frame.index
        # Regular data with gaps are put on the full grid (NaN = skip the update).
        if freq.regular and freq.name in ("monthly", "quarterly", "annual"):
            step = int(round(freq.months_per_period))
            months = index.year * 12 + index.month - 1
            grid_m = np.arange(months[0], months[-1] + 1, step)
            if grid_m.size != index.size:
                pos = (np.asarray(months) - months[0]) // step
                full = np.full((values.shape[0], grid_m.size), np.nan)
                full[:, pos] = values
                values = full
                day = index.day[0] if not index.is_month_end.all() else None
                index = pd.DatetimeIndex(
                    [
                        pd.Timestamp(year=int(mm // 12), month=int(mm % 12) + 1, day=1)
                        + (pd.offsets.MonthEnd(0) if day is None else pd.Timedelta(days=int(day) - 1))
                        for mm in grid_m
                    ],
                    name="date",
                )
            dt = np.full(index.size, step / 12.0)
        else:
            dt = np.concatenate([[0.0], _years_between(index)])
            if not freq.regular and season:
                raise SpecError("a seasonal component needs regularly spaced data.")
            dt[0] = 0.0  # T[0] and Q[0] are unused: the prior applies at the first date
        q = _real_time_snr(self.cutoff_years, dt)
        q_s = seasonal_snr(self.seasonal_memory_years, season) if season else 0.0
        disc = self.scale_discount(freq)
        if self.averaging > 1:
            if not freq.regular:
                raise SpecError(f"averaging={self.averaging} needs regularly spaced data (a mean over observations).")
            if season and self.averaging >= season:
                raise SpecError(
                    f"averaging={self.averaging} spans a whole seasonal period ({season} observations); "
                    "use seasonal='none' or average fewer observations."
                )
        if self.momentum == "ar1":
            if not freq.regular:
                raise SpecError("momentum='ar1' needs regularly spaced data (an AR(1) per observation).")
        if self.momentum == "ar1" or self.averaging > 1:
            return self._fit_momentum(frame, index, values, dt, q, season, q_s, freq, disc, smooth=smooth)
        T, Q, Z = _system(dt, q, season, q_s)
        m = Z.size
        N, n = values.shape
        buf = _out_arrays(out, N, n, season)  # caller-given arrays (fit(out=...)), else allocated here
        y = np.log(values, out=buf.get("log_level"))
        observed = np.isnan(y, out=buf.get("observed"))
        np.logical_not(observed, out=observed)
        trend = buf["filtered"] if "filtered" in buf else np.empty((N, n, 3))
        season0 = (buf["seasonal"] if "seasonal" in buf else np.empty((N, n))) if season else None
        sigma2 = buf["sigma2"] if "sigma2" in buf else np.empty((N, n))
        innovation = buf["innovation"] if "innovation" in buf else np.empty((N, n))
        innovation_var = buf.get("innovation_var")  # else one row per missing pattern, joined below
        Fs: list[tuple[np.ndarray | None, np.ndarray]] = []
        dofs: list[tuple[np.ndarray | None, np.ndarray]] = []
        covs: list[tuple[np.ndarray, np.ndarray]] = []
        sm_mean = np.empty((N, n, 3)) if smooth else None
        sm_cov = np.empty((N, n, 3, 3)) if smooth else None
        P0 = np.eye(m) * _DIFFUSE
        for rows, pattern in _missing_patterns(observed):
            K, F, P_filt = covariance_path(T, Q, Z, P0, pattern)
            yr = y if rows is None else y[rows]
            # Real time: trend means, seasonal and the running ML scale, data <= t only.
            # The first m observations are spent on the diffuse prior.
            tr, s0, s2, v = run_mean_path(yr, K, F, pattern, dt, m - 3, m, discount=disc,
                                          out=(trend, season0, sigma2, innovation) if rows is None else None)
            sel = slice(None) if rows is None else rows
            if innovation_var is not None:
                innovation_var[sel] = F[None, :]
            Fs.append((rows, F))
            if rows is None:  # the usual panel: take the kernel's arrays as they are
                trend, sigma2, innovation = tr, s2, v
                season0 = s0
            else:
                trend[sel], sigma2[sel], innovation[sel] = tr, s2, v
                if s0 is not None:
                    season0[sel] = s0
            dofs.append((rows, _effective_dof(pattern, m, disc)))
            covs.append((rows, P_filt[:, :3, :3]))
            if smooth:  # hindsight: the dense reference filter feeds the RTS smoother
                a0 = np.zeros((yr.shape[0], m))
                a0[:, 0] = yr[:, int(np.argmax(pattern))]
                out = kalman_filter_shared(yr, T, Q, Z, a0, P0, pattern)
                mean_s, cov_s = rts_smoother_shared(out, T)
                sm_mean[sel] = mean_s[..., :3]
                sm_cov[sel] = cov_s[None, :, :3, :3]
        if innovation_var is None:  # F depends on the missing pattern only
            if len(Fs) == 1:
                innovation_var = np.broadcast_to(Fs[0][1], (N, n))
            else:
                innovation_var = np.empty((N, n))
                for rows, F in Fs:
                    innovation_var[rows] = F[None, :]
        if len(covs) == 1:  # one path for every series: read-only views, not N copies
            filt_cov = np.broadcast_to(covs[0][1], (N, n, 3, 3))
            dof = np.broadcast_to(dofs[0][1], (N, n))
        else:
            filt_cov = np.empty((N, n, 3, 3))
            dof = np.empty((N, n))
            for (rows, cov), (_, d) in zip(covs, dofs, strict=True):
                filt_cov[rows] = cov[None]
                dof[rows] = d[None]
        return KinematicsResult(
            index=index,
            names=tuple(map(str, frame.columns.tolist())),  # not a loop over the Index (15 ms at 10,000)
            filtered=trend,
            filtered_cov=filt_cov,
            sigma2=sigma2,
            dof=dof,
            observed=observed,
            log_level=y,
            smoothed=sm_mean,
            smoothed_cov=sm_cov,
            seasonal=None if not season else season0,
            season=season,
            frequency=freq,
            innovation=innovation,
            innovation_var=innovation_var,
            q=float(q[-1]),
            q_s=q_s,
            model=self,
        )


    def _fit_momentum(
        self, frame: pd.DataFrame, index: pd.DatetimeIndex, values: np.ndarray, dt: np.ndarray,
        q: np.ndarray, season: int | None, q_s: float, freq: Frequency, disc: float, *, smooth: bool = False,
    ) -> KinematicsResult:
        """Trend + seasonal + AR(1) cycle + white noise, the cycle re-estimated yearly on data <= t.

        Each candidate (phi, q_c) of :func:`cycle_grid` is filtered over the
        whole panel in one vectorised pass (the covariance path depends on the
        candidate, not on the series); the concentrated log-likelihood of every
        series on data <= t comes out of the same pass. At each re-estimation
        date (once a year, from five years of scored innovations) every series
        takes the candidate with the highest likelihood *on data up to that
        date* and keeps it until the next one; before the first, the candidate
        without a cycle. The trend's jerk variance is q times the total
        short-run variance (noise plus the cycle's stationary variance), so the
        trend keeps its 1.5-year half-gain against everything faster. With
        ``averaging`` k > 1 the observation is the k-term mean of the latent
        (level + cycle) plus the white noise, now the index's sampling error.
        ``smooth`` (hindsight) runs the RTS smoother with the candidate each
        series holds at the last date, i.e. estimated on all its data.
        """
        y = np.log(values)
        observed = ~np.isnan(y)
        N, n = y.shape
        if (observed != observed[0]).any():
            raise SpecError(
                "momentum='ar1' and averaging > 1 need every series of a panel to share its missing dates."
            )
        pattern = observed[0]
        ppy = freq.periods_per_year
        k = self.averaging
        ms = (season - 1) if season else 0
        cands = cycle_grid(self.momentum, k)
        G = len(cands)
        m = 3 + ms + 1 if k == 1 else 3 + ms + 2 * k - 1
        burn = 3 + ms + 1  # diffuse trend and seasonal, plus the cycle (as for averaging = 1)
        trend = np.empty((G, N, n, 3))
        season0 = np.empty((G, N, n)) if season else None
        sigma2 = np.empty((G, N, n))
        innov = np.empty((G, N, n))
        Fs = np.empty((G, n))
        covs = np.empty((G, n, 3, 3))
        loglik = np.empty((G, N, n))
        used = pattern & (np.cumsum(pattern) > burn)
        dof = _effective_dof(pattern, burn, disc)
        n_used = np.cumsum(used)
        first = int(np.argmax(pattern))

        def system(phi: float, qc: float, rows: np.ndarray | slice):
            return _cycle_system(dt, q, season, q_s, phi, qc, k, y[rows, first])

        for g, (phi, qc) in enumerate(cands):
            T, Q, Z, P0, a0 = system(phi, qc, slice(None))
            K, F, P_filt = covariance_path(T, Q, Z, P0, pattern)
            if k == 1:
                tr, s0, s2, v = run_mean_path(y, K, F, pattern, dt, ms, m, phi=phi, discount=disc)
            else:
                tr, s0, s2, v = run_dense_mean_path(
                    y, T, K, Z, pattern, a0, burn, season_state=3 if season else None, discount=disc, F=F
                )
            trend[g], sigma2[g], innov[g] = tr, s2, v
            if season:
                season0[g] = s0
            Fs[g] = F
            covs[g] = P_filt[:, :3, :3]
            sum_logf = np.cumsum(np.where(used, np.log(np.where(used, F, 1.0)), 0.0))
            sum_e2 = np.cumsum(np.where(used[None, :], np.nan_to_num(v) ** 2 / np.where(used, F, 1.0)[None, :], 0.0), axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                ml_s2 = sum_e2 / n_used[None, :]  # the concentrated ML scale (no discounting)
                loglik[g] = -0.5 * (sum_logf[None, :] + n_used[None, :] * (np.log(ml_s2) + 1.0))
        # Re-estimation dates: once a year, from five years of scored innovations on.
        start = int(np.searchsorted(n_used, 5 * ppy)) if n_used[-1] >= 5 * ppy else n
        step = max(1, int(round(ppy)))
        choice = np.zeros((N, n), dtype=np.int64)  # candidate 0: no cycle
        for tau in range(start, n, step):
            best = np.argmax(np.nan_to_num(loglik[:, :, tau], nan=-np.inf), axis=0)  # data <= tau
            choice[:, tau : tau + step] = best[:, None]
        ii = np.arange(N)[:, None]
        tt = np.arange(n)[None, :]
        sm_mean = sm_cov = None
        if smooth:  # hindsight: each series with the candidate it holds at the end (estimated on all data)
            sm_mean = np.empty((N, n, 3))
            sm_cov = np.empty((N, n, 3, 3))
            for g in np.unique(choice[:, -1]):
                rows = np.flatnonzero(choice[:, -1] == g)
                T, Q, Z, P0, a0 = system(*cands[g], rows)
                out = kalman_filter_shared(y[rows], T, Q, Z, a0, P0, pattern)
                mean_s, cov_s = rts_smoother_shared(out, T)
                sm_mean[rows] = mean_s[..., :3]
                sm_cov[rows] = cov_s[None, :, :3, :3]
        return KinematicsResult(
            index=index,
            names=tuple(map(str, frame.columns.tolist())),  # not a loop over the Index (15 ms at 10,000)
            filtered=trend[choice, ii, tt],
            filtered_cov=covs[choice, tt],
            sigma2=sigma2[choice, ii, tt],
            dof=np.broadcast_to(dof, (N, n)),
            observed=observed,
            log_level=y,
            smoothed=sm_mean,
            smoothed_cov=sm_cov,
            seasonal=None if not season else season0[choice, ii, tt],
            season=season,
            frequency=freq,
            innovation=innov[choice, ii, tt],
            innovation_var=Fs[choice, tt],
            q=float(q[-1]),
            q_s=q_s,
            model=self,
            momentum_choice=choice,
        )

