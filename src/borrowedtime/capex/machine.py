"""The capex machine in one call: funding, the game over belief, the cascade, who blinks, the bull cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from borrowedtime.capex.blink import BlinkModel, BlinkResult
from borrowedtime.capex.bull import BullCaseResult, run_bull_cases
from borrowedtime.capex.funding import FundingModel, FundingResult
from borrowedtime.capex.game import BeliefMap, CapexGame, CascadeResult
from borrowedtime.errors import SpecError

__all__ = ["CapexResult", "run_capex"]


@dataclass(frozen=True, eq=False)
class CapexResult:
    """Everything ``borrowedtime capex`` shows (each part keeps its own result object)."""

    funding: FundingResult
    game: CapexGame
    belief_map: BeliefMap
    cascade: CascadeResult
    blink: BlinkResult
    bull: dict[str, BullCaseResult]

    def to_dict(self) -> dict:
        """The ``--json`` document: funding, equilibria, flip_belief, blink (+ cascade, bull_cases)."""
        flip = self.belief_map.flip
        blink = self.blink.to_dict()
        return {
            "funding": self.funding.to_dict(),
            "game": {"players": list(self.game.players), "levels": list(self.game.levels),
                     "labels": list(self.game.labels), "reward_boom": self.game.reward_boom,
                     "penalty_repriced": self.game.penalty_repriced,
                     "complementarity": self.game.complementarity, "cost": self.game.costs.tolist()},
            "equilibria": self.belief_map.to_dict(),
            "flip_belief": {"spend_stops": flip["spend_stops"], "cut_starts": flip["cut_starts"],
                            "spend_interval": flip["spend_interval"], "cut_interval": flip["cut_interval"]},
            "cascade": self.cascade.to_dict(),
            "blink": {"ranking": blink["ranking"], "weights": blink["weights"],
                      "matches_essay": blink["matches_essay"], "overturn": blink["overturn"],
                      "sensitivity": self._sensitivity()},
            "bull_cases": {k: v.to_dict() for k, v in self.bull.items()},
        }

    def _sensitivity(self) -> dict:
        sens = self.blink.sensitivity()
        return {"share_first": sens["share_first"].to_dict(),
                "essay_ordering_share": sens.attrs["essay_ordering_share"],
                "n_draws": sens.attrs["n_draws"], "concentration": sens.attrs["concentration"], "seed": 0}

    def summary(self) -> str:
        return "\n".join([self.funding.summary(), self.belief_map.summary(), self.cascade.summary(),
                          self.blink.summary(), *(b.summary() for b in self.bull.values())])

    def __repr__(self) -> str:
        return (f"CapexResult(filed_crossing={self.funding.filed_crossing_year}, "
                f"flip={self.belief_map.flip['spend_stops']:.3f}/{self.belief_map.flip['cut_starts']:.3f}, "
                f"leader={self.blink.leader!r})")


def run_capex(*, weights: str | Mapping[str, float] | None = None, players: Sequence[str] | None = None,
              ocf_growth: float | None = None, ratings: Mapping[str, str] | None = None,
              belief: float = 0.6, first_mover: str | None = None, cut_rewarded: bool = True,
              game: CapexGame | None = None, complementarity: float | None = None,
              cost: float | None = None, bull: dict[str, dict] | None = None) -> CapexResult:
    """Run the whole capex machine on the packaged data (or the overrides given).

    Parameters
    ----------
    weights : str or mapping, optional
        Blink weights (``"trait=0.3,..."``); the packaged ones when None.
    players : sequence of str, optional
        Players of the game (default: the blink ranking's five hyperscalers).
    ocf_growth : float, optional
        Operating cash-flow growth beyond the last filing (decimal).
    ratings : mapping, optional
        Current S&P or Moody's ratings to use instead of the packaged ones (``{"oracle": "BBB-"}``).
    belief : float
        The market's belief in the boom regime when the first mover cuts.
    first_mover : str, optional
        Who cuts first in the cascade (default: the blink leader).
    complementarity, cost : float, optional
        The game's k and c (defaults of :class:`CapexGame` when None).
    bull : dict, optional
        Per-case parameter overrides of the bull cases (:func:`~borrowedtime.capex.bull.parse_bull_params`).
    """
    from borrowedtime.capex.game import _check_belief

    _check_belief(belief)  # fail before the work
    funding = FundingModel(ocf_growth=ocf_growth, rating_overrides=dict(ratings or {})).run()
    blink = BlinkModel(weights=weights).run(funding=funding)
    if players is not None:
        players = tuple(players)
        if not players:
            raise SpecError("capex: empty player list; name at least two players for the game")
        unknown = [p for p in players if p not in blink.ranking]
        if unknown:
            raise SpecError(f"players: unknown {', '.join(repr(p) for p in unknown)}; the game's players are "
                            f"among the hyperscalers with filings: {', '.join(blink.ranking)}.")
    elif game is None:
        players = tuple(blink.ranking)
    if game is None:
        extra = {k: v for k, v in (("complementarity", complementarity), ("cost", cost)) if v is not None}
        game = CapexGame(players=players, **extra)
    elif players is not None and tuple(players) != game.players:
        raise SpecError("capex: give players either through `players` or through `game`, not both")
    mover = first_mover or (blink.leader if blink.leader in game.players else game.players[0])
    if mover not in game.players:
        raise SpecError(f"unknown first mover {mover!r}; players are {', '.join(game.players)}")
    bull_cases = run_bull_cases(bull)
    belief_map = game.belief_map()
    cascade = game.cascade(belief, mover, cut_rewarded=cut_rewarded)
    return CapexResult(funding=funding, game=game, belief_map=belief_map, cascade=cascade, blink=blink,
                       bull=bull_cases)
