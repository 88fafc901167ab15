r"""Name concentration: Herfindahl index, top-N shares and the granularity adjustment.

* :func:`herfindahl` -- :math:`H = \sum_i s_i^2` of exposure shares
  :math:`s_i`, with the effective number of names :math:`1/H`;
* :func:`top_shares` -- share of the largest N names;
* :func:`granularity_adjustment` -- the first-order correction of the
  large-pool (ASRF) VaR for a book of few names, one-factor Gaussian model.

Notes
-----
Units: shares and loss fractions decimal; money in the units of the exposures (USD bn).

**Granularity adjustment.** Let :math:`x` be the systematic factor oriented so
that losses rise with it (:math:`x = -Z`, standard normal), and write the
conditional mean and variance of the loss :math:`L = \sum_i w_i D_i`
(:math:`w_i = EAD_i\,LGD_i`, LGD deterministic) as

.. math:: \mu(x) = \sum_i w_i p_i(x),\quad \sigma^2(x) = \sum_i w_i^2 p_i(x)(1 - p_i(x)),\quad
          p_i(x) = \Phi\Big(\frac{\Phi^{-1}(p_i) + \sqrt{\rho_i}\,x}{\sqrt{1-\rho_i}}\Big).

The q-quantile of :math:`L` is :math:`\mu(x_q) + GA + O(n^{-2})` with
:math:`x_q = \Phi^{-1}(q)` and (Martin and Wilde 2002; Gordy 2003; Emmer
and Tasche 2005)

.. math:: GA = -\frac{1}{2\varphi(x)}\frac{d}{dx}\Big[\frac{\varphi(x)\,\sigma^2(x)}{\mu'(x)}\Big]_{x=x_q}
             = -\frac12\Big[\frac{(\sigma^2)'}{\mu'} - \frac{\sigma^2\mu''}{\mu'^2} - x\frac{\sigma^2}{\mu'}\Big]_{x=x_q},

computed here with the analytic derivatives of :math:`p_i(x)`. It is the
name-concentration add-on that the ASRF formula leaves out; it shrinks like
the Herfindahl index.

References
----------
.. [1] Martin, R. and Wilde, T. (2002). "Unsystematic credit risk." *Risk* 15(11), 123-128.
.. [2] Gordy, M. B. (2003). "A risk-factor model foundation for ratings-based
   bank capital rules." *Journal of Financial Intermediation* 12(3), 199-232.
.. [3] Emmer, S. and Tasche, D. (2005). "Calculating credit risk capital
   charges with the one-factor model." *Journal of Risk* 7(2), 85-101.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from borrowedtime.credit._checks import check_lgd, check_probability, check_rho
from borrowedtime.errors import SpecError

__all__ = ["herfindahl", "effective_names", "top_shares", "granularity_adjustment", "conditional_moments"]


def _shares(exposures) -> np.ndarray:
    e = np.asarray(exposures, dtype=float).reshape(-1)
    if e.size == 0 or np.any(~np.isfinite(e)) or np.any(e < 0):
        raise SpecError("exposures must be a non-empty array of finite amounts >= 0.")
    total = e.sum()
    if total <= 0:
        raise SpecError("exposures sum to zero: no book to measure.")
    return e / total


def herfindahl(exposures) -> float:
    """Herfindahl-Hirschman index of exposure shares, in (0, 1] (1: a single name)."""
    s = _shares(exposures)
    return float(np.sum(s * s))


def effective_names(exposures) -> float:
    """Effective number of equal names, ``1 / herfindahl``."""
    return 1.0 / herfindahl(exposures)


def top_shares(exposures, n=(1, 3, 5)) -> dict[int, float]:
    """Share of the book held by the largest ``k`` names, for each ``k`` in ``n``."""
    s = np.sort(_shares(exposures))[::-1]
    c = np.cumsum(s)
    return {int(k): float(c[min(int(k), s.size) - 1]) for k in n}


def conditional_moments(x, ead_usd_bn, p_default, lgd, rho):
    """``mu, mu', mu'', var, var'`` of the loss given the loss-oriented factor ``x`` (see the notes)."""
    w = np.asarray(ead_usd_bn, float) * np.asarray(check_lgd(lgd, "lgd"), float)
    p = np.asarray(check_probability(p_default, "p_default", open_low=True, open_high=True), float)
    r = np.asarray(check_rho(rho, "rho"), float)
    w, p, r = np.broadcast_arrays(w, p, r)
    if np.any(r <= 0):
        raise SpecError("rho must be > 0 for the granularity adjustment (at 0 there is no systematic factor).")
    k = np.sqrt(r / (1.0 - r))
    a = (stats.norm.ppf(p) + np.sqrt(r) * x) / np.sqrt(1.0 - r)
    px = stats.norm.cdf(a)
    d1 = stats.norm.pdf(a) * k
    d2 = -a * stats.norm.pdf(a) * k * k
    mu, mu1, mu2 = np.sum(w * px), np.sum(w * d1), np.sum(w * d2)
    var = np.sum(w * w * px * (1.0 - px))
    var1 = np.sum(w * w * d1 * (1.0 - 2.0 * px))
    return mu, mu1, mu2, var, var1


def granularity_adjustment(ead_usd_bn, p_default, lgd, rho, q: float = 0.999) -> dict[str, float]:
    """Large-pool VaR of a named book and its first-order granularity adjustment.

    Parameters
    ----------
    ead_usd_bn : array
        Exposures, USD bn.
    p_default : array or float
        One-year PDs, decimals in (0, 1).
    lgd : array or float
        LGD, decimals (deterministic).
    rho : array or float
        Asset correlation with the single factor, in (0, 1).
    q : float, default 0.999

    Returns
    -------
    dict
        ``asrf_var_usd_bn`` (:math:`\\mu(x_q)`), ``ga_usd_bn``, ``var_usd_bn``
        (their sum), ``herfindahl``.
    """
    qq = check_probability(q, "q", open_low=True, open_high=True)
    x = stats.norm.ppf(qq)
    mu, mu1, mu2, var, var1 = conditional_moments(x, ead_usd_bn, p_default, lgd, rho)
    ga = -0.5 * (var1 / mu1 - var * mu2 / mu1**2 - x * var / mu1)
    return {"asrf_var_usd_bn": float(mu), "ga_usd_bn": float(ga), "var_usd_bn": float(mu + ga),
            "herfindahl": herfindahl(ead_usd_bn)}
