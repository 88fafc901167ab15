r"""Real-time recalibration of an event probability on a panel (Platt scaling).

The monitor's P(a turn within h) (:mod:`borrowedtime.monitor.events`) ranks
coming turns well but is over-confident: on FRED-MD the pairs it puts at
0.9-1.0 for a turn within 12 months saw one 62 % of the time
(``benchmarks/results_p_turn.md``). A decision taken on it at face value
(call while P > 1/2) therefore calls far too often. This module maps the raw
probability to a calibrated one with the panel's own track record, in real
time:

.. math::

    \tilde p_{s,t} = \Lambda\big(a_\tau + b_\tau \,\operatorname{logit} p_{s,t}\big),
    \qquad \tau = \text{the last refit date} \le t,

where :math:`(a_\tau, b_\tau)` are the maximum-likelihood logistic
regression (Platt 1999) of the event on the logit of the raw probability,
over every (series, date t') pair of the panel whose outcome is known at
:math:`\tau`: :math:`t' + h \le \tau` (a turn within h of t' is then dated
<= τ, or there is none). Nothing dated after τ enters the map applied at
dates >= τ, so the recalibrated probability is real time.

Settings, each fixed by a stated principle (not tuned on scores):

* **Platt's two-parameter logistic map**, the standard recalibration for
  scores that rank well but are mis-scaled; it is strictly increasing
  (b > 0 on these data), so within one refit it keeps the order of the
  raw probability.
* **At least 10 events per parameter** before a map is fitted (20 events
  for two parameters: the events-per-variable rule of Peduzzi et al. 1996);
  before that the recalibrated probability is NaN (no call is possible).
* **Refit once a year** (every 12 months of the panel's calendar): the
  cost is one logistic fit per year; the map moves slowly.
* Raw probabilities are clipped to [1/(2D), 1 - 1/(2D)] before the logit,
  D = 1,024 quasi-Monte Carlo points (the integration's resolution; half a
  point either side of 0 and 1).

References
----------
.. [1] Platt, J. (1999). "Probabilistic outputs for support vector machines
   and comparisons to regularized likelihood methods." In *Advances in
   Large Margin Classifiers*, MIT Press, 61-74.
.. [2] Peduzzi, P., Concato, J., Kemper, E., Holford, T. R. and Feinstein,
   A. R. (1996). "A simulation study of the number of events per variable in
   logistic regression analysis." *Journal of Clinical Epidemiology* 49(12),
   1373-1379.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from borrowedtime.errors import DataError, SpecError
from borrowedtime.monitor.events import DRAWS
from borrowedtime.monitor.scoring import turn_within

__all__ = ["RealTimePlatt", "PlattFit"]


@dataclass(frozen=True)
class PlattFit:
    """One refit: the map applied from ``start`` on, fitted on pairs known at ``start``."""

    start: pd.Timestamp
    a: float
    b: float
    pairs: int
    events: int


@dataclass(frozen=True)
class RealTimePlatt:
    """Real-time Platt recalibration of a probability of a turn within h, pooled over a panel (specification).

    Parameters
    ----------
    horizon_months : int
        h of the event the probability forecasts (a turn dated in (t, t + h]).
    refit_months : int, default 12
        The map is re-estimated every this many months of the panel's calendar.
    min_events : int, default 20
        Events (pairs followed by a turn) needed before a map is fitted: 10 per
        parameter (Peduzzi et al. 1996).
    min_positive_months : int, default 24
        Positive run a turn needs (:func:`~borrowedtime.monitor.scoring.find_turns`).
    """

    horizon_months: int
    refit_months: int = 12
    min_events: int = 20
    min_positive_months: int = 24

    def __post_init__(self) -> None:
        for name in ("horizon_months", "refit_months", "min_events"):
            v = getattr(self, name)
            if not isinstance(v, int | np.integer) or v < 1:
                raise SpecError(f"The '{name}' parameter of RealTimePlatt must be an int >= 1. Got {v!r}.")

    def apply(self, p: dict[str, pd.Series], yoy: dict[str, pd.Series]) -> tuple[dict[str, pd.Series], list[PlattFit]]:
        """Recalibrate, in real time, each series' raw probability with the whole panel's record.

        Parameters
        ----------
        p : dict of str to pandas.Series
            Raw probability per series, on the dates of its ``yoy`` (NaN where there is none).
        yoy : dict of str to pandas.Series
            Year-over-year growth per series (decimal, no NaN), defining the turns.

        Returns
        -------
        (dict of str to pandas.Series, list of PlattFit)
            The recalibrated probability per series on the same dates (NaN before
            the first map and where the raw one is NaN), and the maps fitted.
        """
        import statsmodels.api as sm

        names = list(p)
        missing = [n for n in names if n not in yoy]
        if missing:
            raise SpecError(f"RealTimePlatt.apply: no YoY growth given for series {missing[0]!r}.")
        lo = 0.5 / DRAWS
        dates, known, x, ev = [], [], [], []
        for n in names:
            g = yoy[n]
            raw = p[n].reindex(g.index).to_numpy(float)
            q = np.clip(raw, lo, 1.0 - lo)
            dates.append(g.index.as_unit("ns").asi8)
            known.append((g.index + pd.DateOffset(months=self.horizon_months)).as_unit("ns").asi8)
            x.append(np.log(q) - np.log1p(-q))
            ev.append(turn_within(g, self.horizon_months, self.min_positive_months))
        d_all, k_all = np.concatenate(dates), np.concatenate(known)
        x_all, e_all = np.concatenate(x), np.concatenate(ev)
        ok_all = np.isfinite(x_all)
        if not ok_all.any():
            return {n: pd.Series(np.nan, index=yoy[n].index) for n in names}, []
        first, last = pd.Timestamp(d_all.min()), pd.Timestamp(d_all.max())
        starts = pd.date_range(first, last, freq=pd.DateOffset(months=self.refit_months))
        fits: list[PlattFit] = []
        a_at = np.full(d_all.size, np.nan)
        b_at = np.full(d_all.size, np.nan)
        for i, tau in enumerate(starts):
            use = ok_all & (k_all <= tau.value)
            n_ev = int(e_all[use].sum())
            if n_ev < self.min_events or n_ev == int(use.sum()):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = sm.Logit(e_all[use].astype(float), sm.add_constant(x_all[use], has_constant="add")).fit(
                    disp=0, method="newton", maxiter=100)
            if not res.mle_retvals.get("converged", False):
                raise DataError(f"RealTimePlatt: the logistic map fitted at {tau.date()} on {int(use.sum())} pairs "
                                f"({n_ev} events) did not converge (raw probabilities that separate the outcomes "
                                "perfectly?); no recalibration is given.")
            a, b = (float(v) for v in res.params)
            fits.append(PlattFit(tau, a, b, int(use.sum()), n_ev))
            nxt = starts[i + 1].value if i + 1 < len(starts) else np.iinfo(np.int64).max
            here = (d_all >= tau.value) & (d_all < nxt)
            a_at[here], b_at[here] = a, b
        cal = 1.0 / (1.0 + np.exp(-(a_at + b_at * x_all)))
        out, pos = {}, 0
        for n in names:
            m = yoy[n].size
            out[n] = pd.Series(cal[pos : pos + m], index=yoy[n].index, name=n)
            pos += m
        return out, fits
