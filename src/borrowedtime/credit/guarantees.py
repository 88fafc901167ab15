r"""Guarantees: look-through of wrapped exposures, Basel double default, residual-value guarantees.

A wrapped exposure loses only if the obligor **and** the guarantor fail
(essay VI: Google guarantees Anthropic's lease shortfalls, Broadcom the
residual value of the silicon; OpenAI has no co-signer). Three ways to price it:

* :func:`joint_default_probability` -- the look-through: both default within
  the year, their latent asset values bivariate normal with correlation
  :math:`\rho_{og}` (one-factor: :math:`\rho_{og} = \sqrt{\rho_o\rho_g}`);
* :func:`double_default_capital` -- the Basel II double-default capital
  (paragraph 284(i)-(iii));
* :func:`substitution_pd` -- the substitution approach (the guarantor's PD
  replaces the obligor's; what one public package calls "double default").

:func:`residual_value_loss` prices a residual-value guarantee on collateral.

Notes
-----
Units: decimals for probabilities, LGD and correlations; years; USD bn.

**Double default (Basel II, paragraph 284).** Text followed: BCBS, *A Revised
Framework, Comprehensive Version* (June 2006), paragraphs 284(i)-(iii), as
reproduced in the Central Bank of Bahrain rulebook, CA-5.3.12 to CA-5.3.16
(the national transposition read for this module):

.. math:: K_{DD} = K_0\,(0.15 + 160\,PD_g),\qquad
          K_0 = LGD_g\Big[\Phi\Big(\frac{\Phi^{-1}(PD_o) + \sqrt{\rho_{os}}\,\Phi^{-1}(0.999)}
          {\sqrt{1-\rho_{os}}}\Big) - PD_o\Big]\frac{1 + (M - 2.5)\,b}{1 - 1.5\,b}

with :math:`\rho_{os}` the corporate correlation at :math:`PD_o`,
:math:`b` the maturity slope evaluated at :math:`\min(PD_o, PD_g)`, :math:`M`
the protection's effective maturity and :math:`LGD_g` the LGD of a
comparable direct exposure to the guarantor. The risk weight is
:math:`12.5\,K_{DD}`. No published worked example was found; for
:math:`PD_o` 1 %, :math:`PD_g` 0.1 %, :math:`LGD_g` 45 %, :math:`M` 2.5 the
formula gives :math:`K_0` 0.093112, :math:`K_{DD}` 0.028865, RW 36.08 %
(not Annex 5's 92.32 % / 12.5 for :math:`K_0`, because :math:`b` takes the
smaller PD).

**An analogy for Google and Broadcom.** Basel II admits the double-default
treatment only for exposures hedged under the operational requirements of
paragraph 307(i)-(ii), whose eligible protection providers are financial
institutions (banks, investment firms, insurers). Google and Broadcom, the
guarantors of essay VI, are not: applied to them the formula is an analogy
(what a bank's capital would be if such a guarantor were eligible), not what
a bank may claim; the substitution approach and the look-through joint PD are
shown beside it.

References
----------
.. [1] Basel Committee on Banking Supervision (2006). *International
   Convergence of Capital Measurement and Capital Standards, Comprehensive
   Version*, June 2006, paras 284(i)-(iii), 307(i)-(ii).
.. [2] Basel Committee on Banking Supervision (2005). *The Application of
   Basel II to Trading Activities and the Treatment of Double Default
   Effects*, July 2005 (the derivation of the double-default formula).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from borrowedtime.credit._checks import check_lgd, check_probability, check_rho
from borrowedtime.credit.portfolio import asset_correlation, maturity_adjustment
from borrowedtime.errors import SpecError

__all__ = [
    "double_default_capital",
    "double_default_risk_weight",
    "joint_default_probability",
    "substitution_pd",
    "wrapped_pd",
    "residual_value_loss",
]

_Q_REG = 0.999


def double_default_capital(pd_obligor: float, pd_guarantor: float, lgd_guarantor: float = 0.45,
                           maturity: float = 2.5) -> dict[str, float]:
    """Basel II double-default capital of a hedged corporate exposure (paragraph 284).

    Parameters
    ----------
    pd_obligor, pd_guarantor : float
        One-year PDs, decimals in (0, 1).
    lgd_guarantor : float, default 0.45
        LGD of a comparable direct exposure to the guarantor, decimal.
    maturity : float, default 2.5
        Effective maturity of the protection, years.

    Returns
    -------
    dict
        ``k0``, ``k_dd`` (decimals of EAD), ``risk_weight`` (``12.5 * k_dd``),
        ``rho_os`` and ``b``.
    """
    po = check_probability(pd_obligor, "pd_obligor", open_low=True, open_high=True)
    pg = check_probability(pd_guarantor, "pd_guarantor", open_low=True, open_high=True)
    lgd = check_lgd(lgd_guarantor, "lgd_guarantor")
    m = float(maturity)
    if not np.isfinite(m) or m <= 0:
        raise SpecError(f"maturity must be a positive number of years. Got {maturity!r}.")
    rho = float(asset_correlation(po, "corporate"))
    b = float(maturity_adjustment(min(po, pg)))
    tail = stats.norm.cdf((stats.norm.ppf(po) + np.sqrt(rho) * stats.norm.ppf(_Q_REG)) / np.sqrt(1.0 - rho))
    k0 = lgd * (tail - po) * (1.0 + (m - 2.5) * b) / (1.0 - 1.5 * b)
    k_dd = k0 * (0.15 + 160.0 * pg)
    return {"k0": float(k0), "k_dd": float(k_dd), "risk_weight": float(12.5 * k_dd), "rho_os": rho, "b": b}


def double_default_risk_weight(pd_obligor: float, pd_guarantor: float, lgd_guarantor: float = 0.45,
                               maturity: float = 2.5) -> float:
    """Risk weight (decimal) of :func:`double_default_capital`."""
    return double_default_capital(pd_obligor, pd_guarantor, lgd_guarantor, maturity)["risk_weight"]


def joint_default_probability(pd_obligor, pd_guarantor, rho: float):
    r"""P(obligor and guarantor both default) with asset correlation ``rho``.

    .. math:: P = \Phi_2\big(\Phi^{-1}(PD_o), \Phi^{-1}(PD_g); \rho\big)

    ``rho = 1`` gives :math:`\min(PD_o, PD_g)` (the wrap adds nothing beyond
    the better name), ``rho = 0`` gives :math:`PD_o PD_g`.
    """
    po = check_probability(pd_obligor, "pd_obligor")
    pg = check_probability(pd_guarantor, "pd_guarantor")
    r = float(check_rho(rho, "rho", allow_one=True))
    po_a, pg_a = np.broadcast_arrays(np.asarray(po, float), np.asarray(pg, float))
    out = np.empty(po_a.shape)
    for idx in np.ndindex(po_a.shape):
        a, g = float(po_a[idx]), float(pg_a[idx])
        if r >= 1.0 or a in (0.0, 1.0) or g in (0.0, 1.0):
            # comonotone, or one event sure or impossible: P(both) is the smaller probability or the product
            out[idx] = min(a, g) if r >= 1.0 else a * g
            continue
        out[idx] = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, r], [r, 1.0]]).cdf(
            [stats.norm.ppf(a), stats.norm.ppf(g)])
    return float(out) if out.ndim == 0 else out


def substitution_pd(pd_obligor: float, pd_guarantor: float) -> float:
    """Substitution approach: the guaranteed part takes the guarantor's PD (never above the obligor's).

    This is not double default: it ignores that both must fail.
    """
    po = check_probability(pd_obligor, "pd_obligor")
    pg = check_probability(pd_guarantor, "pd_guarantor")
    return float(min(po, pg))


def wrapped_pd(pd_obligor: float, pd_guarantor: float | None, rho: float, coverage: float = 1.0) -> float:
    """Effective PD of an exposure of which ``coverage`` is guaranteed (look-through).

    ``coverage`` of the exposure loses with the joint default probability,
    the rest with the obligor's own PD; returns the exposure-weighted PD. A
    naked exposure (``pd_guarantor=None``) keeps the obligor's PD.
    """
    po = check_probability(pd_obligor, "pd_obligor")
    cov = check_probability(coverage, "coverage")
    if pd_guarantor is None:
        return float(po)
    joint = joint_default_probability(po, pd_guarantor, rho)
    return float(cov * joint + (1.0 - cov) * po)


def residual_value_loss(debt_usd_bn, collateral_usd_bn, guaranteed_value_usd_bn, guarantor_defaults):
    """Lender's loss on an obligor default when a third party guarantees the collateral's residual value.

    The lender recovers the collateral; the guarantor tops it up to the
    guaranteed value unless the guarantor also defaults:
    ``loss = max(debt - max(collateral, guaranteed * (1 - guarantor_defaults)), 0)``.
    Vectorised over scenarios (arrays broadcast).

    Parameters
    ----------
    debt_usd_bn : float or array
        Debt outstanding at default, USD bn.
    collateral_usd_bn : float or array
        Market value of the collateral at default, USD bn.
    guaranteed_value_usd_bn : float or array
        Residual value the guarantor stands behind, USD bn.
    guarantor_defaults : bool or array
        Whether the guarantor has failed too.

    Returns
    -------
    float or array
        Loss, USD bn.
    """
    d = np.asarray(debt_usd_bn, float)
    c = np.asarray(collateral_usd_bn, float)
    g = np.asarray(guaranteed_value_usd_bn, float)
    for name, v in (("debt_usd_bn", d), ("collateral_usd_bn", c), ("guaranteed_value_usd_bn", g)):
        if np.any(~np.isfinite(v)) or np.any(v < 0):
            raise SpecError(f"{name} must be finite amounts >= 0 USD bn.")
    backed = np.where(np.asarray(guarantor_defaults, bool), 0.0, g)
    out = np.maximum(d - np.maximum(c, backed), 0.0)
    return float(out) if out.ndim == 0 else out
