r"""Portfolio credit loss: the Basel IRB formulas and the large-pool and finite-pool closed forms.

Four closed forms, each checked against published values in
``tests/credit/test_portfolio.py``:

* :func:`risk_weight` / :func:`capital_requirement` -- the Basel II IRB
  risk-weight functions for corporate (with the SME firm-size adjustment),
  residential-mortgage, qualifying-revolving and other retail exposures
  (BCBS, *International Convergence of Capital Measurement and Capital
  Standards, Comprehensive Version*, June 2006, paragraphs 272-273 and
  328-330; illustrative values in Annex 5);
* :func:`large_pool_quantile` -- the loss fraction of an infinitely granular
  homogeneous pool at a quantile, one-factor Gaussian (Vasicek 2002) or
  Student-t copula (the large-pool limit of Schloegl and O'Kane 2005);
* :func:`finite_pool_tail` -- P(defaults >= k) in a pool of n loans under
  the Gaussian one-factor model, by quadrature over the factor.

The Monte Carlo of named, concentrated books is in
:mod:`borrowedtime.credit.copula`.

Notes
-----
Units: probabilities, LGD, correlations and loss fractions are decimals;
maturity in years; turnover in EUR million (the Basel text's unit).

**Student-t large-pool limit.** With the t copula obligor i defaults when
:math:`X_i = \sqrt{\nu/V}\,(\sqrt\rho\,Z + \sqrt{1-\rho}\,\varepsilon_i)
\le t_\nu^{-1}(p)`, :math:`V\sim\chi^2_\nu` shared by all obligors. Given
:math:`(Z, V)` the default probability is
:math:`\Phi\big((t_\nu^{-1}(p)\sqrt{V/\nu} - \sqrt\rho Z)/\sqrt{1-\rho}\big)`,
which is the loss fraction of the infinite pool; it is at most :math:`x` when
:math:`Z \ge (t_\nu^{-1}(p)\sqrt{V/\nu} - \sqrt{1-\rho}\,\Phi^{-1}(x))/\sqrt\rho`, so

.. math:: P(L \le x) = E_V\Big[\Phi\Big(\frac{\sqrt{1-\rho}\,\Phi^{-1}(x)
          - t_\nu^{-1}(p)\sqrt{V/\nu}}{\sqrt\rho}\Big)\Big].

The expectation over :math:`V` is taken by adaptive quadrature on the
probability scale (:math:`V = F_{\chi^2_\nu}^{-1}(u)`, :math:`u\in(0,1)`: a
bounded integrand on a bounded interval), and the quantile by root finding.
SciPy's non-central t distribution, which gives the same limit in closed
form, returned NaN at extreme parameters and is not used.

References
----------
.. [1] Basel Committee on Banking Supervision (2006). *International
   Convergence of Capital Measurement and Capital Standards: A Revised
   Framework, Comprehensive Version*, June 2006, paras 272-273, 328-330, Annex 5.
.. [2] Vasicek, O. (2002). "The distribution of loan portfolio value." *Risk* 15(12).
.. [3] Schloegl, L. and O'Kane, D. (2005). "A note on the large homogeneous
   portfolio approximation with the Student-t copula." *Finance and
   Stochastics* 9(4), 577-584.
.. [4] McNeil, A. J., Frey, R. and Embrechts, P. (2015). *Quantitative Risk
   Management*, revised ed., chapter 11 (Bernoulli mixture models).
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize, stats

from borrowedtime.credit._checks import check_lgd, check_probability, check_rho
from borrowedtime.errors import SpecError

__all__ = [
    "ASSET_CLASSES",
    "asset_correlation",
    "maturity_adjustment",
    "capital_requirement",
    "risk_weight",
    "vasicek_quantile",
    "large_pool_cdf",
    "large_pool_quantile",
    "finite_pool_tail",
]

#: Asset classes of :func:`risk_weight` (Basel II paragraphs 272-273, 328-330).
ASSET_CLASSES = ("corporate", "sme", "residential_mortgage", "qrre", "other_retail")
_Q_REG = 0.999  # the regulatory confidence level of the IRB formula


def _corporate_weight(p, k: float) -> np.ndarray:
    return (1.0 - np.exp(-k * p)) / (1.0 - np.exp(-k))


def asset_correlation(pd, asset_class: str = "corporate", turnover_eur_mn: float | None = None):
    """Supervisory asset correlation R of the IRB formula.

    Parameters
    ----------
    pd : float or array
        One-year probability of default, decimal.
    asset_class : str
        One of :data:`ASSET_CLASSES`.
    turnover_eur_mn : float, optional
        Annual sales, EUR million, for ``"sme"`` (floored at 5 and capped at
        50, paragraph 273); default 5 (the Annex 5 column).

    Returns
    -------
    float or array
        Correlation, decimal.
    """
    p = check_probability(pd, "pd")
    if asset_class in ("corporate", "sme"):
        w = _corporate_weight(p, 50.0)
        r = 0.12 * w + 0.24 * (1.0 - w)
        if asset_class == "sme":
            s = 5.0 if turnover_eur_mn is None else float(turnover_eur_mn)
            if not np.isfinite(s) or s <= 0:
                raise SpecError(f"turnover_eur_mn must be positive EUR million. Got {turnover_eur_mn!r}.")
            s = min(max(s, 5.0), 50.0)
            r = r - 0.04 * (1.0 - (s - 5.0) / 45.0)
        return r
    if asset_class == "residential_mortgage":
        return 0.15 + 0.0 * p
    if asset_class == "qrre":
        return 0.04 + 0.0 * p
    if asset_class == "other_retail":
        w = _corporate_weight(p, 35.0)
        return 0.03 * w + 0.16 * (1.0 - w)
    raise SpecError(f"asset_class must be one of {', '.join(ASSET_CLASSES)}. Got {asset_class!r}.")


def maturity_adjustment(pd):
    """The IRB maturity slope ``b = (0.11852 - 0.05478 ln PD)^2`` (paragraph 272)."""
    p = check_probability(pd, "pd", open_low=True)
    return (0.11852 - 0.05478 * np.log(p)) ** 2


def _vasicek(p, rho, q):
    return stats.norm.cdf((stats.norm.ppf(p) + np.sqrt(rho) * stats.norm.ppf(q)) / np.sqrt(1.0 - rho))


def capital_requirement(
    pd, lgd, maturity: float = 2.5, asset_class: str = "corporate", turnover_eur_mn: float | None = None
):
    r"""Capital requirement K per unit of exposure (Basel II IRB, unexpected loss at 99.9 %).

    .. math:: K = \Big[LGD\,\Phi\Big(\frac{\Phi^{-1}(PD) + \sqrt R\,\Phi^{-1}(0.999)}{\sqrt{1-R}}\Big)
              - PD \cdot LGD\Big]\cdot\frac{1 + (M - 2.5)\,b}{1 - 1.5\,b}

    for corporate and SME exposures; retail classes have no maturity factor.

    Parameters
    ----------
    pd : float or array
        One-year PD, decimal in (0, 1]; a PD of 1 (defaulted) gives K = 0
        here (the defaulted-exposure rule needs the bank's best estimate of EL).
    lgd : float or array
        Loss given default, decimal in [0, 1].
    maturity : float, default 2.5
        Effective maturity M, years (corporate and SME only).
    asset_class : str, default "corporate"
    turnover_eur_mn : float, optional
        Sales for the SME correlation adjustment, EUR million.

    Returns
    -------
    float or array
        K, decimal of EAD.
    """
    p = check_probability(pd, "pd", open_low=True)
    loss_given = check_lgd(lgd, "lgd")
    r = asset_correlation(p, asset_class, turnover_eur_mn)
    k = loss_given * _vasicek(p, r, _Q_REG) - p * loss_given
    if asset_class in ("corporate", "sme"):
        m = float(maturity)
        if not np.isfinite(m) or m <= 0:
            raise SpecError(f"maturity must be a positive number of years. Got {maturity!r}.")
        b = maturity_adjustment(p)
        k = k * (1.0 + (m - 2.5) * b) / (1.0 - 1.5 * b)
    return k


def risk_weight(pd, lgd, maturity: float = 2.5, asset_class: str = "corporate", turnover_eur_mn: float | None = None):
    """IRB risk weight as a decimal (0.9232 is 92.32 %): ``12.5 * K``.

    Parameters are those of :func:`capital_requirement`.

    Examples
    --------
    >>> round(float(risk_weight(0.01, 0.45)), 4)  # Basel II Annex 5: 92.32 %
    0.9232
    """
    return 12.5 * capital_requirement(pd, lgd, maturity, asset_class, turnover_eur_mn)


def vasicek_quantile(p_default, rho, q=0.999):
    r"""Loss-fraction quantile of the infinitely granular one-factor Gaussian pool (Vasicek 2002).

    .. math:: L_q = \Phi\big((\Phi^{-1}(p) + \sqrt{\rho}\,\Phi^{-1}(q)) / \sqrt{1-\rho}\big)

    Units: a decimal of exposure before LGD.
    """
    p = check_probability(p_default, "pd")
    r = check_rho(rho, "rho")
    qq = check_probability(q, "q", open_low=True, open_high=True)
    return _vasicek(p, r, qq)


def _check_copula(copula: str, dof) -> float | None:
    if copula == "gaussian":
        if dof is not None:
            raise SpecError("dof applies to copula='t' only; the Gaussian copula has none.")
        return None
    if copula == "t":
        if dof is None or isinstance(dof, bool) or not np.isfinite(float(dof)) or float(dof) <= 0:
            raise SpecError(f"copula='t' needs dof, the degrees of freedom, a number > 0. Got {dof!r}.")
        return float(dof)
    raise SpecError(f"copula must be 'gaussian' or 't'. Got {copula!r}.")


def _t_cdf_scalar(x: float, p: float, rho: float, dof: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    a = np.sqrt(1.0 - rho) * stats.norm.ppf(x)
    c = stats.t.ppf(p, dof)
    chi2 = stats.chi2(dof)

    def f(u: float) -> float:
        v = chi2.ppf(u)
        return float(stats.norm.cdf((a - c * np.sqrt(v / dof)) / np.sqrt(rho)))

    val, _ = integrate.quad(f, 0.0, 1.0, limit=200, epsabs=1e-12, epsrel=1e-10)
    return min(max(val, 0.0), 1.0)


def large_pool_cdf(x, pd, rho, copula: str = "gaussian", dof: float | None = None):
    """P(L <= x) for the loss fraction L of the large homogeneous pool (see the module notes).

    Parameters
    ----------
    x : float or array
        Loss fraction (decimal of exposure, before LGD).
    pd : float
        Default probability, decimal in (0, 1).
    rho : float
        Asset correlation in (0, 1).
    copula : {"gaussian", "t"}
    dof : float, optional
        Degrees of freedom of the t copula.
    """
    p = check_probability(pd, "pd", open_low=True, open_high=True)
    r = check_rho(rho, "rho")
    if r <= 0.0:
        raise SpecError("rho must be > 0 for the loss distribution of the large pool (at 0 the loss is the PD).")
    nu = _check_copula(copula, dof)
    xs = np.asarray(x, dtype=float)
    if nu is None:
        with np.errstate(divide="ignore"):
            out = stats.norm.cdf((np.sqrt(1.0 - r) * stats.norm.ppf(np.clip(xs, 0.0, 1.0)) - stats.norm.ppf(p)) / np.sqrt(r))
    else:
        out = np.vectorize(lambda v: _t_cdf_scalar(float(v), p, r, nu), otypes=[float])(xs)
    return float(out) if out.ndim == 0 else out


def large_pool_quantile(pd, rho, q, copula: str = "gaussian", dof: float | None = None) -> float:
    r"""Loss fraction of the large homogeneous pool at quantile ``q``.

    Gaussian: the closed form of :func:`vasicek_quantile`. Student-t: the
    root of :func:`large_pool_cdf` (quadrature over the chi-square mixing
    variable; see the module notes, after Schloegl and O'Kane 2005).

    Parameters
    ----------
    pd : float
        Default probability, decimal in (0, 1).
    rho : float
        Asset correlation in (0, 1).
    q : float
        Quantile level in (0, 1), e.g. 0.999.
    copula : {"gaussian", "t"}, default "gaussian"
    dof : float, optional
        Degrees of freedom, required for ``copula="t"``.

    Returns
    -------
    float
        Loss fraction (decimal of exposure, before LGD).

    Examples
    --------
    >>> round(large_pool_quantile(0.01, 0.2, 0.99), 6)
    0.075251
    """
    p = check_probability(pd, "pd", open_low=True, open_high=True)
    r = check_rho(rho, "rho")
    qq = check_probability(q, "q", open_low=True, open_high=True)
    nu = _check_copula(copula, dof)
    if nu is None:
        return float(_vasicek(p, r, qq))
    if r <= 0.0:
        return p
    return float(optimize.brentq(lambda x: _t_cdf_scalar(x, p, r, nu) - qq, 1e-14, 1.0 - 1e-14, xtol=1e-13, rtol=1e-12))


def finite_pool_tail(n: int, pd: float, rho: float, k: int) -> float:
    r"""P(number of defaults >= k) in a pool of ``n`` exchangeable loans, Gaussian one factor.

    .. math:: P(D \ge k) = \int \varphi(z)\,P\big(\mathrm{Bin}(n, p(z)) \ge k\big)\,dz,\qquad
              p(z) = \Phi\Big(\frac{\Phi^{-1}(p) - \sqrt\rho\,z}{\sqrt{1-\rho}}\Big)

    by adaptive quadrature over z (McNeil, Frey and Embrechts 2015, ch. 11).

    Parameters
    ----------
    n : int
        Number of loans.
    pd : float
        Default probability of each, decimal.
    rho : float
        Asset correlation, in [0, 1).
    k : int
        Threshold number of defaults.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise SpecError(f"n must be a positive int (loans in the pool). Got {n!r}.")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 0 <= k <= n:
        raise SpecError(f"k must be an int in [0, n={n}]. Got {k!r}.")
    p = check_probability(pd, "pd", open_low=True, open_high=True)
    r = check_rho(rho, "rho")
    c = stats.norm.ppf(p)

    def f(z: float) -> float:
        pz = stats.norm.cdf((c - np.sqrt(r) * z) / np.sqrt(1.0 - r))
        return float(stats.norm.pdf(z) * stats.binom.sf(k - 1, n, pz))

    val, _ = integrate.quad(f, -12.0, 12.0, limit=400, epsabs=1e-14, epsrel=1e-11, points=[0.0])
    return float(val)
