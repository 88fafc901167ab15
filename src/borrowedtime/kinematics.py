r"""Level, velocity and acceleration of a series: discrete and filtered.

Two ways to read the derivatives of a series S:

* **Discrete** (:func:`growth`, :func:`acceleration`, :func:`step_ups`): the
  arithmetic an analyst does by hand on a few annual figures, as the essay
  does (capex 150 -> 226 -> 410 -> 725 -> 1,100 gives +51%, +81%, +77%, +52%
  and accelerations of +30, -4, -25 points).
* **Filtered** (:class:`KinematicsModel`): a local quadratic trend on log S in
  continuous time (level, velocity, acceleration; white-noise jerk), with a
  seasonal component where the data are monthly or quarterly, run as a Kalman
  filter in real time and, separately, as a smoother in hindsight.

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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from borrowedtime._kalman import (
    covariance_path,
    kalman_filter_shared,
    rts_smoother_shared,
    run_dense_mean_path,
    run_mean_path,
)
from borrowedtime._results import Summarised
from borrowedtime.errors import DataError, SpecError
from borrowedtime.series import Frequency, as_series, days_since_epoch, infer_frequency

__all__ = [
    "growth",
    "acceleration",
    "step_ups",
    "KinematicsModel",
    "KinematicsResult",
    "trend_snr",
    "seasonal_snr",
]

_DAYS_PER_YEAR = 365.25
_DIFFUSE = 1e7
#: Candidates (phi, q_c) of the AR(1) cycle for momentum="ar1": the first has no cycle.
#: phi spans half-lives of 1 to 69 observations; q_c (cycle shock / noise variance) 0.3 to 100.
#: (A first grid stopping at phi = 0.95, q_c = 10 put Case-Shiller on its corner; widened.)
MOMENTUM_GRID: tuple[tuple[float, float], ...] = ((0.0, 0.0),) + tuple(
    (phi, qc) for phi in (0.5, 0.8, 0.9, 0.95, 0.98, 0.99) for qc in (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
)

#: q_c of the short-run component when an index averages (averaging > 1): up to 3000 times the
#: sampling error. (A first grid stopping at 100, as MOMENTUM_GRID does, put Case-Shiller on its corner.)
AVERAGED_QC: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0)


def cycle_grid(momentum: str, averaging: int) -> tuple[tuple[float, float], ...]:
    """Candidates (phi, q_c) of the short-run component the grid path chooses among.

    Without averaging: :data:`MOMENTUM_GRID`. With an index's averaging (k > 1)
    the latent short-run variation may also be white (phi = 0: monthly price
    noise that the k-term mean turns into an MA(k-1)), beside the white
    sampling error; ``momentum="none"`` allows only that, ``"ar1"`` also
    the persistent cycles of :data:`MOMENTUM_GRID`.
    """
    if averaging == 1:
        return MOMENTUM_GRID
    white = tuple((0.0, qc) for qc in AVERAGED_QC)
    cycles = tuple((phi, qc) for phi in (0.5, 0.8, 0.9, 0.95, 0.98, 0.99) for qc in AVERAGED_QC)
    return ((0.0, 0.0),) + white + (cycles if momentum == "ar1" else ())


# ============================================================================ discrete


def _years_between(index: pd.DatetimeIndex) -> np.ndarray:
    return np.diff(days_since_epoch(index)) / _DAYS_PER_YEAR


def growth(
    series: pd.Series,
    periods: int = 1,
    *,
    kind: Literal["simple", "log"] = "simple",
    annualise: bool | None = None,
) -> pd.Series:
    """Per-period growth of a positive series, as a decimal (0.51 is +51 %).

    Parameters
    ----------
    series : pandas.Series
        Positive values on a DatetimeIndex.
    periods : int, default 1
        Compare each value with the one ``periods`` observations earlier
        (12 on monthly data is year-over-year).
    kind : {"simple", "log"}
        ``S_t / S_{t-k} - 1`` or ``log(S_t / S_{t-k})``.
    annualise : bool, optional
        Scale to a per-year rate using the actual time between the dates
        (compounded for simple growth, divided for log growth). Default: True
        for irregular series (funding rounds), False for regular ones.

    Returns
    -------
    pandas.Series
        Decimal growth; the first ``periods`` dates have no predecessor and are
        omitted (the index is shorter, never NaN-padded).
    """
    s = as_series(series, name=str(series.name or "series"), min_obs=periods + 1)
    if periods < 1:
        raise SpecError(f"periods must be >= 1. Got {periods!r}.")
    freq: Frequency = s.attrs["frequency"]
    if annualise is None:
        annualise = not freq.regular
    values = s.to_numpy()
    ratio = values[periods:] / values[:-periods]
    if annualise:
        d = days_since_epoch(s.index)
        years = (d[periods:] - d[:-periods]) / _DAYS_PER_YEAR
        out = np.log(ratio) / years if kind == "log" else ratio ** (1.0 / years) - 1.0
    else:
        out = np.log(ratio) if kind == "log" else ratio - 1.0
    return pd.Series(out, index=s.index[periods:], name=f"{s.name} growth")


def acceleration(
    growth_rates: pd.Series,
    *,
    round_growth_to: int | None = None,
    max_abs_growth: float = 10.0,
) -> pd.Series:
    """Change in growth from one period to the next, in percentage points.

    Parameters
    ----------
    growth_rates : pandas.Series
        Decimal growth rates (0.51 is +51 %), as returned by :func:`growth`;
        not levels and not percents.
    round_growth_to : int, optional
        Round the growth rates to this many decimals of a percent before
        differencing. ``0`` is the essay's convention: it quotes growth as
        whole percents (+51, +81, +77, +52) and differences those (+30, -4, -25);
        unrounded the same figures give +30.75, -4.59, -25.11.
    max_abs_growth : float, default 10.0
        Largest plausible |growth| per period, decimal (10.0 is +1,000 %).
        Anything larger is refused as levels or percents passed by mistake
        (the essay's capex levels 150, 226, ... would give "+7,600 points").
        Raise it for a series that really grows more than tenfold a period.

    Returns
    -------
    pandas.Series
        Percentage points (30.0 is +30 points); one shorter than the input.

    Raises
    ------
    DataError
        Fewer than two rates, missing values, or values beyond ``max_abs_growth``.
    """
    g = np.asarray(growth_rates, dtype=float)
    if g.ndim != 1 or g.size < 2:
        raise DataError(f"acceleration: need at least two growth rates in one dimension, got shape {g.shape}.")
    if not np.all(np.isfinite(g)):
        raise DataError("acceleration: growth rates contain missing or non-finite values.")
    big = np.flatnonzero(np.abs(g) > max_abs_growth)
    if big.size:
        i = int(big[0])
        raise DataError(
            f"acceleration: value {g[i]:g} at position {i} is not a decimal growth rate (|g| > "
            f"{max_abs_growth:g}, i.e. more than {100 * max_abs_growth:,.0f} % a period); these look like "
            "levels or percents. Pass growth(levels), or percents / 100 (or raise max_abs_growth)."
        )
    g = g * 100.0
    if round_growth_to is not None:
        g = np.round(g, round_growth_to)
    out = np.diff(g)
    idx = growth_rates.index[1:] if isinstance(growth_rates, pd.Series) else None
    return pd.Series(out, index=idx, name="acceleration_pp")


def step_ups(marks: pd.Series | Sequence[float]) -> pd.Series | np.ndarray:
    """Round-over-round multiple of a sequence of marks (157/86 = 1.83x).

    Parameters
    ----------
    marks : Series or sequence of float
        Valuations or any positive levels in date order (USD bn for the essay's marks).

    Returns
    -------
    Series or ndarray
        ``marks[i] / marks[i-1]``, one shorter than the input.
    """
    arr = np.asarray(marks, dtype=float)
    if arr.ndim != 1 or arr.size < 2:
        raise DataError(f"step_ups: need at least two marks, got {arr.size}.")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise DataError("step_ups: marks must be finite and positive.")
    out = arr[1:] / arr[:-1]
    if isinstance(marks, pd.Series):
        return pd.Series(out, index=marks.index[1:], name="step_up")
    return out


# ============================================================================ filtered


def trend_snr(cutoff_years: float, spacing_years: float) -> float:
    """Jerk-to-noise variance ratio q that puts the smoother's half gain at a period.

    The two-sided estimate of a thrice-integrated random walk observed with
    noise is the smoothing spline with penalty :math:`\\lambda\\int (f''')^2`
    and :math:`\\lambda = \\sigma^2\\bar\\Delta / \\sigma_j^2` (Wahba 1978); its
    gain is :math:`1/(1+\\lambda\\omega^6)`, one half at :math:`\\omega_c = 2\\pi/P_c`.

    Parameters
    ----------
    cutoff_years : float
        Period P_c (years) at which the trend keeps half of a fluctuation.
    spacing_years : float
        Average time between observations (years), 1/12 for monthly.

    Returns
    -------
    float
        q, per year^5, in units of the observation noise variance.
    """
    if not cutoff_years > 0 or not spacing_years > 0:
        raise SpecError("cutoff_years and spacing_years must be > 0.")
    return spacing_years * (2.0 * np.pi / cutoff_years) ** 6


def _real_time_snr(cutoff_years: float, dt: np.ndarray) -> np.ndarray:
    """Jerk-to-noise ratio q_t for each period, from the spacing known at t.

    Regular data have one spacing and one q. On irregular data (funding
    rounds) the average spacing is the median of the intervals observed up
    to and including t (the interval into t is known once observation t
    arrives), so a later observation never changes an earlier estimate.
    ``dt[0]`` (before the first date) is unused and gets the first interval's q.
    """
    if dt.size < 2 or np.all(dt[1:] == dt[1]):
        spacing = float(dt[1]) if dt.size > 1 else 1.0
        return np.full(dt.size, trend_snr(cutoff_years, spacing))
    running = np.array([np.median(dt[1 : t + 1]) for t in range(1, dt.size)])
    q = np.array([trend_snr(cutoff_years, float(sp)) for sp in running])
    return np.concatenate([[q[0]], q])


def seasonal_snr(memory_years: float, period: int) -> float:
    """Seasonal shock ratio q_s giving each seasonal factor a memory in years.

    A local level with steady-state gain k has signal-to-noise ratio
    :math:`k^2/(1-k)` (Harvey 1989, eq. 4.1.20 rearranged); each factor is
    revised once a year, so k = 1/memory_years, and the dummy-seasonal shock
    is spread over ``period`` observations.
    """
    if not memory_years > 1:
        raise SpecError(f"seasonal memory must be > 1 year. Got {memory_years!r}.")
    k = 1.0 / memory_years
    return k * k / ((1.0 - k) * period)


def _trend_blocks(dt: np.ndarray, q: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Transition and disturbance covariance of the continuous local quadratic trend (q scalar or per period)."""
    n = dt.size
    T = np.zeros((n, 3, 3))
    T[:, 0, 0] = T[:, 1, 1] = T[:, 2, 2] = 1.0
    T[:, 0, 1] = T[:, 1, 2] = dt
    T[:, 0, 2] = dt**2 / 2.0
    Q = np.empty((n, 3, 3))
    Q[:, 0, 0] = dt**5 / 20.0
    Q[:, 0, 1] = Q[:, 1, 0] = dt**4 / 8.0
    Q[:, 0, 2] = Q[:, 2, 0] = dt**3 / 6.0
    Q[:, 1, 1] = dt**3 / 3.0
    Q[:, 1, 2] = Q[:, 2, 1] = dt**2 / 2.0
    Q[:, 2, 2] = dt
    return T, Q * np.reshape(q, (-1, 1, 1)) if np.ndim(q) else Q * q


def _system(
    dt: np.ndarray, q: float | np.ndarray, season: int | None, q_s: float,
    cycle: tuple[float, float] | None = None, averaging: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full (trend + dummy seasonal [+ AR(1) cycle]) system matrices for each period.

    ``cycle = (phi, q_c)`` appends a stationary cycle c_t = phi c_{t-1} + kappa_t,
    Var(kappa) = q_c (units of the noise variance), observed additively.
    ``averaging = k > 1`` observes the mean of the last k latent (level + cycle)
    values: see :func:`_averaged_system`.
    """
    if averaging > 1:
        return _averaged_system(dt, q, season, q_s, cycle or (0.0, 0.0), averaging)
    Tt, Qt = _trend_blocks(dt, q)
    ms = season - 1 if season else 0
    mc = 1 if cycle is not None else 0
    if not ms and not mc:
        return Tt, Qt, np.array([1.0, 0.0, 0.0])
    m = 3 + ms + mc
    n = dt.size
    T = np.zeros((n, m, m))
    Q = np.zeros((n, m, m))
    T[:, :3, :3] = Tt
    Q[:, :3, :3] = Qt
    Z = np.zeros(m)
    Z[0] = 1.0
    if ms:
        S = np.zeros((ms, ms))
        S[0, :] = -1.0
        S[1:, :-1] = np.eye(ms - 1)
        T[:, 3 : 3 + ms, 3 : 3 + ms] = S
        Q[:, 3, 3] = q_s
        Z[3] = 1.0
    if mc:
        T[:, -1, -1] = cycle[0]
        Q[:, -1, -1] = cycle[1]
        Z[-1] = 1.0
    return T, Q, Z


def _averaged_system(
    dt: np.ndarray, q: float | np.ndarray, season: int | None, q_s: float,
    cycle: tuple[float, float], k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """System matrices of an index that averages k latent monthly values, plus sampling error.

    State: (level, velocity, acceleration, s - 1 seasonal, k - 1 lagged levels,
    cycle c_t, k - 1 lagged cycles). Observation:
    y_t = (1/k) sum_{j<k} (level_{t-j} + gamma_{t-j} + c_{t-j}) + epsilon_t,
    epsilon_t the white sampling error (variance 1 in units of sigma^2). The
    dummy seasonal's states are gamma_t, ..., gamma_{t-s+2}, so its lags need
    no new states (k <= s - 1). (A first version observed gamma_t unaveraged:
    Case-Shiller NSA innovation acf +0.31 against +0.30; BENCHMARKS.md.)
    """
    Tt, Qt = _trend_blocks(dt, q)
    ms = season - 1 if season else 0
    n = dt.size
    lag0 = 3 + ms  # first lagged level
    c0 = lag0 + k - 1  # the cycle
    m = c0 + k
    T = np.zeros((n, m, m))
    Q = np.zeros((n, m, m))
    T[:, :3, :3] = Tt
    Q[:, :3, :3] = Qt
    Z = np.zeros(m)
    if ms:
        S = np.zeros((ms, ms))
        S[0, :] = -1.0
        S[1:, :-1] = np.eye(ms - 1)
        T[:, 3:lag0, 3:lag0] = S
        Q[:, 3, 3] = q_s
        Z[3 : 3 + k] = 1.0 / k  # gamma_t, ..., gamma_{t-k+1}: the dummy seasonal's own states
    prev = 0  # lagged levels: l_{t-1} <- l_t, l_{t-j} <- l_{t-j+1}
    for j in range(k - 1):
        T[:, lag0 + j, prev] = 1.0
        prev = lag0 + j
    T[:, c0, c0] = cycle[0]
    Q[:, c0, c0] = cycle[1]
    for j in range(1, k):
        T[:, c0 + j, c0 + j - 1] = 1.0
    Z[0] = Z[c0] = 1.0 / k
    Z[lag0:c0] = 1.0 / k
    Z[c0 + 1 :] = 1.0 / k
    return T, Q, Z


def _averaged_prior(m: int, season: int | None, k: int, phi: float, stat_var: float) -> np.ndarray:
    """Prior covariance for :func:`_averaged_system`: a diffuse trend and seasonal, the lagged
    levels equal to the level (one diffuse value, not k), the cycle and its lags stationary."""
    ms = season - 1 if season else 0
    lag0 = 3 + ms
    c0 = lag0 + k - 1
    P0 = np.zeros((m, m))
    P0[: lag0, : lag0] = np.eye(lag0) * _DIFFUSE
    levels = [0, *range(lag0, c0)]
    P0[np.ix_(levels, levels)] = _DIFFUSE
    lags = np.arange(k)
    P0[c0:, c0:] = stat_var * phi ** np.abs(lags[:, None] - lags[None, :])
    return P0


def _effective_dof(pattern: np.ndarray, burn_in: int, discount: float) -> np.ndarray:
    """Innovations behind the running scale at each date (discounted count; 0 before any)."""
    used = pattern & (np.cumsum(pattern) > burn_in)
    if discount == 1.0:
        return np.cumsum(used).astype(float)
    out = np.empty(pattern.size)
    w = 0.0
    for t in range(pattern.size):
        w = discount * w + (1.0 if used[t] else 0.0)  # forgets per period, observed or not
        out[t] = w
    return out


def _missing_patterns(observed: np.ndarray):
    """Yield (rows, pattern) for each distinct missing-value pattern; rows None = all."""
    if observed.all(axis=1).all() or (observed == observed[0]).all():
        yield None, observed[0]
        return
    packed = np.packbits(observed, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first_row, inverse = np.unique(keys, return_index=True, return_inverse=True)
    for g, r in enumerate(first_row):
        yield np.flatnonzero(inverse.ravel() == g), observed[r]


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
        Observations per state before an estimate is shown (``ready``): with
        m states (3 for the trend, plus period - 1 seasonal ones) an estimate at
        t needs at least ``5 m`` observations to date. The principle: the
        noise scale is estimated from the ``n - m`` innovations after the
        diffuse start, and with ``n >= 5 m`` it rests on at least ``4 m >= 12``
        of them, where the Student-t band is within 11 % of its large-sample
        width (t(0.975, 12) = 2.18 against 1.96). Below that the filter's
        numbers are mostly its initialisation: the essay's five capex figures
        and six OpenAI marks are too short (15 needed), and get the discrete
        arithmetic only (:func:`growth`, :func:`acceleration`, :func:`step_ups`).
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
        :mod:`borrowedtime.calibration` scores): ``t`` Student-t with the
        scale's degrees of freedom; ``fitted-t`` a unit-variance Student-t
        whose degrees of freedom are re-estimated at each date by maximum
        likelihood on the past standardised innovations; ``empirical`` their
        past empirical distribution (module docstring of
        :mod:`borrowedtime.calibration`). It changes the one-step intervals
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
            if np.isinf(values).any():
                col, row = np.argwhere(np.isinf(values))[0]
                raise DataError(f"panel, column {frame.columns[col]!r}, {frame.index[row].date()}: infinite value.")
            if (values <= 0).any():  # NaN compares False: missing values pass here
                col, row = np.argwhere(values <= 0)[0]
                raise DataError(
                    f"panel, column {frame.columns[col]!r}, {frame.index[row].date()}: non-positive "
                    "value; growth is measured on logs, so values must be > 0."
                )
            n_obs = values.shape[1] - np.isnan(values).sum(axis=1)
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
        innovation_var = buf["innovation_var"] if "innovation_var" in buf else np.empty((N, n))
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
            innovation_var[sel] = F[None, :]
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
            names=tuple(str(c) for c in frame.columns),
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
            stat_var = qc / (1.0 - phi * phi) if qc > 0 else 0.0
            T, Q, Z = _system(dt, q * (1.0 + stat_var), season, q_s, (phi, qc), averaging=k)
            a0 = np.zeros((y[rows].shape[0], m))
            a0[:, 0] = y[rows, first]
            if k == 1:
                P0 = np.eye(m) * _DIFFUSE
                P0[-1, -1] = stat_var
            else:
                P0 = _averaged_prior(m, season, k, phi, stat_var)
                a0[:, 3 + ms : 3 + ms + k - 1] = y[rows, first][:, None]
            return T, Q, Z, P0, a0

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
            names=tuple(str(c) for c in frame.columns),
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


@dataclass(frozen=True, eq=False)
class KinematicsResult(Summarised):
    """Filtered (real-time) and optionally smoothed (hindsight) kinematics.

    Arrays are ``(series, time, ...)``. ``filtered`` holds, per date, the mean
    of (log level, velocity per year, acceleration per year^2) given data
    dated <= that date; ``filtered_cov`` its covariance in units of the noise
    variance, scaled by ``sigma2`` (estimated on data <= t). ``smoothed``
    (hindsight, two-sided) is present only if asked for. ``innovation`` is
    the one-step prediction error of log S, ``innovation_var`` its variance
    in units of the noise variance (NaN where nothing was observed); ``q``
    the jerk-to-noise ratio at the last date.
    """

    index: pd.DatetimeIndex
    names: tuple[str, ...]
    filtered: np.ndarray
    filtered_cov: np.ndarray
    sigma2: np.ndarray
    dof: np.ndarray
    observed: np.ndarray
    log_level: np.ndarray
    smoothed: np.ndarray | None
    smoothed_cov: np.ndarray | None
    seasonal: np.ndarray | None
    season: int | None
    frequency: Frequency
    innovation: np.ndarray
    innovation_var: np.ndarray
    q: float
    q_s: float
    model: KinematicsModel = field(repr=False)
    momentum_choice: np.ndarray | None = field(default=None, repr=False)

    @property
    def momentum_params(self) -> np.ndarray | None:
        """(series, time, 2): the (phi, q_c) of the cycle in use at each date (momentum='ar1' or averaging > 1)."""
        if self.momentum_choice is None:
            return None
        return np.asarray(cycle_grid(self.model.momentum, self.model.averaging))[self.momentum_choice]

    # ------------------------------------------------------------------ derived
    @property
    def n_series(self) -> int:
        return len(self.names)

    def _sd(self, which: int) -> np.ndarray:
        var = self.filtered_cov[..., which, which] * self.sigma2
        return np.sqrt(np.maximum(var, 0.0))

    @property
    def level_sd(self) -> np.ndarray:
        return self._sd(0)

    @property
    def velocity_sd(self) -> np.ndarray:
        return self._sd(1)

    @property
    def acceleration_sd(self) -> np.ndarray:
        return self._sd(2)

    def _prob_negative(self, which: int) -> np.ndarray:
        """P(state < 0) with a Student-t for the estimated scale (dof = innovations used)."""
        mean = self.filtered[..., which]
        sd = self._sd(which)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = mean / sd
            p = stats.t.cdf(-z, df=np.maximum(self.dof, 1))
        return np.where(self.dof > 0, p, np.nan)

    @property
    def p_accel_negative(self) -> np.ndarray:
        """Real-time P(S'' < 0): probability the acceleration is negative."""
        return self._prob_negative(2)

    @property
    def p_velocity_positive(self) -> np.ndarray:
        """Real-time P(S' > 0)."""
        return 1.0 - self._prob_negative(1)

    @property
    def n_states(self) -> int:
        """States of the model: level, velocity, acceleration, period - 1 seasonal ones (and the cycle).

        An index's averaging adds lagged copies of the level and the cycle, which
        are bookkeeping, not new unknowns: they are not counted.
        """
        cycle = self.model.momentum == "ar1" or self.model.averaging > 1
        return 3 + (self.season - 1 if self.season else 0) + (1 if cycle else 0)

    @property
    def min_observations(self) -> int:
        """Observations to date needed before an estimate is shown (``min_obs_per_state`` per state)."""
        return self.model.min_obs_per_state * self.n_states

    @property
    def ready(self) -> np.ndarray:
        """True where an estimate is shown: the scale is estimated and ``min_observations`` are in.

        Before that, :meth:`to_frame` and :meth:`latest` give NaN and no call is made.
        """
        enough = np.cumsum(self.observed, axis=-1) >= self.min_observations
        return (self.dof > 0) & enough

    # ------------------------------------------------------------------ output
    def to_frame(self, series: int | str = 0) -> pd.DataFrame:
        """One series' estimates as a DataFrame indexed by date.

        Columns: ``level`` (log), ``velocity`` (per year), ``acceleration``
        (per year^2), their ``*_sd``, ``p_accel_neg``, ``p_vel_pos``; and
        ``smoothed_*`` (hindsight) when the smoother was run.
        """
        i = self.names.index(series) if isinstance(series, str) else int(series)
        f = self.filtered[i]
        out = pd.DataFrame(
            {
                "level": f[:, 0],
                "velocity": f[:, 1],
                "acceleration": f[:, 2],
                "level_sd": self.level_sd[i],
                "velocity_sd": self.velocity_sd[i],
                "acceleration_sd": self.acceleration_sd[i],
                "p_accel_neg": self.p_accel_negative[i],
                "p_vel_pos": self.p_velocity_positive[i],
            },
            index=self.index,
        )
        ready = self.ready[i]
        out.loc[~ready, ["velocity", "acceleration", "level_sd", "velocity_sd", "acceleration_sd",
                         "p_accel_neg", "p_vel_pos"]] = np.nan
        if self.smoothed is not None:
            s = self.smoothed[i]
            final = self.sigma2[i, -1]
            out["smoothed_level"] = s[:, 0]
            out["smoothed_velocity"] = s[:, 1]
            out["smoothed_acceleration"] = s[:, 2]
            out["smoothed_acceleration_sd"] = np.sqrt(np.maximum(self.smoothed_cov[i, :, 2, 2] * final, 0))
        out.index.name = "date"
        out.attrs["series"] = self.names[i]
        return out

    def latest(self, series: int | str = 0) -> dict:
        """The last real-time reading of one series, as plain numbers."""
        row = self.to_frame(series).iloc[-1]
        return {"date": self.index[-1].date().isoformat(), **{k: float(v) for k, v in row.items()}}

    def summary(self) -> str:
        m = self.model
        lines = [
            "Kinematics (local quadratic trend on log S, Kalman filter, real time)",
            f"  series: {self.n_series}   observations: {self.index.size}   frequency: {self.frequency}",
            f"  cutoff: {m.cutoff_years} yr (q = {self.q:.4g}/yr^5)   seasonal period: {self.season or 'none'}",
        ]
        for i, name in enumerate(self.names[:5]):
            r = self.latest(i)
            if not self.ready[i, -1]:
                lines.append(
                    f"  {name} @ {r['date']}: {int(self.observed[i].sum())} observations, fewer than the "
                    f"{self.min_observations} needed ({self.model.min_obs_per_state} per state): no estimate"
                )
                continue
            lines.append(
                f"  {name} @ {r['date']}: velocity {r['velocity']:+.4f}/yr (sd {r['velocity_sd']:.4f}), "
                f"acceleration {r['acceleration']:+.4f}/yr^2 (sd {r['acceleration_sd']:.4f}), "
                f"P(S''<0) = {r['p_accel_neg']:.2f}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        names = ", ".join(self.names[:3]) + (", ..." if self.n_series > 3 else "")
        return (f"<KinematicsResult {self.n_series} series ({names}), {self.index.size} {self.frequency} "
                f"observations {self.index[0].date()}..{self.index[-1].date()}, seasonal period "
                f"{self.season or 'none'}>")
