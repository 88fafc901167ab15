"""The essay's series and stated figures, read through the data layer.

``data/essay.yaml`` holds the essay's own series (capex levels, capex / cash
flow ratios) with provenance and the sequences it states (growth rates,
accelerations, step-ups, marks); :func:`essay_series` returns one series as a
validated ``pandas.Series`` and :func:`essay_facts` the stated sequences.

OpenAI's valuation marks are a fact about an entity of the complex, so
``essay_series("openai_valuation")`` is read from the complex
(:func:`borrowedtime.complex.load_complex`): the valuation marks of ``openai``
and, last, its latest IPO target (the next mark the essay implies).
"""

from __future__ import annotations

import pandas as pd

from borrowedtime.datasets import essay_data
from borrowedtime.errors import SpecError
from borrowedtime.series import as_series

__all__ = ["essay_series", "essay_series_names", "essay_facts", "essay_points", "marks_points"]

_FROM_COMPLEX = "openai_valuation"


def essay_series_names() -> list[str]:
    """Names of the essay series (those of ``data/essay.yaml`` and ``openai_valuation``)."""
    return [*essay_data()["series"], _FROM_COMPLEX]


def marks_points(cx=None, entity: str = "openai") -> pd.DataFrame:
    """Valuation marks of an entity of the complex, then its latest IPO target (flagged ``estimate``).

    Parameters
    ----------
    cx : Complex, optional
        Default: the packaged complex.
    entity : str, default "openai"

    Returns
    -------
    pandas.DataFrame
        Indexed by date: ``value`` (USD bn), ``approx``, ``estimate``, ``note``, ``source``.
    """
    from borrowedtime.complex import load_complex

    cx = load_complex() if cx is None else cx
    e = cx.entity(entity)
    obs = e.observations("valuation_usd_bn")
    target = e.latest("ipo_target_usd_bn")
    rows = [{"date": o.as_of, "value": o.value, "approx": o.approx, "estimate": False,
             "note": o.note or o.period, "source": o.source} for o in obs]
    if target is not None and (not obs or target.as_of > obs[-1].as_of):
        rows.append({"date": target.as_of, "value": target.value, "approx": target.approx, "estimate": True,
                     "note": target.note or target.period, "source": target.source})
    frame = pd.DataFrame(rows, columns=["date", "value", "approx", "estimate", "note", "source"])
    frame["date"] = pd.to_datetime(frame["date"])
    # an overlay that restates a mark adds an observation on the same date: the later one wins
    return frame.drop_duplicates("date", keep="last").set_index("date")


def essay_points(name: str) -> pd.DataFrame:
    """Every point of one series with its flags (approx, estimate, note)."""
    if name == _FROM_COMPLEX:
        return marks_points()
    data = essay_data()["series"]
    if name not in data:
        raise SpecError(f"no essay series {name!r}; there are: {', '.join(essay_series_names())}.")
    frame = pd.DataFrame(data[name]["points"])
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("approx", "estimate"):
        frame[col] = frame[col].fillna(False).astype(bool) if col in frame else False
    return frame.set_index("date")


def essay_series(name: str) -> pd.Series:
    """One essay series as a validated Series (attrs: source, as_of, unit)."""
    points = essay_points(name)
    s = as_series(points["value"].astype(float).rename(name), name=name)
    if name == _FROM_COMPLEX:
        s.attrs.update(source="complex_2026.yaml: openai valuation marks and IPO target (essay V, public reports)",
                       as_of=points.index[-1].date().isoformat(), unit="usd_bn",
                       description="OpenAI post-money valuation marks, then the IPO target")
        return s
    meta = essay_data()["series"][name]
    s.attrs.update(source=meta["source"], as_of=str(meta["as_of"]), unit=meta["unit"],
                   description=meta["description"])
    return s


def essay_facts() -> dict[str, dict]:
    """The sequences the essay states (growth, accelerations, step-ups, marks), with their source."""
    return dict(essay_data()["facts"])
