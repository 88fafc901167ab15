"""The whole treadmill on the real price path, as one frozen result the report formats.

:func:`run_treadmill` runs the three models of the package (the 2/28 cohorts
on Case-Shiller, the up-round borrower, the IPO's two prices) with one seed,
and dates the turns the report compares: the model book's default-rate turn,
the trough of bank mortgage delinquency, the first negative year-over-year
price change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from borrowedtime._results import SummaryRepr
from borrowedtime.errors import SpecError
from borrowedtime.treadmill.arm import ArmResult, ArmSpec, turn_date
from borrowedtime.treadmill.ipo import IpoResult, IpoSpec
from borrowedtime.treadmill.rounds import RoundsResult, RoundsSpec

__all__ = ["TreadmillResult", "run_treadmill"]

#: Span the report charts and in which the delinquency trough is dated.
WINDOW = ("2001-01-01", "2012-12-31")


@dataclass(frozen=True, eq=False, repr=False)
class TreadmillResult(SummaryRepr):
    """The ARM cohorts, the up-round borrower and the IPO (frozen).

    Attributes
    ----------
    arm : ArmResult or None
        None when no home-price series was given.
    rounds : RoundsResult
    ipo : IpoResult
    delinquency : pandas.Series or None
        Bank single-family mortgage delinquency, percent (FRED DRSFRMACBS).
    delinquency_turn : pandas.Timestamp or None
        Its trough before the peak within :data:`WINDOW` (hindsight dating).
    window : (str, str)
        The span shown.
    """

    arm: ArmResult | None
    rounds: RoundsResult
    ipo: IpoResult
    delinquency: pd.Series | None = None
    delinquency_turn: pd.Timestamp | None = None
    window: tuple[str, str] = WINDOW

    @property
    def skipped_parts(self) -> dict[str, str]:
        """Parts not run, with the reason (the cohorts need a home-price series)."""
        if self.arm is None:
            return {"2/28 cohorts": "no home-price series given (Case-Shiller U.S. National, "
                    "case_shiller_us_national_monthly.csv in the shared reference data)"}
        return {}

    def turns(self) -> dict[str, pd.Timestamp | None]:
        """The dated turns: model default rate, delinquency trough, price YoY first negative."""
        if self.arm is None:
            return {}
        return {
            "model_default_turn": self.arm.default_rate_turn(),
            "delinquency_trough": self.delinquency_turn,
            "price_yoy_negative": self.arm.price_yoy_negative(),
        }

    def summary(self) -> str:
        head = "Treadmill: "
        if self.arm is not None:
            t = self.turns()
            head += (f"{self.arm.n_loans:,} loans; model default rate turned {t['model_default_turn']:%Y-%m}, "
                     f"price YoY negative {t['price_yoy_negative']:%Y-%m}" if t["price_yoy_negative"] is not None
                     else f"{self.arm.n_loans:,} loans")
            head += "; "
        return head + f"up-round step needed {self.rounds.required_step_up():.2f}, IPO feasible: {self.ipo.feasible}"


def run_treadmill(
    prices: pd.Series | None,
    delinquency: pd.Series | None = None,
    *,
    n_loans: int = 1_000_000,
    n_draws: int = 20_000,
    seed: int = 0,
    arm_model: str = "sourced",
) -> TreadmillResult:
    """Run the cohorts (when a price path is given), the rounds and the IPO.

    Parameters
    ----------
    prices : pandas.Series or None
        Monthly home prices, e.g. Case-Shiller U.S. National NSA.
    delinquency : pandas.Series, optional
        Bank mortgage delinquency, percent.
    n_loans : int
        Loans simulated in the cohort model.
    n_draws : int
        Draws of the IPO's clearing value.
    seed : int
        Root seed of both Monte Carlo runs.
    arm_model : {"sourced", "constant"}
        The ARM model: ``"sourced"`` (dated reset index and credit supply,
        :meth:`ArmSpec.sourced`; the CLI's default too) or ``"constant"``
        (:class:`ArmSpec` defaults).
    """
    if arm_model not in ("sourced", "constant"):
        raise SpecError(f"arm_model must be 'sourced' or 'constant'; got {arm_model!r}.")
    spec = ArmSpec.sourced() if arm_model == "sourced" else ArmSpec()
    arm = spec.run(prices, n_loans=n_loans, seed=seed) if prices is not None else None
    rounds = RoundsSpec().run()
    ipo = IpoSpec(n_draws=n_draws).run(rounds, seed=seed)
    dq_turn = turn_date(delinquency, "2000-01-01", WINDOW[1]) if delinquency is not None else None
    return TreadmillResult(arm=arm, rounds=rounds, ipo=ipo, delinquency=delinquency, delinquency_turn=dq_turn)
