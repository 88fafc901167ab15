r"""Are the monitor's probabilities honest? One-step and horizon calibration, in real time.

Every statistic here is computed from forecasts made with data dated <= t and
scored against what followed, so it measures what a user of the real-time
monitor would have experienced.

* **One-step PIT.** With the scale :math:`\hat\sigma^2_{t-1}` estimated on data
  before t, the standardised innovation :math:`e_t = v_t / \sqrt{F_t
  \hat\sigma^2_{t-1}}` is Student-t with the degrees of freedom used so far
  (Harvey 1989, sec. 3.4: recursive residuals of a model with a concentrated
  scale); its probability integral transform :math:`u_t = F_t(e_t)` is
  uniform under the model (Dawid 1984; Diebold, Gunther and Tay 1998).
* **Coverage** of the central 50/80/90 % one-step intervals: the share of
  :math:`|u_t - 1/2| \le c/2`, with Christoffersen's (1998) likelihood-ratio
  test of conditional coverage (correct rate *and* independent misses,
  :math:`\chi^2_2`).
* **Ljung-Box** (1978) on :math:`z_t = \Phi^{-1}(u_t)` and its lag-1
  autocorrelation; **Berkowitz** (2001): an AR(1) for :math:`z_t` against
  i.i.d. N(0, 1), likelihood ratio :math:`\chi^2_3`; Kolmogorov-Smirnov of
  :math:`u_t` against the uniform.
* **The one-step predictive's shape** (``KinematicsModel.predictive``). The
  default is the Student-t above. On FRED-MD its 50 % intervals cover 57 %:
  the standardised innovations are more peaked and heavier-tailed than that
  (a Student-t with 4 to 8 degrees of freedom fits them). Two real-time fixes,
  stated before they were scored: ``fitted-t``, a unit-variance Student-t
  whose degrees of freedom (from :data:`SHAPE_DOF`) maximise the likelihood
  of the standardised innovations scored *before* t; and ``empirical``, their
  empirical distribution (probabilistic calibration in the sense of
  Gneiting, Balabdaoui and Raftery 2007). Both keep the variance the running
  scale gives and change only the one-step intervals scored here: S, S',
  S'', their bands and P(S''<0) do not move (the state's posterior is a
  weighted sum of many innovations, closer to normal than any one of them).
* **Reliability** of P(growth over the horizon < 0): the real-time
  predictive probability that :math:`\log S_{t+h} - \log S_t < 0` (Student-t,
  the h-step predictive variance of the state-space model), binned, against
  the share of bins in which growth over the horizon was in fact negative
  (Murphy and Winkler 1977), with the Brier score.

References
----------
.. [1] Christoffersen, P. F. (1998). "Evaluating interval forecasts."
   International Economic Review 39(4), 841-862.
.. [2] Berkowitz, J. (2001). "Testing density forecasts, with applications to
   risk management." Journal of Business & Economic Statistics 19(4), 465-474.
.. [3] Diebold, F. X., Gunther, T. A. and Tay, A. S. (1998). "Evaluating
   density forecasts." International Economic Review 39(4), 863-883.
.. [4] Ljung, G. M. and Box, G. E. P. (1978). "On a measure of lack of fit in
   time series models." Biometrika 65(2), 297-303.
.. [5] Murphy, A. H. and Winkler, R. L. (1977). "Reliability of subjective
   probability forecasts of precipitation and temperature." JRSS C 26(1).
.. [6] Gneiting, T., Balabdaoui, F. and Raftery, A. E. (2007). "Probabilistic
   forecasts, calibration and sharpness." JRSS B 69(2), 243-268.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from borrowedtime._checks import require
from borrowedtime._results import Summarised
from borrowedtime.errors import DataError, SpecError
from borrowedtime.monitor._kalman import covariance_path
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.result import KinematicsResult
from borrowedtime.monitor.statespace import _DIFFUSE, _system
from borrowedtime.series import as_series

__all__ = [
    "Calibration",
    "CalibrationResult",
    "christoffersen",
    "berkowitz",
    "coverage_of",
    "one_step_pit",
]

LEVELS = (0.5, 0.8, 0.9)


def coverage_of(pit: np.ndarray, level: float) -> np.ndarray:
    """True where the outcome fell inside the central ``level`` interval (PIT within level/2 of 1/2)."""
    return np.abs(np.asarray(pit) - 0.5) <= level / 2.0


def christoffersen(inside: np.ndarray, level: float) -> dict:
    """Christoffersen's (1998) unconditional, independence and conditional coverage tests.

    Parameters
    ----------
    inside : ndarray of bool
        True where the outcome fell inside the interval, in time order.
    level : float
        Nominal coverage of the interval.

    Returns
    -------
    dict
        ``lr_uc``, ``lr_ind``, ``lr_cc`` and their p-values (chi-squared with
        1, 1 and 2 degrees of freedom).
    """
    miss = ~np.asarray(inside, dtype=bool)
    n = miss.size
    if n < 2:
        raise DataError(f"Christoffersen test: need at least 2 outcomes, got {n}.")
    p = 1.0 - level
    n1 = int(miss.sum())
    n0 = n - n1

    def _ll(k0: float, k1: float, prob: float) -> float:
        out = 0.0
        if k0:
            out += k0 * np.log(1.0 - prob) if prob < 1 else -np.inf
        if k1:
            out += k1 * np.log(prob) if prob > 0 else -np.inf
        return out

    pi = n1 / n
    lr_uc = -2.0 * (_ll(n0, n1, p) - _ll(n0, n1, pi))
    a, b = miss[:-1], miss[1:]
    n00 = int((~a & ~b).sum())
    n01 = int((~a & b).sum())
    n10 = int((a & ~b).sum())
    n11 = int((a & b).sum())
    pi0 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi1 = n11 / (n10 + n11) if n10 + n11 else 0.0
    pi_all = (n01 + n11) / (n - 1)
    lr_ind = -2.0 * (_ll(n00 + n10, n01 + n11, pi_all) - (_ll(n00, n01, pi0) + _ll(n10, n11, pi1)))
    lr_cc = lr_uc + lr_ind
    return {
        "lr_uc": float(lr_uc),
        "lr_ind": float(lr_ind),
        "lr_cc": float(lr_cc),
        "pvalue_uc": float(stats.chi2.sf(lr_uc, 1)),
        "pvalue_ind": float(stats.chi2.sf(lr_ind, 1)),
        "pvalue_cc": float(stats.chi2.sf(lr_cc, 2)),
    }


def berkowitz(z: np.ndarray) -> dict:
    """Berkowitz (2001) likelihood-ratio test of z_t ~ i.i.d. N(0, 1) against a Gaussian AR(1).

    The AR(1) :math:`z_t - \\mu = \\rho (z_{t-1} - \\mu) + \\varepsilon_t` is fitted by
    conditional maximum likelihood (least squares on t = 2..n); the statistic
    :math:`-2(L(0, 1, 0) - L(\\hat\\mu, \\hat\\sigma^2, \\hat\\rho))` is
    chi-squared with 3 degrees of freedom under the null.
    """
    z = np.asarray(z, dtype=float)
    if z.size < 10:
        raise DataError(f"Berkowitz test: need at least 10 values, got {z.size}.")
    x, y = z[:-1], z[1:]
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = float(resid @ resid / y.size)
    ll_alt = float(stats.norm.logpdf(resid, scale=np.sqrt(s2)).sum())
    ll_null = float(stats.norm.logpdf(y).sum())
    lr = -2.0 * (ll_null - ll_alt)
    rho = float(beta[1])
    mu = float(beta[0] / (1.0 - rho)) if abs(1.0 - rho) > 1e-12 else float("nan")
    return {"lr": lr, "pvalue": float(stats.chi2.sf(lr, 3)), "mu": mu, "rho": rho, "sigma2": s2}


@dataclass(frozen=True)
class Calibration:
    """How the monitor's real-time forecasts are scored (specification).

    Parameters
    ----------
    model : KinematicsModel
        The filter whose forecasts are scored.
    horizon_years : float, default 2.0
        Horizon of the growth whose sign is forecast (the refinancing horizon
        H of :class:`~borrowedtime.monitor.regimes.RegimeRule`); on seasonal data a
        whole number of years.
    lags : int, optional
        Ljung-Box lags; default one year of observations (12 monthly, 4
        quarterly), at least 4 and at most 24.
    bins : int, default 10
        Bins of the PIT histogram and of the reliability diagram.
    min_dof : int, default 12
        Standardised innovations already used by the scale estimate before a
        one-step forecast is scored (the first forecasts rest on a handful of
        residuals; they are Student-t with few degrees of freedom and add
        little but noise).
    """

    model: KinematicsModel = field(default_factory=KinematicsModel)
    horizon_years: float = 2.0
    lags: int | None = None
    bins: int = 10
    min_dof: int = 12

    def __post_init__(self) -> None:
        require(self.horizon_years > 0, self, "horizon_years", "> 0")
        require(self.lags is None or self.lags >= 1, self, "lags", ">= 1")
        require(self.bins >= 2, self, "bins", ">= 2")
        require(self.min_dof >= 1, self, "min_dof", ">= 1")

    def fit(self, data: pd.Series | pd.DataFrame) -> CalibrationResult:
        """Fit the model in real time on a series or a panel and score its forecasts."""
        if isinstance(data, pd.Series):
            data = as_series(data, name=str(data.name or "series"))
        kin = self.model.fit(data)
        return self.score(kin)

    def score(self, kin: KinematicsResult) -> CalibrationResult:
        """Score the one-step and horizon forecasts of a fitted model."""
        pit = one_step_pit(kin, self.min_dof)
        freq = kin.frequency
        lags = self.lags or int(min(24, max(4, round(freq.periods_per_year))))
        p_neg, realised = _horizon_forecasts(kin, self.horizon_years)
        rows = []
        for i, name in enumerate(kin.names):
            u = pit[i][np.isfinite(pit[i])]
            if u.size < max(20, lags + 2):
                raise DataError(
                    f"{name}: only {u.size} scored one-step forecasts; calibration needs at least "
                    f"{max(20, lags + 2)} (a longer series)."
                )
            rows.append(_series_stats(u, lags, self.bins, p_neg[i], realised[i]))
        return CalibrationResult(
            names=kin.names,
            index=kin.index,
            pit=pit,
            p_negative=p_neg,
            realised_negative=realised,
            stats=tuple(rows),
            lags=lags,
            spec=self,
        )


#: Degrees of freedom tried by ``predictive="fitted-t"`` (unit-variance Student-t; inf: the normal).
SHAPE_DOF: tuple[float, ...] = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, np.inf)
#: Past scored innovations needed before a fitted shape replaces the default Student-t.
MIN_SHAPE_OBS = 30


def one_step_pit(kin: KinematicsResult, min_dof: int = 12) -> np.ndarray:
    """Real-time PIT of each one-step forecast under the model's ``predictive`` shape.

    Returns (series, time), NaN where not scored (nothing observed, or the scale
    rests on fewer than ``min_dof`` innovations). ``t``: Student-t CDF of the
    standardised innovation with the scale's degrees of freedom. ``fitted-t``
    and ``empirical`` use the standardised innovations scored *before* t only
    (at least :data:`MIN_SHAPE_OBS`; the default Student-t until then):
    the unit-variance Student-t whose dof in :data:`SHAPE_DOF` maximises their
    likelihood, or their empirical CDF (mid-rank, (below + 1/2) / (past + 1)).
    """
    e, dof = _standardised(kin)
    usable = np.isfinite(e) & (dof >= min_dof)
    pit = np.where(usable, stats.t.cdf(e, df=np.maximum(dof, 1)), np.nan)
    shape = kin.model.predictive
    if shape == "t":
        return pit
    ez = np.where(usable, e, 0.0)
    n_past = np.cumsum(usable, axis=1) - usable  # scored innovations strictly before t
    ready = usable & (n_past >= MIN_SHAPE_OBS)
    if shape == "fitted-t":
        best_ll = np.full(e.shape, -np.inf)
        best_cdf = np.full(e.shape, np.nan)
        for nu in SHAPE_DOF:
            if np.isinf(nu):
                ll, cdf = stats.norm.logpdf(ez), stats.norm.cdf(ez)
            else:
                sc = np.sqrt((nu - 2.0) / nu)
                ll = stats.t.logpdf(ez / sc, df=nu) - np.log(sc)
                cdf = stats.t.cdf(ez / sc, df=nu)
            past = np.cumsum(np.where(usable, ll, 0.0), axis=1) - np.where(usable, ll, 0.0)
            better = past > best_ll
            best_ll = np.where(better, past, best_ll)
            best_cdf = np.where(better, cdf, best_cdf)
        return np.where(ready, best_cdf, pit)
    out = pit.copy()  # empirical
    for i in range(e.shape[0]):
        idx = np.flatnonzero(usable[i])
        x = e[i, idx]
        below = (x[None, :] < x[:, None]) & (np.arange(idx.size)[None, :] < np.arange(idx.size)[:, None])
        k = np.arange(idx.size)
        u = (below.sum(axis=1) + 0.5) / (k + 1.0)
        ok = k >= MIN_SHAPE_OBS
        out[i, idx[ok]] = u[ok]
    return out


def _standardised(kin: KinematicsResult) -> tuple[np.ndarray, np.ndarray]:
    """e_t = v_t / sqrt(F_t sigma2_{t-1}) and the degrees of freedom of sigma2_{t-1}."""
    s2_prev = np.full_like(kin.sigma2, np.nan)
    s2_prev[:, 1:] = kin.sigma2[:, :-1]
    dof_prev = np.zeros_like(kin.dof)
    dof_prev[:, 1:] = kin.dof[:, :-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        e = kin.innovation / np.sqrt(kin.innovation_var * s2_prev)
    e = np.where(dof_prev > 0, e, np.nan)
    return e, dof_prev


def _horizon_forecasts(kin: KinematicsResult, horizon_years: float) -> tuple[np.ndarray, np.ndarray]:
    """Real-time P(log S_{t+h} - log S_t < 0) and whether it happened (NaN where unknown).

    Only for regular data on a full grid (monthly, quarterly, annual); the
    h-step predictive variance uses the full state covariance P_{t|t}.
    """
    N, n = kin.filtered.shape[:2]
    nan = np.full((N, n), np.nan)
    freq = kin.frequency
    if not freq.regular or freq.name not in ("monthly", "quarterly", "annual"):
        return nan, nan.copy()
    ppy = freq.periods_per_year
    h = horizon_years * ppy
    if abs(h - round(h)) > 1e-9 or round(h) < 1:
        raise SpecError(f"horizon of {horizon_years} years is not a whole number of {freq.name} periods.")
    h = int(round(h))
    season = kin.season
    if season and h % season:
        raise SpecError(
            f"on seasonal data the horizon must be whole years ({season} observations); got {h} observations."
        )
    dt = np.full(n, 12.0 / ppy / 12.0)
    T, Q, Z = _system(dt, kin.q, season, kin.q_s)
    m = Z.size
    A = np.linalg.matrix_power(T[1], h)
    C = np.zeros((m, m))
    Tj = np.eye(m)
    for _ in range(h):
        C += Tj @ Q[1] @ Tj.T
        Tj = T[1] @ Tj
    w = A.T @ Z
    base = float(Z @ C @ Z) + 1.0
    f = kin.filtered
    mean = f[..., 1] * horizon_years + 0.5 * f[..., 2] * horizon_years**2
    if season:
        mean = mean + f[..., 0] + kin.seasonal - kin.log_level
    else:
        mean = mean + f[..., 0] - kin.log_level
    var = np.empty((N, n))
    patterns: dict[bytes, np.ndarray] = {}
    for i in range(N):
        key = kin.observed[i].tobytes()
        if key not in patterns:
            _, _, P = covariance_path(T, Q, Z, np.eye(m) * _DIFFUSE, kin.observed[i])
            patterns[key] = np.einsum("i,tij,j->t", w, P, w) + base
        var[i] = patterns[key] * kin.sigma2[i]
    with np.errstate(invalid="ignore", divide="ignore"):
        p = stats.t.cdf(-mean / np.sqrt(var), df=np.maximum(kin.dof, 1))
    p = np.where(kin.ready & kin.observed, p, np.nan)
    y = kin.log_level
    realised = np.full((N, n), np.nan)
    realised[:, : n - h] = (y[:, h:] - y[:, : n - h] < 0).astype(float)
    realised[:, : n - h][np.isnan(y[:, h:]) | np.isnan(y[:, : n - h])] = np.nan
    p = np.where(np.isnan(realised), np.nan, p)
    return p, realised


def _series_stats(u: np.ndarray, lags: int, bins: int, p_neg: np.ndarray, realised: np.ndarray) -> dict:
    from statsmodels.stats.diagnostic import acorr_ljungbox

    z = stats.norm.ppf(np.clip(u, 1e-12, 1 - 1e-12))
    lb = acorr_ljungbox(z, lags=[lags])
    zc = z - z.mean()
    acf1 = float(zc[1:] @ zc[:-1] / (zc @ zc))
    cover = {}
    tests = {}
    for c in LEVELS:
        inside = coverage_of(u, c)
        cover[str(c)] = float(inside.mean())
        tests[str(c)] = christoffersen(inside, c)["pvalue_cc"]
    hist, _ = np.histogram(u, bins=bins, range=(0.0, 1.0))
    ok = np.isfinite(p_neg) & np.isfinite(realised)
    rel = []
    brier = None
    if ok.any():
        pp, rr = p_neg[ok], realised[ok]
        edges = np.linspace(0, 1, bins + 1)
        which = np.clip(np.digitize(pp, edges) - 1, 0, bins - 1)
        for b in range(bins):
            sel = which == b
            if sel.any():
                rel.append({"bin": [float(edges[b]), float(edges[b + 1])], "forecast": float(pp[sel].mean()),
                            "observed": float(rr[sel].mean()), "count": int(sel.sum())})
        brier = float(np.mean((pp - rr) ** 2))
    return {
        "n": int(u.size),
        "coverage": cover,
        "christoffersen_pvalue": tests,
        "ljung_box_pvalue": float(lb["lb_pvalue"].iloc[0]),
        "pit_ks_pvalue": float(stats.kstest(u, "uniform").pvalue),
        "innovation_acf1": acf1,
        "innovation_sd": float(z.std()),
        "berkowitz_pvalue": berkowitz(z)["pvalue"],
        "pit_histogram": [int(x) for x in hist],
        "reliability": rel,
        "brier": brier,
    }


@dataclass(frozen=True, eq=False)
class CalibrationResult(Summarised):
    """Calibration of real-time forecasts, per series (frozen result).

    ``pit`` (series, time) holds the one-step PITs (NaN where not scored);
    ``p_negative`` the real-time P(growth over the horizon < 0) and
    ``realised_negative`` whether it was (1.0/0.0; NaN where the horizon
    runs past the data). ``stats`` has one dict per series (see :meth:`to_dict`).
    """

    names: tuple[str, ...]
    index: pd.DatetimeIndex
    pit: np.ndarray
    p_negative: np.ndarray
    realised_negative: np.ndarray
    stats: tuple[dict, ...]
    lags: int
    spec: Calibration = field(repr=False)

    def _i(self, series: int | str) -> int:
        return self.names.index(series) if isinstance(series, str) else int(series)

    def to_dict(self, series: int | str = 0) -> dict:
        """The JSON fields of one series: coverage, tests, PIT histogram, reliability."""
        i = self._i(series)
        m = self.spec.model
        return {
            "series": self.names[i],
            "model": {"cutoff_years": m.cutoff_years, "seasonal": m.seasonal, "averaging": m.averaging,
                      "momentum": m.momentum, "predictive": m.predictive,
                      "scale_memory_years": m.scale_memory_years},
            "horizon_years": self.spec.horizon_years,
            "ljung_box_lags": self.lags,
            **self.stats[i],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per series: coverage at 50/80/90 %, p-values, lag-1 autocorrelation."""
        rows = []
        for name, s in zip(self.names, self.stats, strict=True):
            rows.append(
                {
                    "series": name,
                    "n": s["n"],
                    **{f"coverage_{k}": v for k, v in s["coverage"].items()},
                    **{f"christoffersen_p_{k}": v for k, v in s["christoffersen_pvalue"].items()},
                    "ljung_box_pvalue": s["ljung_box_pvalue"],
                    "pit_ks_pvalue": s["pit_ks_pvalue"],
                    "berkowitz_pvalue": s["berkowitz_pvalue"],
                    "innovation_acf1": s["innovation_acf1"],
                    "innovation_sd": s["innovation_sd"],
                    "brier": s["brier"],
                }
            )
        return pd.DataFrame(rows).set_index("series")

    def summary(self) -> str:
        f = self.to_frame()
        med = f.median(numeric_only=True)
        return (
            f"Calibration of {len(self.names)} series (one-step, real time): median coverage "
            f"50 % -> {med['coverage_0.5']:.1%}, 80 % -> {med['coverage_0.8']:.1%}, 90 % -> {med['coverage_0.9']:.1%}; "
            f"median innovation lag-1 autocorrelation {med['innovation_acf1']:+.2f}"
        )

    def __repr__(self) -> str:
        return f"CalibrationResult({len(self.names)} series, horizon {self.spec.horizon_years:g} y)"
