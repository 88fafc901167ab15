"""Load and overlay complex YAML files; every problem reported at once.

Reading goes through the one data layer (:func:`borrowedtime.datasets.read_yaml`);
validation (:mod:`borrowedtime.complex.validate`) reports every problem and
:func:`load_complex` raises one :class:`~borrowedtime.complex.validate.ComplexError`
(a :class:`~borrowedtime.errors.SpecError`) carrying them in ``.problems``.
The result is a :class:`~borrowedtime.complex.model.Complex`.

Overlay: a second file is merged on the first by name. An entity or contract
whose ``name`` exists is updated field by field (its ``figures`` are appended,
so a newer quarter's backlog becomes the latest observation); a new name is
added; ``drop: true`` removes an item. Concentrations merge on (platform,
obligors).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from borrowedtime.complex.model import Complex
from borrowedtime.complex.schema import ComplexSpec, Concentration, Contract, Entity
from borrowedtime.complex.validate import (
    ComplexError,
    Problem,
    _Item,
    _Meta,
    _pydantic_problems,
    check_references,
)
from borrowedtime.datasets import COMPLEX_DEFAULT, YamlFileError, packaged_path, read_yaml

__all__ = ["Problem", "Complex", "ComplexError", "load_complex", "validate_complex", "default_complex_path"]

_TOP_KEYS = ("schema", "title", "as_of", "source", "entities", "contracts", "concentrations")
_LISTS = ("entities", "contracts", "concentrations")


def default_complex_path() -> Path:
    """Path of the packaged default dataset (the essay's 2026 world)."""
    return packaged_path(COMPLEX_DEFAULT)


def _read(path: Path, label: str) -> tuple[dict | None, list[Problem]]:
    try:
        raw = read_yaml(path, label=label, dates=False)
    except YamlFileError as exc:
        return None, [Problem(exc.file, exc.where, exc.reason)]
    return _check_raw(raw, label)


def _check_raw(raw, label: str) -> tuple[dict | None, list[Problem]]:
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
    problems += check_references(items, parsed["entities"], parsed["contracts"], parsed["concentrations"])
    if problems or meta_ok is None:
        return None, problems
    spec = ComplexSpec.model_validate({
        **meta,
        "entities": [m for _, m in parsed["entities"]],
        "contracts": [m for _, m in parsed["contracts"]],
        "concentrations": [m for _, m in parsed["concentrations"]],
    })
    return Complex(spec, files=tuple(label for label, _ in layers)), problems


def _as_list(overlay) -> list:
    """Overlay layers: paths, or ``(label, mapping)`` pairs merged as read (no file written)."""
    if overlay is None:
        return []
    if isinstance(overlay, str | Path) or _is_data(overlay):
        overlay = [overlay]
    return [p if _is_data(p) else Path(p) for p in overlay]


def _is_data(x) -> bool:
    return isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) and isinstance(x[1], dict)


def validate_complex(
    path: str | Path | None = None,
    *,
    overlay: str | Path | tuple | Sequence[str | Path | tuple] | None = None,
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
        if _is_data(f):  # an overlay given as data: (label, mapping), checked as a file's contents
            raw, probs = _check_raw(copy.deepcopy(f[1]), f[0])
            problems += probs
            layers.append((f[0], raw))
            continue
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
        raise ComplexError(problems)
    return cx


def load_complex(
    path: str | Path | None = None,
    *,
    overlay: str | Path | tuple | Sequence[str | Path | tuple] | None = None,
) -> Complex:
    """Load and validate a complex; the essay's 2026 world when no path is given.

    Parameters
    ----------
    path : path, optional
        A complex YAML file; the packaged ``data/complex_2026.yaml`` when omitted.
    overlay : path, (label, mapping) or list of them, optional
        Files merged on it by name (newer figures, extra contracts, ``drop: true``);
        a ``(label, mapping)`` pair is merged as a file's contents without writing one
        (its problems are named by ``label``).

    Returns
    -------
    Complex

    Raises
    ------
    ComplexError
        (a :class:`~borrowedtime.errors.SpecError`) listing every problem
        (file, path, message); ``.problems`` holds them.
    """
    if path is None and overlay is None:
        return _default()
    cx, problems = _load(path, overlay)
    if problems or cx is None:
        raise ComplexError(problems)
    return cx
