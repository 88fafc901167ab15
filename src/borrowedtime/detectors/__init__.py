"""Peer bubble detectors: LPPLS (Sornette) and the PSY GSADF test, and a league table.

Each detector runs in real time (its signal at t uses data dated <= t) so it
can be compared with the second-derivative monitor on the same series.
"""

from borrowedtime.detectors.lppls import LPPLSConfidence, LPPLSFilter, LPPLSFit, LPPLSModel

__all__ = ["LPPLSConfidence", "LPPLSFilter", "LPPLSFit", "LPPLSModel"]
