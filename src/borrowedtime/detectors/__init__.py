"""Peer bubble detectors: LPPLS (Sornette) and the PSY GSADF test, and a league table.

Each detector runs in real time (its signal at t uses data dated <= t) so it
can be compared with the second-derivative monitor on the same series.
"""

from borrowedtime.detectors.league import LeagueEntry, LeagueTable, league_table
from borrowedtime.detectors.lppls import LPPLSConfidence, LPPLSFilter, LPPLSFit, LPPLSModel
from borrowedtime.detectors.psy import (
    PSYCriticalValues,
    PSYResult,
    PSYTest,
    adf_stat,
    psy_critical_values,
    psy_min_window,
)

__all__ = [
    "LPPLSConfidence",
    "LPPLSFilter",
    "LPPLSFit",
    "LPPLSModel",
    "PSYCriticalValues",
    "PSYResult",
    "PSYTest",
    "adf_stat",
    "psy_critical_values",
    "psy_min_window",
    "LeagueEntry",
    "LeagueTable",
    "league_table",
]
