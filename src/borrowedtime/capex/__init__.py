"""The capex machine (essay VII, VIII, XII): funding, the Nash game and its flip, who blinks, the bull cases.

- :mod:`~borrowedtime.capex.funding`: capex against operating cash flow, the gap, leverage, notches.
- :mod:`~borrowedtime.capex.game`: the N-player capex game, its belief thresholds and the cascade.
- :mod:`~borrowedtime.capex.blink`: who blinks first, a weighted trait score and its robustness.
- :mod:`~borrowedtime.capex.bull`: the three bull cases of section XII as small models.
- :mod:`~borrowedtime.capex.ratings`: a transparent debt/EBITDA-to-rating mapping (S&P anchor matrix).
"""

from borrowedtime.capex._data import capex_inputs, complex_figures
from borrowedtime.capex.blink import TRAITS, BlinkModel, BlinkResult, parse_weights
from borrowedtime.capex.bull import (
    BullCaseResult,
    ConglomerateDiscount,
    OperatingLeverage,
    ReleasingGlut,
    run_bull_cases,
)
from borrowedtime.capex.funding import (
    FundingModel,
    FundingResult,
    capex_to_ocf,
    crossing_year,
    funding_gap,
)
from borrowedtime.capex.game import BeliefMap, CapexGame, CascadeResult, ContinuousEquilibrium
from borrowedtime.capex.machine import CapexResult, run_capex

__all__ = [
    "BullCaseResult",
    "ConglomerateDiscount",
    "OperatingLeverage",
    "ReleasingGlut",
    "run_bull_cases",
    "CapexResult",
    "run_capex",
    "TRAITS",
    "BlinkModel",
    "BlinkResult",
    "parse_weights",
    "BeliefMap",
    "CapexGame",
    "CascadeResult",
    "ContinuousEquilibrium",
    "FundingModel",
    "FundingResult",
    "capex_inputs",
    "capex_to_ocf",
    "complex_figures",
    "crossing_year",
    "funding_gap",
]
