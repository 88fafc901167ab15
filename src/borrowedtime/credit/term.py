r"""The loan book over the backlog's term: loss by year with cumulative PDs.

A platform's backlog is paid out over years, and its tenants can default in
any of them. The one-year view (:func:`~borrowedtime.credit.books.platform_books`)
applies a one-year PD to the whole remaining backlog taken as exposure at
default; this module spreads both over the contracts' remaining terms.

Model
-----
**Exposure.** Each contract of the complex pays its remaining amount evenly
over its remaining term (:meth:`~borrowedtime.complex.model.ComplexModel.schedule`,
looked through to the ultimate obligor; payments that fall before the
year of the complex's ``as_of`` count in that year, so that the schedule sums
to the one-year view's exposure); an undisclosed split among several
tenants is shared equally, as the one-year view does. Contracts with no term
or end date, and the part of a platform's reported backlog that no
disclosure assigns to a tenant (the granular ``rest of book``), are spread
evenly over ``undated_term_years`` (default five years: the term of the
disclosed take-or-pay contracts, :data:`borrowedtime.network.graph.DEFAULT_TERM_YEARS`;
an assumption of this project). A tenant that defaults in calendar year
:math:`y` loses the platform :math:`LGD \cdot (\tfrac12 P_y + \sum_{z>y} P_z)`,
with :math:`P_y` the payments due in year :math:`y` (a default at a uniform
time within the year forfeits half that year's payments on average).

**Default times.** Cumulative PDs come from the rating table of
:mod:`borrowedtime.credit.pd` (Moody's 1970-2010 cumulative issuer-weighted
rates, log-survival interpolation) for a tenant priced from its rating, or a
constant hazard :math:`1 - (1 - p)^t` from its one-year PD :math:`p` when the
PD was given directly (an override or OpenAI's treadmill PD); the one-year
floor of 0.03 % (Basel II para 285) carries over as a hazard floor. Time runs
from the complex's ``as_of``; year :math:`y` ends on 31 December.

**Dependence.** Defaults times are joined by the same factor copula as the
one-year view (Li 2000): obligor :math:`i` defaults in the first year
:math:`y` with :math:`X_i \le F^{-1}(PD_i(t_y))`, where :math:`X_i` is its
latent variable of :mod:`borrowedtime.credit.copula` (one draw for the whole
term: a static copula of default times). The expected loss by year is also
computed in closed form (:math:`\sum_i LGD\,L_{iy}\,(PD_i(t_y) - PD_i(t_{y-1}))`);
the simulated mean matches it within Monte Carlo error (tested).

Units: money USD bn; probabilities decimal; years calendar.

References
----------
.. [1] Li, D. X. (2000). "On default correlation: a copula function approach."
   *Journal of Fixed Income* 9(4), 43-54.
.. [2] Moody's Investors Service (2011). *Corporate Default and Recovery
   Rates, 1920-2010* (see :data:`borrowedtime.credit.pd.DEFAULT_STUDY_SOURCE`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

from borrowedtime._montecarlo import map_chunks
from borrowedtime._results import Summarised
from borrowedtime.credit._checks import check_seed
from borrowedtime.credit.books import _PD_FLOOR, _group_split
from borrowedtime.credit.copula import _empirical_var, es_interval, var_interval
from borrowedtime.credit.pd import cumulative_pd, rating_category, rating_pd
from borrowedtime.errors import SpecError

__all__ = ["TermBook", "TermLossResult", "term_books", "exposure_schedule"]



def exposure_schedule(cx, platforms, tenants, undated_term_years: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Remaining payments owed to each platform by each tenant, by calendar year (USD bn).

    Parameters
    ----------
    cx : Complex
    platforms, tenants : sequence of str
        Entities of the complex (tenants: ultimate obligors).
    undated_term_years : float, default 5.0
        Years over which contracts with no term or end are spread, from the
        complex's ``as_of``.

    Returns
    -------
    years : numpy.ndarray (Y,)
        Calendar years, from the year of ``as_of``.
    payments : numpy.ndarray (platforms, tenants, Y)
        USD bn; summed over years it equals the one-year view's looked-through exposure.
    """
    m = cx.model
    split = _group_split(m)
    as_of = pd.Timestamp(cx.as_of)
    sched = m.schedule(view="ultimate")
    y0 = as_of.year
    undated_years = int(np.ceil(undated_term_years + (as_of.day_of_year - 1) / 365.25))
    last = max(int(sched.years.max()) if sched.years.size else y0, y0 + undated_years - 1)
    years = np.arange(y0, last + 1)
    cols = [m.index(p) for p in platforms]
    rows = [m.index(t) for t in tenants]
    out = np.zeros((len(platforms), len(tenants), years.size))
    for j, y in enumerate(sched.years):
        owed = split.T @ sched.by_year[j][:, cols]  # (entities, platforms)
        # a contract's amount is what remained at its own as_of; payments the schedule places before the
        # complex's year are still counted as owed (as the one-year view counts the whole amount): year 0
        out[:, :, max(int(y) - y0, 0)] += owed[rows].T
    undated = (split.T @ sched.undated[:, cols])[rows].T  # (platforms, tenants)
    out += undated[:, :, None] * _even_share(as_of, undated_term_years, years)[None, None, :]
    return years, out


def _even_share(as_of: pd.Timestamp, term_years: float, years: np.ndarray) -> np.ndarray:
    """Share of an amount paid evenly from ``as_of`` over ``term_years`` that falls in each calendar year."""
    start = as_of.year + (as_of.day_of_year - 1) / 365.25
    end = start + float(term_years)
    lo = np.clip(start, years, years + 1)
    hi = np.clip(end, years, years + 1)
    return (hi - lo) / (end - start)


@dataclass(frozen=True, eq=False)
class TermBook:
    """One platform's book over its term, as arrays.

    Attributes
    ----------
    platform : str
    names : tuple of str
        Obligors (tenants, then the ``rest-k`` names of the unassigned remainder).
    years : numpy.ndarray (Y,)
    payments : numpy.ndarray (obligors, Y)
        Payments due by year, USD bn.
    cum_pd : numpy.ndarray (obligors, Y)
        Cumulative default probability to the end of each year.
    lgd : float
    loadings : numpy.ndarray (obligors, factors)
        The copula's factor loadings (the one-year view's).
    dof : float
        0 for the Gaussian copula.
    """

    platform: str
    names: tuple[str, ...]
    years: np.ndarray
    payments: np.ndarray
    cum_pd: np.ndarray
    lgd: float
    loadings: np.ndarray
    dof: float = 0.0
    token: str = field(default="", repr=False)

    def __dask_tokenize__(self) -> str:  # a fresh token per run (see copula._Arrays)
        return self.token

    @property
    def loss_if_default(self) -> np.ndarray:
        """(obligors, Y): LGD x (half the year's payments + all later ones), USD bn."""
        later = np.cumsum(self.payments[:, ::-1], axis=1)[:, ::-1] - self.payments
        return self.lgd * (0.5 * self.payments + later)

    def expected_loss_by_year(self) -> np.ndarray:
        """Closed-form expected loss of defaults in each year, USD bn (Y,)."""
        marginal = np.diff(self.cum_pd, axis=1, prepend=0.0)
        return (self.loss_if_default * marginal).sum(axis=0)

    def outstanding(self) -> np.ndarray:
        """Remaining payments at the start of each year, USD bn (Y,)."""
        p = self.payments.sum(axis=0)
        return np.cumsum(p[::-1])[::-1]


def _simulate_term(rng: np.random.Generator, n: int, start: int, book: TermBook):
    """Chunk kernel: total term loss per path and the loss summed over the chunk by year."""
    b = book.loadings
    z = rng.standard_normal((n, b.shape[1]))
    sigma = np.sqrt(np.clip(1.0 - (b**2).sum(axis=1), 0.0, None))
    x = z @ b.T + sigma[None, :] * rng.standard_normal((n, b.shape[0]))
    if book.dof > 0:
        x = x / np.sqrt(rng.chisquare(book.dof, n) / book.dof)[:, None]
        u = stats.t.cdf(x, book.dof)
    else:
        u = special.ndtr(x)
    # default year: first year whose cumulative PD reaches the obligor's uniform; Y means none in the term
    year = (u[:, :, None] > book.cum_pd[None, :, :]).sum(axis=2)
    n_years = book.years.size
    hit = year < n_years
    lid = book.loss_if_default
    obligor = np.broadcast_to(np.arange(b.shape[0]), year.shape)
    loss = np.where(hit, lid[obligor, np.minimum(year, n_years - 1)], 0.0)
    by_year = np.bincount(year[hit], weights=loss[hit], minlength=n_years + 1)[:n_years]
    return loss.sum(axis=1), by_year


@dataclass(frozen=True, eq=False)
class TermLossResult(Summarised):
    """The platforms' books over the backlog's term (frozen). Money USD bn.

    Attributes
    ----------
    books : dict
        Platform -> :class:`TermBook`.
    losses : dict
        Platform -> numpy.ndarray (n_paths,) of total loss over the term.
    simulated_by_year : dict
        Platform -> numpy.ndarray (Y,) of the simulated mean loss by year.
    n_paths, seed : int
    settings : dict
    """

    books: dict
    losses: dict
    simulated_by_year: dict
    n_paths: int
    seed: int
    settings: dict

    def by_year(self, platform: str) -> pd.DataFrame:
        """One row per calendar year: outstanding at its start, payments, expected loss (closed form
        and simulated) and the cumulative PD-weighted share lost, USD bn."""
        if platform not in self.books:
            raise SpecError(f"no platform {platform!r}; platforms are {', '.join(self.books)}.")
        b = self.books[platform]
        frame = pd.DataFrame({
            "outstanding_usd_bn": b.outstanding(),
            "payments_usd_bn": b.payments.sum(axis=0),
            "expected_loss_usd_bn": b.expected_loss_by_year(),
            "simulated_expected_loss_usd_bn": self.simulated_by_year[platform],
        }, index=pd.Index(b.years, name="year"))
        return frame

    def to_frame(self) -> pd.DataFrame:
        """One row per platform: term expected loss, VaR and ES at 99.9 % with 95 % Monte Carlo intervals."""
        rows = {}
        for p, loss in self.losses.items():
            el = float(loss.mean())
            lo, hi = var_interval(loss, 0.999)
            var = _empirical_var(loss, 0.999)
            es_lo, es_hi = es_interval(loss, 0.999)
            b = self.books[p]
            rows[p] = {"exposure_usd_bn": float(b.payments.sum()), "expected_loss_usd_bn": el,
                       "expected_loss_se_usd_bn": float(loss.std(ddof=1) / np.sqrt(loss.size)),
                       "var_999_usd_bn": var, "var_999_ci_low_usd_bn": lo, "var_999_ci_high_usd_bn": hi,
                       "es_999_usd_bn": float(loss[loss >= var].mean()), "es_999_ci_low_usd_bn": es_lo,
                       "es_999_ci_high_usd_bn": es_hi, "last_year": int(b.years[-1])}
        frame = pd.DataFrame(rows).T
        frame.index.name = "platform"
        return frame

    def summary(self) -> str:
        lines = [f"The books over the backlog's term ({self.n_paths:,} paths, seed {self.seed}; USD bn; "
                 "cumulative PDs, default times joined by the one-year view's copula)"]
        for p, r in self.to_frame().iterrows():
            lines.append(f"  {p:10s} exposure {r['exposure_usd_bn']:7,.0f}  EL {r['expected_loss_usd_bn']:6,.1f}  "
                         f"VaR99.9 {r['var_999_usd_bn']:6,.1f} ({r['var_999_ci_low_usd_bn']:,.1f}-"
                         f"{r['var_999_ci_high_usd_bn']:,.1f})  through {int(r['last_year'])}")
        return "\n".join(lines)


def _cum_curve(name: str, one_year_pd: float, ratings: dict, t_end: np.ndarray) -> np.ndarray:
    """Cumulative PD to each year-end: the rating table's curve when the one-year PD is the rating's
    (floored), else a constant hazard from the one-year PD; the floor as a hazard floor throughout."""
    floor = -np.expm1(np.log1p(-_PD_FLOOR) * t_end)
    rating = ratings.get(name)
    if rating is not None:
        cat = rating_category(rating)
        if abs(max(rating_pd(rating), _PD_FLOOR) - one_year_pd) < 1e-12:
            return np.maximum(np.asarray(cumulative_pd(cat, t_end), float), floor)
    hazard = -np.expm1(np.log1p(-one_year_pd) * t_end)
    return np.maximum(hazard, floor)


def term_books(
    books,
    cx=None,
    *,
    n_paths: int = 20_000,
    seed: int = 0,
    undated_term_years: float = 5.0,
    chunk_size: int = 5_000,
    progress: Callable[[int, int], None] | None = None,
) -> TermLossResult:
    """Spread each platform's book over its contracts' remaining terms and price it with cumulative PDs.

    Parameters
    ----------
    books : BooksResult
        The one-year view (:func:`~borrowedtime.credit.books.platform_books`): its tenants, PDs,
        LGD, copula and remainder settings are reused, so the two views differ only in the horizon.
    cx : Complex, optional
        The complex ``books`` was built from (default: the packaged one).
    n_paths : int, default 20_000
    seed : int, default 0
    undated_term_years : float, default 5.0
        Term of undated contracts and of the unassigned remainder of each book (an assumption).
    chunk_size : int, default 5_000
    progress : callable, optional
        ``progress(done, total)`` over all platforms' chunks.

    Returns
    -------
    TermLossResult
    """
    from borrowedtime.complex import load_complex
    from borrowedtime.credit.books import _model

    seed = check_seed(seed)
    if not (np.isfinite(undated_term_years) and undated_term_years > 0):
        raise SpecError(f"undated_term_years must be > 0 years. Got {undated_term_years!r}.")
    cx = load_complex() if cx is None else cx
    inp, st = books.inputs, books.settings
    years, pay = exposure_schedule(cx, inp.platforms, inp.tenants, undated_term_years)
    as_of = pd.Timestamp(cx.as_of)
    t_end = (pd.to_datetime([f"{y + 1}-01-01" for y in years]) - as_of).days.to_numpy() / 365.25
    pds = books.pds.to_numpy(float)
    curves = np.array([_cum_curve(t, p, inp.ratings, t_end) for t, p in zip(inp.tenants, pds, strict=True)])
    rest_pd = max(rating_pd(st["rest_rating"]), _PD_FLOOR)
    rest_curve = _cum_curve("__rest__", rest_pd, {"__rest__": st["rest_rating"]}, t_end)
    rest_share = _even_share(as_of, undated_term_years, years)
    ai = np.array([k == "lab" for k in inp.tenant_kind])
    out_books, losses, sim = {}, {}, {}
    n_chunks = -(-int(n_paths) // int(chunk_size))
    total = n_chunks * len(inp.platforms)
    for k, p in enumerate(inp.platforms):
        have = inp.exposure[k] > 1e-9
        rest = max(inp.book[k] - inp.exposure[k].sum(), 0.0) if np.isfinite(inp.book[k]) else 0.0
        one_year = _model(np.asarray(inp.tenants)[have], inp.exposure[k][have], pds[have], st["lgd"], ai[have],
                          st["rho_ai"], rest, rest_pd, st["rest_names"], st["copula"], st["dof"])
        payments = pay[k][have]
        cum = curves[have]
        if rest > 1e-9:
            payments = np.vstack([payments, np.tile(rest / st["rest_names"] * rest_share, (st["rest_names"], 1))])
            cum = np.vstack([cum, np.tile(rest_curve, (st["rest_names"], 1))])
        book = TermBook(platform=p, names=one_year.names, years=years, payments=payments, cum_pd=cum,
                        lgd=float(st["lgd"]), loadings=one_year.loadings, dof=float(st["dof"] or 0.0),
                        token=uuid.uuid4().hex)

        def tick(done: int, _total: int, k=k) -> None:
            if progress is not None:
                progress(k * n_chunks + done, total)

        parts = map_chunks(_simulate_term, int(n_paths), args=(book,), seed=seed, chunk_size=chunk_size,
                           progress=tick)
        out_books[p] = book
        losses[p] = np.concatenate([a for a, _ in parts])
        sim[p] = sum(b for _, b in parts) / int(n_paths)
    settings = {"undated_term_years": float(undated_term_years), "as_of": as_of.date().isoformat(),
                "lgd": st["lgd"], "rho_ai": st["rho_ai"], "copula": st["copula"]}
    return TermLossResult(books=out_books, losses=losses, simulated_by_year=sim, n_paths=int(n_paths), seed=seed,
                          settings=settings)
