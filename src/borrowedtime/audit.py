"""The essay's quantitative claims, each recomputed from the complex and checked.

Every claim of sections III-XII of "The Second Derivative" that carries a
number is written here as a small computation over the complex dataset
(:func:`borrowedtime.complex.load_complex`) and the essay's embedded series
(:mod:`borrowedtime.essay`). Derived claims are recomputed from their inputs:
growth rates from capex levels (:func:`borrowedtime.kinematics.growth`),
step-ups from valuation marks (:func:`borrowedtime.kinematics.step_ups`),
"about half" from per-platform shares and books, implied operating cash flow
from capex and the capex/OCF ratios, Oracle's backlog implied by $300B and
54 %. Where two of the essay's figures do not fit together, the claim says so
in ``why`` rather than picking the one that passes.

Notes
-----
Units: USD bn for money, decimals for shares and growth rates (0.51 is
+51 %), percentage points for accelerations, multiples for step-ups.

Status:

* ``pass`` -- the recomputed value is within ``tolerance`` of the stated one
  (or on the stated side of a bound: "over", "more than", "north of");
* ``fail`` -- it is not;
* ``cannot check`` -- the dataset holds no independent input (the essay is
  the only source of the figure, or the filing that would check it is not in
  the dataset); ``why`` says which.

Tolerances follow the essay's own precision:

* a figure stated without hedge gets half a unit of its last digit
  (:data:`ROUNDING`), or :data:`CROSS_SOURCE` (5 %) when it is compared with a
  filing that defines the quantity slightly differently;
* "about", "roughly", "approximately", "~", "near" get :data:`ABOUT` (10 %);
* "on the order of" gets :data:`ORDER_OF` (25 %).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from borrowedtime.complex import Complex, exposures, load_complex, platform_concentration
from borrowedtime.errors import BorrowedTimeError
from borrowedtime.essay import essay_series
from borrowedtime.kinematics import acceleration, growth, step_ups

__all__ = [
    "ClaimCheck",
    "AuditResult",
    "audit",
    "STATUSES",
    "ABOUT",
    "ORDER_OF",
    "CROSS_SOURCE",
    "PLATFORMS",
    "CAPEX_GROUP",
    "format_value",
]

Status = Literal["pass", "fail", "cannot check"]
STATUSES: tuple[str, ...] = ("pass", "fail", "cannot check")

#: Relative tolerance of a hedged figure ("about", "roughly", "~").
ABOUT = 0.10
#: Relative tolerance of "on the order of".
ORDER_OF = 0.25
#: Relative tolerance of an unhedged figure checked against a filing whose
#: definition differs a little (cash purchases of PP&E vs. capex incl. leases).
CROSS_SOURCE = 0.05
#: Half a unit of the last digit of a figure stated to two decimals (1.83x).
ROUNDING = 0.005

#: The "four big platforms" whose backlog the essay sums to $2.1 trillion.
PLATFORMS = ("microsoft", "oracle", "google", "amazon")
#: The hyperscalers whose filed capex and operating cash flow stand in for the
#: essay's aggregate (Microsoft's fiscal year ends 30 June).
CAPEX_GROUP = ("microsoft", "google", "amazon", "meta")
_LABS = ("openai", "anthropic")


@dataclass(frozen=True)
class ClaimCheck:
    """One claim of the essay, recomputed.

    Attributes
    ----------
    id : str
        Stable identifier, ``<section>.<topic>``.
    section : str
        Essay section (roman numeral).
    claim : str
        The claim, close to the essay's words.
    stated : float
        The essay's number (for an implied figure, what the essay's numbers imply).
    recomputed : float or None
        The same quantity from the dataset; None when it cannot be checked.
    tolerance : float or None
        Allowed absolute difference, in the claim's unit.
    status : {"pass", "fail", "cannot check"}
    why : str
        How it was recomputed, from what, and any inconsistency found.
    unit : str
        ``usd_bn``, ``share``, ``growth``, ``pp``, ``multiple``, ``years`` or ``count``.
    test : str or None
        How recomputed is compared with stated: ``within`` (|r - s| <= tolerance),
        ``at least`` (r >= s - tolerance), ``more than`` (r > s), ``less than``
        (r < s), ``at most``; None when the claim cannot be checked.
    """

    id: str
    section: str
    claim: str
    stated: float | None
    recomputed: float | None
    tolerance: float | None
    status: Status
    why: str
    unit: str = "usd_bn"
    test: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class AuditResult:
    """Every checked claim, in essay order.

    Attributes
    ----------
    claims : tuple of ClaimCheck
    files : tuple of str
        The complex files the audit ran on (base, then overlays).
    """

    claims: tuple[ClaimCheck, ...]
    files: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per claim: id, section, claim, stated, recomputed, tolerance, status, why, unit."""
        return pd.DataFrame([c.to_dict() for c in self.claims]).set_index("id")

    def counts(self) -> dict[str, int]:
        """Number of claims per status (every status present, zero if none)."""
        out = dict.fromkeys(STATUSES, 0)
        for c in self.claims:
            out[c.status] += 1
        return out

    def __getitem__(self, claim_id: str) -> ClaimCheck:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)

    def to_dict(self) -> dict:
        """JSON-ready: ``{"claims": [...], "counts": {...}, "files": [...]}``."""
        return {"claims": [c.to_dict() for c in self.claims], "counts": self.counts(), "files": list(self.files)}

    def summary(self) -> str:
        n = self.counts()
        lines = [
            f"Audit of the essay: {len(self.claims)} claims -- {n['pass']} pass, {n['fail']} fail, "
            f"{n['cannot check']} cannot check ({', '.join(self.files)})"
        ]
        for c in self.claims:
            if c.status == "fail":
                lines.append(f"  FAIL {c.id}: {c.claim} -- {c.why}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def format_value(value: float | None, unit: str, *, tolerance: bool = False) -> str:
    """A claim's number as printed: percent for shares, x for multiples, pp, USD bn.

    Parameters
    ----------
    value : float or None
        In the claim's unit (decimals for shares and growth).
    unit : str
        ``usd_bn``, ``share``, ``growth``, ``pp``, ``multiple``, ``years`` or ``count``.
    tolerance : bool
        Print as a +/- half-width.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    pre = "±" if tolerance else ""
    if unit in ("share", "growth"):
        sign = "+" if unit == "growth" and not tolerance and value > 0 else ""
        return f"{pre}{sign}{value * 100:.1f}%"
    if unit == "pp":
        return f"{pre}{value:+.1f} pp" if not tolerance else f"±{value:.1f} pp"
    if unit == "multiple":
        return f"{pre}{value:.2f}x"
    if unit == "years":
        return f"{pre}{value:g} yr"
    if unit == "count":
        return f"{pre}{value:g}"
    return f"{pre}${value:,.1f}bn" if abs(value) < 100 else f"{pre}${value:,.0f}bn"


# ============================================================================ machinery


class _Missing(Exception):
    """An input the claim needs is not in the dataset."""


@dataclass
class _Ctx:
    cx: Complex
    _cache: dict = field(default_factory=dict)

    def conc(self) -> pd.DataFrame:
        if "conc" not in self._cache:
            self._cache["conc"] = platform_concentration(self.cx).to_frame()
        return self._cache["conc"]

    def edges(self) -> pd.DataFrame:
        if "ex" not in self._cache:
            self._cache["ex"] = exposures(self.cx)
        return self._cache["ex"].edges

    def lookthrough(self) -> pd.DataFrame:
        self.edges()
        return self._cache["ex"].lookthrough

    def backlog(self, name: str, *, filed: bool = False) -> tuple[float, str]:
        """Latest backlog (and a provenance note); ``filed`` skips the essay's own figures."""
        if not self.cx.has_entity(name):
            raise _Missing(f"no entity {name!r} in the dataset")
        obs = [o for o in self.cx.entity(name).observations("backlog_usd_bn")
               if not (filed and o.source.lower().startswith("essay"))]
        if not obs:
            raise _Missing(f"no {'filed ' if filed else ''}backlog for {name!r}")
        o = obs[-1]
        return o.value, f"{name} {o.value:,.0f} ({o.as_of}, {'essay' if o.source.lower().startswith('essay') else 'filed'})"

    def book(self, name: str) -> tuple[float, str]:
        """Pro forma book (reported backlog + take-or-pay signed since) and a provenance note."""
        b, note = self.backlog(name, filed=True)
        added = self.cx.signed_since(name)
        if not added:
            return b, note
        extra = sum(c.notional_usd_bn.value for c in added)
        names = ", ".join(f"{c.name} {c.notional_usd_bn.value:g} ({c.as_of})" for c in added)
        return b + extra, f"{note} + {names} = {b + extra:,.0f}"

    def stated_share(self, platform: str) -> float:
        for k in self.cx.concentrations:
            if k.platform == platform and set(k.obligors) == set(_LABS) and k.share is not None:
                return k.share.value
        raise _Missing(f"no stated OpenAI+Anthropic share of {platform!r}'s book")

    def filed_sum(self, metric: str, year: int, names=CAPEX_GROUP) -> float:
        total = 0.0
        for n in names:
            if not self.cx.has_entity(n):
                raise _Missing(f"no entity {n!r}")
            o = self.cx.entity(n).on(metric, f"FY{year}")
            if o is None:
                raise _Missing(f"no FY{year} {metric.removesuffix('_usd_bn')} for {n} in the dataset")
            total += o.value
        return total

    def contract_amount(self, name: str) -> float:
        e = self.edges()
        row = e[e["contract"] == name]
        if row.empty or not np.isfinite(row["amount_usd_bn"].iloc[0]):
            raise _Missing(f"no amount for contract {name!r}")
        return float(row["amount_usd_bn"].iloc[0])

    def marks(self) -> pd.Series:
        if not self.cx.has_entity("openai"):
            raise _Missing("no entity 'openai'")
        obs = self.cx.entity("openai").observations("valuation_usd_bn")
        if len(obs) < 2:
            raise _Missing("fewer than two OpenAI valuation marks")
        return pd.Series([o.value for o in obs], index=pd.DatetimeIndex([pd.Timestamp(o.as_of) for o in obs]))


_Check = Callable[[_Ctx], ClaimCheck]
_CLAIMS: list[tuple[str, str, str, float, str, _Check]] = []


def _claim(cid: str, section: str, text: str, stated: float, unit: str = "usd_bn"):
    """Register a claim; the function returns (recomputed, tolerance, why, kind)."""

    def deco(fn):
        def run(ctx: _Ctx) -> ClaimCheck:
            try:
                out = fn(ctx, stated)
            except (_Missing, BorrowedTimeError, KeyError, ZeroDivisionError) as exc:
                msg = exc.args[0] if isinstance(exc, _Missing | BorrowedTimeError) and exc.args else repr(exc)
                return ClaimCheck(cid, section, text, stated, None, None, "cannot check",
                                  f"input missing: {msg}", unit)
            recomputed, tol, why, kind = out
            status = _status(stated, recomputed, tol, kind)
            return ClaimCheck(cid, section, text, stated, _num(recomputed) if status != "cannot check" else None,
                              tol if status != "cannot check" else None, status, why, unit,
                              _TESTS.get(kind) if status != "cannot check" else None)

        _CLAIMS.append((cid, section, text, stated, unit, run))
        return fn

    return deco


_TESTS = {"value": "within", "at_least": "at least", "more_than": "more than", "at_most": "at most",
          "less_than": "less than"}


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _status(stated: float, recomputed, tol, kind: str) -> Status:
    r = _num(recomputed)
    if r is None or kind == "cannot":
        return "cannot check"
    t = 0.0 if tol is None else tol
    if kind == "value":
        ok = abs(r - stated) <= t + 1e-12
    elif kind == "at_least":
        ok = r >= stated - t - 1e-12
    elif kind == "more_than":
        ok = r > stated
    elif kind == "at_most":
        ok = r <= stated + t + 1e-12
    elif kind == "less_than":
        ok = r < stated
    else:  # pragma: no cover - programming error
        raise ValueError(kind)
    return "pass" if ok else "fail"


def _cannot(why: str):
    return None, None, why, "cannot"


def _pct(x: float) -> str:
    return f"{x:.1%}"


# ============================================================================ III / VI: the backlog


@_claim("III.backlog_total", "III", "The four big platforms' contracted backlog is roughly $2.1 trillion", 2100)
def _(ctx, stated):
    parts = [ctx.book(p) for p in PLATFORMS]
    total = sum(v for v, _ in parts)
    return total, ABOUT * stated, (
        "sum of each platform's book (latest reported backlog + take-or-pay signed since): "
        + "; ".join(n for _, n in parts) + f" = {total:,.0f} ({total / stated - 1:+.1%} against $2.1T)."
    ), "value"


def _weighted(ctx) -> tuple[float, float, list[str]]:
    owed, books, notes = 0.0, 0.0, []
    for p in PLATFORMS:
        b, _ = ctx.book(p)
        s = ctx.stated_share(p)
        owed += s * b
        books += b
        notes.append(f"{p} {s:.0%} x {b:,.0f}")
    return owed, books, notes


def _disclosed_labs(ctx) -> tuple[float, float, list[str]]:
    t = ctx.conc()
    missing = [p for p in PLATFORMS if p not in t.index]
    if missing:
        raise _Missing(f"no backlog for {', '.join(missing)}")
    t = t.loc[list(PLATFORMS)]
    labs = t["lab_share_disclosed"] * t["book_usd_bn"]
    notes = [f"{p} {v:,.0f}" for p, v in labs.items()]
    return float(labs.sum()), float(t["book_usd_bn"].sum()), notes


@_claim("VI.labs_half", "VI", "About half of the backlog is owed by OpenAI and Anthropic (essay's shares)", 0.5,
        "share")
def _(ctx, stated):
    owed, books, notes = _weighted(ctx)
    return owed / books, ABOUT * stated, (
        "book-weighted mean of the essay's per-platform shares: " + ", ".join(notes)
        + f" -> {owed:,.0f} of {books:,.0f}."
    ), "value"


@_claim("VI.labs_half_from_contracts", "VI",
        "About half of the backlog is owed by OpenAI and Anthropic (disclosed contracts)", 0.5, "share")
def _(ctx, stated):
    owed, books, notes = _disclosed_labs(ctx)
    return owed / books, ABOUT * stated, (
        "disclosed lab contracts, without the essay's shares: " + ", ".join(notes)
        + f" = {owed:,.0f} of {books:,.0f}."
    ), "value"


@_claim("VI.labs_owed", "VI", "On the order of $1.05 trillion is owed by OpenAI and Anthropic", 1050)
def _(ctx, stated):
    owed, books, _ = _weighted(ctx)
    disclosed, _, _ = _disclosed_labs(ctx)
    return owed, ORDER_OF * stated, (
        f"sum over platforms of stated share x book = {owed:,.0f}; from disclosed contracts alone {disclosed:,.0f}."
    ), "value"


@_claim("VI.labs_owed_is_half", "VI", "$1.05 trillion is half of $2.1 trillion (the essay's own arithmetic)", 1050)
def _(ctx, stated):
    return 0.5 * 2100, ROUNDING * 1000, "0.5 x 2,100 = 1,050: the two headline figures agree with each other.", "value"


def _platform_share(ctx, platform: str, stated: float, words: str):
    t = ctx.conc()
    if platform not in t.index:
        raise _Missing(f"no backlog for {platform!r}")
    row = t.loc[platform]
    d = float(row["lab_share_disclosed"])
    b, note = ctx.book(platform)
    if d == 0:
        return _cannot(f"no lab contract with {platform} has a disclosed amount; the dataset's split of its book "
                       f"({note}) would be the essay's own {stated:.0%}.")
    labs = ", ".join(f"{lab} {float(row.get(f'{lab}_usd_bn', 0.0)):,.1f}" for lab in _LABS)
    return d, ABOUT * stated, f"disclosed lab contracts ({labs}){words} over {note} = {_pct(d)}.", "value"


@_claim("VI.microsoft_share", "VI", "Microsoft's book is about 49% OpenAI and Anthropic", 0.49, "share")
def _(ctx, stated):
    return _platform_share(ctx, "microsoft", stated,
                           ": OpenAI ~45% of the USD 625bn RPO of 2025-12-31, Anthropic's USD 30bn Azure commitment")


@_claim("VI.oracle_share", "VI", "Oracle's book is 54% OpenAI and Anthropic", 0.54, "share")
def _(ctx, stated):
    return _platform_share(ctx, "oracle", stated,
                           ": OpenAI's ~USD 300bn alone; no Anthropic commitment to Oracle is disclosed")


@_claim("VI.google_share", "VI", "Google's book is 43% OpenAI and Anthropic", 0.43, "share")
def _(ctx, stated):
    return _platform_share(ctx, "google", stated,
                           ": Anthropic's ~USD 200bn TPU commitment as reported by the press, not a filing")


@_claim("VI.amazon_share", "VI", "Amazon's book is 51% OpenAI and Anthropic", 0.51, "share")
def _(ctx, stated):
    return _platform_share(ctx, "amazon", stated,
                           ": OpenAI USD 38bn + USD 100bn expansion, Anthropic's >USD 100bn of April 2026")


@_claim("VI.oracle_openai_300", "VI", "Roughly $300 billion of Oracle's backlog is owed by OpenAI alone", 300)
def _(ctx, stated):
    v = ctx.contract_amount("openai-oracle")
    src = ctx.cx.contract("openai-oracle").source
    if src.lower().startswith("essay") and "wsj" not in src.lower():
        return _cannot("the dataset's only source for the Oracle-OpenAI contract is the essay.")
    return v, ABOUT * stated, f"contract openai-oracle = {v:,.0f} ({src}).", "value"


@_claim("VI.oracle_implied_backlog", "VI",
        "54% with roughly $300B from OpenAI implies an Oracle book of about $556B", 300 / 0.54)
def _(ctx, stated):
    b, note = ctx.backlog("oracle", filed=True)
    oa = ctx.contract_amount("openai-oracle")
    return b, ABOUT * stated, (
        f"$300bn / 54% = {stated:,.0f}. Filed: {note}, on which ${oa:,.0f}bn is {_pct(oa / b)}: the 54% is "
        "OpenAI alone, so the 'two names' leave nothing for Anthropic at Oracle."
    ), "value"


@_claim("VI.anthropic_enterprise", "VI", "Anthropic's revenue is ~80% enterprise", 0.80, "share")
def _(ctx, stated):
    return _cannot("no revenue mix for Anthropic in the dataset; the essay is the only source.")


@_claim("VI.anthropic_revenue_per_compute", "VI", "Anthropic generates $1.70 of revenue per dollar of compute", 1.70,
        "multiple")
def _(ctx, stated):
    return _cannot("no Anthropic revenue or compute spend in the dataset.")


@_claim("VI.anthropic_burn_2027", "VI", "Anthropic's burn converges to ~9% of revenue by 2027", 0.09, "share")
def _(ctx, stated):
    return _cannot("no Anthropic burn projection in the dataset; the essay is the only source.")


def _independent(source: str) -> bool:
    """True when a source names something besides the essay (a filing, a report)."""
    parts = [p.strip().lower() for p in source.replace(";", "|").split("|")]
    return any(p and not p.startswith("essay") for p in parts)


@_claim("VI.tpu_facility", "VI", "The Apollo/Blackstone TPU facility is ~$35B", 35)
def _(ctx, stated):
    o = ctx.cx.entity("tpu-facility-spv").latest("debt_usd_bn")
    if o is None or not _independent(o.source):
        return _cannot("the facility's only source in the dataset is the essay.")
    return o.value, ABOUT * stated, f"facility debt {o.value:,.0f} ({o.source}).", "value"


@_claim("VI.tpu_senior", "VI", "Broadcom guarantees the residual value on the ~$31B senior tranche", 31)
def _(ctx, stated):
    v = ctx.contract_amount("tpu-senior")
    c = ctx.cx.contract("tpu-senior")
    fac = ctx.cx.entity("tpu-facility-spv").latest("debt_usd_bn")
    extra = "" if fac is None else (f" The senior tranche is {v / fac.value:.0%} of the ~${fac.value:,.0f}bn "
                                    f"facility, leaving ~${fac.value - v:,.0f}bn subordinated.")
    if not _independent(c.source):
        return _cannot("the tranche's only source in the dataset is the essay." + extra)
    rvg = [g.obligor for g in ctx.cx.contracts if g.kind == "residual_value_guarantee" and g.covers == c.name]
    return v, ABOUT * stated, f"{c.source}; residual-value guarantor: {', '.join(rvg) or 'none'}.{extra}", "value"


@_claim("VI.anthropic_wrapped", "VI",
        "Anthropic's facility borrows the rating of investment-grade backers (Google, Broadcom)", 1.0, "share")
def _(ctx, stated):
    look = ctx.lookthrough()
    facility = look[(look["ultimate_obligor"] == "anthropic") & (look["nature"] == "owed")
                    & ~look["obligee"].isin(PLATFORMS) & ~look["stated_residual"]]
    facility = facility[facility["obligee"].map(lambda n: ctx.cx.has_entity(n) and ctx.cx.entity(n).kind in ("spv", "lender"))]
    if facility.empty:
        raise _Missing("no Anthropic facility contracts")
    rated = {c.name: c.rating for c in ctx.cx.entities}
    guaranteed = facility["guaranteed_by"].fillna("").map(
        lambda g: any(rated.get(x.strip()) == "IG" for x in g.split(",") if x.strip()))
    share = float(guaranteed.mean())
    names = ", ".join(f"{c} (by {g})" for c, g in
                      zip(facility["contract"], facility["guaranteed_by"].fillna("none"), strict=True))
    return share, 0.0, f"share of Anthropic's facility contracts with an investment-grade guarantor: {names}.", "value"


@_claim("VI.openai_consumer", "VI", "OpenAI's revenue is ~60% consumer", 0.60, "share")
def _(ctx, stated):
    return _cannot("no revenue mix for OpenAI in the dataset.")


@_claim("VI.openai_burn_ratio", "VI", "OpenAI's burn is ~57% of revenue through 2027", 0.57, "share")
def _(ctx, stated):
    oa = ctx.cx.entity("openai")
    b, r = oa.on("cash_burn_usd_bn", "2026"), oa.on("revenue_usd_bn", "2026")
    if b is None or r is None:
        raise _Missing("no 2026 OpenAI burn and revenue projections")
    b25, r25 = oa.on("cash_burn_usd_bn", "2025"), oa.on("revenue_usd_bn", "2025")
    extra = "" if b25 is None or r25 is None else f"; 2025: {b25.value:g} / {r25.value:g} = {_pct(b25.value / r25.value)}"
    return b.value / r.value, ABOUT * stated, (
        f"2026 projected burn / revenue = {b.value:g} / {r.value:g} ({b.source}){extra}. No 2027 revenue "
        "projection is in the dataset."
    ), "value"


@_claim("VI.openai_cumulative_burn", "VI", "OpenAI's cumulative burn marches toward $115B by 2029", 115)
def _(ctx, stated):
    o = ctx.cx.entity("openai").on("cumulative_cash_burn_usd_bn", "2025-2029")
    if o is None or o.source.lower().startswith("essay"):
        return _cannot("no independent cumulative burn projection in the dataset.")
    yearly = [x for x in ctx.cx.entity("openai").observations("cash_burn_usd_bn")]
    part = sum(x.value for x in yearly)
    return o.value, ABOUT * stated, (
        f"{o.source}: {o.value:g}. The yearly projections in the dataset "
        f"({', '.join(f'{x.period} {x.value:g}' for x in yearly)}) sum to {part:g} before 2028."
    ), "value"


@_claim("VI.microsoft_stake", "VI", "Microsoft kept its 27% equity stake in OpenAI", 0.27, "share")
def _(ctx, stated):
    c = ctx.cx.contract("microsoft-openai-stake")
    if c.stake is None:
        raise _Missing("no stake on microsoft-openai-stake")
    value = "" if c.notional_usd_bn is None else (
        f" Valued at ~${c.notional_usd_bn.value:,.0f}bn, it implies ${c.notional_usd_bn.value / c.stake.value:,.0f}bn "
        "for the whole company, the October 2025 mark.")
    return c.stake.value, ROUNDING, f"{c.source}.{value}", "value"


@_claim("VI.softbank_margin_loan", "VI", "SoftBank is trying to raise a $10B margin loan against its OpenAI stake", 10)
def _(ctx, stated):
    c = ctx.cx.contract("softbank-margin-loan")
    if not _independent(c.source) or c.notional_usd_bn is None:
        return _cannot("the margin loan's only source in the dataset is the essay.")
    return c.notional_usd_bn.value, ABOUT * stated, f"{c.source}.", "value"


@_claim("VI.softbank_personal_guarantee", "VI",
        "SoftBank offered a personal guarantee after lenders balked at the collateral", 1, "count")
def _(ctx, stated):
    loan = ctx.cx.contract("softbank-margin-loan")
    gs = [g for g in ctx.cx.contracts if g.kind in ("guarantee", "residual_value_guarantee") and g.covers == loan.name]
    if not gs:
        raise _Missing("no guarantee on the margin loan")
    persons = [g for g in gs if ctx.cx.entity(g.obligor).kind == "person"]
    return float(len(persons)), 0.0, (
        "guarantees on the margin loan: " + "; ".join(f"{g.obligor} ({ctx.cx.entity(g.obligor).kind}): {g.source}"
                                                      for g in gs)
        + ". The reported guarantee is SoftBank Group's own (recourse to the company), not a person's."
    ), "at_least"


@_claim("VI.microsoft_neocloud", "VI", "Microsoft committed over $60B to neocloud providers", 60)
def _(ctx, stated):
    e = ctx.edges()
    neo = {x.name for x in ctx.cx.entities if x.kind == "neocloud"}
    rows = e[(e["obligor"] == "microsoft") & e["obligee"].isin(neo) & (e["kind"] == "take_or_pay")]
    total = float(rows["amount_usd_bn"].sum())
    undisclosed = rows.loc[rows["amount_usd_bn"].isna(), "obligee"].tolist()
    parts = ", ".join(f"{o} {a:g}" for o, a in zip(rows["obligee"], rows["amount_usd_bn"], strict=True) if np.isfinite(a))
    return total, 0.0, (
        f"disclosed Microsoft neocloud commitments: {parts} = {total:,.1f}"
        + (f" (plus undisclosed: {', '.join(undisclosed)})" if undisclosed else "") + "."
    ), "more_than"


@_claim("VI.microsoft_neocloud_term", "VI", "Microsoft's neocloud agreements are five-year", 5, "years")
def _(ctx, stated):
    neo = {x.name for x in ctx.cx.entities if x.kind == "neocloud"}
    terms = [c.term_years for c in ctx.cx.contracts
             if c.obligor == "microsoft" and c.obligee in neo and c.term_years is not None]
    if not terms:
        raise _Missing("no term on any Microsoft neocloud contract")
    return float(np.median(terms)), 0.5, f"median term of the {len(terms)} with a disclosed term: {terms}.", "value"


@_claim("VI.revenue_share_ended", "VI", "Microsoft ended the revenue share in April 2026", 1, "count")
def _(ctx, stated):
    shares = [c for c in ctx.cx.contracts if c.kind == "revenue_share"
              and {c.obligor, c.obligee} == {"microsoft", "openai"}]
    if not shares:
        raise _Missing("no revenue share between Microsoft and OpenAI")
    ended = [c for c in shares if c.obligor == "microsoft" and c.status == "ended"]
    still = [c for c in shares if c.status == "active"]
    return float(len(ended)), 0.0, (
        ("Microsoft's revenue share to OpenAI ended " + str(ended[0].end) if ended else "no ended share found")
        + ("; OpenAI's share to Microsoft continues to " + str(still[0].end) + " under a cap ("
           + still[0].source + ")" if still else "") + "."
    ), "at_least"


# ============================================================================ V: the marks


_ESSAY_MARKS = {"2024-02": 86, "2024-10": 157, "2025-03": 300, "2025-10": 500}

for _ym, _v in _ESSAY_MARKS.items():
    def _mark_check(ctx, stated, _ym=_ym):
        m = ctx.marks()
        hit = m[m.index.strftime("%Y-%m") == _ym]
        if hit.empty:
            raise _Missing(f"no OpenAI mark dated {_ym}")
        o = [x for x in ctx.cx.entity("openai").observations("valuation_usd_bn") if x.as_of.strftime("%Y-%m") == _ym][0]
        if o.source.lower().startswith("essay"):
            return _cannot("the mark's only source in the dataset is the essay.")
        return float(hit.iloc[0]), ABOUT * stated, f"{o.source}.", "value"

    _claim(f"V.mark_{_ym}", "V", f"OpenAI was valued at about ${_v}B ({_ym})", float(_v))(_mark_check)


@_claim("V.mark_2026", "V", "OpenAI's valuation was approximately $852B by spring 2026", 852)
def _(ctx, stated):
    c = ctx.cx.contract("openai-2026-round-first-close")
    if c.pre_money_usd_bn is None or c.notional_usd_bn is None:
        raise _Missing("no pre-money or size on the 2026 round")
    pre, size = c.pre_money_usd_bn.value, c.notional_usd_bn.value
    return pre + size, ABOUT * stated, (
        f"announced pre-money {pre:g} + first close {size:g} = {pre + size:g} post-money ({c.source}); "
        f"with the essay's $122bn round the same pre-money gives {pre + 122:g}, the essay's mark exactly."
    ), "value"


_ESSAY_STEPS = (1.83, 1.91, 1.67, 1.70)
for _i, _s in enumerate(_ESSAY_STEPS):
    def _step_check(ctx, stated, _i=_i):
        m = ctx.marks()
        s = step_ups(m)
        if len(s) <= _i:
            raise _Missing("not enough marks")
        a, b = m.iloc[_i], m.iloc[_i + 1]
        return float(s.iloc[_i]), ROUNDING, f"step_ups of the marks: {b:g} / {a:g} = {s.iloc[_i]:.4f}.", "value"

    _claim(f"V.step_up_{_i + 1}", "V", f"Round-over-round step-up {_i + 1} of the OpenAI marks is {_s:.2f}x",
           _s, "multiple")(_step_check)


def _ipo_step(ctx) -> tuple[float, float, float]:
    oa = ctx.cx.entity("openai")
    reported = [o for o in oa.observations("ipo_target_usd_bn") if not o.estimate]
    if not reported:
        raise _Missing("no reported OpenAI IPO target")
    target = reported[-1]
    last = ctx.marks().iloc[-1]
    return target.value / last, target.value, last


@_claim("V.step_up_ipo", "V", "The reported public-offering target implies a step-up of roughly 1.23x", 1.23, "multiple")
def _(ctx, stated):
    step, target, last = _ipo_step(ctx)
    return step, ABOUT * stated, (
        f"'>$1 trillion' / {last:g} = {step:.3f}x as a lower bound; 1.23x would mean a target of "
        f"~${1.23 * last:,.0f}bn. The two statements agree only with a target near $1.05T."
    ), "value"


@_claim("V.ipo_step_lowest", "V", "The implied IPO step-up is the lowest in the sequence", 1.67, "multiple")
def _(ctx, stated):
    step, _, _ = _ipo_step(ctx)
    prior = step_ups(ctx.marks())
    return step, 0.0, (
        f"IPO step {step:.3f}x against the lowest private step {prior.min():.3f}x "
        f"(stated value: the lowest private step as the essay rounds it)."
    ), "less_than"


@_claim("V.round_122", "V", "OpenAI's most recent round raised roughly $122B of fresh capital", 122)
def _(ctx, stated):
    c = ctx.cx.contract("openai-2026-round-first-close")
    if c.notional_usd_bn is None:
        raise _Missing("no size on the 2026 round")
    v = c.notional_usd_bn.value
    return v, ABOUT * stated, (
        f"announced first close {v:g} ({c.source}); the essay's $122bn would include later additions."
    ), "value"


@_claim("V.round_backers", "V", "The same names underneath the round: Microsoft, SoftBank, Nvidia, Amazon", 4,
        "count")
def _(ctx, stated):
    c = ctx.cx.contract("openai-2026-round-first-close")
    named = {"microsoft", "softbank", "nvidia", "amazon"}
    found = sorted(named & set(c.participants))
    return _cannot(
        f"{len(found)} of the 4 are among the announced first-close investors ({', '.join(found)}); Microsoft is "
        "not, and the dataset does not list who joined the extension to $122bn."
    )


@_claim("V.open_weights_openrouter", "V", "Chinese open-weight models capture over 60% of OpenRouter tokens", 0.60, "share")
def _(ctx, stated):
    return _cannot("no OpenRouter token data in the dataset.")


# ============================================================================ VII: capex and cash flow

_RATIOS = {2022: 0.30, 2023: 0.42, 2024: 0.50, 2025: 0.60}
for _y, _r in _RATIOS.items():
    def _ratio_check(ctx, stated, _y=_y):
        try:
            capex = ctx.filed_sum("capex_usd_bn", _y)
            ocf = ctx.filed_sum("operating_cash_flow_usd_bn", _y)
        except _Missing as exc:
            return _cannot(f"{exc.args[0]}; the {_y} ratio cannot be recomputed from filings.")
        r = capex / ocf
        note = " Microsoft's fiscal year ends 30 June."
        return r, ABOUT * stated + 0.005, (
            f"filed capex / operating cash flow of {', '.join(CAPEX_GROUP)}: {capex:,.1f} / {ocf:,.1f} = {_pct(r)}."
            + note
        ), "value"

    _claim(f"VII.capex_to_ocf_{_y}", "VII", f"Aggregate capex was about {_r:.0%} of operating cash flow in {_y}",
           _r, "share")(_ratio_check)


@_claim("VII.capex_to_ocf_2026", "VII", "On consensus spending capex reaches 100% of operating cash flow in 2026",
        1.0, "share")
def _(ctx, stated):
    return _cannot("a consensus forecast; no 2026 cash flow in the dataset (see VII.implied_ocf_2026).")


def _essay_levels() -> pd.Series:
    return essay_series("hyperscaler_capex")


def _essay_ratios() -> pd.Series:
    return essay_series("capex_to_operating_cash_flow")


for _y in (2023, 2024, 2025, 2026):
    _lv = float(_essay_levels()[str(_y)].iloc[0])
    _rt = float(_essay_ratios()[str(_y)].iloc[0])

    def _ocf_check(ctx, stated, _y=_y, _lv=_lv, _rt=_rt):
        try:
            ocf = ctx.filed_sum("operating_cash_flow_usd_bn", _y)
        except _Missing as exc:
            extra = ""
            if _y == 2026:
                implied = _essay_levels() / _essay_ratios().reindex(_essay_levels().index)
                prev, prev2 = float(implied["2025"].iloc[0]), float(implied["2024"].iloc[0])
                extra = (f" Cross-claim: the essay's own figures imply operating cash flow of {prev:,.0f} in 2025 and "
                         f"{stated:,.0f} in 2026 ({stated / prev - 1:+.0%}), after {prev / prev2 - 1:+.0%} "
                         "in 2025: crossing 100% in 2026 assumes cash-flow growth nearly stops.")
            return _cannot(f"{exc.args[0]}.{extra}")
        try:
            capex = ctx.filed_sum("capex_usd_bn", _y)
            extra = (f" Filed capex is {capex:,.1f} ({_lv / capex - 1:+.0%} in the essay), and filed capex / "
                     f"filed cash flow = {_pct(capex / ocf)}: a gap here is the capex level, not the ratio.")
        except _Missing:
            extra = ""
        return ocf, ABOUT * stated, (
            f"capex {_lv:g} / ratio {_rt:.0%} = {stated:,.0f} implied; filed operating cash flow of "
            f"{', '.join(CAPEX_GROUP)} = {ocf:,.1f}.{extra}"
        ), "value"

    _claim(f"VII.implied_ocf_{_y}", "VII",
           f"Capex of ${_lv:g}B at {_rt:.0%} of cash flow implies operating cash flow of ${_lv / _rt:,.0f}B ({_y})",
           _lv / _rt)(_ocf_check)


_DEFINITIONS = (" Definitions differ: Microsoft's fiscal year ends in June and its figure excludes finance "
                "leases; calendarising Microsoft and adding its leases would raise the later years most.")

for _y, _lv, _hedged in ((2023, 150, True), (2024, 226, False), (2025, 410, False)):
    def _level_check(ctx, stated, _y=_y, _hedged=_hedged):
        try:
            capex = ctx.filed_sum("capex_usd_bn", _y)
        except _Missing as exc:
            return _cannot(f"{exc.args[0]}.")
        tol = (ABOUT if _hedged else CROSS_SOURCE) * stated
        rule = "hedged: 10%" if _hedged else "unhedged: 5% for definitions"
        return capex, tol, (
            f"filed capex of {', '.join(CAPEX_GROUP)} = {capex:,.1f} ({stated / capex - 1:+.0%} in the essay; {rule})."
            + _DEFINITIONS
        ), "value"

    _claim(f"VII.capex_{_y}", "VII", f"Hyperscaler capex was {'roughly ' if _hedged else ''}${_lv}B in {_y}",
           float(_lv))(_level_check)


_GROWTH = {2024: 0.51, 2025: 0.81, 2026: 0.77, 2027: 0.52}
for _y, _g in _GROWTH.items():
    def _growth_check(ctx, stated, _y=_y):
        g = growth(_essay_levels())
        lv = _essay_levels()
        v = float(g[str(_y)].iloc[0])
        return v, ROUNDING, (
            f"growth() of the essay's capex levels: {lv[str(_y)].iloc[0]:g} / {lv[str(_y - 1)].iloc[0]:g} - 1 = {v:+.2%}."
        ), "value"

    _claim(f"VII.capex_growth_{_y}", "VII", f"Capex growth in {_y} reads {_g:+.0%}", _g, "growth")(_growth_check)


for _y, _g in ((2024, 0.51), (2025, 0.81)):
    def _filed_growth(ctx, stated, _y=_y):
        try:
            a, b = ctx.filed_sum("capex_usd_bn", _y - 1), ctx.filed_sum("capex_usd_bn", _y)
        except _Missing as exc:
            return _cannot(f"{exc.args[0]}.")
        return b / a - 1, ABOUT * stated, (
            f"filed capex of {', '.join(CAPEX_GROUP)}: {b:,.1f} / {a:,.1f} - 1 = {b / a - 1:+.1%}." + _DEFINITIONS
        ), "value"

    _claim(f"VII.capex_growth_{_y}_filed", "VII", f"Capex grew {_g:+.0%} in {_y} (checked against filings)", _g,
           "growth")(_filed_growth)


_ACCEL = {2025: 30.0, 2026: -4.0, 2027: -25.0}
for _y, _a in _ACCEL.items():
    def _accel_check(ctx, stated, _y=_y):
        g = growth(_essay_levels())
        a = acceleration(g, round_growth_to=0)
        raw = acceleration(g)
        v = float(a[str(_y)].iloc[0])
        return v, 0.5, (
            f"acceleration() of the growth rates rounded to whole percents, as the essay quotes them: {v:+.0f} pp "
            f"(unrounded {float(raw[str(_y)].iloc[0]):+.2f} pp)."
            + (" It is the peak of the series." if _y == int(a.idxmax().year) else "")
        ), "value"

    _claim(f"VII.capex_acceleration_{_y}", "VII", f"Capex acceleration in {_y} is about {_a:+.0f} points", _a,
           "pp")(_accel_check)


@_claim("VII.capex_2027", "VII", "Capex approaches $1.1 trillion in 2027", 1100)
def _(ctx, stated):
    return _cannot("a 2027 estimate (Morgan Stanley via the essay); no independent forecast in the dataset.")


@_claim("VII.capex_2027_revision", "VII", "2027 capex estimates leapt thirty percent in a single quarter", 0.30, "growth")
def _(ctx, stated):
    return _cannot(f"needs the prior-quarter estimate; $1.1T after +30% implies ~${1100 / 1.3:,.0f}B before.")


# ============================================================================ VIII: who blinks


@_claim("VIII.google_backlog", "VIII", "Google reports a cloud backlog north of $460 billion", 460)
def _(ctx, stated):
    v, note = ctx.backlog("google", filed=True)
    src = ctx.cx.entity("google").latest("backlog_usd_bn").source
    return v, 0.0, f"latest reported: {note} ({src}).", "at_least"


@_claim("VIII.oracle_capex_to_sales", "VIII", "Oracle spends roughly 86% of sales on capex", 0.86, "share")
def _(ctx, stated):
    o = ctx.cx.entity("oracle")
    capex = {x.period: x for x in o.observations("capex_usd_bn")}
    revenue = {x.period: x for x in o.observations("revenue_usd_bn")}
    both = sorted(set(capex) & set(revenue), key=lambda k: capex[k].as_of)
    if not both:
        raise _Missing("no Oracle capex and revenue for the same period")
    ratios = {k: capex[k].value / revenue[k].value for k in both}
    last = both[-1]
    return ratios[last], ABOUT * stated, (
        "capex / revenue: " + "; ".join(f"{k} {capex[k].value:g} / {revenue[k].value:g} = {_pct(v)}"
                                        for k, v in ratios.items())
        + ". The 86% may be a single later quarter (FQ3 capex is not in the dataset); neither the latest "
        "quarter nor the full-year guidance reaches it."
    ), "value"


@_claim("VIII.leverage", "VIII", "Hyperscaler investment-grade leverage is roughly 1.8 turns of gross debt", 1.8, "multiple")
def _(ctx, stated):
    return _cannot("a Morgan Stanley index figure; the dataset has no EBITDA to recompute it.")


@_claim("VIII.leverage_doubled", "VIII", "That leverage is double what it was a year ago", 2.0, "multiple")
def _(ctx, stated):
    return _cannot("needs last year's index figure (the essay implies ~0.9 turns).")


@_claim("VIII.off_balance_sheet", "VIII", "A hundred-billion-plus is parked off the balance sheet in vehicles", 100)
def _(ctx, stated):
    e = ctx.edges()
    spvs = [x for x in ctx.cx.entities if x.kind == "spv"]
    parts = {}
    for s in spvs:
        owed = e[(e["obligor"] == s.name) & (e["nature"] == "owed")]["amount_usd_bn"].sum()
        stated_debt = s.latest("debt_usd_bn")
        parts[s.name] = max(float(owed), stated_debt.value if stated_debt else 0.0)
    parts = {k: v for k, v in parts.items() if v > 0}
    total = sum(parts.values())
    hyper = sum(v for k, v in parts.items() if k in ("beignet", "vantage-stargate-spv"))
    return total, 0.0, (
        "debt of the special-purpose vehicles in the dataset: " + ", ".join(f"{k} {v:g}" for k, v in parts.items())
        + f" = {total:,.1f}. Counting only vehicles a hyperscaler leases (Meta's Beignet, Oracle's Vantage "
        f"campuses) gives {hyper:,.1f}; the hundred-billion needs the Anthropic and CoreWeave vehicles too."
    ), "at_least"


# ============================================================================ IX: the blast radius


@_claim("IX.oracle_majority_openai", "IX", "Oracle's contracted backlog is more than half OpenAI", 0.5, "share")
def _(ctx, stated):
    row = ctx.conc().loc["oracle"]
    v = float(row["openai_usd_bn"] / row["book_usd_bn"])
    return v, 0.0, f"OpenAI {row['openai_usd_bn']:,.0f} of {row['book_usd_bn']:,.0f} ({row['backlog_as_of']}).", "more_than"


@_claim("IX.coreweave_two_thirds", "IX",
        "CoreWeave's book, Microsoft-routed capacity traced through, is roughly two-thirds OpenAI", 2 / 3, "share")
def _(ctx, stated):
    row = ctx.conc().loc["coreweave"]
    b = float(row["book_usd_bn"])
    v = float(row["openai_usd_bn"]) / b
    routed = ctx.contract_amount("microsoft-coreweave")
    lo, hi = ctx.cx.contract("microsoft-coreweave").notional_usd_bn.range
    direct = float(row["openai_usd_bn"]) - routed
    need = stated * b - direct
    return v, ABOUT * stated, (
        f"direct OpenAI contracts {direct:,.1f} + Microsoft-routed {routed:g} (range {lo:g}-{hi:g}) traced to OpenAI = "
        f"{row['openai_usd_bn']:,.1f} of {b:g} ({row['backlog_as_of']}) = {_pct(v)} (up to {_pct((direct + hi) / b)}). "
        f"Two-thirds needs ~{need:,.0f} routed through Microsoft, more than the ~$10bn reported."
    ), "value"


@_claim("IX.softbank_stargate", "IX", "SoftBank's commitments through Stargate are almost entirely OpenAI", 0.9, "share")
def _(ctx, stated):
    look = ctx.lookthrough()
    rows = look[(look["obligee"] == "softbank") & (look["obligor"] == "stargate")]
    if rows.empty:
        raise _Missing("no SoftBank commitment to Stargate")
    v = float(rows.loc[rows["ultimate_obligor"] == "openai", "weight"].sum() / rows["weight"].sum())
    return v, 0.0, (
        f"share of SoftBank's Stargate commitment whose end user is OpenAI: {_pct(v)} "
        f"({rows['source'].iloc[0]}). 'Almost entirely' read as at least 90%."
    ), "at_least"


@_claim("IX.openai_largest_customer", "IX",
        "OpenAI is the largest customer, directly or one counterparty removed, of very nearly every name "
        "(exceptions at most one)", 1, "count")
def _(ctx, stated):
    t = ctx.conc()
    look = ctx.lookthrough()
    owed = look[(look["nature"] == "owed") & look["obligee"].isin(t.index)]
    verdict = {}
    for p in t.index:
        by = owed[owed["obligee"] == p].groupby("ultimate_obligor")["ultimate_usd_bn"].sum()
        by = by[by > 0]
        singles = by[[("|" not in k) for k in by.index]]
        if singles.empty or ("openai" not in singles.index and by.index.str.contains("openai").any()):
            continue  # only an undisclosed split: cannot tell
        verdict[p] = (singles.idxmax(), float(singles.max()), float(singles.get("openai", 0.0)))
    if not verdict:
        raise _Missing("no platform with an identified largest tenant")
    exceptions = [p for p, (top, _, _) in verdict.items() if top != "openai"]
    return float(len(exceptions)), 0.0, (
        "largest identified ultimate tenant: "
        + ", ".join(f"{p} {top} ({amt:,.0f}{'' if top == 'openai' else f'; OpenAI {oa:,.0f}'})"
                    for p, (top, amt, oa) in verdict.items())
        + f". Exceptions: {', '.join(exceptions) or 'none'}. 'Very nearly every' read as all but one."
    ), "at_most"


@_claim("IX.ddtl5", "IX", "CoreWeave's DDTL 5.0 facility (May 2026) is $3.1 billion", 3.1)
def _(ctx, stated):
    c = ctx.cx.contract("ddtl5")
    if not _independent(c.source) or c.notional_usd_bn is None:
        return _cannot("the facility's only source in the dataset is the essay.")
    spv = ctx.cx.entity(c.obligor)
    return c.notional_usd_bn.value, ROUNDING * 10, (
        f"{c.source}. Borrower {spv.display} (bankruptcy-remote: {spv.bankruptcy_remote}), recourse {c.recourse}."
    ), "value"


@_claim("IX.ddtl5_customers", "IX", "DDTL 5.0 capacity serves two non-investment-grade customers (OpenAI, Cohere)", 2,
        "count")
def _(ctx, stated):
    c = ctx.cx.contract("ddtl5")
    users = list(c.end_users)
    grades = {u: ctx.cx.entity(u).rating for u in users}
    return float(len(users)), 0.0, (
        f"end users of ddtl5: {', '.join(f'{u} ({g})' for u, g in grades.items())}; the count of two "
        "non-investment-grade customers is reported, the names are the essay's."
    ), "value"


# ============================================================================ X-XII


@_claim("X.openai_take_or_pay", "X", "OpenAI has $600 billion-plus of take-or-pay obligations", 600)
def _(ctx, stated):
    e = ctx.edges()
    rows = e[(e["obligor"] == "openai") & (e["kind"] == "take_or_pay") & ~e["stated_residual"]]
    total = float(rows["amount_usd_bn"].sum())
    parts = ", ".join(f"{o} {a:,.1f}" for o, a in
                      rows.groupby("obligee")["amount_usd_bn"].sum().sort_values(ascending=False).items())
    return total, 0.0, f"disclosed OpenAI take-or-pay contracts: {parts} = {total:,.1f}.", "at_least"


@_claim("X.prior_step_range", "X", "Prior rounds funded at 1.7x-1.9x step-ups (lower end)", 1.7, "multiple")
def _(ctx, stated):
    s = step_ups(ctx.marks())
    return float(s.min()), 0.05, (
        f"private step-ups {', '.join(f'{x:.2f}' for x in s)}: range {s.min():.2f}-{s.max():.2f}, "
        "i.e. 1.7-1.9 at one decimal."
    ), "value"


@_claim("XII.capex_path", "XII", "Even skeptics see paths to $1.4 trillion in annual capex", 1400)
def _(ctx, stated):
    return _cannot("a scenario, not a reported figure.")


@_claim("XII.relet_discount", "XII", "A replacement tenant demands a 30-50% discount", 0.40, "share")
def _(ctx, stated):
    return _cannot("a judgement about re-leasing; no data in the dataset.")


# ============================================================================ public


def audit(cx: Complex | None = None) -> AuditResult:
    """Recompute every quantitative claim of the essay from the complex.

    Parameters
    ----------
    cx : Complex, optional
        The complex to audit; the packaged default (the essay's 2026 world)
        when omitted. Load an overlay with
        ``load_complex(overlay="newer_quarter.yaml")`` and pass it here.

    Returns
    -------
    AuditResult
        One :class:`ClaimCheck` per claim, in essay order of registration.
    """
    cx = load_complex() if cx is None else cx
    ctx = _Ctx(cx)
    checks = [run(ctx) for *_, run in _CLAIMS]
    checks.sort(key=lambda c: _SECTION_ORDER.index(c.section))  # stable: essay order within a section
    return AuditResult(claims=tuple(checks), files=cx.files)


_SECTION_ORDER = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")
