"""The claim machinery: the table of claims, tolerance rules, evaluation, result types.

A claim is a row of ``claims`` in ``data/essay.yaml`` (the essay's stated
figures live there and nowhere else): ``id``, ``section``, ``claim`` (the
essay's words; ``{...}`` fields are filled from the row), ``stated``, ``unit``,
``kind``, ``test``, ``tolerance``, ``check`` (the name of a function in
:mod:`borrowedtime.audit.checks`) and its ``params``. :func:`claim_table`
reads the rows when called (nothing is read or registered at import);
:func:`evaluate` runs one row's check on a :class:`~borrowedtime.audit._context.Context`
and applies the row's test and tolerance.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.audit._context import Context, Missing
from borrowedtime.datasets import essay_data
from borrowedtime.errors import BorrowedTimeError, SpecError

__all__ = [
    "ClaimCheck",
    "AuditResult",
    "Claim",
    "Cannot",
    "claim_table",
    "evaluate",
    "tolerance_of",
    "format_value",
    "STATUSES",
    "KINDS",
    "TESTS",
    "ABOUT",
    "ORDER_OF",
    "CROSS_SOURCE",
    "ROUNDING",
]

Status = Literal["pass", "fail", "cannot check"]
STATUSES: tuple[str, ...] = ("pass", "fail", "cannot check")
#: ``independent``: checked against data that did not come from the essay;
#: ``self-consistency``: the essay checked against its own figures.
KINDS: tuple[str, ...] = ("independent", "self-consistency")
#: How recomputed (r) is compared with stated (s) at tolerance t.
TESTS: tuple[str, ...] = ("within", "at least", "more than", "at most", "less than")

#: Relative tolerance of a hedged figure ("about", "roughly", "~").
ABOUT = 0.10
#: Relative tolerance of "on the order of".
ORDER_OF = 0.25
#: Relative tolerance of an unhedged figure checked against a filing whose
#: definition differs a little (cash purchases of PP&E vs. capex incl. leases).
CROSS_SOURCE = 0.05
#: Half a unit of the last digit of a figure stated to two decimals (1.83x).
ROUNDING = 0.005

_NAMED_RULES = {"about": ABOUT, "order_of": ORDER_OF, "cross_source": CROSS_SOURCE}


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
    kind : {"independent", "self-consistency"}
        Checked against data that did not come from the essay, or the essay
        against its own figures.
    rule : str
        The tolerance rule applied (``about: 10% of stated``...).
    definition : str or None
        The definition of the quantity, where definitions differ between sources.
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
    kind: str = "independent"
    rule: str = ""
    definition: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class AuditResult(Summarised):
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
        """One row per claim: id, section, claim, stated, recomputed, tolerance, status, why, unit, test, kind."""
        return pd.DataFrame([c.to_dict() for c in self.claims]).set_index("id")

    def counts(self) -> dict[str, int]:
        """Number of claims per status (every status present, zero if none)."""
        out = dict.fromkeys(STATUSES, 0)
        for c in self.claims:
            out[c.status] += 1
        return out

    def counts_by_kind(self) -> dict[str, dict[str, int]]:
        """Number of claims per status, separately for each kind (independent, self-consistency)."""
        out = {k: dict.fromkeys(STATUSES, 0) for k in KINDS}
        for c in self.claims:
            out[c.kind][c.status] += 1
        return out

    def __getitem__(self, claim_id: str) -> ClaimCheck:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)

    def to_dict(self) -> dict:
        """JSON-ready: ``{"claims": [...], "counts": {...}, "counts_by_kind": {...}, "files": [...]}``."""
        return {"claims": [c.to_dict() for c in self.claims], "counts": self.counts(),
                "counts_by_kind": self.counts_by_kind(), "files": list(self.files)}

    def summary(self) -> str:
        n = self.counts()
        by = self.counts_by_kind()
        kinds = "; ".join(f"{k}: {v['pass']} pass, {v['fail']} fail, {v['cannot check']} cannot check"
                          for k, v in by.items())
        lines = [
            f"Audit of the essay: {len(self.claims)} claims -- {n['pass']} pass, {n['fail']} fail, "
            f"{n['cannot check']} cannot check ({', '.join(self.files)})",
            f"  {kinds}",
        ]
        for c in self.claims:
            if c.status == "fail":
                lines.append(f"  FAIL {c.id}: {c.claim} -- {c.why}")
        return "\n".join(lines)


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


# ============================================================================ the table
@dataclass(frozen=True)
class Claim:
    """One row of the claims table (``data/essay.yaml``: ``claims``), its stated value resolved."""

    id: str
    section: str
    text: str
    stated: float
    unit: str
    kind: str
    test: str
    tolerance: Any
    check: str
    params: dict = field(default_factory=dict)
    definition: str | None = None


@dataclass(frozen=True)
class Cannot:
    """What a check returns when the dataset holds no independent input: ``why`` says which."""

    why: str


def _stated(spec: Any, data: dict, where: str) -> tuple[float, dict]:
    """Resolve a row's ``stated``: a number, or a reference into the essay's series and facts."""
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return float(spec), {}
    if not isinstance(spec, dict):
        raise SpecError(f"{where}: stated must be a number or a reference, got {spec!r}.")
    if "ratio" in spec:
        num, den = (float(x) for x in spec["ratio"])
        return num / den, {"num": num, "den": den}
    if "fact" in spec:
        values = data["facts"][spec["fact"]]["values"]
        v = float(values[int(spec["at"])])
        return (v / 100.0 if spec.get("percent") else v), {}
    if "series" in spec:
        def point(name: str) -> float:
            pts = [p for p in data["series"][name]["points"] if str(p["date"]).startswith(str(spec["year"]))]
            if not pts:
                raise SpecError(f"{where}: no {spec['year']} point in the essay series {name!r}.")
            return float(pts[0]["value"])
        num = point(spec["series"])
        if "over" in spec:
            den = point(spec["over"])
            return num / den, {"num": num, "den": den}
        return num, {}
    raise SpecError(f"{where}: unknown stated reference {spec!r} (expected ratio, fact or series).")


def claim_table() -> list[Claim]:
    """The claims table, read from ``data/essay.yaml`` now (not at import), stated values resolved."""
    data = essay_data()
    out = []
    for i, row in enumerate(data["claims"]):
        where = f"essay.yaml: claims[{i}] ({row.get('id', '?')})"
        stated, extra = _stated(row["stated"], data, where)
        params = dict(row.get("params") or {})
        kind, test = row.get("kind", "independent"), row.get("test", "within")
        if kind not in KINDS or test not in TESTS:
            raise SpecError(f"{where}: kind must be one of {KINDS} and test one of {TESTS}.")
        text = row["claim"].format(stated=stated, **params, **extra)
        out.append(Claim(id=row["id"], section=str(row["section"]), text=text, stated=stated,
                         unit=row.get("unit", "usd_bn"), kind=kind, test=test,
                         tolerance=row.get("tolerance", 0.0), check=row["check"], params=params,
                         definition=row.get("definition")))
    return out


def tolerance_of(rule: Any, stated: float) -> tuple[float, str]:
    """Tolerance (absolute, in the claim's unit) and its description, from a row's rule.

    Rules
    -----
    * a number: that absolute tolerance (half a unit of the last digit stated,
      or 0 for a bound);
    * ``about`` / ``order_of`` / ``cross_source``: 10 / 25 / 5 % of the stated value;
    * ``about_step``: for a ratio near one (a step-up), 10 % of the step
      above one, :math:`0.1\\,|s - 1|` (10 % of 1.23 would let 1.11 pass);
    * ``{rel: r, abs: a}``: ``r * |stated| + a`` (a hedge plus the rounding of
      a figure stated in whole percent).
    """
    if isinstance(rule, int | float) and not isinstance(rule, bool):
        return float(rule), f"±{rule:g}" if rule else "exact"
    if isinstance(rule, str) and rule in _NAMED_RULES:
        r = _NAMED_RULES[rule]
        return r * abs(stated), f"{rule}: {r:.0%} of stated"
    if isinstance(rule, str) and rule == "about_step":
        return ABOUT * abs(stated - 1.0), f"about, on the step above one: {ABOUT:.0%} of |stated - 1|"
    if isinstance(rule, dict):
        rel, ab = float(rule.get("rel", 0.0)), float(rule.get("abs", 0.0))
        return rel * abs(stated) + ab, f"{rel:.0%} of stated + {ab:g}"
    raise SpecError(f"unknown tolerance rule {rule!r}.")


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _passes(test: str, r: float, s: float, t: float) -> bool:
    if test == "within":
        return abs(r - s) <= t + 1e-12
    if test == "at least":
        return r >= s - t - 1e-12
    if test == "more than":
        return r > s
    if test == "at most":
        return r <= s + t + 1e-12
    return r < s  # less than


def evaluate(claim: Claim, ctx: Context, checks: dict) -> ClaimCheck:
    """Run one claim's check and compare recomputed with stated under the row's test and tolerance."""
    base = dict(id=claim.id, section=claim.section, claim=claim.text, stated=claim.stated, unit=claim.unit,
                kind=claim.kind, definition=claim.definition)
    fn = checks.get(claim.check)
    if fn is None:
        raise SpecError(f"claim {claim.id}: no check function {claim.check!r} in borrowedtime.audit.checks.")
    try:
        out = fn(ctx, claim.stated, **claim.params)
    except (Missing, BorrowedTimeError, KeyError, ZeroDivisionError) as exc:
        msg = exc.args[0] if isinstance(exc, Missing | BorrowedTimeError) and exc.args else repr(exc)
        return ClaimCheck(**base, recomputed=None, tolerance=None, status="cannot check",
                          why=f"input missing: {msg}")
    if isinstance(out, Cannot):
        return ClaimCheck(**base, recomputed=None, tolerance=None, status="cannot check", why=out.why)
    recomputed, why = out
    r = _num(recomputed)
    if r is None:
        return ClaimCheck(**base, recomputed=None, tolerance=None, status="cannot check", why=why)
    tol, rule = tolerance_of(claim.tolerance, claim.stated)
    status: Status = "pass" if _passes(claim.test, r, claim.stated, tol) else "fail"
    return ClaimCheck(**base, recomputed=r, tolerance=tol, status=status, why=why, test=claim.test, rule=rule)
