"""Every random number of the cascade's paths, drawn in one fixed order, as a frozen dataclass of named arrays.

:func:`draw_inputs` draws ``n`` paths from a ``numpy.random.Generator`` (in the
Monte Carlo, chunk ``i``'s generator of :func:`borrowedtime._montecarlo.map_chunks`);
:func:`central_draws` is the deterministic central path (every input at its
median, every shock zero). A stretch or a sensitivity run on the same
:class:`Draws` sees the same world, path by path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from borrowedtime.cascade.model import CascadeModel, _central
from borrowedtime.cascade.scenario import INPUTS

__all__ = ["Draws", "draw_inputs", "central_draws"]


@dataclass(frozen=True, eq=False)
class Draws:
    """The draws of ``n`` paths (frozen; arrays are not copied).

    Attributes
    ----------
    inputs : array (n, K)
        One draw per path of every input of :data:`~borrowedtime.cascade.scenario.INPUTS`, in that order
        (units of each input's distribution in the scenario).
    lab_z : array (n, L)
        Standard normals of the labs' revenue accelerations; column 0 is the normal that drew
        ``revenue_accel`` (the first lab's acceleration), the others correlated with it at
        ``lab_correlation``.
    rev_shock : array (n, T, L)
        Standard normals of the labs' quarterly growth shocks, correlated across labs at ``lab_correlation``.
    capex_shock : array (n, T)
        Standard normals of the hyperscalers' quarterly capex growth shocks.
    """

    inputs: np.ndarray
    lab_z: np.ndarray
    rev_shock: np.ndarray
    capex_shock: np.ndarray

    @property
    def n(self) -> int:
        """Number of paths."""
        return self.inputs.shape[0]

    def x(self, name: str) -> np.ndarray:
        """(n,) the draws of one input of :data:`~borrowedtime.cascade.scenario.INPUTS`."""
        return self.inputs[:, INPUTS.index(name)]

    def take(self, rows: np.ndarray) -> Draws:
        """The draws of some paths only."""
        return Draws(*(getattr(self, f.name)[rows] for f in dataclasses.fields(self)))

    @staticmethod
    def concat(a: Draws, b: Draws) -> Draws:
        """The paths of ``a`` followed by those of ``b`` (copies)."""
        return Draws(*(np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in dataclasses.fields(a)))

    def replace(self, **arrays: np.ndarray) -> Draws:
        """A copy with some arrays replaced (the others shared)."""
        return dataclasses.replace(self, **arrays)

    def to_frame(self):
        """One row per path: the drawn inputs (the shocks are left out; they are (n, T, L))."""
        import pandas as pd

        return pd.DataFrame(self.inputs, columns=list(INPUTS)).rename_axis("path")

    def summary(self) -> str:
        return f"Draws of {self.n:,} paths: {len(INPUTS)} inputs, {self.lab_z.shape[1]} labs, {self.capex_shock.shape[1]} quarters"


def draw_inputs(model: CascadeModel, rng: np.random.Generator, n: int) -> Draws:
    """Draw every random number of ``n`` paths, always in the same order.

    Returns ``inputs`` (n, K) in the order of
    :data:`~borrowedtime.cascade.scenario.INPUTS`, ``lab_z`` (n, L) standard
    normals for the labs' accelerations, ``rev_shock`` (n, T, L) and
    ``capex_shock`` (n, T) standard normals; lab shocks are correlated at
    ``lab_correlation`` with the first lab's.
    """
    scn = model.scenario
    X = np.empty((n, len(INPUTS)))
    u_rev = None
    for k, name in enumerate(INPUTS):
        d = scn.distributions[name]
        u = rng.standard_normal(n) if d.dist in ("normal", "lognormal") else rng.random(n)
        if name == "revenue_accel" and d.dist == "normal":
            u_rev = u  # the normal of the first lab's acceleration: the others correlate with this one
        if d.dist == "fixed":
            X[:, k] = d.value
        elif d.dist == "uniform":
            X[:, k] = d.low + (d.high - d.low) * u
        elif d.dist == "normal":
            X[:, k] = d.mean + d.sd * u
        elif d.dist == "lognormal":
            X[:, k] = d.median * np.exp(d.log_sd * u)
        else:  # triangular by inverse CDF
            a, c, b = d.low, d.mode, d.high
            fc = (c - a) / (b - a) if b > a else 0.5
            X[:, k] = np.where(u < fc, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c)))
    L, T = len(model.labs), model.horizon
    rho = model.params["lab_correlation"]
    z = rng.standard_normal((n, L))
    shocks = rng.standard_normal((n, T, L))
    cap = rng.standard_normal((n, T))
    s = np.sqrt(max(0.0, 1.0 - rho * rho))
    if u_rev is not None:
        z[:, 0] = u_rev  # (its own draw stays in the stream, unused, so later draws keep their place)
    z[:, 1:] = rho * z[:, :1] + s * z[:, 1:]
    shocks[:, :, 1:] = rho * shocks[:, :, :1] + s * shocks[:, :, 1:]
    return Draws(inputs=X, lab_z=z, rev_shock=shocks, capex_shock=cap)


def central_draws(model: CascadeModel, n: int = 1) -> Draws:
    """Draws of the deterministic central path: every input at its median, every shock zero.

    On this path a treadmill lab's revenue, cash and first round are the treadmill's
    (:func:`borrowedtime.treadmill.run_treadmill` with the same inputs): the reconciliation test.
    """
    L, T = len(model.labs), model.horizon
    x = np.array([_central(model.scenario.distributions[k]) for k in INPUTS])
    return Draws(inputs=np.tile(x, (n, 1)), lab_z=np.zeros((n, L)), rev_shock=np.zeros((n, T, L)),
                 capex_shock=np.zeros((n, T)))
