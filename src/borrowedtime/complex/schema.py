"""The complex as data: entities, contracts and stated book concentrations.

Pydantic v2 models of the YAML format read by :func:`borrowedtime.complex.load_complex`.
Every number is a :class:`Figure`: a value with its provenance (``source``,
``as_of``) and, where the source says "roughly" or "about", an uncertainty
range (``low``, ``high``). A bare number in the YAML inherits the ``source``
and ``as_of`` of the entity or contract that holds it.

Notes
-----
Units: money in USD billions (fields end in ``_usd_bn``); shares and rates as
decimals (0.49 is 49 %); dates as ISO ``YYYY-MM-DD``.

Direction of a contract: the **obligor** pays or owes, the **obligee** is owed.
For a take-or-pay commitment the obligor is the tenant and the obligee the
provider (whose remaining performance obligation, RPO, the contract sits in);
for a loan, note or bond the obligor is the borrower or issuer and the obligee
the lender or holder; for an equity stake the obligor is the issuer and the
obligee the holder; for a guarantee the obligor is the guarantor and the
obligee the beneficiary.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

__all__ = [
    "ENTITY_KINDS",
    "CONTRACT_KINDS",
    "METRICS",
    "OWED_KINDS",
    "Figure",
    "Observation",
    "Entity",
    "Contract",
    "Concentration",
    "ComplexSpec",
    "APPROX_BAND",
]

ENTITY_KINDS = (
    "lab",
    "hyperscaler",
    "neocloud",
    "chipmaker",
    "investor",
    "lender",
    "insurer",
    "spv",
    "person",
    "other",
)
CONTRACT_KINDS = (
    "take_or_pay",
    "term_loan",
    "abs_note",
    "bond",
    "margin_loan",
    "equity_stake",
    "funding_round",
    "guarantee",
    "residual_value_guarantee",
    "revenue_share",
)
#: Contract kinds whose notional is money owed by the obligor to the obligee.
OWED_KINDS = ("take_or_pay", "term_loan", "abs_note", "bond", "margin_loan")
GUARANTEE_KINDS = ("guarantee", "residual_value_guarantee")
METRICS = (
    "backlog_usd_bn",
    "revenue_usd_bn",
    "operating_cash_flow_usd_bn",
    "capex_usd_bn",
    "capex_incl_leases_usd_bn",
    "debt_usd_bn",
    "equity_usd_bn",
    "valuation_usd_bn",
    "cash_burn_usd_bn",
    "cumulative_cash_burn_usd_bn",
    "ipo_target_usd_bn",
    "capital_raised_usd_bn",
    "burn_share",
    "contracted_compute_usd_bn",
    "compute_share_of_costs",
)

#: Half-width of the range given to a figure marked ``approx: true`` without
#: explicit ``low``/``high``: the essay's "roughly"/"about" read as +/-10 %.
APPROX_BAND = 0.10

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and _ISO.match(raw.strip()):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError as exc:
            raise ValueError(f"expected a date YYYY-MM-DD, got {raw!r} ({exc})") from None
    raise ValueError(f"expected a date YYYY-MM-DD, got {raw!r}")


def _approx_band(data: Any) -> Any:
    """Fill low/high at +/- APPROX_BAND for a hedged figure that gives no range."""
    if isinstance(data, dict) and data.get("approx") and isinstance(data.get("value"), int | float):
        v = float(data["value"])
        data = dict(data)
        if data.get("low") is None:
            data["low"] = v - abs(v) * APPROX_BAND
        if data.get("high") is None:
            data["high"] = v + abs(v) * APPROX_BAND
    return data


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Name = Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.\-]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Model):
    """One number with provenance and an optional uncertainty range.

    Parameters
    ----------
    value : float
        Central value (USD bn for money, decimal for shares).
    low, high : float, optional
        Range; filled at +/- :data:`APPROX_BAND` of ``value`` when ``approx``.
    approx : bool
        The source hedges ("roughly", "about", "~").
    source : str
        Essay section ("essay VI") or public filing/report.
    as_of : date
        Date the figure refers to.
    """

    value: float
    low: float | None = None
    high: float | None = None
    approx: bool = False
    source: str
    as_of: IsoDate
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _band(cls, data: Any) -> Any:
        return _approx_band(data)

    @model_validator(mode="after")
    def _ordered(self) -> Figure:
        lo = self.value if self.low is None else self.low
        hi = self.value if self.high is None else self.high
        if not lo <= self.value <= hi:
            raise ValueError(f"need low <= value <= high, got {self.low} <= {self.value} <= {self.high}")
        return self

    @property
    def range(self) -> tuple[float, float]:
        """(low, high), the value itself where no range is given."""
        return (self.value if self.low is None else self.low, self.value if self.high is None else self.high)


def _non_negative(f: Figure | None) -> Figure | None:
    if f is not None and f.value < 0:
        raise ValueError(f"must be >= 0, got {f.value:g}")
    return f


def _share(f: Figure | None) -> Figure | None:
    if f is not None and not 0.0 <= f.value <= 1.0:
        raise ValueError(f"must be a decimal share in [0, 1], got {f.value:g}")
    return f


Amount = Annotated[Figure | None, AfterValidator(_non_negative)]
Share = Annotated[Figure | None, AfterValidator(_share)]


def _inherit(data: Any, fields: tuple[str, ...]) -> Any:
    """Give bare numbers (and figures without provenance) the holder's source and as_of."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key in fields:
        v = out.get(key)
        if isinstance(v, bool):
            continue
        if isinstance(v, int | float):
            out[key] = {"value": v, "source": out.get("source"), "as_of": out.get("as_of")}
        elif isinstance(v, dict):
            v = dict(v)
            v.setdefault("source", out.get("source"))
            v.setdefault("as_of", out.get("as_of"))
            out[key] = v
    if isinstance(out.get("end_users"), dict):
        eu = {}
        for k, v in out["end_users"].items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                v = {"value": v, "source": out.get("source"), "as_of": out.get("as_of")}
            elif isinstance(v, dict):
                v = {"source": out.get("source"), "as_of": out.get("as_of"), **v}
            eu[k] = v
        out["end_users"] = eu
    return out


class Observation(Figure):
    """A reported metric of an entity at a date (a filing, a report, the essay).

    Several observations of one metric may exist; the latest ``as_of`` is the
    current value (an overlay adds a newer quarter simply by adding one).
    ``estimate`` marks a projection or a figure implied by others,
    ``assumption`` a value this project chose (the source says so).
    """

    metric: Literal[METRICS]  # type: ignore[valid-type]
    period: str | None = None
    estimate: bool = False
    assumption: bool = False

    @property
    def figure(self) -> Figure:
        return Figure(
            value=self.value, low=self.low, high=self.high, approx=self.approx,
            source=self.source, as_of=self.as_of, note=self.note,
        )


class Entity(_Model):
    """A firm, fund, person or vehicle in the complex.

    Parameters
    ----------
    name : str
        Identifier used by contracts (lower case, ``openai``).
    kind : str
        One of :data:`ENTITY_KINDS`.
    rating : {"IG", "HY", "NR"}
        Broad credit standing (investment grade, high yield, not rated).
    parent : str, optional
        Sponsor of a special-purpose vehicle or owner of a subsidiary.
    figures : list of Observation
        Reported metrics (backlog, operating cash flow, debt, ...).
    """

    name: Name
    label: str | None = None
    kind: Literal[ENTITY_KINDS]  # type: ignore[valid-type]
    rating: Literal["IG", "HY", "NR"] = "NR"
    parent: str | None = None
    bankruptcy_remote: bool = False
    source: str
    as_of: IsoDate
    note: str | None = None
    figures: tuple[Observation, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _provenance(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("figures"), list):
            data = dict(data)
            data["figures"] = [
                {"source": data.get("source"), "as_of": data.get("as_of"), **f} if isinstance(f, dict) else f
                for f in data["figures"]
            ]
        return data

    @property
    def display(self) -> str:
        return self.label or self.name

    def observations(self, metric: str) -> list[Observation]:
        """Observations of one metric, oldest first."""
        return sorted((o for o in self.figures if o.metric == metric), key=lambda o: o.as_of)

    def latest(self, metric: str, *, source_prefix: str | None = None) -> Observation | None:
        """The most recent observation of a metric (optionally from one kind of source)."""
        obs = [
            o for o in self.observations(metric)
            if source_prefix is None or o.source.lower().startswith(source_prefix.lower())
        ]
        return obs[-1] if obs else None

    def as_of_date(self, metric: str, when) -> Observation | None:
        """The latest observation of a metric dated on or before ``when`` (else the earliest)."""
        obs = self.observations(metric)
        before = [o for o in obs if o.as_of <= when]
        return before[-1] if before else (obs[0] if obs else None)

    def on(self, metric: str, period: str) -> Observation | None:
        """The observation of a metric for a named period (``FY2024``)."""
        hits = [o for o in self.figures if o.metric == metric and o.period == period]
        return hits[-1] if hits else None


_CONTRACT_FIGURES = (
    "notional_usd_bn", "share_of_obligee_book", "stake", "pre_money_usd_bn", "post_money_usd_bn", "revenue_share",
)


class Contract(_Model):
    """An obligation between two entities (see the module notes for direction).

    Parameters
    ----------
    name : str
        Unique identifier.
    kind : str
        One of :data:`CONTRACT_KINDS`.
    obligor, obligee : str
        Entity names: who pays/owes and who is owed.
    notional_usd_bn : Figure, optional
        Contracted amount, USD bn (remaining commitment for take-or-pay,
        principal for debt, amount invested for equity, cap for a guarantee).
    share_of_obligee_book : Figure, optional
        For take-or-pay: the share of the obligee's backlog this contract is,
        when the filing states a share instead of an amount.
    stake : Figure, optional
        Equity stake as a decimal of the issuer.
    end_users : dict of str to Figure or None
        Look-through: who ultimately uses the capacity or services the debt,
        with their share (None where the split is not disclosed).
    covers : str, optional
        For guarantees: the name of the guaranteed contract.
    collateral, recourse, seniority : str, optional
        For debt: what secures it, ``full``/``limited``/``non_recourse``,
        ``senior``/``junior``.
    in_backlog : bool, default True
        For take-or-pay: the contract is inside the obligee's latest reported
        backlog. False for a contract signed after that report (Anthropic's
        April 2026 AWS commitment against Amazon's March 2026 backlog); it is
        then added to the platform's book pro forma (:meth:`Complex.book`).
    """

    name: Name
    kind: Literal[CONTRACT_KINDS]  # type: ignore[valid-type]
    obligor: str
    obligee: str | None = None
    participants: tuple[str, ...] = ()
    notional_usd_bn: Amount = None
    share_of_obligee_book: Share = None
    stake: Share = None
    pre_money_usd_bn: Amount = None
    post_money_usd_bn: Amount = None
    revenue_share: Share = None
    in_backlog: bool = True
    term_years: float | None = Field(default=None, gt=0)
    start: IsoDate | None = None
    end: IsoDate | None = None
    status: Literal["active", "ended", "proposed"] = "active"
    end_users: dict[str, Share] = Field(default_factory=dict)
    via: tuple[str, ...] = ()
    covers: str | None = None
    collateral: str | None = None
    recourse: Literal["full", "limited", "non_recourse"] | None = None
    seniority: Literal["senior", "mezzanine", "junior"] | None = None
    publicly_syndicated: bool = False
    source: str
    as_of: IsoDate
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _provenance(cls, data: Any) -> Any:
        return _inherit(data, _CONTRACT_FIGURES)

    @model_validator(mode="after")
    def _shape(self) -> Contract:
        if self.obligee is None and self.kind != "funding_round":
            raise ValueError(f"a {self.kind} needs an obligee")
        if self.kind in GUARANTEE_KINDS and not self.covers:
            raise ValueError(f"a {self.kind} needs 'covers': the name of the guaranteed contract")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Concentration(_Model):
    """A stated share of a platform's backlog owed by a group of tenants.

    The essay states shares for groups ("Microsoft's book is about 49% these
    two names"); :mod:`borrowedtime.complex.exposures` uses them for the part
    of a book that the disclosed contracts do not explain.
    """

    platform: str
    obligors: tuple[str, ...] = Field(min_length=1)
    share: Share
    source: str
    as_of: IsoDate
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _provenance(cls, data: Any) -> Any:
        return _inherit(data, ("share",))


class ComplexSpec(_Model):
    """The whole dataset: top-level metadata and the three lists."""

    schema_: str = Field(default="borrowedtime.complex/1", alias="schema")
    title: str | None = None
    as_of: IsoDate
    source: str | None = None
    entities: tuple[Entity, ...] = ()
    contracts: tuple[Contract, ...] = ()
    concentrations: tuple[Concentration, ...] = ()
