"""The three stretches of essay XI as levers with size and timing, and what each buys and costs.

The levers act inside the engine (:mod:`borrowedtime.cascade.stages`):

- ``private_round`` (``size_usd_bn``, ``quarter``): a larger-than-expected private
  round closes the first failing round instead of the trigger (stage 1); paid
  by the round's buyers.
- ``backstop`` (``size_usd_bn``, ``hold_quarters``, ``quarter``): a sovereign or
  strategic equity stake closes the first failing round and postpones the next
  funding test by ``hold_quarters`` (the terminal refinance waits); paid by the
  backstop.
- ``hyperscaler_leverage`` (``extra_debt_usd_bn``): hyperscalers borrow to keep
  capex growing at its pre-deceleration rate while the debt lasts (stage 0),
  which the labs' revenue recycles and which holds off the capex flip (stage 5);
  paid by hyperscalers in added debt.

:func:`stretch_table` runs the base case and each stretch on the same draws and
reports, path by path, the quarters bought (trigger with the stretch minus
trigger without; a path with no trigger counts at the horizon) and the money
put in. Units: quarters; USD bn.
"""

from __future__ import annotations

import pandas as pd

from borrowedtime.cascade.montecarlo import STRETCHES, StressResult, run_stress
from borrowedtime.cascade.scenario import Scenario

__all__ = ["STRETCHES", "stretch_table"]


def stretch_table(result_or_scenario: StressResult | Scenario | str = "base", **kwargs) -> pd.DataFrame:
    """One row per stretch: quarters bought (median, mean), share of paths delayed, cost and who pays."""
    res = result_or_scenario if isinstance(result_or_scenario, StressResult) else run_stress(
        result_or_scenario, stretches=True, **kwargs)
    return pd.DataFrame(res.stretches()).set_index("name")
