"""The essay's quantitative claims, each recomputed from the complex and checked.

Every claim of sections III-XII of "The Second Derivative" that carries a
number is a row of the claims table (``data/essay.yaml``: ``claims``; the
stated figures live there and nowhere else) naming a small function of
:mod:`borrowedtime.audit.checks` that recomputes it from the complex dataset
(:func:`borrowedtime.complex.load_complex`) and the essay's series
(:mod:`borrowedtime.essay`). :mod:`borrowedtime.audit._core` holds the
machinery (table, tolerance rules, evaluation, results); nothing is read or
registered at import. Where two of the essay's figures do not fit together,
the claim says so in ``why`` rather than picking the one that passes.

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

Kind: ``independent`` (checked against data that did not come from the
essay) or ``self-consistency`` (the essay against its own figures, e.g.
growth rates recomputed from the essay's own levels); counted separately.

Tolerances follow the essay's own precision (:func:`~borrowedtime.audit._core.tolerance_of`):

* a figure stated without hedge gets half a unit of its last digit, or
  :data:`CROSS_SOURCE` (5 %) when it is compared with a filing that defines
  the quantity slightly differently;
* "about", "roughly", "approximately", "~", "near" get :data:`ABOUT` (10 %);
* "on the order of" gets :data:`ORDER_OF` (25 %).
"""

from __future__ import annotations

from borrowedtime.audit._context import CAPEX_GROUP, PLATFORMS, Context
from borrowedtime.audit._core import (
    ABOUT,
    CROSS_SOURCE,
    KINDS,
    ORDER_OF,
    ROUNDING,
    STATUSES,
    AuditResult,
    ClaimCheck,
    claim_table,
    evaluate,
    format_value,
)

__all__ = [
    "ClaimCheck",
    "AuditResult",
    "audit",
    "claim_table",
    "STATUSES",
    "KINDS",
    "ABOUT",
    "ORDER_OF",
    "CROSS_SOURCE",
    "ROUNDING",
    "PLATFORMS",
    "CAPEX_GROUP",
    "format_value",
]

_SECTION_ORDER = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")


def audit(cx=None) -> AuditResult:
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
        One :class:`ClaimCheck` per row of the claims table, in essay order.
    """
    from borrowedtime.audit.checks import CHECKS
    from borrowedtime.complex import load_complex

    cx = load_complex() if cx is None else cx
    ctx = Context(cx)
    checks = [evaluate(claim, ctx, CHECKS) for claim in claim_table()]
    checks.sort(key=lambda c: _SECTION_ORDER.index(c.section))  # stable: table order within a section
    return AuditResult(claims=tuple(checks), files=cx.files)
