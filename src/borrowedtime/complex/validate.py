"""Validation of a complex: every problem found at once, carried on one error type.

Each item is validated on its own by the pydantic models of
:mod:`borrowedtime.complex.schema` (so one bad item does not hide the others);
:func:`check_references` then checks the references between items (unknown
entities, guarantees on missing contracts, duplicate names, shares of a book
over 100 %). A problem is a :class:`Problem` (``file: path: message``, with
paths like ``contracts[3].notional_usd_bn``); :class:`ComplexError` carries
the list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from borrowedtime.complex.schema import GUARANTEE_KINDS, Concentration, Contract, Entity, IsoDate
from borrowedtime.errors import SpecError

__all__ = ["Problem", "ComplexError", "check_references"]

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


class ComplexError(SpecError):
    """A complex that does not validate; ``problems`` lists every :class:`Problem` found.

    The message lists them too, one per line (``file: path: message``).
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(_message(self.problems))


def _message(problems: Sequence[Problem]) -> str:
    n = len(problems)
    return f"{n} problem{'s' if n != 1 else ''} in the complex:\n" + "\n".join(f"  {p}" for p in problems)


@dataclass
class _Item:
    file: str
    index: int
    data: Any

    def where(self, section: str) -> tuple[str, str]:
        return self.file, f"{section}[{self.index}]"


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


# ----------------------------------------------------------------------------- references
def check_references(
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
