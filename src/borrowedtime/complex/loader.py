"""Load, overlay and validate a complex YAML file; every problem reported at once.

The loader validates each entity, contract and concentration on its own (so
one bad item does not hide the others), then checks the references between
them (unknown entities, guarantees on missing contracts, duplicate names,
shares of a book over 100 %), and raises one
:class:`~borrowedtime.errors.SpecError` listing every problem as
``file: path: message``, with paths like ``contracts[3].notional_usd_bn``.

Overlay: a second file is merged on the first by name. An entity or contract
whose ``name`` exists is updated field by field (its ``figures`` are appended,
so a newer quarter's backlog becomes the latest observation); a new name is
added; ``drop: true`` removes an item. Concentrations merge on (platform,
obligors).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from borrowedtime.complex.schema import (
    GUARANTEE_KINDS,
    ComplexSpec,
    Concentration,
    Contract,
    Entity,
    IsoDate,
)
from borrowedtime.datasets import COMPLEX_DEFAULT, YamlFileError, packaged_path, read_yaml
from borrowedtime.errors import SpecError

__all__ = ["Problem", "Complex", "load_complex", "validate_complex", "default_complex_path"]

_TOP_KEYS = ("schema", "title", "as_of", "source", "entities", "contracts", "concentrations")
_LISTS = ("entities", "contracts", "concentrations")
_SHARE_SLACK = 1e-9


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is and what is wrong."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "path": self.path, "message": self.message}


# ----------------------------------------------------------------------------- YAML
def default_complex_path() -> Path:
    """Path of the packaged default dataset (the essay's 2026 world)."""
    return packaged_path(COMPLEX_DEFAULT)


def _read(path: Path, label: str) -> tuple[dict | None, list[Problem]]:
    try:
        raw = read_yaml(path, label=label, dates=False)
    except YamlFileError as exc:
        return None, [Problem(exc.file, exc.where, exc.reason)]
    if not isinstance(raw, dict):
        return None, [Problem(label, "", f"expected a mapping at the top level, got {type(raw).__name__}")]
    problems = [
        Problem(label, str(k), f"unknown top-level key; expected one of {', '.join(_TOP_KEYS)}")
        for k in raw if k not in _TOP_KEYS
    ]
    for key in _LISTS:
        if key in raw and not isinstance(raw[key], list):
            problems.append(Problem(label, key, f"expected a list, got {type(raw[key]).__name__}"))
            raw[key] = []
    return raw, problems


# ----------------------------------------------------------------------------- merge
@dataclass
class _Item:
    file: str
    index: int
    data: Any

    def where(self, section: str) -> tuple[str, str]:
        return self.file, f"{section}[{self.index}]"


def _key(section: str, data: Any) -> Any:
    if not isinstance(data, dict):
        return None
    if section == "concentrations":
        obl = data.get("obligors")
        return (data.get("platform"), frozenset(obl) if isinstance(obl, list) else None)
    return data.get("name")


def _merge_item(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if k == "figures" and isinstance(v, list) and isinstance(base.get("figures"), list):
            out["figures"] = [*base["figures"], *v]
        else:
            out[k] = v
    return out


def _layer(layers: Sequence[tuple[str, dict]]) -> tuple[dict, dict[str, list[_Item]]]:
    meta: dict = {}
    items: dict[str, list[_Item]] = {k: [] for k in _LISTS}
    for depth, (label, raw) in enumerate(layers):
        for k in ("schema", "title", "as_of", "source"):
            if k in raw:
                meta[k] = raw[k]
        for section in _LISTS:
            current = items[section]
            n_before = len(current)  # an overlay merges only into earlier layers
            for i, data in enumerate(raw.get(section) or []):
                key = _key(section, data)
                hit = None
                if depth > 0 and key is not None:
                    hit = next((j for j in range(n_before)
                                if current[j] is not None and _key(section, current[j].data) == key), None)
                if hit is None:
                    if not (depth > 0 and isinstance(data, dict) and data.get("drop")):
                        current.append(_Item(label, i, data))
                elif isinstance(data, dict) and data.get("drop"):
                    current[hit] = None  # type: ignore[call-overload]
                else:
                    merged = _merge_item(current[hit].data, data) if isinstance(data, dict) else data
                    current[hit] = _Item(label, i, merged)
            items[section] = [it for it in current if it is not None]
    return meta, items


# ----------------------------------------------------------------------------- pydantic
def _loc(prefix: str, loc: Iterable[Any]) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_non_negative(), nullable[Figure]]",):
            continue
        else:
            out += f".{part}"
    return out


def _pydantic_problems(file: str, prefix: str, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        loc = [p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function")))]
        out.append(Problem(file, _loc(prefix, loc), msg))
    # A figure inherits its holder's as_of/source: one bad date is one problem,
    # reported where it was written, not again under every figure that inherited it.
    seen = {(p.path, p.message) for p in out}

    def inherited(p: Problem) -> bool:
        head, _, leaf = p.path.rpartition(".")
        while "." in head:
            head = head.rpartition(".")[0]
            if (f"{head}.{leaf}", p.message) in seen:
                return True
        return False

    return [p for p in out if not inherited(p)]


class _Meta(BaseModel):
    model_config = ConfigDict(extra="ignore")
    as_of: IsoDate


# ----------------------------------------------------------------------------- checks
def _check(
    items: dict[str, list[_Item]],
    entities: list[tuple[_Item, Entity]],
    contracts: list[tuple[_Item, Contract]],
    concentrations: list[tuple[_Item, Concentration]],
) -> list[Problem]:
    problems: list[Problem] = []
    # Names: every entity/contract name seen in the raw data (valid or not), so
    # one malformed entity does not cascade into "unknown entity" everywhere.
    known: dict[str, set[str]] = {}
    for section in ("entities", "contracts"):
        seen: dict[str, str] = {}
        for it in items[section]:
            name = it.data.get("name") if isinstance(it.data, dict) else None
            if not isinstance(name, str):
                continue
            file, path = it.where(section)
            if name in seen:
                problems.append(Problem(file, f"{path}.name", f"duplicate name {name!r} (first at {seen[name]})"))
            else:
                seen[name] = path
        known[section] = set(seen)
    names = known["entities"]
    contract_names = known["contracts"]

    def unknown(it: _Item, section: str, fld: str, ref: Any) -> None:
        if isinstance(ref, str) and ref not in names:
            file, path = it.where(section)
            problems.append(Problem(file, f"{path}.{fld}", f"unknown entity {ref!r}"))

    def refs(it: _Item, section: str, fld: str) -> None:
        value = it.data.get(fld)
        if isinstance(value, list):
            for j, ref in enumerate(value):
                unknown(it, section, f"{fld}[{j}]", ref)
        elif isinstance(value, dict):
            for ref in value:
                unknown(it, section, f"{fld}.{ref}", ref)
        else:
            unknown(it, section, fld, value)

    # References are checked on the raw items, so a contract with (say) a bad
    # date still has its parties and its guaranteed contract checked.
    for it in items["entities"]:
        if isinstance(it.data, dict):
            refs(it, "entities", "parent")
    for it in items["concentrations"]:
        if isinstance(it.data, dict):
            refs(it, "concentrations", "platform")
            refs(it, "concentrations", "obligors")
    for it in items["contracts"]:
        if not isinstance(it.data, dict):
            continue
        for fld in ("obligor", "obligee", "participants", "via", "end_users"):
            refs(it, "contracts", fld)
        file, path = it.where("contracts")
        kind, covers = it.data.get("kind"), it.data.get("covers")
        if isinstance(covers, str):
            if kind not in GUARANTEE_KINDS:
                problems.append(Problem(file, f"{path}.covers", f"only guarantees cover a contract; this is a {kind}"))
            elif covers not in contract_names:
                problems.append(Problem(file, f"{path}.covers", f"guarantee on a non-existent contract {covers!r}"))
            elif covers == it.data.get("name"):
                problems.append(Problem(file, f"{path}.covers", "a guarantee cannot cover itself"))
        obligor, obligee = it.data.get("obligor"), it.data.get("obligee")
        if isinstance(obligor, str) and obligor == obligee:
            problems.append(Problem(file, f"{path}.obligee", f"obligor and obligee are both {obligor!r}"))

    book_shares: dict[str, list[tuple[_Item, float]]] = defaultdict(list)
    for it, c in contracts:
        file, path = it.where("contracts")
        known_eu = [f.value for f in c.end_users.values() if f is not None]
        if sum(known_eu) > 1 + _SHARE_SLACK:
            problems.append(
                Problem(file, f"{path}.end_users", f"end-user shares sum to {sum(known_eu):.0%}, over 100%")
            )
        if c.kind == "take_or_pay" and c.share_of_obligee_book is not None and c.obligee is not None:
            book_shares[c.obligee].append((it, c.share_of_obligee_book.value))
    for obligee, rows in book_shares.items():
        total = sum(s for _, s in rows)
        if total > 1 + _SHARE_SLACK:
            file, path = rows[-1][0].where("contracts")
            others = ", ".join(r[0].where("contracts")[1] for r in rows)
            problems.append(
                Problem(
                    file, f"{path}.share_of_obligee_book",
                    f"shares of the book of {obligee!r} sum to {total:.0%}, over 100% ({others})",
                )
            )

    by_platform: dict[str, list[tuple[_Item, Concentration]]] = defaultdict(list)
    for it, k in concentrations:
        by_platform[k.platform].append((it, k))
    for platform, rows in by_platform.items():
        # Groups that do not overlap add up; overlapping groups (a lab and a
        # pair containing it) are nested statements and are not summed.
        disjoint: list[tuple[_Item, Concentration]] = []
        for it, k in rows:
            if all(not set(k.obligors) & set(o.obligors) for _, o in disjoint):
                disjoint.append((it, k))
        total = sum(k.share.value for _, k in disjoint if k.share is not None)
        if total > 1 + _SHARE_SLACK:
            file, path = disjoint[-1][0].where("concentrations")
            problems.append(
                Problem(file, f"{path}.share", f"stated shares of the book of {platform!r} sum to {total:.0%}, over 100%")
            )
    return problems


# ----------------------------------------------------------------------------- public
@dataclass(frozen=True)
class Complex:
    """A validated complex: the spec plus lookups.

    Attributes
    ----------
    spec : ComplexSpec
        Entities, contracts and stated concentrations.
    files : tuple of str
        The files it was read from, base first, then overlays.
    """

    spec: ComplexSpec
    files: tuple[str, ...] = ()
    _entities: dict[str, Entity] = field(default_factory=dict, repr=False, compare=False)
    _contracts: dict[str, Contract] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._entities.update({e.name: e for e in self.spec.entities})
        self._contracts.update({c.name: c for c in self.spec.contracts})

    @property
    def entities(self) -> tuple[Entity, ...]:
        return self.spec.entities

    @property
    def contracts(self) -> tuple[Contract, ...]:
        return self.spec.contracts

    @property
    def concentrations(self) -> tuple[Concentration, ...]:
        return self.spec.concentrations

    @property
    def as_of(self):
        return self.spec.as_of

    def entity(self, name: str) -> Entity:
        try:
            return self._entities[name]
        except KeyError:
            raise SpecError(f"no entity named {name!r} in the complex.") from None

    def contract(self, name: str) -> Contract:
        try:
            return self._contracts[name]
        except KeyError:
            raise SpecError(f"no contract named {name!r} in the complex.") from None

    def has_entity(self, name: str) -> bool:
        return name in self._entities

    def backlog(self, name: str) -> float:
        """Latest reported backlog (RPO) of an entity, USD bn; NaN when none is recorded."""
        obs = self.entity(name).latest("backlog_usd_bn")
        return float("nan") if obs is None else obs.value

    def signed_since(self, name: str) -> list[Contract]:
        """Take-or-pay contracts owed to ``name`` signed after its latest reported backlog.

        Those marked ``in_backlog: false`` and dated after the backlog's as_of;
        once a newer backlog is overlaid, they drop out (the report includes them).
        """
        obs = self.entity(name).latest("backlog_usd_bn")
        if obs is None:
            return []
        return [c for c in self.contracts
                if c.kind == "take_or_pay" and c.obligee == name and not c.in_backlog
                and c.as_of > obs.as_of and c.notional_usd_bn is not None]

    def book(self, name: str) -> float:
        """Pro forma book, USD bn: latest reported backlog plus take-or-pay signed since.

        Notes
        -----
        The essay's "$2.1 trillion backlog" adds to the platforms' reported
        backlogs commitments announced after the report date; this is that sum.
        NaN when no backlog is recorded.
        """
        return self.backlog(name) + sum(c.notional_usd_bn.value for c in self.signed_since(name))

    def entities_frame(self):
        """One row per entity: kind, rating, parent, latest backlog (and pro forma book), its source."""
        import pandas as pd

        rows = []
        for e in self.entities:
            b = e.latest("backlog_usd_bn")
            rows.append({
                "name": e.name, "label": e.display, "kind": e.kind, "rating": e.rating,
                "parent": e.parent, "backlog_usd_bn": None if b is None else b.value,
                "book_usd_bn": None if b is None else self.book(e.name),
                "backlog_as_of": None if b is None else b.as_of.isoformat(),
                "backlog_source": None if b is None else b.source, "n_figures": len(e.figures),
            })
        return pd.DataFrame(rows).set_index("name")

    def figures_frame(self):
        """Every observation of every entity, with provenance (long format)."""
        import pandas as pd

        rows = [
            {"entity": e.name, "metric": o.metric, "period": o.period, "value": o.value, "low": o.low,
             "high": o.high, "source": o.source, "as_of": o.as_of.isoformat()}
            for e in self.entities for o in e.figures
        ]
        return pd.DataFrame(rows)

    def contracts_frame(self):
        """One row per contract: kind, parties, notional (with range), provenance."""
        import pandas as pd

        rows = []
        for c in self.contracts:
            n = c.notional_usd_bn
            rows.append({
                "name": c.name, "kind": c.kind, "obligor": c.obligor, "obligee": c.obligee,
                "notional_usd_bn": None if n is None else n.value,
                "low": None if n is None else n.range[0], "high": None if n is None else n.range[1],
                "share_of_obligee_book": None if c.share_of_obligee_book is None else c.share_of_obligee_book.value,
                "end_users": ", ".join(c.end_users) or None, "covers": c.covers, "status": c.status,
                "source": c.source, "as_of": c.as_of.isoformat(),
            })
        return pd.DataFrame(rows).set_index("name")

    def summary(self) -> str:
        kinds = defaultdict(int)
        for e in self.entities:
            kinds[e.kind] += 1
        ck = defaultdict(int)
        for c in self.contracts:
            ck[c.kind] += 1
        return "\n".join([
            f"Complex as of {self.as_of} ({', '.join(self.files) or 'in memory'})",
            f"  entities: {len(self.entities)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})",
            f"  contracts: {len(self.contracts)} ({', '.join(f'{k} {v}' for k, v in sorted(ck.items()))})",
            f"  stated concentrations: {len(self.concentrations)}",
        ])

    def __str__(self) -> str:
        return self.summary()


def _label(path: Path | str) -> str:
    """How a file is named in messages: as the user gave it."""
    return str(path)


def _build(layers: list[tuple[str, dict]], problems: list[Problem]) -> tuple[Complex | None, list[Problem]]:
    meta, items = _layer(layers)
    top_file = layers[-1][0] if layers else "<none>"
    try:
        meta_ok = _Meta.model_validate(meta)
    except ValidationError as exc:
        problems += _pydantic_problems(top_file, "", exc)
        meta_ok = None
    parsed: dict[str, list] = {k: [] for k in _LISTS}
    models = {"entities": Entity, "contracts": Contract, "concentrations": Concentration}
    for section, model in models.items():
        for it in items[section]:
            file, path = it.where(section)
            if not isinstance(it.data, dict):
                problems.append(Problem(file, path, f"expected a mapping, got {type(it.data).__name__}"))
                continue
            data = {k: v for k, v in it.data.items() if k != "drop"}
            try:
                parsed[section].append((it, model.model_validate(data)))
            except ValidationError as exc:
                problems += _pydantic_problems(file, path, exc)
    problems += _check(items, parsed["entities"], parsed["contracts"], parsed["concentrations"])
    if problems or meta_ok is None:
        return None, problems
    spec = ComplexSpec.model_validate({
        **meta,
        "entities": [m for _, m in parsed["entities"]],
        "contracts": [m for _, m in parsed["contracts"]],
        "concentrations": [m for _, m in parsed["concentrations"]],
    })
    return Complex(spec, files=tuple(label for label, _ in layers)), problems


def _as_list(overlay: str | Path | Sequence[str | Path] | None) -> list[Path]:
    if overlay is None:
        return []
    if isinstance(overlay, str | Path):
        return [Path(overlay)]
    return [Path(p) for p in overlay]


def validate_complex(
    path: str | Path | None = None,
    *,
    overlay: str | Path | Sequence[str | Path] | None = None,
) -> list[Problem]:
    """Every problem in a complex file (and overlays), without raising.

    Parameters
    ----------
    path : path, optional
        The base file; the packaged default dataset when omitted.
    overlay : path or list of paths, optional
        Files merged on the base in order.

    Returns
    -------
    list of Problem
        Empty when the file is valid.
    """
    return _load(path, overlay)[1]


def _load(path, overlay) -> tuple[Complex | None, list[Problem]]:
    files = [default_complex_path() if path is None else Path(path), *_as_list(overlay)]
    layers, problems = [], []
    for f in files:
        label = "complex_2026.yaml (default)" if path is None and f == files[0] else _label(f)
        raw, probs = _read(f, label)
        problems += probs
        if raw is not None:
            layers.append((label, raw))
    if not layers:
        return None, problems
    return _build(layers, problems)


@cache
def _default() -> Complex:
    cx, problems = _load(None, None)
    if problems or cx is None:
        raise SpecError(_message(problems))
    return cx


def _message(problems: list[Problem]) -> str:
    n = len(problems)
    return f"{n} problem{'s' if n != 1 else ''} in the complex:\n" + "\n".join(f"  {p}" for p in problems)


def load_complex(
    path: str | Path | None = None,
    *,
    overlay: str | Path | Sequence[str | Path] | None = None,
) -> Complex:
    """Load and validate a complex; the essay's 2026 world when no path is given.

    Parameters
    ----------
    path : path, optional
        A complex YAML file; the packaged ``data/complex_2026.yaml`` when omitted.
    overlay : path or list of paths, optional
        Files merged on it by name (newer figures, extra contracts, ``drop: true``).

    Returns
    -------
    Complex

    Raises
    ------
    SpecError
        Listing every problem (file, path, message); ``.problems`` holds them.
    """
    if path is None and overlay is None:
        return _default()
    cx, problems = _load(path, overlay)
    if problems or cx is None:
        err = SpecError(_message(problems))
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    return cx
