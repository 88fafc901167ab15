r"""Right-tailed unit-root tests for explosive episodes: ADF, SADF, GSADF, BSADF (PSY).

For a window of observations :math:`y_{i_0}, \dots, y_{i_1}` the ADF
regression with :math:`k` lagged differences is

.. math::

    \Delta y_t = \alpha + \beta y_{t-1} + \sum_{j=1}^{k} \phi_j \Delta y_{t-j} + \varepsilon_t,
    \qquad t = i_0 + k + 1, \dots, i_1,

and the statistic is the t-ratio of :math:`\hat\beta`; large *positive*
values point to explosive (bubble) behaviour. Phillips, Shi and Yu (2015):

* **SADF** is the sup of the ADF statistic over windows that start at the
  first observation and end anywhere after the minimum window;
* **BSADF** at end :math:`i_1` is the sup over every admissible start
  (a backward sup), and uses only data dated <= :math:`i_1`: it is the
  real-time monitor;
* **GSADF** is the sup of the BSADF sequence.

PSY (2015, sec. 5) set the minimum window (in regression rows) to
:math:`\lfloor (0.01 + 1.8/\sqrt{T})\,T \rfloor` (:func:`psy_min_window`;
see "Real time by default" below for the T used here). Critical
values are finite-sample quantiles under the null
:math:`y_t = T^{-1} + y_{t-1} + \varepsilon_t`, :math:`\varepsilon_t \sim N(0,1)`
(PSY 2015, eq. 5 with :math:`d = \eta = 1`), by Monte Carlo with a seed; the
date-stamping critical value at each end date is, as in PSY (2015, eq. 7)
and exuber, that of SADF on the sample up to that date (the quantiles of the
simulated BSADF itself are kept too). They are cached on disk per (sample size, minimum window, lag,
replications, seed) under ``$BORROWEDTIME_CACHE`` (default
``~/.cache/borrowedtime``), so a second run is instant and works offline.

An **episode** starts when BSADF first exceeds its critical value and ends
when it falls back below; episodes shorter than the minimum duration
(default :math:`\log t` observations with t the observations known at the
date, PSY's :math:`\log T` rule made real-time; PSY 2015 sec. 4) are dropped. The lag
changes the statistic a lot on smooth series such as house-price indices,
so :meth:`PSYResult.lag_sensitivity` reports GSADF across lags.

**Real time by default.** :class:`PSYTest` fixes the minimum window and
the null's drift from the data's frequency alone (``min_window="realtime"``,
:func:`realtime_min_window`: PSY's rule at a decade of observations) and
draws the null's shocks date by date, so the BSADF sequence, its critical
value and the warnings at a date never change when later data arrive
(``tests/test_lookahead.py``). PSY's and exuber's own rule, the window
:math:`\lfloor (0.01 + 1.8/\sqrt{T})\,T \rfloor` and the drift 1/T of the
*final* sample size T, is **hindsight**: it is available as
``PSYTest(min_window="hindsight")`` (or an explicit int), and the exuber
comparisons pass it explicitly.

The statistics equal those of the R package exuber (Vasilopoulos, Pavlidis
and Martínez-García 2022) to about 1e-10 at the same lag and minimum window.

References
----------
.. [1] Phillips, P. C. B., Shi, S. and Yu, J. (2015). "Testing for multiple
   bubbles: historical episodes of exuberance and collapse in the S&P 500."
   International Economic Review 56(4), 1043-1078.
.. [2] Phillips, P. C. B., Wu, Y. and Yu, J. (2011). "Explosive behavior in the
   1990s Nasdaq: when did exuberance escalate asset values?" International
   Economic Review 52(1), 201-226.
.. [3] Vasilopoulos, K., Pavlidis, E. and Martínez-García, E. (2022). "exuber:
   Recursive right-tailed unit root testing with R." Journal of Statistical
   Software 103(10).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from borrowedtime._montecarlo import map_chunks
from borrowedtime._results import Summarised
from borrowedtime.detectors import _psy_kernels
from borrowedtime.errors import DataError, SpecError
from borrowedtime.series import as_series

__all__ = [
    "psy_min_window",
    "realtime_min_window",
    "adf_stat",
    "PSYCriticalValues",
    "psy_critical_values",
    "PSYTest",
    "PSYResult",
    "cache_dir",
]

_CACHE_ENV = "BORROWEDTIME_CACHE"
_LEVELS = (0.90, 0.95, 0.99)


def cache_dir() -> Path:
    """Folder of cached critical values: ``$BORROWEDTIME_CACHE`` or ``~/.cache/borrowedtime``."""
    env = os.environ.get(_CACHE_ENV)
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "borrowedtime"
    return base / "psy"


def psy_min_window(n: int) -> int:
    """PSY (2015) minimum window in regression rows: floor((0.01 + 1.8 / sqrt(n)) * n)."""
    return int(np.floor((0.01 + 1.8 / np.sqrt(n)) * n))


REALTIME_YEARS = 10
"""Reference span of the real-time minimum window: a decade of observations (see :func:`realtime_min_window`)."""

_PERIODS_PER_YEAR = ((4.0, 252), (10.0, 52), (45.0, 12), (135.0, 4), (np.inf, 1))
"""(largest median spacing in days, observations per year): business-daily, weekly, monthly, quarterly, annual."""


def realtime_min_window(index: pd.DatetimeIndex) -> tuple[int, int]:
    """Real-time minimum window and reference sample size, from the data's frequency alone.

    PSY's rule floor((0.01 + 1.8 / sqrt(T)) T) needs the
    sample size T, which a real-time run does not know. Here T is fixed a
    priori as :data:`REALTIME_YEARS` (10) years of observations at the data's
    frequency, read from the median spacing of the first four observations
    (<= 4 days: 252 a year; <= 10: 52; <= 45: 12; <= 135: 4; else 1). So the
    window is 115 rows on business-daily data, 46 weekly, 20 monthly, 11
    quarterly and 5 annual, whatever data come later; the null simulation's
    drift is 1/T with the same T.

    Returns
    -------
    (int, int)
        Minimum window (regression rows) and the reference sample size T.
    """
    if len(index) < 4:
        raise DataError(f"realtime_min_window: {len(index)} observations; at least 4 are needed to read the frequency.")
    days = float(np.median(np.diff(np.asarray(index[:4], dtype="datetime64[ns]")).astype("timedelta64[s]").astype(float)
                           / 86400.0))
    per_year = next(k for top, k in _PERIODS_PER_YEAR if days <= top)
    t_ref = REALTIME_YEARS * per_year
    return psy_min_window(t_ref), t_ref


def _check(n: int, lag: int, min_window: int, where: str) -> None:
    if not isinstance(lag, int | np.integer) or lag < 0:
        raise SpecError(f"The 'lag' parameter of {where} must be an int >= 0. Got {lag!r} instead.")
    if min_window < lag + 3:
        raise SpecError(
            f"{where}: min_window ({min_window} rows) must be at least lag + 3 = {lag + 3} "
            "so each regression has a residual degree of freedom."
        )
    if n < min_window + lag + 1:
        raise DataError(
            f"{where}: {n} observations, but the minimum window needs {min_window + lag + 1} "
            f"({min_window} regression rows + lag {lag} + 1); use a longer series or a smaller min_window "
            "(an int, or 'hindsight': PSY's rule at the full sample size)."
        )


def adf_stat(y, lag: int = 0) -> float:
    """ADF t-statistic (constant, ``lag`` lagged differences) on the whole of ``y``.

    Parameters
    ----------
    y : array_like
        The series (levels or logs, as the user chooses).
    lag : int, default 0
        Number of lagged differences.

    Returns
    -------
    float
        t-ratio of the coefficient on :math:`y_{t-1}`; equals
        ``statsmodels.tsa.stattools.adfuller(y, maxlag=lag, autolag=None)[0]``.
    """
    arr = np.asarray(y, dtype=float)
    _check(len(arr), lag, lag + 3, "adf_stat")
    if not np.isfinite(arr).all():
        raise DataError("adf_stat: the series has missing or non-finite values.")
    return float(_psy_kernels.adf_window_stats_numpy(arr, lag, 0, len(arr) - 1))


@dataclass(frozen=True, eq=False)
class PSYCriticalValues:
    """Monte Carlo critical values of SADF, GSADF and the BSADF sequence.

    Attributes
    ----------
    n, min_window, lag, reps, seed : int
        What was simulated.
    levels : tuple of float
        Quantile levels (0.90, 0.95, 0.99).
    sadf, gsadf : ndarray, shape (3,)
        Critical values of the whole-sample statistics.
    bsadf : ndarray, shape (n, 3)
        Quantiles of the simulated BSADF at each end position (NaN before
        the first complete window): the exact null distribution of the
        monitored statistic.
    sadf_path : ndarray, shape (n, 3)
        Quantiles of SADF on the sample up to each end position, the
        critical value PSY (2015, eq. 7) and exuber use for date-stamping.
    """

    n: int
    min_window: int
    lag: int
    reps: int
    seed: int
    levels: tuple[float, ...]
    sadf: np.ndarray
    gsadf: np.ndarray
    bsadf: np.ndarray
    sadf_path: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        cols = [f"bsadf_{int(q * 100)}" for q in self.levels] + [f"sadf_path_{int(q * 100)}" for q in self.levels]
        return pd.DataFrame(np.hstack([self.bsadf, self.sadf_path]), columns=cols)

    def summary(self) -> str:
        return (
            f"PSY critical values (n={self.n}, min_window={self.min_window}, lag={self.lag}, "
            f"{self.reps} reps, seed {self.seed}): GSADF 90/95/99% = "
            + "/".join(f"{v:.3f}" for v in self.gsadf)
        )


def _cache_key(n: int, min_window: int, lag: int, reps: int, seed: int, drift: float | None = None) -> str:
    tail = "drift1overn" if drift is None else f"drift{drift!r}-timemajor"
    raw = f"psy-v2-n{n}-w{min_window}-k{lag}-r{reps}-s{seed}-{tail}"
    return f"{raw}-{hashlib.sha1(raw.encode()).hexdigest()[:8]}.npz"


_CV_CHUNK = 50
"""Replications per Monte Carlo chunk of the critical values (fixed: it decides the random streams)."""


def _null_chunk(rng: np.random.Generator, n_reps: int, start: int, n: int, lag: int, min_window: int,
                drift: float | None = None):
    """Monte Carlo kernel: SADF, GSADF and the BSADF/ADF sequences of ``n_reps`` null random walks.

    With the default drift 1/n the shocks are drawn path by path; with a fixed
    ``drift`` (the real-time mode) they are drawn date by date, so that a
    longer sample extends every path without changing its beginning.
    """
    if drift is None:
        eps = rng.standard_normal((n_reps, n))
    else:
        eps = np.ascontiguousarray(rng.standard_normal((n, n_reps)).T)
    sadf, gsadf = np.empty(n_reps), np.empty(n_reps)
    bsadf, badf = np.empty((n_reps, n)), np.empty((n_reps, n))
    _psy_kernels.psy_null_sup_stats(eps, lag, min_window, 1.0 / n if drift is None else drift, bsadf, sadf, gsadf,
                                    badf)
    return sadf, gsadf, bsadf, badf


def _chunk_progress(on_progress: Callable[[int], None], reps: int, chunk: int) -> Callable[[int, int], None]:
    """Adapt the engine's ``(done_chunks, total)`` to ``on_progress(replications just finished)``."""
    seen = [0]

    def report(done: int, total: int) -> None:
        finished = min(reps, done * chunk)
        on_progress(finished - seen[0])
        seen[0] = finished

    return report


def psy_critical_values(
    n: int,
    min_window: int | None = None,
    lag: int = 0,
    *,
    reps: int = 1000,
    seed: int = 0,
    cache: bool | str | Path = True,
    on_progress: Callable[[int], None] | None = None,
    drift: float | None = None,
) -> PSYCriticalValues:
    """Finite-sample critical values by seeded Monte Carlo under the unit-root null.

    Parameters
    ----------
    n : int
        Sample size (observations).
    min_window : int, optional
        Minimum window in regression rows; default :func:`psy_min_window`.
    lag : int, default 0
        ADF lag used in the test (the simulation uses the same lag).
    reps : int, default 1000
        Replications.
    seed : int, default 0
        Seed of the shocks: replication chunk ``c`` always uses
        ``SeedSequence(seed).spawn(...)[c]``, so results do not depend on threads.
    cache : bool or path, default True
        True: read/write :func:`cache_dir`; a path: that folder; False: no cache.
    on_progress : callable, optional
        Called with the number of replications just finished.
    drift : float, optional
        Drift of the simulated null. Default 1/n (PSY 2015, eq. 5), which
        depends on the final sample size. A fixed drift (the real-time mode,
        :func:`realtime_min_window`) also draws the shocks date by date, so
        the critical value at each date is the same whatever the sample size.

    Returns
    -------
    PSYCriticalValues
    """
    min_window = psy_min_window(n) if min_window is None else int(min_window)
    _check(n, lag, min_window, "psy_critical_values")
    if reps < 20:
        raise SpecError(f"The 'reps' parameter of psy_critical_values must be >= 20. Got {reps!r} instead.")
    folder = None if cache is False else (cache_dir() if cache is True else Path(cache))
    path = folder / _cache_key(n, min_window, lag, reps, seed, drift) if folder is not None else None
    if path is not None and path.exists():
        with np.load(path) as z:
            if on_progress is not None:
                on_progress(reps)
            return PSYCriticalValues(
                n, min_window, lag, reps, seed, _LEVELS, z["sadf"], z["gsadf"], z["bsadf"], z["sadf_path"]
            )
    # replication chunk c draws from SeedSequence(seed).spawn(n_chunks)[c] (the Monte Carlo engine)
    progress = None if on_progress is None else _chunk_progress(on_progress, reps, _CV_CHUNK)
    parts = map_chunks(_null_chunk, reps, seed=seed, chunk_size=_CV_CHUNK, args=(n, lag, min_window, drift),
                       threads=1, progress=progress)
    sadf = np.concatenate([p[0] for p in parts])
    gsadf = np.concatenate([p[1] for p in parts])
    bsadf = np.concatenate([p[2] for p in parts])
    badf = np.concatenate([p[3] for p in parts])
    q = np.asarray(_LEVELS)
    first = min_window + lag
    cv_b = np.full((n, 3), np.nan)
    cv_b[first:] = np.quantile(bsadf[:, first:], q, axis=0).T
    # PSY (2015, eq. 7): at each end date, the critical value of SADF on the sample up to it,
    # i.e. quantiles of the running maximum of the forward ADF sequence
    cv_s = np.full((n, 3), np.nan)
    cv_s[first:] = np.quantile(np.maximum.accumulate(badf[:, first:], axis=1), q, axis=0).T
    result = PSYCriticalValues(
        n, min_window, lag, reps, seed, _LEVELS, np.quantile(sadf, q), np.quantile(gsadf, q), cv_b, cv_s
    )
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, sadf=result.sadf, gsadf=result.gsadf, bsadf=result.bsadf, sadf_path=result.sadf_path)
            os.replace(tmp, path)
        except OSError:  # read-only home: the values are still returned
            pass
    return result


@dataclass(frozen=True)
class PSYTest:
    """Settings of the PSY test and its date-stamping.

    Parameters
    ----------
    lag : int, default 0
        Lagged differences in every ADF regression (exuber's default).
    min_window : "realtime", "hindsight", None or int, default "realtime"
        Minimum window in regression rows. ``"realtime"`` (default): the
        window and the null's drift from :func:`realtime_min_window` (a
        decade of observations at the data's frequency), with critical values
        drawn so that nothing at a date depends on the sample size after it
        (``tests/test_lookahead.py``). ``"hindsight"`` (or None): PSY's (2015)
        and exuber's :func:`psy_min_window` of the *whole* sample size, known
        only in hindsight (as is the simulated null's drift 1/T). An int: that
        window (the drift stays 1/T, hindsight).
    log : bool, default True
        Test log values (a bubble is explosive growth of the log price).
    reps : int, default 1000
        Monte Carlo replications for the critical values.
    seed : int, default 0
        Seed of the Monte Carlo.
    level : float, default 0.95
        Critical-value level for the test and date-stamping (0.90, 0.95 or 0.99).
    min_duration : int, optional
        Shortest episode in observations; default ``round(log(t + 1))`` with
        t + 1 the observations known at each date (PSY's log T, in real time).
    sensitivity_lags : tuple of int, default (0, 1, 2, 3)
        Lags for :meth:`PSYResult.lag_sensitivity`.
    cache : bool or path, default True
        Where critical values are cached (see :func:`psy_critical_values`).
    dating_cv : {"sadf", "bsadf"}, default "sadf"
        Critical value sequence for date-stamping: ``"sadf"`` follows PSY
        (2015, eq. 7) and exuber (SADF on the sample up to each date);
        ``"bsadf"`` uses the simulated quantiles of BSADF itself at each date.
    """

    lag: int = 0
    min_window: int | str | None = "realtime"
    log: bool = True
    reps: int = 1000
    seed: int = 0
    level: float = 0.95
    min_duration: int | None = None
    sensitivity_lags: tuple[int, ...] = (0, 1, 2, 3)
    cache: bool | str | Path = True
    dating_cv: str = "sadf"

    def __post_init__(self) -> None:
        if self.dating_cv not in ("sadf", "bsadf"):
            raise SpecError(
                f"The 'dating_cv' parameter of PSYTest must be 'sadf' or 'bsadf'. Got {self.dating_cv!r} instead."
            )
        if self.level not in _LEVELS:
            raise SpecError(f"The 'level' parameter of PSYTest must be one of {_LEVELS}. Got {self.level!r} instead.")
        if not isinstance(self.lag, int | np.integer) or self.lag < 0:
            raise SpecError(f"The 'lag' parameter of PSYTest must be an int >= 0. Got {self.lag!r} instead.")
        if isinstance(self.min_window, str):
            if self.min_window not in ("realtime", "hindsight"):
                raise SpecError(
                    "The 'min_window' parameter of PSYTest must be 'realtime', 'hindsight', None or an int. "
                    f"Got {self.min_window!r}."
                )
        elif self.min_window is not None and self.min_window < self.lag + 3:
            raise SpecError(
                f"The 'min_window' parameter of PSYTest must be >= lag + 3 = {self.lag + 3}. Got {self.min_window!r}."
            )
        if self.min_duration is not None and self.min_duration < 1:
            raise SpecError(f"The 'min_duration' parameter of PSYTest must be >= 1. Got {self.min_duration!r}.")

    def statistics(self, series: pd.Series, lag: int | None = None) -> tuple[float, float, np.ndarray]:
        """SADF, GSADF and the BSADF sequence (NaN before the first window) at ``lag``."""
        y, x = self._prepare(series)
        k = self.lag if lag is None else lag
        mw = self._min_window(y)
        _check(len(x), k, mw, f"PSYTest on {y.name}")
        seq = np.empty(len(x))
        sadf, gsadf = _psy_kernels.adf_sup(x, k, mw, seq, np.empty(len(x)))
        return float(sadf), float(gsadf), seq

    def _prepare(self, series: pd.Series) -> tuple[pd.Series, np.ndarray]:
        y = as_series(series, name=str(getattr(series, "name", None) or "series"), positive=self.log, min_obs=3)
        x = np.log(y.to_numpy()) if self.log else y.to_numpy()
        return y, np.ascontiguousarray(x, dtype=float)

    def _min_window(self, y: pd.Series) -> int:
        if self.min_window == "realtime":
            return max(realtime_min_window(y.index)[0], self.lag + 3)
        return psy_min_window(len(y)) if self.min_window in (None, "hindsight") else self.min_window

    @property
    def window_rule(self) -> str:
        """How the minimum window was fixed: real time, hindsight (full sample) or given."""
        if self.min_window == "realtime":
            return "real time: PSY's rule at a decade of observations"
        if self.min_window in (None, "hindsight"):
            return "hindsight: PSY's rule at the full sample size"
        return "given"

    def _drift(self, y: pd.Series) -> float | None:
        return float(1.0 / realtime_min_window(y.index)[1]) if self.min_window == "realtime" else None

    def fit(self, series: pd.Series, *, on_progress: Callable[[int], None] | None = None) -> PSYResult:
        """Run the test, the Monte Carlo critical values (cached) and the date-stamping.

        Parameters
        ----------
        series : pandas.Series
            The series on a DatetimeIndex (> 0 when ``log``).
        on_progress : callable, optional
            Called with Monte Carlo replications finished.
        """
        y, x = self._prepare(series)
        n = len(x)
        mw = self._min_window(y)
        _check(n, self.lag, mw, f"PSYTest on {y.name}")
        sadf, gsadf, seq = self.statistics(y)
        cv = psy_critical_values(
            n, mw, self.lag, reps=self.reps, seed=self.seed, cache=self.cache, on_progress=on_progress,
            drift=self._drift(y),
        )
        sens = {}
        for k in self.sensitivity_lags:
            try:
                s_k, g_k, _ = self.statistics(y, lag=k)
            except (DataError, SpecError):
                continue
            sens[int(k)] = (s_k, g_k)
        return PSYResult(
            index=y.index, bsadf=seq, sadf=sadf, gsadf=gsadf, cv=cv, lag_stats=sens, model=self
        )


@dataclass(frozen=True, eq=False)
class PSYResult(Summarised):
    """SADF/GSADF, the real-time BSADF sequence, its critical values and the episodes.

    Attributes
    ----------
    index : DatetimeIndex
        Dates of the series.
    bsadf : ndarray, shape (n,)
        BSADF at each date (NaN before the first complete window).
    sadf, gsadf : float
        Whole-sample statistics at the chosen lag.
    cv : PSYCriticalValues
        Monte Carlo critical values.
    lag_stats : dict
        ``{lag: (sadf, gsadf)}`` for the sensitivity lags.
    """

    index: pd.DatetimeIndex
    bsadf: np.ndarray
    sadf: float
    gsadf: float
    cv: PSYCriticalValues
    lag_stats: dict
    model: PSYTest

    @property
    def _level_idx(self) -> int:
        return _LEVELS.index(self.model.level)

    @property
    def bsadf_cv(self) -> np.ndarray:
        """The date-stamping critical value at each date (see ``PSYTest.dating_cv``)."""
        table = self.cv.sadf_path if self.model.dating_cv == "sadf" else self.cv.bsadf
        return table[:, self._level_idx]

    @property
    def rejects(self) -> bool:
        """GSADF above its critical value at the chosen level."""
        return bool(self.gsadf > self.cv.gsadf[self._level_idx])

    @property
    def min_duration(self) -> int:
        """Minimum duration at the last date (observations); see :meth:`min_duration_at`."""
        return int(self.min_duration_at(len(self.index) - 1))

    def min_duration_at(self, t: int | np.ndarray) -> int | np.ndarray:
        """Minimum duration (observations) a run must reach to be confirmed at date index t.

        PSY (2015, sec. 4) use :math:`\\log T` with T the sample size; here T is
        the number of observations *known at t* (t + 1), so whether an episode
        is confirmed at a date never depends on how much data came later. A
        fixed ``PSYTest.min_duration`` overrides the rule.
        """
        md = self.model.min_duration
        if md is not None:
            return md if np.ndim(t) == 0 else np.full(np.shape(t), md)
        return np.maximum(1, np.round(np.log(np.asarray(t) + 1.0)).astype(int)) if np.ndim(t) else max(
            1, int(round(np.log(t + 1.0)))
        )

    def _runs(self) -> list[tuple[int, int, int]]:
        """(start, confirmed, stop) index of each run of BSADF above its critical value.

        ``confirmed`` is the first date at which the run has lasted the minimum
        duration known at that date; runs never confirmed are dropped.
        """
        above = np.nan_to_num(self.bsadf, nan=-np.inf) > np.nan_to_num(self.bsadf_cv, nan=np.inf)
        n = len(above)
        edges = np.diff(np.concatenate([[False], above, [False]]).astype(np.int8))
        out = []
        for i, j in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            k = np.arange(i, j)
            ok = np.flatnonzero(k - i + 1 >= self.min_duration_at(k))
            if ok.size:
                out.append((int(i), int(k[ok[0]]), int(j) if j < n else -1))
        return out

    def episodes(self) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
        """Date-stamped explosive episodes (start, end) from BSADF > critical value.

        Start is the first date above the critical value; end the first date
        back below (None if still above at the last date). A run counts once
        it has lasted the minimum duration known at the time
        (:meth:`min_duration_at`, :math:`\\log` of the observations so far).
        Every date uses only data up to that date (the critical value at a
        date depends only on the sample size up to it).
        """
        return [(self.index[i], None if j < 0 else self.index[j]) for i, _, j in self._runs()]

    def warnings(self) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
        """Real-time warnings: episodes, each dated when it *became* known.

        A run of exceedances is only known to be an episode once it has
        lasted the minimum duration, so the warning date is the date it was
        confirmed (:meth:`_runs`).
        """
        return [(self.index[c], None if j < 0 else self.index[j]) for _, c, j in self._runs()]

    def lag_sensitivity(self) -> pd.DataFrame:
        """SADF and GSADF at each sensitivity lag, with the chosen lag's 95% critical values."""
        rows = [
            {"lag": k, "sadf": s, "gsadf": g} for k, (s, g) in sorted(self.lag_stats.items())
        ]
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per date: BSADF, its critical value, and whether it is above."""
        cv = self.bsadf_cv
        return pd.DataFrame(
            {"bsadf": self.bsadf, "bsadf_cv": cv, "above": np.nan_to_num(self.bsadf, nan=-np.inf) > np.nan_to_num(cv, nan=np.inf)},
            index=self.index,
        )

    def summary(self) -> str:
        i = self._level_idx
        eps = self.episodes()
        lines = [
            f"PSY test (lag {self.model.lag}, min window {self.cv.min_window} rows ({self.model.window_rule}), "
            f"{self.cv.reps} reps, "
            f"seed {self.cv.seed}): SADF {self.sadf:.3f} (cv {self.cv.sadf[i]:.3f}), "
            f"GSADF {self.gsadf:.3f} (cv {self.cv.gsadf[i]:.3f}) at {int(self.model.level * 100)}%: "
            + ("explosive" if self.rejects else "no explosive episode detected"),
            f"{len(eps)} episode(s): "
            + ", ".join(f"{s.date()}..{e.date() if e is not None else 'open'}" for s, e in eps),
            "GSADF by lag: " + ", ".join(f"{k}: {g:.2f}" for k, (_, g) in sorted(self.lag_stats.items())),
        ]
        return "\n".join(lines)

