"""What the monitor's filter returns: :class:`KinematicsResult` (real-time and hindsight estimates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from borrowedtime._results import Summarised
from borrowedtime.monitor.statespace import cycle_grid
from borrowedtime.series import Frequency

if TYPE_CHECKING:
    from borrowedtime.monitor.model import KinematicsModel

__all__ = ["KinematicsResult"]


@dataclass(frozen=True, eq=False)
class KinematicsResult(Summarised):
    """Filtered (real-time) and optionally smoothed (hindsight) kinematics.

    Arrays are ``(series, time, ...)``. ``filtered`` holds, per date, the mean
    of (log level, velocity per year, acceleration per year^2) given data
    dated <= that date; ``filtered_cov`` its covariance in units of the noise
    variance, scaled by ``sigma2`` (estimated on data <= t). ``smoothed``
    (hindsight, two-sided) is present only if asked for. ``innovation`` is
    the one-step prediction error of log S, ``innovation_var`` its variance
    in units of the noise variance (NaN where nothing was observed); ``q``
    the jerk-to-noise ratio at the last date.
    """

    index: pd.DatetimeIndex
    names: tuple[str, ...]
    filtered: np.ndarray
    filtered_cov: np.ndarray
    sigma2: np.ndarray
    dof: np.ndarray
    observed: np.ndarray
    log_level: np.ndarray
    smoothed: np.ndarray | None
    smoothed_cov: np.ndarray | None
    seasonal: np.ndarray | None
    season: int | None
    frequency: Frequency
    innovation: np.ndarray
    innovation_var: np.ndarray
    q: float
    q_s: float
    model: KinematicsModel = field(repr=False)
    momentum_choice: np.ndarray | None = field(default=None, repr=False)

    @property
    def momentum_params(self) -> np.ndarray | None:
        """(series, time, 2): the (phi, q_c) of the cycle in use at each date (momentum='ar1' or averaging > 1)."""
        if self.momentum_choice is None:
            return None
        return np.asarray(cycle_grid(self.model.momentum, self.model.averaging))[self.momentum_choice]

    # ------------------------------------------------------------------ derived
    @property
    def n_series(self) -> int:
        return len(self.names)

    def _sd(self, which: int) -> np.ndarray:
        var = self.filtered_cov[..., which, which] * self.sigma2
        return np.sqrt(np.maximum(var, 0.0))

    @property
    def level_sd(self) -> np.ndarray:
        return self._sd(0)

    @property
    def velocity_sd(self) -> np.ndarray:
        return self._sd(1)

    @property
    def acceleration_sd(self) -> np.ndarray:
        return self._sd(2)

    def _prob_negative(self, which: int) -> np.ndarray:
        """P(state < 0) with a Student-t for the estimated scale (dof = innovations used)."""
        mean = self.filtered[..., which]
        sd = self._sd(which)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = mean / sd
            p = stats.t.cdf(-z, df=np.maximum(self.dof, 1))
        return np.where(self.dof > 0, p, np.nan)

    @property
    def p_accel_negative(self) -> np.ndarray:
        """Real-time P(S'' < 0): probability the acceleration is negative."""
        return self._prob_negative(2)

    @property
    def p_velocity_positive(self) -> np.ndarray:
        """Real-time P(S' > 0)."""
        return 1.0 - self._prob_negative(1)

    def p_turn_within(
        self, series: int | str = 0, horizons_months: Sequence[int] = (3, 6, 12, 24), *,
        draws: int | None = None, seed: int = 0,
    ) -> pd.DataFrame:
        """Real-time P(YoY growth first goes negative within h months) of one series.

        See :func:`borrowedtime.monitor.events.p_turn_within` (the array
        function over every series and date) for the event, the method and
        where it is NaN.

        Parameters
        ----------
        series : int or str, default 0
        horizons_months : sequence of int, default (3, 6, 12, 24)
            Horizons in months (quarterly data: 1, 2, 4, 8 quarters).
        draws : int, optional
            Quasi-Monte Carlo points (default :data:`borrowedtime.monitor.events.DRAWS`).
        seed : int, default 0

        Returns
        -------
        pandas.DataFrame
            Dates x horizons (columns: months), probabilities in [0, 1].
        """
        from borrowedtime.monitor.events import DRAWS, p_turn_within

        i = self.names.index(series) if isinstance(series, str) else int(series)
        where = np.zeros(self.observed.shape, dtype=bool)
        where[i] = True
        p = p_turn_within(self, horizons_months, where=where, draws=draws or DRAWS, seed=seed)[i]
        out = pd.DataFrame(p, index=self.index, columns=pd.Index([int(h) for h in horizons_months],
                                                                 name="months"))
        out.index.name = "date"
        out.attrs["series"] = self.names[i]
        return out

    @property
    def n_states(self) -> int:
        """Unknown states of the model (:meth:`KinematicsModel.n_states` at this frequency)."""
        return self.model.n_states(self.frequency)

    @property
    def min_observations(self) -> int:
        """Observations to date needed before an estimate is shown (:meth:`KinematicsModel.min_observations`)."""
        return self.model.min_observations(self.frequency)

    @property
    def ready(self) -> np.ndarray:
        """True where an estimate is shown: the scale is estimated and ``min_observations`` are in.

        Before that, :meth:`to_frame` and :meth:`latest` give NaN and no call is made.
        """
        enough = np.cumsum(self.observed, axis=-1) >= self.min_observations
        return (self.dof > 0) & enough

    # ------------------------------------------------------------------ output
    def to_frame(self, series: int | str = 0) -> pd.DataFrame:
        """One series' estimates as a DataFrame indexed by date.

        Columns: ``level`` (log), ``velocity`` (per year), ``acceleration``
        (per year^2), their ``*_sd``, ``p_accel_neg``, ``p_vel_pos``; and
        ``smoothed_*`` (hindsight) when the smoother was run.
        """
        i = self.names.index(series) if isinstance(series, str) else int(series)
        f = self.filtered[i]
        out = pd.DataFrame(
            {
                "level": f[:, 0],
                "velocity": f[:, 1],
                "acceleration": f[:, 2],
                "level_sd": self.level_sd[i],
                "velocity_sd": self.velocity_sd[i],
                "acceleration_sd": self.acceleration_sd[i],
                "p_accel_neg": self.p_accel_negative[i],
                "p_vel_pos": self.p_velocity_positive[i],
            },
            index=self.index,
        )
        ready = self.ready[i]
        out.loc[~ready, ["velocity", "acceleration", "level_sd", "velocity_sd", "acceleration_sd",
                         "p_accel_neg", "p_vel_pos"]] = np.nan
        if self.smoothed is not None:
            s = self.smoothed[i]
            final = self.sigma2[i, -1]
            out["smoothed_level"] = s[:, 0]
            out["smoothed_velocity"] = s[:, 1]
            out["smoothed_acceleration"] = s[:, 2]
            out["smoothed_acceleration_sd"] = np.sqrt(np.maximum(self.smoothed_cov[i, :, 2, 2] * final, 0))
        out.index.name = "date"
        out.attrs["series"] = self.names[i]
        return out

    def latest(self, series: int | str = 0) -> dict:
        """The last real-time reading of one series, as plain numbers."""
        row = self.to_frame(series).iloc[-1]
        return {"date": self.index[-1].date().isoformat(), **{k: float(v) for k, v in row.items()}}

    def summary(self) -> str:
        m = self.model
        lines = [
            "Kinematics (local quadratic trend on log S, Kalman filter, real time)",
            f"  series: {self.n_series}   observations: {self.index.size}   frequency: {self.frequency}",
            f"  cutoff: {m.cutoff_years} yr (q = {self.q:.4g}/yr^5)   seasonal period: {self.season or 'none'}",
        ]
        for i, name in enumerate(self.names[:5]):
            r = self.latest(i)
            if not self.ready[i, -1]:
                lines.append(
                    f"  {name} @ {r['date']}: {int(self.observed[i].sum())} observations, fewer than the "
                    f"{self.min_observations} needed ({self.model.min_obs_per_state} per state): no estimate"
                )
                continue
            lines.append(
                f"  {name} @ {r['date']}: velocity {r['velocity']:+.4f}/yr (sd {r['velocity_sd']:.4f}), "
                f"acceleration {r['acceleration']:+.4f}/yr^2 (sd {r['acceleration_sd']:.4f}), "
                f"P(S''<0) = {r['p_accel_neg']:.2f}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        names = ", ".join(self.names[:3]) + (", ..." if self.n_series > 3 else "")
        return (f"<KinematicsResult {self.n_series} series ({names}), {self.index.size} {self.frequency} "
                f"observations {self.index[0].date()}..{self.index[-1].date()}, seasonal period "
                f"{self.season or 'none'}>")
