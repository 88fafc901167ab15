"""The essay's discrete arithmetic, recomputed beside the figures it states (model layer).

Moved out of ``report/`` so that the report and the CLI only format what is
computed here (issue 10, item 6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from borrowedtime.essay import essay_facts, essay_series
from borrowedtime.monitor.discrete import acceleration, growth, step_ups

__all__ = ["essay_tables"]


def essay_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The essay's capex arithmetic and OpenAI step-ups, recomputed, beside the stated figures.

    Returns
    -------
    capex : pandas.DataFrame
        One row per year: ``year``, ``capex_usd_bn`` (USD bn), ``growth_pct``
        (percent), ``stated_growth_pct``, ``acceleration_pp`` (percentage
        points, differencing growth rounded to whole percents as the essay
        does, sections V and VII), ``stated_acceleration_pp``.
    marks : pandas.DataFrame
        One row per OpenAI mark: ``date`` (ISO), ``mark_usd_bn``, ``step_up``
        (mark over the previous mark), ``stated_step_up``.
    """
    capex = essay_series("hyperscaler_capex")
    g = growth(capex)
    acc = acceleration(g, round_growth_to=0)
    facts = essay_facts()
    cap = pd.DataFrame(
        {
            "year": capex.index.year,
            "capex_usd_bn": capex.to_numpy(),
            "growth_pct": np.concatenate([[np.nan], g.to_numpy() * 100]),
            "stated_growth_pct": [np.nan, *facts["capex_growth_pct"]["values"]],
            "acceleration_pp": np.concatenate([[np.nan, np.nan], acc.to_numpy()]),
            "stated_acceleration_pp": [np.nan, np.nan, *facts["capex_acceleration_pp"]["values"]],
        }
    )
    marks = essay_series("openai_valuation")
    su = step_ups(marks)
    val = pd.DataFrame(
        {
            "date": [d.date().isoformat() for d in marks.index],
            "mark_usd_bn": marks.to_numpy(),
            "step_up": np.concatenate([[np.nan], su.to_numpy()]),
            "stated_step_up": [np.nan, *facts["openai_step_ups"]["values"]],
        }
    )
    return cap, val
