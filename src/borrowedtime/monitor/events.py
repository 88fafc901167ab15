r"""Event probabilities: P(a turn within h), from the model's own forward distribution.

A *turn* is the first date at which year-over-year growth of the series is
negative after a positive run of at least two years (the scoring's
definition, :func:`borrowedtime.monitor.scoring.find_turns`;
``min_positive_months``). :func:`p_turn_within` gives, at every date t where
YoY growth is positive and its run began :math:`L_t` periods earlier, the
probability that the first negative reading comes within h months and is a
turn,

.. math::

    p_h(t) = P\big(M_h \le j^* \le J_h \;\big|\; y_s,\ s \le t\big), \qquad
    j^* = \min\{j \ge 1 : y_{t+j} - y_{t+j-P} < 0\},

with :math:`J_h = h /` (months per period), :math:`M_h = \max(1, 24\text{ months} - L_t)`
in periods (a first negative reading before that ends the run without a
turn), y = log S as observed (trend + seasonal [+ cycle] + noise) and P the
observations per year (12 monthly, 4 quarterly, 1 annual). With
``min_positive_months=0`` it is the plain probability that YoY growth first
goes negative within h.

**Calibration.** The probabilities rank coming turns well (pooled AUROC above
the monitor's P(S' + 2y S'' < 0) and the named baseline at 3, 6 and 12 months
on FRED-MD and the FHFA state panel) but are too high where the model sees a
turn coming: on FRED-MD the pairs forecast 0.9-1.0 for a turn within 12
months saw one 62 % of the time, those forecast 0.3-0.4 16 %; on the state
panel 94 % and 3.5 %; the Brier score is above climatology's except on
FRED-MD at 3 and 6 months (``benchmarks/results_p_turn.md``). Read them as a
ranking and an order of magnitude, not as odds.

Real time: the state at t is the *filtered* state (data dated <= t), the
scale and its degrees of freedom are those estimated on data <= t, and the
year-ago values :math:`y_{t+j-P}` with :math:`j \le P` are data already seen.

**How.** Given the filtered state :math:`a_t, \sigma_t^2 P_t` the future log
levels :math:`y_{t+1}, \dots, y_{t+J}` are jointly Gaussian: mean
:math:`Z T^j a_t`, covariance
:math:`\sigma_t^2 [Z T^j P_t T^{k\prime} Z' + \sum_{l=1}^{\min(j,k)} Z T^{j-l} Q T^{k-l\prime} Z' + \delta_{jk}]`
(multi-step prediction; Harvey 1989, ch. 3). The YoY path is a linear map
of them (minus the data a year back), so it is jointly Gaussian too; as for
P(S'' < 0), the estimated scale makes it a multivariate Student-t with the
scale's (discounted) degrees of freedom. The probability that such a path
*first* crosses zero within J steps has no closed form beyond J = 1, so it is
integrated by quasi-Monte Carlo: ``draws`` scrambled Sobol points (seeded;
Owen 1997), mapped to normals and a chi-square by their inverse CDFs (the
chi-square's by the Wilson-Hilferty (1931) cube-root approximation, whose
error at the >= 12 degrees of freedom of a shown estimate is far below the
integration error), shared by every
series and date (common random numbers: P is non-decreasing in h on every
draw, and two series with the same forward distribution get the same P).
The covariance and its Cholesky factor depend only on the date (the
covariance path is shared by the series with the same missing values), so the
work per (series, date) is one pass over the draws: a numba kernel with a
plain-Python twin (:func:`_turn_counts`), parallel over dates. For J = 1 (and
no run-length condition) the answer is the Student-t probability
:math:`F_\nu(-\mu_1/s_1)`; the tests check the integration against it.

The probability is NaN where the filter shows no estimate
(:attr:`~borrowedtime.monitor.result.KinematicsResult.ready`), where YoY
growth at t is not positive or not known, for horizons shorter than one
period (3 months on annual data), and for data that are not monthly,
quarterly or annual (a step of months is not defined). A year-ago value that
is missing makes that step unable to turn (there is no YoY reading there).

References
----------
.. [1] Harvey, A. C. (1989). *Forecasting, Structural Time Series Models and
   the Kalman Filter*. Cambridge University Press.
.. [2] Owen, A. B. (1997). "Scrambled net variance for integrals of smooth
   functions." Annals of Statistics 25(4), 1541-1562.
.. [3] Wilson, E. B. and Hilferty, M. M. (1931). "The distribution of chi-square."
   Proceedings of the National Academy of Sciences 17(12), 684-688.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import stats
from scipy.stats import qmc

from borrowedtime._numba import jit_parallel, prange
from borrowedtime.errors import SpecError
from borrowedtime.monitor._kalman import covariance_path
from borrowedtime.monitor.scoring import ScoringRule
from borrowedtime.monitor.statespace import (
    _DIFFUSE,
    _cycle_system,
    _missing_patterns,
    _real_time_snr,
    _system,
    cycle_grid,
    seasonal_snr,
)

if TYPE_CHECKING:
    from borrowedtime.monitor.result import KinematicsResult

__all__ = ["HORIZONS_MONTHS", "DRAWS", "MIN_POSITIVE_MONTHS", "p_turn_within", "latest_p_turn", "horizon_steps"]

#: A turn follows at least this many months of positive YoY growth (:class:`~borrowedtime.monitor.scoring.ScoringRule`).
MIN_POSITIVE_MONTHS: int = ScoringRule.min_positive_months
#: Horizons (months) the monitor reports P(turn within h) for.
HORIZONS_MONTHS: tuple[int, ...] = (3, 6, 12, 24)
#: Quasi-Monte Carlo points per (series, date): 2^10. With scrambled Sobol points the
#: error is well below the Monte Carlo bound 0.5 / sqrt(1024) = 0.016 (tests).
DRAWS = 1024
_MONTHLY_GRID = ("monthly", "quarterly", "annual")


def horizon_steps(months_per_period: float, horizons_months) -> np.ndarray:
    """Steps (observations) of each horizon in months; 0 where it is not a whole number >= 1 of periods."""
    h = np.asarray(horizons_months, dtype=float)
    steps = h / months_per_period
    whole = (steps >= 1) & (np.abs(steps - np.round(steps)) < 1e-9)
    return np.where(whole, np.round(steps), 0).astype(np.int64)


def p_turn_within(
    result: KinematicsResult,
    horizons_months=HORIZONS_MONTHS,
    *,
    where: np.ndarray | None = None,
    min_positive_months: int = MIN_POSITIVE_MONTHS,
    draws: int = DRAWS,
    seed: int = 0,
) -> np.ndarray:
    """Real-time P(YoY growth first goes negative within h months), every series and date.

    Parameters
    ----------
    result : KinematicsResult
        A fit of :class:`~borrowedtime.monitor.model.KinematicsModel` (any
        settings) on monthly, quarterly or annual data.
    horizons_months : sequence of int, default (3, 6, 12, 24)
        Horizons in months; on quarterly data 3, 6, 12, 24 months are 1, 2, 4, 8
        quarters. A horizon that is not a whole number of periods gives NaN.
    where : ndarray of bool, shape (series, time), optional
        Compute only there (e.g. each series' last date); NaN elsewhere.
    min_positive_months : int, default 24
        A negative YoY reading is a turn only if the positive run before it
        spans at least this many months (the scoring's definition,
        :func:`borrowedtime.monitor.scoring.find_turns`); a first negative
        reading that comes sooner ends the run without a turn. 0: any first
        negative reading is a turn.
    draws : int, default :data:`DRAWS`
        Quasi-Monte Carlo points (a power of two keeps the Sobol net balanced).
    seed : int, default 0
        Seed of the scrambling; the same seed gives the same numbers.

    Returns
    -------
    ndarray, shape (series, time, horizons)
        Probabilities in [0, 1]; NaN where not defined (module docstring).
    """
    if not (isinstance(min_positive_months, int | np.integer) and min_positive_months >= 0):
        raise SpecError(f"p_turn_within: min_positive_months must be an int >= 0. Got {min_positive_months!r}.")
    if not (isinstance(draws, int | np.integer) and draws >= 16):
        raise SpecError(f"p_turn_within: draws must be an int >= 16. Got {draws!r}.")
    horizons = np.asarray(horizons_months)
    if horizons.ndim != 1 or horizons.size == 0 or not np.all(np.isfinite(horizons.astype(float))) \
            or np.any(horizons.astype(float) <= 0):
        raise SpecError(f"p_turn_within: horizons must be positive months, e.g. (3, 6, 12, 24). Got {horizons_months!r}.")
    N, n = result.observed.shape
    out = np.full((N, n, horizons.size), np.nan)
    freq = result.frequency
    if freq.name not in _MONTHLY_GRID:
        return out
    steps = horizon_steps(freq.months_per_period, horizons)
    if not steps.any():
        return out
    per_year = int(round(freq.periods_per_year))
    y = result.log_level
    yoy_now = np.full((N, n), np.nan)
    yoy_now[:, per_year:] = y[:, per_year:] - y[:, :-per_year]
    want = result.ready & (yoy_now > 0)  # NaN compares False: unknown YoY is no question
    if where is not None:
        where = np.asarray(where, dtype=bool)
        if where.shape != (N, n):
            raise SpecError(f"p_turn_within: where must have shape {(N, n)} (series, time). Got {where.shape}.")
        want &= where
    if not want.any():
        return out
    run = _run_lengths(yoy_now)  # steps since the current positive run began (data <= t)
    need = int(np.ceil(min_positive_months / freq.months_per_period - 1e-9))
    H = int(steps.max())
    z, u = _points(draws, H, seed)
    ks = np.flatnonzero(steps)
    order = np.argsort(steps[ks], kind="stable")
    ks = ks[order]
    step_k = steps[ks]
    for rows, dates, system in _systems(result):
        w = want[rows] if dates is None else want[rows] & dates
        if not w.any():
            continue
        T, Q, Z, P0, a0 = system
        pairs_i, pairs_t, mu, chol, scale = _forecasts(y[rows], result.observed[rows], w, T, Q, Z, P0, a0,
                                                       H, per_year, result.dof[rows], z, u)
        counts = np.zeros((pairs_i.size, step_k.size))
        starts = np.searchsorted(pairs_t, np.arange(n + 1))
        sd = np.sqrt(result.sigma2[rows][pairs_i, pairs_t])
        first = np.maximum(1, need - run[rows][pairs_i, pairs_t]).astype(np.int64)
        _turn_counts(mu, sd, first, starts, chol, z, scale, step_k, counts)
        series = pairs_i if isinstance(rows, slice) else np.asarray(rows)[pairs_i]
        out[series[:, None], pairs_t[:, None], ks[None, :]] = counts / draws
    return out


def _run_lengths(yoy: np.ndarray) -> np.ndarray:
    """(series, time): steps from the first date of the current positive YoY run to t (-1 outside a run).

    As :func:`~borrowedtime.monitor.scoring.find_turns` reads a series with its
    missing YoY dates dropped, a missing value neither starts nor ends a run.
    """
    N, n = yoy.shape
    start = np.full(N, -1)
    out = np.full((N, n), -1)
    for t in range(n):
        g = yoy[:, t]
        positive = g > 0
        known = ~np.isnan(g)
        start = np.where(positive & (start < 0), t, np.where(known & ~positive, -1, start))
        out[:, t] = np.where(start >= 0, t - start, -1)
    return out


def latest_p_turn(result: KinematicsResult, series: int = 0, horizons_months=HORIZONS_MONTHS) -> dict[str, float | None]:
    """P(turn within h) at a series' last date, keyed by months as strings (``{"3": p, ...}``; None where NaN).

    What ``borrowedtime watch`` shows and writes as ``p_turn_within`` in its JSON.
    """
    where = np.zeros(result.observed.shape, dtype=bool)
    where[series, -1] = True
    p = p_turn_within(result, horizons_months, where=where)[series, -1]
    return {str(int(h)): (None if np.isnan(v) else float(v)) for h, v in zip(horizons_months, p, strict=True)}


def _systems(result: KinematicsResult):
    """Yield (rows, dates, (T, Q, Z, P0, a0)) for each group of series that shares a system and a covariance path.

    The default model: one group per missing-value pattern (as the fit runs).
    With a short-run cycle (``momentum="ar1"`` or ``averaging > 1``): one group
    per candidate (phi, q_c) that some series holds at some date, ``dates``
    (rows, time) marking where it holds it (chosen on data <= t by the fit).
    ``a0`` None: the prior level is each series' first observation.
    """
    model = result.model
    n = result.observed.shape[1]
    dt = np.full(n, result.frequency.months_per_period / 12.0)
    q = _real_time_snr(model.cutoff_years, dt)
    season = result.season
    q_s = seasonal_snr(model.seasonal_memory_years, season) if season else 0.0
    if result.momentum_choice is None:
        T, Q, Z = _system(dt, q, season, q_s)
        P0 = np.eye(Z.size) * _DIFFUSE
        for rows, _pattern in _missing_patterns(result.observed):
            yield (slice(None) if rows is None else rows), None, (T, Q, Z, P0, None)
        return
    choice = result.momentum_choice
    first = int(np.argmax(result.observed[0]))
    cands = cycle_grid(model.momentum, model.averaging)
    for g in np.unique(choice):
        rows = np.flatnonzero((choice == g).any(axis=1))
        phi, qc = cands[int(g)]
        system = _cycle_system(dt, q, season, q_s, phi, qc, model.averaging, result.log_level[rows, first])
        yield rows, choice[rows] == g, system


def _points(draws: int, H: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scrambled Sobol points: (draws, H) standard normals and (draws,) uniforms for the scale."""
    sobol = qmc.Sobol(d=H + 1, scramble=True, seed=np.random.default_rng(seed))
    pts = sobol.random(draws)
    pts = np.clip(pts, 0.5 / draws / 1024, 1.0 - 0.5 / draws / 1024)
    return stats.norm.ppf(pts[:, :H]), pts[:, H]


def _forecasts(y, observed, want, T, Q, Z, P0, a0, H, per_year, dof, z, u):
    """Forecast means of the YoY path at the wanted (series, date) pairs, and its shared covariance factors.

    Returns pairs (i, t) sorted by t; mu (pairs, H); chol (n, H, H) lower
    Cholesky factors of the YoY covariance / sigma^2 at each date (zero
    where no pair needs it); scale (n, draws) the Student-t factors
    sqrt(nu_t / chi2_nu_t) of each draw (1 where nu is large).
    """
    N, n = y.shape
    m = Z.size
    K, _, P_filt = covariance_path(T, Q, Z, P0, observed[0])
    T1, Q1 = T[-1], Q[-1]  # regular data: one transition and one disturbance covariance
    G = np.empty((H + 1, m))  # G[j] = Z T^j
    G[0] = Z
    for j in range(1, H + 1):
        G[j] = G[j - 1] @ T1
    S = np.zeros((H, H))  # process-noise part of Cov(y_{t+j}, y_{t+k}) / sigma^2, j, k = 1..H
    GQ = G[:H] @ Q1  # B_r Q with B_r = Z T^r
    for j in range(1, H + 1):
        for k in range(1, H + 1):
            for r in range(1, min(j, k) + 1):
                S[j - 1, k - 1] += GQ[j - r] @ G[k - r]
    S += np.eye(H)  # the observation noise (variance 1 in units of sigma^2)
    D = np.eye(H)  # YoY_j = y_{t+j} - y_{t+j-P}; the second term is future data when j > P
    for j in range(per_year, H):
        D[j, j - per_year] = -1.0
    Gf = G[1:]  # (H, m)
    # filtered means at the wanted pairs (the mean recursion with the shared gains)
    pt, pi = np.nonzero(want.T)  # pairs (date, series), sorted by date
    mu_y = np.empty((pi.size, H))
    a = np.zeros((N, m)) if a0 is None else np.array(a0, dtype=float, copy=True)
    first = int(np.argmax(observed[0]))
    if a0 is None:
        a[:, 0] = y[:, first]
    starts = np.searchsorted(pt, np.arange(n + 1))
    for t in range(n):
        if t > 0:
            a = a @ T[t].T
        if observed[0, t]:
            v = y[:, t] - a @ Z
            a = a + v[:, None] * K[t][None, :]
        s0, s1 = starts[t], starts[t + 1]
        if s1 > s0:
            mu_y[s0:s1] = a[pi[s0:s1]] @ Gf.T
    # YoY means: minus the data a year back (j <= P) or minus the forecast a year back (j > P)
    mu = np.empty_like(mu_y)
    for j in range(H):
        if j + 1 <= per_year:
            back = pt + j + 1 - per_year
            ok = back >= 0
            past = np.full(pi.size, np.nan)
            past[ok] = np.where(observed[pi[ok], back[ok]], y[pi[ok], back[ok]], np.nan)
            mu[:, j] = np.where(np.isnan(past), np.inf, mu_y[:, j] - past)  # no year-ago value: no turn there
        else:
            mu[:, j] = mu_y[:, j] - mu_y[:, j - per_year]
    dates = np.unique(pt)
    chol = np.zeros((n, H, H))
    cov = Gf @ P_filt[dates] @ Gf.T + S  # (dates, H, H)
    cov = D @ cov @ D.T
    chol[dates] = np.linalg.cholesky(0.5 * (cov + np.swapaxes(cov, 1, 2)))
    scale = np.ones((n, u.size))
    nu = np.maximum(dof[0, dates], 1.0)[:, None]
    zu = stats.norm.ppf(u)[None, :]
    c2 = 2.0 / (9.0 * nu)
    chi2 = nu * np.maximum(1.0 - c2 + zu * np.sqrt(c2), 1e-3) ** 3  # Wilson-Hilferty (1931) quantiles
    scale[dates] = np.sqrt(nu / chi2)
    return pi, pt, mu, chol, scale


def _turn_counts(mu, sd, first, starts, chol, z, scale, steps, counts):
    """Count, per (series, date) pair, the draws whose YoY path first goes negative within each horizon.

    mu : (P, H) forecast YoY means of the pairs, sorted by date; sd : (P,) sqrt(sigma^2);
    first : (P,) the first step (1-based) at which a negative reading is a turn (an
    earlier one ends the positive run without a turn);
    starts : (n + 1,) first pair of each date; chol : (n, H, H) lower Cholesky
    factors of the YoY covariance / sigma^2; z : (D, H) standard normals;
    scale : (n, D) Student-t factors; steps : (K,) horizon steps, ascending;
    counts : (P, K) written: draws with a first negative YoY at a step <= steps[k].
    A pair whose standardised means all exceed the largest fall of any draw
    at its date has no turn on any draw and is skipped.
    """
    n = starts.shape[0] - 1
    D, H = z.shape
    K = steps.shape[0]
    J = steps[K - 1]
    for t in prange(n):
        s0 = starts[t]
        s1 = starts[t + 1]
        if s1 == s0:
            continue
        e = np.zeros((D, J))  # the draws' standardised YoY deviations at this date
        fall = 0.0  # the largest -e over draws and steps
        for d in range(D):
            f = scale[t, d]
            for j in range(J):
                acc = 0.0
                for r in range(j + 1):
                    acc += chol[t, j, r] * z[d, r]
                e[d, j] = acc * f
                if -e[d, j] > fall:
                    fall = -e[d, j]
        thr = np.zeros(J)
        for p in range(s0, s1):
            low = np.inf
            for j in range(J):
                thr[j] = mu[p, j] / sd[p]
                if thr[j] < low:
                    low = thr[j]
            if low > fall:
                continue
            for d in range(D):
                for j in range(J):
                    if thr[j] + e[d, j] < 0.0:
                        if j + 1 >= first[p]:
                            for k in range(K):
                                if steps[k] > j:
                                    counts[p, k] += 1.0
                        break


_turn_counts = jit_parallel(_turn_counts)
