"""The essay's series and stated figures, shipped with the package.

``data/essay_series.yaml`` holds each series point with its provenance
(essay section, public report) and as-of date; :func:`essay_series` returns
one as a validated ``pandas.Series`` and :func:`essay_facts` the figures the
essay states (growth rates, accelerations, step-ups) for checking.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd
import yaml

from borrowedtime.errors import SpecError
from borrowedtime.series import as_series

__all__ = ["essay_series", "essay_series_names", "essay_facts", "essay_points"]


@cache
def _load() -> dict:
    text = resources.files("borrowedtime").joinpath("data/essay_series.yaml").read_text()
    return yaml.safe_load(text)


def essay_series_names() -> list[str]:
    """Names of the embedded essay series."""
    return list(_load()["series"])


def essay_points(name: str) -> pd.DataFrame:
    """Every point of one series with its flags (approx, estimate, note)."""
    data = _load()["series"]
    if name not in data:
        raise SpecError(f"no essay series {name!r}; there are: {', '.join(data)}.")
    frame = pd.DataFrame(data[name]["points"])
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("approx", "estimate"):
        frame[col] = frame[col].fillna(False).astype(bool) if col in frame else False
    return frame.set_index("date")


def essay_series(name: str) -> pd.Series:
    """One embedded series as a validated Series (attrs: source, as_of, unit)."""
    meta = _load()["series"][name] if name in _load()["series"] else None
    points = essay_points(name)
    s = as_series(points["value"].astype(float).rename(name), name=name)
    s.attrs.update(source=meta["source"], as_of=str(meta["as_of"]), unit=meta["unit"],
                   description=meta["description"])
    return s


def essay_facts() -> dict[str, dict]:
    """The figures the essay states, with their source, for checking."""
    return dict(_load()["facts"])
