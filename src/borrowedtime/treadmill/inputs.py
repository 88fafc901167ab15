r"""The up-round borrower's inputs, read from the complex.

What :mod:`borrowedtime.treadmill.rounds` needs from the complex beside the
marks themselves: an entity's annual figures (revenue, burn share, contracted
compute as stated), its contracted compute rebuilt from its own take-or-pay
contracts (undated commitments spread over a stated term), and the announced
terms of its last round (the ``announced`` reading of
:class:`~borrowedtime.treadmill.rounds.RoundsSpec`).

Units: USD bn, years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from borrowedtime.complex import load_complex
from borrowedtime.errors import DataError, SpecError

__all__ = ["annual_inputs", "announced_round", "contracted_compute_from_contracts", "undated_default_term"]


def announced_round(cx, entity: str = "openai") -> tuple[pd.Timestamp, float, float, str]:
    """The entity's latest funding round as announced: (date, post-money, raised, source), USD bn.

    A ``funding_round`` contract of the complex whose obligor is ``entity``
    and that states both ``pre_money_usd_bn`` and ``notional_usd_bn`` (the
    announced terms); post-money is pre-money plus the amount raised. For
    OpenAI: the 2026-02-27 first close, USD 110bn at USD 730bn pre-money,
    840 post-money, against the essay's "roughly $122 billion ... near
    $852 billion" (the audit recomputes the same two figures).

    Raises
    ------
    SpecError
        The complex has no announced round of the entity with both figures.
    """
    rounds = [c for c in cx.contracts if c.kind == "funding_round" and c.obligor == entity
              and c.pre_money_usd_bn is not None and c.notional_usd_bn is not None]
    if not rounds:
        raise SpecError(f"complex entity {entity!r}: no funding_round contract with pre_money_usd_bn and "
                        "notional_usd_bn (the announced terms the 'announced' reading needs).")
    c = max(rounds, key=lambda r: pd.Timestamp(r.as_of))
    raised = float(c.notional_usd_bn.value)
    return pd.Timestamp(c.as_of), float(c.pre_money_usd_bn.value) + raised, raised, str(c.source)


def _annual_figures(entity, metric: str) -> pd.Series:
    """One metric of an entity by calendar year (the year of each observation's as_of; a later one wins)."""
    obs = entity.observations(metric)
    s = pd.Series({o.as_of.year: float(o.value) for o in obs}, name=metric.removesuffix("_usd_bn"), dtype=float)
    s.index.name = "year"
    if obs:
        s.attrs.update(source="; ".join(dict.fromkeys(o.source for o in obs)), as_of=str(obs[-1].as_of))
    return s


def annual_inputs(name: str, cx=None, entity: str = "openai") -> pd.Series:
    """One annual input of the up-round borrower, read from the complex (index: year; attrs: source).

    Parameters
    ----------
    name : {"revenue", "burn_share", "contracted_compute"}
    cx : Complex, optional
        Default: the packaged complex.
    entity : str, default "openai"
    """
    metric = {"revenue": "revenue_usd_bn", "burn_share": "burn_share",
              "contracted_compute": "contracted_compute_usd_bn"}.get(name)
    if metric is None:
        raise SpecError(f"no annual input {name!r}; there are: revenue, burn_share, contracted_compute.")
    cx = load_complex() if cx is None else cx
    return _annual_figures(cx.entity(entity), metric).rename(name)


def _yf(d) -> float:
    d = pd.Timestamp(d)
    return d.year + _year_fraction(d)


def _own_take_or_pay(cx, entity: str) -> list:
    """The entity's own (direct, owed) take-or-pay contracts in the complex."""
    m = cx.model
    live = set(np.asarray(m.edge_names)[m._mask("take_or_pay", None)].tolist())
    return [c for c in cx.contracts if c.kind == "take_or_pay" and c.obligor == entity and c.name in live]


def undated_default_term(cx=None, entity: str = "openai") -> float:
    """The default term of an entity's undated take-or-pay commitments, years.

    The rule (an assumption, stated): an undated commitment runs as long as
    the median term its counterparties disclosed for the entity's *dated*
    take-or-pay contracts in the complex (a stated ``term_years``, or start
    to end). OpenAI in the packaged complex: Oracle 5 years (WSJ 2025-09-10),
    AWS 7 (2025-11-03) and 8 (2026-02-27), CoreWeave 5 (2025-03-10): median
    6.0 years.

    Raises
    ------
    SpecError
        The entity has no dated take-or-pay contract to take a term from.
    """
    cx = load_complex() if cx is None else cx
    terms = []
    for c in _own_take_or_pay(cx, entity):
        if c.term_years is not None:
            terms.append(float(c.term_years))
        elif c.end is not None:
            terms.append(_yf(c.end) - _yf(c.start or c.as_of))
    if not terms:
        raise SpecError(
            f"complex entity {entity!r}: no dated take-or-pay contract (term_years or end) to take the "
            "undated-commitment term from; pass undated_term_years."
        )
    return float(np.median(terms))


def contracted_compute_from_contracts(
    cx=None, entity: str = "openai", undated_term_years: float | None = None
) -> pd.Series:
    """Contracted compute payments by calendar year, USD bn, from the complex's own contracts.

    Dated contracts are the complex's remaining-payment schedule
    (:meth:`borrowedtime.complex.model.ComplexModel.schedule`, kind
    ``take_or_pay``, direct view: what the entity itself owes, spread evenly
    from the later of start and as_of over the term). Undated commitments
    (no end, no term: OpenAI's Azure commitment, about USD 281bn, and two
    CoreWeave expansions, 10.5bn) are spread evenly from their ``as_of`` over
    ``undated_term_years``, an assumption whose default is
    :func:`undated_default_term` (the median disclosed term of the entity's
    dated contracts). The series sums to the schedule's dated plus undated
    payments of the entity (every year with a payment is in the index).

    Parameters
    ----------
    cx : Complex, optional
        Default: the packaged complex.
    entity : str, default "openai"
    undated_term_years : float, optional
        Term over which undated commitments are spread, years (> 0).

    Returns
    -------
    pandas.Series
        Index ``year`` (int), name ``contracted_compute``; attrs ``source``,
        ``undated_term_years``, ``undated_usd_bn``.
    """
    cx = load_complex() if cx is None else cx
    if not cx.has_entity(entity):
        raise SpecError(f"no entity {entity!r} in the complex.")
    term = undated_default_term(cx, entity) if undated_term_years is None else float(undated_term_years)
    if not (np.isfinite(term) and term > 0):
        raise SpecError(f"undated_term_years must be > 0 years. Got {undated_term_years!r}.")
    m = cx.model
    sched = m.schedule("take_or_pay", view="direct")
    dated = sched.total_by_year(entity)
    i = m.labels.index(entity)
    undated_total = float(sched.undated[i].sum())
    values = np.nan_to_num(np.asarray(m.amount, dtype=float), nan=0.0)
    pos = {n: k for k, n in enumerate(m.edge_names)}
    spans = []
    for c in _own_take_or_pay(cx, entity):
        if c.end is None and c.term_years is None:
            start = max(_yf(c.start or c.as_of), _yf(c.as_of))
            spans.append((start, start + term, values[pos[c.name]]))
    bounds = [(int(dated.index.min()), int(dated.index.max()))] if dated.size else []
    bounds += [(int(np.floor(a)), int(np.ceil(b)) - 1) for a, b, _ in spans]
    if not bounds:
        raise SpecError(f"complex entity {entity!r}: no take-or-pay contracts to derive contracted compute from.")
    first, last = min(b[0] for b in bounds), max(b[1] for b in bounds)
    years = np.arange(first, last + 1)
    out = dated.reindex(years, fill_value=0.0).to_numpy(float).copy()
    for s, e, v in spans:
        out += v * (np.clip(e, years, years + 1) - np.clip(s, years, years + 1)) / (e - s)
    if not np.isclose(sum(v for _, _, v in spans), undated_total):
        raise DataError(f"complex entity {entity!r}: undated take-or-pay amounts do not match the schedule.")
    res = pd.Series(out, index=pd.Index(years, name="year"), name="contracted_compute")
    res.attrs.update(
        source=f"complex take-or-pay contracts of {entity!r} (ComplexModel.schedule, direct view); "
        f"undated commitments ({undated_total:,.1f} bn) spread over {term:g} years from their as_of (assumption)",
        undated_term_years=term,
        undated_usd_bn=undated_total,
    )
    return res


def _year_fraction(date: pd.Timestamp) -> float:
    start = pd.Timestamp(year=date.year, month=1, day=1)
    return (date - start).days / (366.0 if date.is_leap_year else 365.0)
