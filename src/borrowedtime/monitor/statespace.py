r"""The state-space system of the monitor: trend, seasonal, cycle and averaging blocks.

Matrices (transition T, disturbance covariance Q, observation Z) of the
continuous local quadratic trend on log S, the dummy seasonal, the optional
AR(1) cycle and an index's k-term averaging, and the signal-to-noise ratios
that fix them by a stated principle (:func:`trend_snr`, :func:`seasonal_snr`).
The equations, the principles and the references are in the docstring of
:mod:`borrowedtime.monitor.model`; the filter that runs on them is
:mod:`borrowedtime.monitor._kalman`.
"""

from __future__ import annotations

import numpy as np

from borrowedtime.errors import SpecError

__all__ = ["trend_snr", "seasonal_snr", "cycle_grid", "MOMENTUM_GRID", "AVERAGED_QC"]

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


def _cycle_system(
    dt: np.ndarray, q: float | np.ndarray, season: int | None, q_s: float, phi: float, qc: float, k: int,
    level0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """System, prior covariance and prior mean of trend + seasonal + short-run cycle (phi, q_c) [+ averaging k].

    The trend's jerk variance is q times the total short-run variance (noise
    plus the cycle's stationary variance). ``level0`` (series,) is each
    series' first observation: the prior level (and, with averaging, the
    prior lagged levels). Returns T, Q, Z, P0 and a0 (series, m).
    """
    ms = season - 1 if season else 0
    stat_var = qc / (1.0 - phi * phi) if qc > 0 else 0.0
    T, Q, Z = _system(dt, q * (1.0 + stat_var), season, q_s, (phi, qc), averaging=k)
    m = Z.size
    a0 = np.zeros((level0.shape[0], m))
    a0[:, 0] = level0
    if k == 1:
        P0 = np.eye(m) * _DIFFUSE
        P0[-1, -1] = stat_var
    else:
        P0 = _averaged_prior(m, season, k, phi, stat_var)
        a0[:, 3 + ms : 3 + ms + k - 1] = level0[:, None]
    return T, Q, Z, P0, a0
