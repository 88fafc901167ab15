"""The dated inputs of the 2/28 cohorts: the reset index, the credit supply and the published outcomes.

Read from ``data/arm_inputs.yaml`` and ``data/treadmill_inputs.yaml`` (each
value with its source there); :class:`~borrowedtime.treadmill.arm.ArmSpec`
uses them for its sourced model. Units: rates as annual decimals, volumes in
USD bn.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from borrowedtime.datasets import packaged_yaml, treadmill_inputs

__all__ = ["arm_inputs", "reset_index_series", "credit_supply_from_volumes", "subprime_volumes"]


def arm_inputs() -> dict:
    """The dated model's inputs and the published outcomes (``data/arm_inputs.yaml``)."""
    return packaged_yaml("arm_inputs.yaml")


def reset_index_series(spread: float | None = None) -> pd.Series:
    """Six-month LIBOR proxy: the 3-month T-bill (statsmodels ``macrodata.tbilrate``) plus a spread.

    Parameters
    ----------
    spread : float, optional
        Annual decimal added to the T-bill rate; default the sourced value in
        ``data/arm_inputs.yaml`` (``reset_index.spread_to_libor_6m``).

    Returns
    -------
    pandas.Series
        Monthly, annual decimal, 1959-01..2009-09 (each month its quarter's rate).
    """
    from statsmodels.datasets import macrodata

    if spread is None:
        spread = float(arm_inputs()["reset_index"]["spread_to_libor_6m"]["value"])
    q = macrodata.load_pandas().data
    start = pd.Timestamp(year=int(q["year"].iloc[0]), month=3 * int(q["quarter"].iloc[0]) - 2, day=1)
    months = pd.date_range(start, periods=3 * len(q), freq="MS", name="date")
    rate = np.repeat(q["tbilrate"].to_numpy(dtype=float) / 100.0, 3) + spread
    return pd.Series(rate, index=months, name="libor_6m_proxy")


def credit_supply_from_volumes(volumes: Mapping[int, float] | None = None) -> dict[int, float]:
    """Credit supply by year: origination volume over the peak year's (``data/arm_inputs.yaml``)."""
    vols = dict(volumes) if volumes is not None else subprime_volumes()
    peak = max(vols.values())
    return {int(y): float(v) / peak for y, v in sorted(vols.items())}


def subprime_volumes() -> dict[int, float]:
    """Subprime originations by year, USD bn (Inside Mortgage Finance via the FCIC report)."""
    return {int(k): float(v["value"]) for k, v in treadmill_inputs()["subprime_originations"]["values"].items()}
