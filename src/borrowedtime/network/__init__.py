"""Contagion on the network of obligations: clearing (Eisenberg-Noe, Rogers-Veraart) and DebtRank.

- :mod:`~borrowedtime.network.graph`: the complex as arrays of obligations (one adapter), networkx at the edge.
- :mod:`~borrowedtime.network.clearing`: greatest clearing vector with default costs; batched Picard for paths.
- :mod:`~borrowedtime.network.debtrank`: distress short of default (original, linear, non-linear DebtRank).
"""

from borrowedtime.network.clearing import (
    ClearingModel,
    ClearingResult,
    all_clearing_vectors,
    clear_batch,
    clearing_map,
)
from borrowedtime.network.debtrank import (
    DebtRankResult,
    debtrank,
    leverage_matrix,
    linear_debtrank,
    nonlinear_debtrank,
    nonlinear_debtrank_batch,
    spectral_radius,
)
from borrowedtime.network.graph import ExposureNetwork, network_from_complex, quarter_label

__all__ = [
    "ClearingModel",
    "ClearingResult",
    "all_clearing_vectors",
    "clear_batch",
    "clearing_map",
    "DebtRankResult",
    "debtrank",
    "leverage_matrix",
    "linear_debtrank",
    "nonlinear_debtrank",
    "nonlinear_debtrank_batch",
    "spectral_radius",
    "ExposureNetwork",
    "network_from_complex",
    "quarter_label",
]
