"""Stress scenarios as YAML files: overrides of the complex, stretches, distributions, horizon, paths, seed.

A scenario names a ``base`` scenario (a packaged one, ``base``) and overrides
it key by key (mappings merge, lists and values replace). Packaged scenarios
live in ``borrowedtime/data/scenarios/``: ``base``, one per stretch
(``private_round``, ``backstop``, ``hyperscaler_leverage``),
``anthropic_unwrapped``, ``correlation_of_one`` and the counterfactual
``no_trigger``. Every problem is reported at once in one
:class:`~borrowedtime.errors.SpecError` as ``file: path: message``.

Units: USD bn; growth as annual log growth; shares decimal; quarters counted
from the quarter of the complex's ``as_of``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from borrowedtime.datasets import YamlFileError, read_yaml
from borrowedtime.errors import SpecError

__all__ = ["Scenario", "Dist", "load_scenario", "packaged_scenarios", "INPUTS"]

#: The uncertain inputs, in the order they are drawn for every path (the tornado's rows).
INPUTS = (
    "revenue_accel",
    "capex_accel",
    "multiple",
    "dilution_limit",
    "pullback",
    "hyperscaler_cut",
    "relet_value",
    "fire_sale",
    "recycling",
)
_BOUNDS = {
    "multiple": (0.0, None),
    "dilution_limit": (0.0, 1.0),
    "pullback": (0.0, 1.0),
    "hyperscaler_cut": (0.0, 1.0),
    "relet_value": (0.0, 1.0),
    "fire_sale": (0.0, 1.0),
    "recycling": (0.0, None),
}


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Value(_M):
    value: float
    source: str


class Dist(_M):
    """One uncertain input: ``fixed`` (value), ``uniform`` (low, high), ``normal`` (mean, sd),
    ``lognormal`` (median, log_sd), ``triangular`` (low, mode, high)."""

    dist: Literal["fixed", "uniform", "normal", "lognormal", "triangular"]
    value: float | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, ge=0)
    median: float | None = Field(default=None, gt=0)
    log_sd: float | None = Field(default=None, ge=0)
    source: str

    @model_validator(mode="after")
    def _params(self) -> Dist:
        need = {
            "fixed": ("value",), "uniform": ("low", "high"), "normal": ("mean", "sd"),
            "lognormal": ("median", "log_sd"), "triangular": ("low", "mode", "high"),
        }[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(need)}; missing {', '.join(missing)}")
        if self.dist in ("uniform", "triangular") and not self.low <= (self.mode if self.mode is not None else self.low) <= self.high:
            raise ValueError(f"need low <= mode <= high, got {self.low}, {self.mode}, {self.high}")
        if self.dist == "uniform" and not self.low < self.high:
            raise ValueError(f"need low < high, got low={self.low}, high={self.high}")
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take (inf for normal/lognormal tails)."""
        if self.dist == "fixed":
            return self.value, self.value
        if self.dist in ("uniform", "triangular"):
            return self.low, self.high
        if self.dist == "normal":
            return (-float("inf"), float("inf")) if self.sd > 0 else (self.mean, self.mean)
        return (0.0, float("inf")) if self.log_sd > 0 else (self.median, self.median)


class NeocloudDebt(_M):
    initial_dscr: Value
    opex_share: Value
    term_years: Value


class Edge(_M):
    contract: str
    kind: str = "term_loan"
    debtor: str
    creditor: str
    amount_usd_bn: float = Field(ge=0)
    term_years: float = Field(default=5.0, gt=0)
    non_recourse: bool = True
    source: str


class Lab(_M):
    """A lab that must raise. ``plan: treadmill`` takes every figure from the treadmill
    (:class:`borrowedtime.treadmill.rounds.RoundsSpec` on the scenario's complex): revenue, burn share,
    contracted compute (``compute``: ``contracts``, the treadmill's default, or ``ramp``; undated
    commitments spread over ``undated_term_years``, default the treadmill's), compute share, last mark,
    cash at quarter 0, the date of the next round and the achievable step-up there (``achievable``:
    ``trend``, the treadmill's default, ``target`` or ``reported``; ``inputs``: the last round as the
    essay states it, ``essay``, or as announced, ``announced``). ``mark_usd_bn`` / ``cash_usd_bn``
    override the treadmill's. Other labs give revenue, growth and burn share; their achievable mark is
    ``mark`` (the last mark's multiple of forward revenue carried forward) or ``multiple`` (the drawn
    public multiple as is)."""

    mark_usd_bn: Value | None = None
    cash_usd_bn: Value | None = None
    plan: Literal["treadmill"] | None = None
    revenue_usd_bn: Value | None = None
    growth: Value | None = None
    burn_share: Value | None = None
    compute_per_revenue: Value | None = None
    compute: Literal["contracts", "ramp"] = "contracts"
    undated_term_years: float | None = Field(default=None, gt=0)
    inputs: Literal["essay", "announced"] = "essay"
    achievable: Literal["trend", "target", "reported", "mark", "multiple"] | None = None

    @model_validator(mode="after")
    def _plan(self) -> Lab:
        if self.plan is None and (self.revenue_usd_bn is None or self.growth is None or self.burn_share is None):
            raise ValueError("a lab without plan: treadmill needs revenue_usd_bn, growth and burn_share")
        if self.plan is None and (self.mark_usd_bn is None or self.cash_usd_bn is None):
            raise ValueError("a lab without plan: treadmill needs mark_usd_bn and cash_usd_bn")
        if self.plan is None and self.inputs != "essay":
            raise ValueError("inputs: 'announced' is a treadmill reading; it needs plan: treadmill")
        if self.plan is None and self.achievable in ("trend", "target", "reported"):
            raise ValueError(f"achievable: {self.achievable!r} is a treadmill reading; a lab without "
                             "plan: treadmill takes 'mark' or 'multiple'")
        return self

    @property
    def reading(self) -> str:
        """The achievable-mark reading in force (default: the treadmill's ``trend``, else ``mark``)."""
        return self.achievable or ("trend" if self.plan == "treadmill" else "mark")


class Capex(_M):
    level_usd_bn: Value
    growth: Value


class Stretch(_M):
    enabled: bool = False
    size_usd_bn: float | None = Field(default=None, ge=0)
    hold_quarters: int | None = Field(default=None, ge=0)
    extra_debt_usd_bn: float | None = Field(default=None, ge=0)
    quarter: int | None = Field(default=None, ge=0)
    source: str


class Stretches(_M):
    private_round: Stretch
    backstop: Stretch
    hyperscaler_leverage: Stretch


_MODEL_KEYS = (
    "growth_shock_sd", "lab_correlation", "multiple_growth_elasticity", "buffer_quarters", "cover_quarters",
    "compute_share", "dscr_min", "roll_share", "ltv", "distress_threshold", "flip_distress",
    "clearing_alpha", "clearing_beta", "debtrank_alpha", "half_life_quarters", "growth_dispersion_scale",
)
#: Optional model keys: overrides of what the other modules compute (flip_cut: the capex game's cut).
_MODEL_OPTIONAL = ("flip_cut",)


class Scenario(_M):
    """A validated stress scenario (see the packaged ``base.yaml`` for every field and its source)."""

    name: str
    description: str = ""
    horizon_quarters: int = Field(ge=1, le=200)
    paths: int = Field(ge=1)
    seed: int = Field(ge=0)
    complex_overlay: dict[str, Any] | None = None
    edges: tuple[Edge, ...] = ()
    neocloud_debt: NeocloudDebt
    balance_sheets: dict[str, dict[str, Any]]
    labs: dict[str, Lab] = Field(min_length=1)
    capex: Capex
    distributions: dict[str, Dist]
    model: dict[str, Value]
    stretches: Stretches
    file: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Scenario:
        missing = [k for k in INPUTS if k not in self.distributions]
        unknown = [k for k in self.distributions if k not in INPUTS]
        if missing or unknown:
            raise ValueError(
                f"distributions: missing {missing or 'none'}, unknown {unknown or 'none'}; expected {', '.join(INPUTS)}"
            )
        for k, (lo, hi) in _BOUNDS.items():
            a, b = self.distributions[k].support()
            if a < lo or (hi is not None and b > hi):
                raise ValueError(
                    f"distributions.{k}: draws must lie in [{lo}, {hi if hi is not None else 'inf'}]; "
                    f"this distribution reaches [{a}, {b}]"
                )
        missing = [k for k in _MODEL_KEYS if k not in self.model]
        unknown = [k for k in self.model if k not in _MODEL_KEYS + _MODEL_OPTIONAL]
        if missing or unknown:
            raise ValueError(f"model: missing {missing or 'none'}, unknown {unknown or 'none'}")
        rho = self.model["lab_correlation"].value
        if not -1.0 <= rho <= 1.0:
            raise ValueError(f"model.lab_correlation: must be in [-1, 1], got {rho}")
        if not self.model["half_life_quarters"].value > 0:
            raise ValueError(f"model.half_life_quarters: must be > 0, got {self.model['half_life_quarters'].value}")
        if not self.model["growth_dispersion_scale"].value >= 0:
            raise ValueError(
                f"model.growth_dispersion_scale: must be >= 0, got {self.model['growth_dispersion_scale'].value}")
        for k in ("clearing_alpha", "clearing_beta"):
            if not 0 < self.model[k].value <= 1:
                raise ValueError(f"model.{k}: must be in (0, 1], got {self.model[k].value}")
        return self

    def param(self, key: str) -> float:
        return float(self.model[key].value)

    def with_params(self, **values: float) -> Scenario:
        """A copy with some ``model`` values replaced (the source says so): the sensitivity runs."""
        model = dict(self.model)
        for k, v in values.items():
            if k not in model:
                raise SpecError(f"model.{k}: not a model key of scenario {self.name!r}")
            model[k] = Value(value=float(v), source=f"sensitivity run ({model[k].source})")
        try:
            return self.model_validate({**self.model_dump(), "model": {k: m.model_dump() for k, m in model.items()}})
        except ValidationError as exc:
            raise SpecError(f"{self.file or self.name}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None

    def with_stretch(self, name: str, enabled: bool = True) -> Scenario:
        """A copy with one stretch switched on (or off)."""
        s = self.stretches.model_copy(update={name: getattr(self.stretches, name).model_copy(update={"enabled": enabled})})
        return self.model_copy(update={"stretches": s})

    def summary(self) -> str:
        on = [k for k in ("private_round", "backstop", "hyperscaler_leverage") if getattr(self.stretches, k).enabled]
        return (
            f"Scenario {self.name!r}: {self.horizon_quarters} quarters, {self.paths:,} paths, seed {self.seed}; "
            f"stretches: {', '.join(on) or 'none'}; labs: {', '.join(self.labs)}"
        )


# ----------------------------------------------------------------------------- loading
def _scenario_dir():
    return resources.files("borrowedtime").joinpath("data/scenarios")


def packaged_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(p.name[:-5] for p in _scenario_dir().iterdir() if p.name.endswith(".yaml"))


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return over


def _read(name_or_path: str | Path, chain: tuple[str, ...] = ()) -> tuple[dict, str]:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        label, path = str(name_or_path), p
    else:
        res = _scenario_dir().joinpath(f"{name_or_path}.yaml")
        if not res.is_file():
            raise SpecError(
                f"no scenario {str(name_or_path)!r}: give a YAML file or one of {', '.join(packaged_scenarios())}."
            )
        label, path = f"{name_or_path}.yaml (packaged)", Path(str(res))
    if label in chain:
        raise SpecError(f"{label}: 'base' chain loops ({' -> '.join((*chain, label))}).")
    try:  # the data layer's one YAML reader (dates kept as strings: validated below)
        raw = read_yaml(path, label=label, dates=False)
    except YamlFileError as exc:
        raise SpecError(f"{exc.file}: {exc.where + ': ' if exc.where else ''}{exc.reason}.") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{label}: expected a mapping of scenario fields at the top level, got {type(raw).__name__}.")
    base = raw.pop("base", None)
    if base is not None:
        if not isinstance(base, str):
            raise SpecError(f"{label}: base: expected the name or path of a scenario, got {base!r}.")
        parent, _ = _read(base, (*chain, label))
        raw = _merge(parent, raw)
    return raw, label


def _loc(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_scenario(name_or_path: str | Path = "base", **overrides: Any) -> Scenario:
    """Load and validate a scenario: a packaged name (``"base"``) or a YAML file.

    Parameters
    ----------
    name_or_path : str or path, default "base"
    **overrides
        Top-level fields to replace after loading (``paths=1000``, ``seed=3``).

    Raises
    ------
    SpecError
        Listing every problem as ``file: field.path: message``.
    """
    raw, label = _read(name_or_path)
    raw = {**raw, **{k: v for k, v in overrides.items() if v is not None}, "file": label}
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                msg = "required field is missing"
            elif err["type"] == "extra_forbidden":
                msg = "unknown field"
            lines.append(f"  {label}: {_loc(err['loc']) or '(top level)'}: {msg}")
        n = len(lines)
        raise SpecError(f"{n} problem{'s' if n != 1 else ''} in the scenario:\n" + "\n".join(lines)) from None


@cache
def _packaged(name: str) -> Scenario:
    return load_scenario(name)
