r"""The platforms' books: the backlog priced as a loan book, looked through to the tenants.

Essay, sections IV, VI and IX: each platform's remaining performance
obligation is a credit exposure to its tenants, about half of it to two
pre-profit labs; one is "wrapped" by investment-grade guarantors (Anthropic),
one is "naked" (OpenAI); and one variable drives them all. This module

* reads the complex once, through :func:`book_inputs` (the only place in
  ``credit/`` that touches the complex; everything after it is arrays);
* builds, per platform, a :class:`~borrowedtime.credit.copula.CopulaModel`
  of its looked-through tenants plus the rest of its book, and runs them
  (:func:`platform_books`), with a correlation sweep of the default book
  towards :math:`\rho \to 1`;
* tabulates how the wraps lift the Anthropic-linked exposure and leave
  OpenAI's naked (:func:`wrap_table`).

Notes
-----
Units: USD bn; probabilities, LGD and correlations decimal.

**Assumptions (all overridable).** Ratings: the agency ratings typed in
:data:`AGENCY_RATINGS` for rated names, and the judgements of
:data:`ASSUMED_RATINGS` for the unrated labs; PDs from the rating table of
:mod:`borrowedtime.credit.pd` (floored at 0.03 %, Basel II para 285), or
OpenAI's treadmill PD with ``openai_pd="treadmill"``. LGD 45 % (the
foundation value for a senior unsecured claim: a take-or-pay receivable
whose collateral, the built capacity, stays with the platform and is
re-let only at a loss). Correlation: two factors, a common one with
loading :math:`\sqrt{0.12}` for every obligor (the Basel floor of the
corporate correlation) and an AI factor for the AI tenants, so that two AI
tenants' asset correlation is ``rho_ai``; the part of a book no disclosure
assigns to a tenant is a granular pool of ``rest_names`` equal names at
``rest_rating``. A group label such as ``cohere|openai`` (an undisclosed
split) is split equally among its members.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.credit._checks import check_lgd, check_probability, check_rho, check_seed
from borrowedtime.credit.concentration import effective_names, herfindahl, top_shares
from borrowedtime.credit.copula import CopulaModel, LossResult
from borrowedtime.credit.guarantees import double_default_risk_weight, joint_default_probability
from borrowedtime.credit.pd import DEFAULT_STUDY, rating_category, rating_pd
from borrowedtime.credit.portfolio import risk_weight
from borrowedtime.errors import DataError, SpecError

__all__ = [
    "AGENCY_RATINGS",
    "ASSUMED_RATINGS",
    "PLATFORMS",
    "BookInputs",
    "BooksResult",
    "book_inputs",
    "platform_books",
    "wrap_table",
    "effective_category",
    "CreditReport",
    "credit_report_inputs",
]

#: The five platforms of the issue (essay VI and IX), in display order.
PLATFORMS = ("microsoft", "oracle", "google", "amazon", "coreweave")
_INPUTS_FILE = "credit_inputs.yaml"


def _rating_table(section: str, overlay: dict | None = None) -> dict:
    """Letter ratings of one section of ``data/credit_inputs.yaml``, validated.

    Each entry needs ``rating`` (a letter grade known to
    :func:`borrowedtime.credit.pd.rating_category`), ``source``, ``as_of`` and
    ``checked``; ``overlay`` (a mapping of the same shape) replaces entries.
    Raises :class:`~borrowedtime.errors.DataError` naming the field.
    """
    from borrowedtime.datasets import packaged_yaml

    raw = packaged_yaml(_INPUTS_FILE)
    if not isinstance(raw, dict) or not isinstance(raw.get(section), dict):
        raise DataError(f"{_INPUTS_FILE}: section {section!r} missing or not a mapping.")
    table = dict(raw[section])
    table.update(overlay or {})
    out = {}
    for name, entry in table.items():
        where = f"{_INPUTS_FILE}: {section}.{name}"
        if not isinstance(entry, dict):
            raise DataError(f"{where}: expected a mapping with rating, source, as_of, checked.")
        for key in ("rating", "source", "as_of", "checked"):
            if key not in entry:
                raise DataError(f"{where}.{key}: missing.")
        rating = entry["rating"]
        try:
            rating_category(str(rating))
        except Exception as exc:
            raise DataError(f"{where}.rating: {rating!r} is not a letter rating (e.g. AA-, BBB, CCC+).") from exc
        if not isinstance(entry["checked"], bool):
            raise DataError(f"{where}.checked: expected true or false, got {entry['checked']!r}.")
        out[str(name)] = str(rating)
    return out


#: S&P issuer ratings (2025) of the rated names, from ``data/credit_inputs.yaml`` (each entry says
#: whether it was checked); only the letter category is used.
AGENCY_RATINGS = _rating_table("agency_ratings")
#: Judgements for the unrated labs (essay VI, IX), from ``data/credit_inputs.yaml``: not published ratings.
ASSUMED_RATINGS = _rating_table("assumed_ratings")
_AI_KINDS = ("lab",)
_PD_FLOOR = 0.0003  # Basel II para 285: corporate PD floor
_COMMON = 0.12


@dataclass(frozen=True, eq=False)
class BookInputs:
    """The complex as the credit layer needs it: arrays over platforms and tenants.

    Attributes
    ----------
    platforms : tuple of str
    tenants : tuple of str
        Ultimate obligors owing the platforms (group labels split among members).
    exposure : numpy.ndarray (platforms, tenants)
        Looked-through remaining obligations, USD bn.
    book : numpy.ndarray (platforms,)
        Pro forma book (reported backlog plus take-or-pay signed since), USD bn.
    tenant_kind : tuple of str
    ratings : dict
        Letter rating of every entity that has one (agency, assumed or from the complex).
    financials : pandas.DataFrame
        Index platform: ``equity_usd_bn``, ``operating_cash_flow_usd_bn``, ``debt_usd_bn`` (latest; NaN if none).
    guarantees : pandas.DataFrame
        One row per guaranteed edge: ``contract``, ``kind``, ``obligor`` (ultimate), ``guarantor``,
        ``beneficiary``, ``amount_usd_bn`` (NaN when undisclosed).
    naked : pandas.DataFrame
        Owed edges of the same labs with no guarantee, for comparison.
    entities : tuple of str
        Every entity of the complex (the names an override may use).
    """

    platforms: tuple[str, ...]
    tenants: tuple[str, ...]
    exposure: np.ndarray
    book: np.ndarray
    tenant_kind: tuple[str, ...]
    ratings: dict
    financials: pd.DataFrame
    guarantees: pd.DataFrame
    naked: pd.DataFrame
    entities: tuple[str, ...] = ()


def _known(names, entities: Sequence[str], what: str) -> None:
    """Refuse a name that is not an entity of the complex (an override that would do nothing)."""
    unknown = [n for n in names if n not in entities]
    if unknown:
        raise SpecError(f"{what}: {', '.join(repr(n) for n in unknown)} "
                        f"{'is not an entity' if len(unknown) == 1 else 'are not entities'} of the complex "
                        f"(entities: {', '.join(entities)}).")


def _group_split(m) -> np.ndarray:
    """(labels, entities): each entity to itself, and a group label (``cohere|openai``, an undisclosed
    split) shared equally among its members."""
    n = m.n_entities
    labels = list(m.labels)
    split = np.zeros((len(labels), n))
    split[np.arange(n), np.arange(n)] = 1.0
    for k in range(n, len(labels)):
        members = [m.index(x) for x in labels[k].split("|")]
        split[k, members] = 1.0 / len(members)
    return split


def book_inputs(cx=None, platforms: Sequence[str] = PLATFORMS, ratings: dict | None = None, *,
                filings: pd.DataFrame | None = None) -> BookInputs:
    """Read the complex (default: the packaged 2026 complex) into :class:`BookInputs`.

    The one adapter between the complex and the credit layer: it reads the
    complex model's arrays (``cx.model``: entity index, ultimate obligation
    matrix, guarantor matrix) and nothing downstream keys by name. Annual
    operating cash flow comes through :func:`borrowedtime.capex.complex_figures`:
    the filings' calendar-year sum of quarters where the filings data (``filings``,
    default the packaged :func:`borrowedtime.datasets.filings`) hold the year,
    else the complex's fiscal-year figure.
    """
    from borrowedtime.complex import load_complex

    cx = load_complex() if cx is None else cx
    m = cx.model
    n = m.n_entities
    labels = list(m.labels)
    for p in platforms:
        if p not in m.entities:
            raise SpecError(f"platform {p!r} is not an entity of the complex.")
    U = m.obligations(view="ultimate")  # U[i, j]: i owes j
    split = _group_split(m)
    cols = [m.index(p) for p in platforms]
    owed = split.T @ U[:, cols]  # (entities, platforms)
    keep = np.flatnonzero(owed.sum(axis=1) > 1e-9)
    tenants = tuple(m.entities[i] for i in keep)
    kinds = tuple(str(m.entity_kind[i]) for i in keep)
    r = {}
    for i, name in enumerate(m.entities):
        coarse = str(m.rating[i])
        if name in AGENCY_RATINGS:
            r[name] = AGENCY_RATINGS[name]
        elif name in ASSUMED_RATINGS:
            r[name] = ASSUMED_RATINGS[name]
        elif coarse not in ("NR", "IG", "HY", "None", ""):
            r[name] = coarse
    if ratings:
        _known(ratings, m.entities, "ratings")
        for name, v in ratings.items():
            try:
                rating_category(str(v))
            except Exception as exc:
                raise SpecError(f"rating of {name!r}: {v!r} is not a letter rating (e.g. AA-, BBB, CCC+).") from exc
        r.update(ratings)
    from borrowedtime.capex._data import complex_figures

    # annual operating cash flow through the one adapter: the filings' calendar-year sums where they hold
    # the year, else the complex's fiscal-year figure (complex_figures(...).filed, its basis column says which)
    filed = complex_figures(cx, filings=filings).filed
    fin = {}
    for p in platforms:
        e = cx.entity(p)
        row = {}
        for metric in ("equity_usd_bn", "operating_cash_flow_usd_bn", "debt_usd_bn"):
            obs = e.latest(metric)
            row[metric] = np.nan if obs is None else float(obs.value)
        annual = filed[filed["name"] == p].sort_values("year")
        if not annual.empty:
            last = annual.iloc[-1]
            latest = e.latest("operating_cash_flow_usd_bn")
            # a filed fiscal year replaces the complex's latest figure unless that one is more recent
            if latest is None or str(latest.period) == f"FY{int(last['year'])}":
                row["operating_cash_flow_usd_bn"] = float(last["operating_cash_flow_usd_bn"])
        fin[p] = row
    book = np.array([cx.book(p) for p in platforms], dtype=float)
    # guaranteed edges and the labs' naked edges
    g_rows, naked_rows = [], []
    amounts = np.asarray(m.amount, float)
    for e, name in enumerate(m.edge_names):
        ult = np.flatnonzero(m.ultimate[e] > 1e-12)
        obligors = [labels[k] for k in ult]
        guarantors = [labels[k] for k in np.flatnonzero(m.guarantor[e] > 0)]
        beneficiary = labels[m.obligee[e]] if m.obligee[e] >= 0 else None
        for g in guarantors:
            for o in obligors:
                if o == g:  # a guarantee by the obligor itself adds no second name
                    continue
                g_rows.append({"contract": name, "kind": str(m.edge_kind[e]), "obligor": o, "guarantor": g,
                               "beneficiary": beneficiary, "amount_usd_bn": amounts[e]})
        if not guarantors and m.nature[e] == "owed":
            for k, o in zip(ult, obligors, strict=True):
                if k < n and str(m.entity_kind[k]) in _AI_KINDS:
                    naked_rows.append({"contract": name, "kind": str(m.edge_kind[e]), "obligor": o,
                                       "beneficiary": beneficiary, "amount_usd_bn": amounts[e] * m.ultimate[e, k]})
    gframe = pd.DataFrame(g_rows, columns=["contract", "kind", "obligor", "guarantor", "beneficiary", "amount_usd_bn"])
    return BookInputs(
        platforms=tuple(platforms), tenants=tenants, exposure=owed[keep].T.copy(), book=book, tenant_kind=kinds,
        ratings=r, financials=pd.DataFrame(fin).T, guarantees=gframe,
        naked=pd.DataFrame(naked_rows, columns=["contract", "kind", "obligor", "beneficiary", "amount_usd_bn"]),
        entities=tuple(m.entities),
    )


def _pd_of(name: str, ratings: dict, overrides: dict) -> float:
    if name in overrides:
        return float(check_probability(overrides[name], f"pd of {name}"))
    if name not in ratings:
        raise SpecError(f"{name!r} has no rating and no PD: give ratings={{{name!r}: 'BB'}} or "
                        f"p_default={{{name!r}: 0.02}}.")
    return max(rating_pd(ratings[name]), _PD_FLOOR)


def effective_category(p: float) -> str:
    """The best rating category whose one-year table PD is at least ``p`` (the grade a PD 'earns')."""
    one = DEFAULT_STUDY[1]
    for cat, v in one.items():
        if v >= p:
            return str(cat)
    return "Caa-C"


@dataclass(frozen=True, eq=False)
class BooksResult(Summarised):
    """The platforms' books priced (frozen). Money in USD bn.

    Attributes
    ----------
    inputs : BookInputs
    table : pandas.DataFrame
        One row per platform (one-year horizon): book, identified tenant exposure, EL, UL, VaR and
        ES at 99 % and 99.9 % with their 95 % Monte Carlo intervals and tail scenario counts, equity, operating cash flow, debt, ES 99.9 % over equity, and the book's name
        concentration (Herfindahl index, effective number of names, largest and three largest
        names' shares; the granular remainder counts as ``rest_names`` names).
    results : dict
        Platform name -> :class:`~borrowedtime.credit.copula.LossResult`.
    sweep : pandas.DataFrame
        ``rho`` (the AI tenants' asset correlation) -> VaR and ES 99.9 % of the default book.
    pds : pandas.Series
        PD used for every tenant.
    settings : dict
    """

    inputs: BookInputs
    table: pd.DataFrame
    results: dict
    sweep: pd.DataFrame
    pds: pd.Series
    default_book: LossResult
    settings: dict

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def contributions(self, platform: str, level: str = "999", measure: str = "var") -> pd.Series:
        """Euler contributions of each tenant to a platform's VaR or ES at ``level`` (USD bn).

        The granular remainder of the book is one row, ``rest of book``.
        """
        if platform not in self.results:
            raise SpecError(f"no platform {platform!r} in these books; platforms are {', '.join(self.results)}.")
        c = self.results[platform].contributions[f"{measure}_{level}_usd_bn"]
        key = np.where(c.index.str.startswith("rest-"), "rest of book", c.index)
        out = c.groupby(key, sort=False).sum()
        out.index.name = "tenant"
        return out.sort_values(ascending=False)

    def summary(self) -> str:
        lines = [f"The platforms' books ({self.settings['copula']}, rho_ai {self.settings['rho_ai']}, "
                 f"{self.settings['n_paths']:,} paths, seed {self.settings['seed']}; USD bn)"]
        for p, r in self.table.iterrows():
            lines.append(f"  {p:10s} book {r['book_usd_bn']:7,.0f}  EL {r['expected_loss_usd_bn']:6,.1f}  "
                         f"VaR99.9 {r['var_999_usd_bn']:6,.1f}  ES99.9 {r['es_999_usd_bn']:6,.1f}")
        return "\n".join(lines)


def _model(names, ead, pds, lgd, ai, rho_ai, rest, rest_pd, rest_names, copula, dof) -> CopulaModel:
    extra = _COMMON
    loadings = np.zeros((len(names), 2))
    loadings[:, 0] = np.sqrt(extra)
    loadings[ai, 1] = np.sqrt(max(rho_ai - extra, 0.0))
    if rho_ai < extra:
        loadings[ai, 0] = np.sqrt(rho_ai)
    names, ead, pds = list(names), list(ead), list(pds)
    lg = [lgd] * len(names)
    if rest > 1e-9:
        names += [f"rest-{k}" for k in range(rest_names)]
        ead += [rest / rest_names] * rest_names
        pds += [rest_pd] * rest_names
        lg += [lgd] * rest_names
        loadings = np.vstack([loadings, np.tile([np.sqrt(extra), 0.0], (rest_names, 1))])
    return CopulaModel(names, ead, pds, lg, loadings, copula=copula, dof=dof)


def _mc_error(res: LossResult) -> dict:
    """Monte Carlo error of a book's VaR and ES at 99 % and 99.9 % (95 % intervals; USD bn)."""
    out = {}
    for q, tag in ((0.99, "99"), (0.999, "999")):
        lo, hi = res.var_interval(q)
        es_lo, es_hi = res.es_interval(q)
        out |= {f"var_{tag}_ci_low_usd_bn": lo, f"var_{tag}_ci_high_usd_bn": hi,
                f"es_{tag}_ci_low_usd_bn": es_lo, f"es_{tag}_ci_high_usd_bn": es_hi,
                f"tail_scenarios_{tag}": res.tail_scenarios(q)}
    return out


def platform_books(
    cx=None,
    *,
    n_paths: int = 200_000,
    seed: int = 0,
    rho_ai: float = 0.5,
    lgd: float = 0.45,
    copula: str = "gaussian",
    dof: float | None = None,
    ratings: dict | None = None,
    p_default: dict | None = None,
    openai_pd: str | float = "table",
    rest_rating: str = "A",
    rest_names: int = 200,
    sweep_rhos: Sequence[float] = (0.12, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0),
    progress: Callable[[str, int, int], None] | None = None,
) -> BooksResult:
    """Price each platform's looked-through book and sweep the default book's AI correlation to 1.

    Parameters
    ----------
    cx : Complex, optional
        Default: the packaged 2026 complex.
    n_paths : int, default 200_000
    seed : int, default 0
    rho_ai : float, default 0.5
        Asset correlation between two AI tenants (the labs), in [0.12, 1].
    lgd : float, default 0.45
    copula : {"gaussian", "t"}; dof : float, optional
    ratings : dict, optional
        Letter ratings overriding the defaults, by entity name.
    p_default : dict, optional
        PDs overriding ratings, by entity name (decimals).
    openai_pd : "table", "treadmill" or float
        OpenAI's PD: its assumed rating's table value, the treadmill PD
        (:func:`borrowedtime.credit.pd.treadmill_pd`) or a number.
    rest_rating : str, default "A"
        Rating of the part of each book not assigned to a tenant.
    rest_names : int, default 200
        Names in that granular remainder.
    sweep_rhos : sequence of float
        AI correlations of the sweep.
    progress : callable, optional
        ``progress(stage, done, total)``.

    Returns
    -------
    BooksResult
    """
    seed = check_seed(seed)
    rho_ai = float(check_rho(rho_ai, "rho_ai", allow_one=True))
    lgd = float(check_lgd(lgd, "lgd"))
    inputs = book_inputs(cx, ratings=ratings)
    overrides = dict(p_default or {})
    if openai_pd == "treadmill":
        from borrowedtime.credit.pd import treadmill_pd

        overrides.setdefault("openai", treadmill_pd(seed=seed).annual_pd)
    elif isinstance(openai_pd, int | float) and not isinstance(openai_pd, bool):
        overrides.setdefault("openai", openai_pd)
    elif openai_pd != "table":
        raise SpecError(f"openai_pd must be 'table', 'treadmill' or a probability. Got {openai_pd!r}.")
    _known(overrides, inputs.entities, "p_default")
    for name, v in overrides.items():
        check_probability(v, f"pd of {name}")
    pds = np.array([_pd_of(t, inputs.ratings, overrides) for t in inputs.tenants])
    ai = np.array([k in _AI_KINDS for k in inputs.tenant_kind])
    rest_pd = max(rating_pd(rest_rating), _PD_FLOOR)
    results, rows = {}, {}
    steps = len(inputs.platforms) + len(sweep_rhos)
    for k, p in enumerate(inputs.platforms):
        ead = inputs.exposure[k]
        have = ead > 1e-9
        rest = max(inputs.book[k] - ead.sum(), 0.0) if np.isfinite(inputs.book[k]) else 0.0
        mdl = _model(np.asarray(inputs.tenants)[have], ead[have], pds[have], lgd, ai[have], rho_ai, rest,
                     rest_pd, rest_names, copula, dof)
        res = mdl.run(n_paths, seed)
        results[p] = res
        f = inputs.financials.loc[p]
        tops = top_shares(mdl.ead_usd_bn, n=(1, 3))
        rows[p] = {
            "book_usd_bn": float(inputs.book[k]) if np.isfinite(inputs.book[k]) else float(ead.sum()),
            "exposure_usd_bn": float(ead.sum()),
            "lab_exposure_usd_bn": float(ead[ai].sum()),
            "expected_loss_usd_bn": res.expected_loss, "unexpected_loss_usd_bn": res.unexpected_loss,
            "var_99_usd_bn": res.var_at(0.99), "es_99_usd_bn": res.es_at(0.99),
            "var_999_usd_bn": res.var_at(0.999), "es_999_usd_bn": res.es_at(0.999),
            **_mc_error(res),
            "equity_usd_bn": f["equity_usd_bn"], "operating_cash_flow_usd_bn": f["operating_cash_flow_usd_bn"],
            "debt_usd_bn": f["debt_usd_bn"], "es_999_over_equity": res.es_at(0.999) / f["equity_usd_bn"],
            "herfindahl": herfindahl(mdl.ead_usd_bn), "effective_names": effective_names(mdl.ead_usd_bn),
            "top1_share": tops[1], "top3_share": tops[3],
        }
        if progress:
            progress("platforms", k + 1, steps)
    table = pd.DataFrame(rows).T
    table.index.name = "platform"
    # the default book: every platform's book together (tenants summed, each remainder its own pool)
    total = inputs.exposure.sum(axis=0)
    rest_total = float(np.nansum(np.maximum(inputs.book - inputs.exposure.sum(axis=1), 0.0)))
    sweep_rows = []
    default_book = None
    for j, r in enumerate(sweep_rhos):
        r = float(check_rho(r, "sweep rho", allow_one=True))
        mdl = _model(inputs.tenants, total, pds, lgd, ai, r, rest_total, rest_pd, rest_names, copula, dof)
        res = mdl.run(n_paths, seed, contributions=False)
        sweep_rows.append({"rho": r, "expected_loss_usd_bn": res.expected_loss, "var_999_usd_bn": res.var_at(0.999),
                           "es_999_usd_bn": res.es_at(0.999), "var_99_usd_bn": res.var_at(0.99)})
        if progress:
            progress("sweep", len(inputs.platforms) + j + 1, steps)
    default_book = _model(inputs.tenants, total, pds, lgd, ai, rho_ai, rest_total, rest_pd, rest_names,
                          copula, dof).run(n_paths, seed)
    settings = {"n_paths": n_paths, "seed": seed, "rho_ai": rho_ai, "lgd": lgd, "copula": copula, "dof": dof,
                "openai_pd": openai_pd, "rest_rating": rest_rating, "rest_names": rest_names}
    return BooksResult(inputs=inputs, table=table, results=results, sweep=pd.DataFrame(sweep_rows),
                       pds=pd.Series(pds, index=pd.Index(inputs.tenants, name="tenant"), name="p_default"),
                       default_book=default_book, settings=settings)


def wrap_table(inputs: BookInputs | None = None, *, rho: float = 0.3, lgd: float = 0.45, maturity: float = 2.5,
               p_default: dict | None = None) -> pd.DataFrame:
    """How the wraps lift Anthropic-linked exposure and leave OpenAI's naked.

    One row per (guaranteed edge, guarantor) and one per naked lab edge:
    standalone PD of the ultimate obligor, the guarantor's PD, the joint
    default probability with asset correlation ``rho`` (loss only if both
    fail), the grade that PD earns, and the risk weight standalone, by
    substitution and by Basel double default. For Google and Broadcom the
    double-default weight is an analogy: Basel II para 307(i)-(ii) admits only
    financial protection providers (see :mod:`borrowedtime.credit.guarantees`).
    """
    inputs = book_inputs() if inputs is None else inputs
    overrides = dict(p_default or {})
    rows = []
    for _, g in inputs.guarantees.iterrows():
        if g["guarantor"] not in inputs.ratings and g["guarantor"] not in overrides:
            raise SpecError(f"guarantee {g['contract']!r}: the guarantor {g['guarantor']!r} has no rating; "
                            "a guarantee is worth the guarantor's credit, so give it a rating or a PD.")
        po = _pd_of(g["obligor"], inputs.ratings, overrides)
        pg = _pd_of(g["guarantor"], inputs.ratings, overrides)
        joint = joint_default_probability(po, pg, rho)
        rows.append({
            "contract": g["contract"], "kind": g["kind"], "obligor": g["obligor"], "guarantor": g["guarantor"],
            "beneficiary": g["beneficiary"], "amount_usd_bn": g["amount_usd_bn"], "pd_obligor": po, "pd_guarantor": pg,
            "pd_effective": joint, "grade_standalone": effective_category(po), "grade_effective": effective_category(joint),
            "rw_standalone": float(risk_weight(po, lgd, maturity)),
            "rw_substitution": float(risk_weight(min(po, pg), lgd, maturity)),
            "rw_double_default": double_default_risk_weight(po, pg, lgd, maturity),
        })
    for _, e in inputs.naked.iterrows():
        po = _pd_of(e["obligor"], inputs.ratings, overrides)
        rw = float(risk_weight(po, lgd, maturity))
        rows.append({
            "contract": e["contract"], "kind": e["kind"], "obligor": e["obligor"], "guarantor": None,
            "beneficiary": e["beneficiary"], "amount_usd_bn": e["amount_usd_bn"], "pd_obligor": po,
            "pd_guarantor": np.nan, "pd_effective": po, "grade_standalone": effective_category(po),
            "grade_effective": effective_category(po), "rw_standalone": rw, "rw_substitution": rw,
            "rw_double_default": rw,
        })
    return pd.DataFrame(rows)



@dataclass(frozen=True, eq=False)
class CreditReport:
    """Everything the report's credit section draws (computed here; the report runs no model)."""

    books: BooksResult
    wraps: pd.DataFrame
    payoffs: dict
    treadmill: object


def credit_report_inputs(seed: int = 0, quick: bool = False) -> CreditReport:
    """Compute the credit section's inputs: the books, the wraps, the instruments' payoffs, the treadmill PD."""
    from borrowedtime.credit.pd import treadmill_pd
    from borrowedtime.instruments.payoffs import payoff_table

    books = platform_books(n_paths=20_000 if quick else 200_000, seed=seed)
    return CreditReport(books=books, wraps=wrap_table(books.inputs), payoffs=payoff_table(),
                        treadmill=treadmill_pd(seed=seed))
