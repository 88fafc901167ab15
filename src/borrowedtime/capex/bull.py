r"""The three bull cases of essay XII, each as a small model a reader can run with their own numbers.

(a) :class:`OperatingLeverage` -- "the fortress balance sheet": a fixed cost base
    (GPU depreciation on a 5-6 year life, buildings on 15-20, contracted power,
    interest) against utilisation that falls when the anchor tenant defaults.
(b) :class:`ConglomerateDiscount` -- "the cross-subsidization defense": ROIC falls
    as AI capital grows without profit and the multiple migrates from a growth
    multiple to a utility multiple.
(c) :class:`ReleasingGlut` -- "the provider re-leases the capacity": a replacement
    tenant's 30-50 % discount and shorter term against the debt service.

Defaults live in ``capex_inputs.yaml`` (``bull_cases``): illustrative
assumptions scaled to a USD 100bn build, stated there; only the asset lives and
the discount range come from the issue and the essay.

Notes
-----
Units: money in USD bn a year, rates and shares as decimals, lives in years.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from borrowedtime.capex._data import capex_inputs
from borrowedtime.errors import SpecError

__all__ = ["OperatingLeverage", "ConglomerateDiscount", "ReleasingGlut", "BullCaseResult", "annuity_payment",
           "run_bull_cases", "parse_bull_params"]


def annuity_payment(principal: float, rate: float, years: int) -> float:
    r"""Level annual payment of a fully amortising loan: :math:`P\,r / (1 - (1 + r)^{-n})` (``P / n`` at r = 0).

    Examples
    --------
    >>> round(annuity_payment(100.0, 0.06, 10), 4)   # textbook annuity: 100 / a(10, 6%) = 13.5868
    13.5868
    """
    if years <= 0:
        raise SpecError(f"amortisation years must be > 0; got {years!r}")
    if rate == 0:
        return principal / years
    return principal * rate / (1.0 - (1.0 + rate) ** (-years))


def _positive(obj, names: tuple[str, ...], *, allow_zero: bool = False) -> None:
    for n in names:
        v = getattr(obj, n)
        ok = np.isfinite(v) and (v >= 0 if allow_zero else v > 0)
        if not ok:
            raise SpecError(f"The {n!r} parameter of {type(obj).__name__} must be a finite number "
                            f"{'>= 0' if allow_zero else '> 0'}. Got {v!r} instead.")


def _share(obj, names: tuple[str, ...]) -> None:
    for n in names:
        v = getattr(obj, n)
        if not (np.isfinite(v) and 0.0 <= v <= 1.0):
            raise SpecError(f"The {n!r} parameter of {type(obj).__name__} must be in [0, 1]. Got {v!r} instead.")


class _BullCase:
    """What the three cases share: their defaults in ``capex_inputs.yaml`` under ``bull_cases.<_KEY>``."""

    _KEY: ClassVar[str]

    @classmethod
    def from_inputs(cls, **overrides) -> Self:
        """The case on the packaged defaults, with parameters overridden by keyword (unknown names refused)."""
        return _defaults(cls, cls._KEY, overrides)


def _defaults(cls, key: str, overrides: dict):
    spec = dict(capex_inputs()["bull_cases"][key])
    names = {f.name for f in fields(cls)}
    unknown = set(overrides) - names
    if unknown:
        raise SpecError(f"{cls.__name__}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                        f"expected some of {', '.join(sorted(names))}")
    spec.update(overrides)
    if "discounts" in spec:
        spec["discounts"] = tuple(spec["discounts"])
    if "ai_capex_usd_bn" in spec:
        spec["ai_capex_usd_bn"] = tuple(spec["ai_capex_usd_bn"])
    return cls(**{k: v for k, v in spec.items() if k in names})


@dataclass(frozen=True, eq=False)
class BullCaseResult:
    """One bull case worked through: a yearly (or per-scenario) frame and headline metrics."""

    name: str
    frame: pd.DataFrame
    metrics: dict
    spec: object = field(repr=False, default=None)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_dict(self) -> dict:
        return {"name": self.name, "metrics": self.metrics, "rows": self.frame.reset_index().to_dict(orient="records"),
                "assumptions": asdict(self.spec) if self.spec is not None else {}}

    def summary(self) -> str:
        parts = ", ".join(f"{k} {_fmt_metric(v)}" for k, v in self.metrics.items())
        return f"{self.name}: {parts}"

    def __repr__(self) -> str:
        return f"BullCaseResult(name={self.name!r}, rows={len(self.frame)})"


def _fmt_metric(v: object) -> str:
    """A metric for a summary line: floats to 3 significant digits, a mapping as ``key value`` pairs."""
    if isinstance(v, dict):
        return "(" + ", ".join(f"{k} {_fmt_metric(x)}" for k, x in v.items()) + ")"
    if isinstance(v, float | np.floating):
        return f"{v:.3g}"
    return str(v)


@dataclass(frozen=True)
class OperatingLeverage(_BullCase):
    """(a) Margins of an AI build when utilisation falls and the cost base does not.

    Pre-tax margin_t = (R u_t (1 - v) - F) / (R u_t) with fixed cost
    F = GPU capex / GPU life + building capex / building life + power + debt x rate
    (straight-line depreciation, GPUs replaced at the same cost when fully depreciated so the
    charge continues). Utilisation drops from ``utilisation_before`` to ``utilisation_after``
    in ``default_year`` and climbs back linearly over ``recovery_years``.
    Break-even utilisation is F / (R (1 - v)); the degree of operating leverage at the
    pre-default utilisation is contribution / profit (Brealey, Myers and Allen, ch. 10).
    """

    gpu_capex_usd_bn: float = 60.0
    gpu_life_years: float = 5.5
    building_capex_usd_bn: float = 40.0
    building_life_years: float = 17.5
    power_fixed_usd_bn: float = 4.0
    debt_share: float = 0.7
    interest_rate: float = 0.06
    revenue_at_full_usd_bn: float = 32.0
    variable_cost_share: float = 0.10
    utilisation_before: float = 0.90
    utilisation_after: float = 0.55
    recovery_years: int = 4
    default_year: int = 1
    years: int = 8

    _KEY = "operating_leverage"

    def __post_init__(self) -> None:
        _positive(self, ("gpu_capex_usd_bn", "gpu_life_years", "building_life_years", "revenue_at_full_usd_bn"))
        _positive(self, ("building_capex_usd_bn", "power_fixed_usd_bn", "interest_rate", "recovery_years"),
                  allow_zero=True)
        _share(self, ("debt_share", "variable_cost_share", "utilisation_before", "utilisation_after"))
        if not 0 <= self.default_year < self.years:
            raise SpecError(f"OperatingLeverage: default_year must be in [0, years); got {self.default_year}")

    @property
    def fixed_cost_usd_bn(self) -> dict[str, float]:
        debt = self.debt_share * (self.gpu_capex_usd_bn + self.building_capex_usd_bn)
        return {"gpu_depreciation": self.gpu_capex_usd_bn / self.gpu_life_years,
                "building_depreciation": self.building_capex_usd_bn / self.building_life_years,
                "power": self.power_fixed_usd_bn, "interest": debt * self.interest_rate}

    def utilisation(self) -> np.ndarray:
        t = np.arange(self.years)
        u = np.full(self.years, self.utilisation_before)
        after = t >= self.default_year
        if self.recovery_years > 0:
            frac = np.clip((t - self.default_year) / self.recovery_years, 0.0, 1.0)
        else:
            frac = (t > self.default_year).astype(float)
        u[after] = self.utilisation_after + (self.utilisation_before - self.utilisation_after) * frac[after]
        return u

    def run(self) -> BullCaseResult:
        u = self.utilisation()
        fixed = self.fixed_cost_usd_bn
        f_total = sum(fixed.values())
        revenue = self.revenue_at_full_usd_bn * u
        variable = self.variable_cost_share * revenue
        profit = revenue - variable - f_total
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(revenue > 0, profit / revenue, -np.inf)
        ebitda = revenue - variable - self.power_fixed_usd_bn
        frame = pd.DataFrame({"utilisation": u, "revenue_usd_bn": revenue, "variable_cost_usd_bn": variable,
                              "fixed_cost_usd_bn": f_total, "ebitda_usd_bn": ebitda,
                              "pretax_profit_usd_bn": profit, "pretax_margin": margin},
                             index=pd.Index(np.arange(self.years), name="year"))
        contrib0 = self.revenue_at_full_usd_bn * self.utilisation_before * (1 - self.variable_cost_share)
        breakeven = f_total / (self.revenue_at_full_usd_bn * (1 - self.variable_cost_share))
        metrics = {
            "fixed_cost_usd_bn": f_total,
            "fixed_share_of_contribution_before": float(f_total / contrib0),
            "margin_before": float(margin[0]),
            "margin_trough": float(margin.min()),
            "revenue_fall": float(1 - self.utilisation_after / self.utilisation_before),
            "breakeven_utilisation": float(breakeven),
            "degree_of_operating_leverage": float(contrib0 / (contrib0 - f_total)) if contrib0 != f_total else None,
            "years_below_breakeven": int(np.sum(u < breakeven)),
        }
        return BullCaseResult("operating_leverage", frame, metrics, self)


@dataclass(frozen=True)
class ConglomerateDiscount(_BullCase):
    """(b) ROIC and the multiple as AI capital grows without profit.

    Invested capital K_t = K_core + K_ai,t with K_ai,t = K_ai,t-1 + capex_t - capex/life (straight-line
    by vintage); NOPAT_t = NOPAT_core (1 + g)^t + r_ai K_ai,t-1; ROIC_t = NOPAT_t / K_t. The EV/NOPAT
    multiple moves linearly from ``utility_multiple`` (ROIC <= ``roic_utility``) to ``growth_multiple``
    (ROIC >= ``roic_growth``). Net debt grows by capex less cash generated (NOPAT + depreciation);
    equity value = multiple x NOPAT - net debt.
    """

    core_invested_capital_usd_bn: float = 300.0
    core_nopat_usd_bn: float = 75.0
    core_nopat_growth: float = -0.02
    ai_capex_usd_bn: tuple[float, ...] = (150.0, 200.0, 250.0, 250.0, 250.0)
    ai_depreciation_years: float = 6.0
    ai_return_on_capital: float = 0.02
    growth_multiple: float = 30.0
    utility_multiple: float = 15.0
    roic_growth: float = 0.20
    roic_utility: float = 0.08
    net_debt_usd_bn: float = 0.0

    _KEY = "conglomerate"

    def __post_init__(self) -> None:
        _positive(self, ("core_invested_capital_usd_bn", "ai_depreciation_years", "growth_multiple",
                         "utility_multiple"))
        if not self.roic_growth > self.roic_utility:
            raise SpecError(f"ConglomerateDiscount: roic_growth ({self.roic_growth}) must exceed roic_utility "
                            f"({self.roic_utility})")
        if not self.ai_capex_usd_bn or any((not np.isfinite(c)) or c < 0 for c in self.ai_capex_usd_bn):
            raise SpecError(f"ConglomerateDiscount: ai_capex_usd_bn must be one or more numbers >= 0; "
                            f"got {self.ai_capex_usd_bn!r}")

    def multiple(self, roic: np.ndarray) -> np.ndarray:
        w = np.clip((np.asarray(roic) - self.roic_utility) / (self.roic_growth - self.roic_utility), 0.0, 1.0)
        return self.utility_multiple + (self.growth_multiple - self.utility_multiple) * w

    def run(self) -> BullCaseResult:
        capex = np.r_[0.0, np.asarray(self.ai_capex_usd_bn, dtype=float)]
        n = capex.size
        t = np.arange(n)
        # depreciation of each vintage for ai_depreciation_years after the year it is spent
        age = t[:, None] - t[None, :]                      # (year, vintage)
        live = (age >= 1) & (age <= np.ceil(self.ai_depreciation_years))
        dep = (live * capex[None, :] / self.ai_depreciation_years).sum(axis=1)
        k_ai = np.cumsum(capex - dep)
        nopat_core = self.core_nopat_usd_bn * (1 + self.core_nopat_growth) ** t
        nopat_ai = self.ai_return_on_capital * np.r_[0.0, k_ai[:-1]]
        nopat = nopat_core + nopat_ai
        capital = self.core_invested_capital_usd_bn + k_ai
        roic = nopat / capital
        mult = self.multiple(roic)
        ev = mult * nopat
        flow = capex - (nopat + dep)
        flow[0] = 0.0  # year 0 is the balance sheet before the build
        net_debt = self.net_debt_usd_bn + np.cumsum(flow)
        equity = ev - net_debt
        frame = pd.DataFrame({"ai_capex_usd_bn": capex, "ai_capital_usd_bn": k_ai, "invested_capital_usd_bn": capital,
                              "nopat_usd_bn": nopat, "roic": roic, "ev_to_nopat": mult, "enterprise_value_usd_bn": ev,
                              "net_debt_usd_bn": net_debt, "equity_value_usd_bn": equity},
                             index=pd.Index(t, name="year"))
        metrics = {"roic_start": float(roic[0]), "roic_end": float(roic[-1]),
                   "multiple_start": float(mult[0]), "multiple_end": float(mult[-1]),
                   "equity_value_change": float(equity[-1] / equity[0] - 1.0),
                   "ai_capital_end_usd_bn": float(k_ai[-1])}
        return BullCaseResult("conglomerate_discount", frame, metrics, self)


@dataclass(frozen=True)
class ReleasingGlut(_BullCase):
    """(c) A defaulted tenant's capacity re-leased into a glut, against the debt service.

    Debt service DS is the level annuity on the vehicle's debt; coverage DSCR = rent / DS. After the
    default the site is empty for ``vacancy_months`` (the debt-service reserve pays for
    ``reserve_months`` of them), then a replacement tenant pays rent x (1 - discount) for
    ``new_term_years``. The coverage is below 1 for any discount above 1 - 1/DSCR_0.
    """

    debt_usd_bn: float = 80.0
    debt_rate: float = 0.065
    amortisation_years: int = 15
    rent_usd_bn: float = 11.5
    discounts: tuple[float, ...] = (0.30, 0.50)
    new_term_years: float = 3.0
    original_term_years: float = 15.0
    vacancy_months: float = 12.0
    reserve_months: float = 6.0

    _KEY = "releasing"

    def __post_init__(self) -> None:
        _positive(self, ("debt_usd_bn", "amortisation_years", "rent_usd_bn", "new_term_years",
                         "original_term_years"))
        _positive(self, ("debt_rate", "vacancy_months", "reserve_months"), allow_zero=True)
        if not self.discounts or any(not (0.0 <= d < 1.0) for d in self.discounts):
            raise SpecError(f"ReleasingGlut: discounts must be one or more decimals in [0, 1); got {self.discounts!r}")

    @property
    def debt_service_usd_bn(self) -> float:
        return annuity_payment(self.debt_usd_bn, self.debt_rate, int(self.amortisation_years))

    def run(self) -> BullCaseResult:
        ds = self.debt_service_usd_bn
        dscr0 = self.rent_usd_bn / ds
        d = np.asarray(self.discounts, dtype=float)
        rent = self.rent_usd_bn * (1 - d)
        dscr = rent / ds
        unfunded_vacancy = max(self.vacancy_months - self.reserve_months, 0.0)
        shortfall_year = np.maximum(ds - rent, 0.0)
        frame = pd.DataFrame({
            "discount": d, "rent_usd_bn": rent, "debt_service_usd_bn": ds, "dscr": dscr,
            "annual_shortfall_usd_bn": shortfall_year,
            "vacancy_months": self.vacancy_months, "unfunded_vacancy_months": unfunded_vacancy,
            "shortfall_over_new_term_usd_bn": shortfall_year * self.new_term_years
            + ds * unfunded_vacancy / 12.0,
            "term_cut_years": self.original_term_years - self.new_term_years,
        }).set_index("discount")
        metrics = {"debt_service_usd_bn": ds, "dscr_at_origination": dscr0,
                   "breakeven_discount": float(1.0 - 1.0 / dscr0),
                   "dscr_after": dict(zip([f"{x:.0%}" for x in d], dscr.tolist(), strict=True)),
                   "unfunded_vacancy_months": unfunded_vacancy}
        return BullCaseResult("releasing_glut", frame, metrics, self)


_CASES = {"operating_leverage": OperatingLeverage, "conglomerate_discount": ConglomerateDiscount,
          "releasing_glut": ReleasingGlut}


def parse_bull_params(items: list[str] | tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Overrides written ``case.parameter=value`` (e.g. ``operating_leverage.utilisation_after=0.6``).

    A list value is written with semicolons: ``releasing_glut.discounts=0.2;0.4``.

    Raises
    ------
    SpecError
        For a malformed item, an unknown case or parameter, or a value that is not a number.
    """
    out: dict[str, dict[str, float]] = {}
    for item in items:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            raise SpecError(f"bull-case parameter: expected case.parameter=value; got {item!r}. "
                            f"Cases: {', '.join(_CASES)}")
        key, raw = item.split("=", 1)
        case, name = (x.strip() for x in key.split(".", 1))
        if case not in _CASES:
            raise SpecError(f"bull-case parameter {item!r}: unknown case {case!r}; expected one of {', '.join(_CASES)}")
        known = {f.name for f in fields(_CASES[case])}
        if name not in known:
            raise SpecError(f"bull-case parameter {item!r}: {case} has no parameter {name!r}; "
                            f"expected one of {', '.join(sorted(known))}")
        try:
            value = tuple(float(v) for v in raw.split(";")) if ";" in raw else float(raw)
        except ValueError:
            raise SpecError(f"bull-case parameter {item!r}: the value must be a number "
                            "(or numbers separated by ';')") from None
        if name in ("discounts", "ai_capex_usd_bn") and not isinstance(value, tuple):
            value = (value,)
        out.setdefault(case, {})[name] = value
    return out


def run_bull_cases(overrides: dict[str, dict] | None = None) -> dict[str, BullCaseResult]:
    """The three bull cases on the packaged defaults, with per-case parameter overrides."""
    overrides = overrides or {}
    unknown = set(overrides) - set(_CASES)
    if unknown:
        raise SpecError(f"unknown bull case(s) {', '.join(sorted(unknown))}; expected {', '.join(_CASES)}")
    return {k: cls.from_inputs(**overrides.get(k, {})).run() for k, cls in _CASES.items()}
