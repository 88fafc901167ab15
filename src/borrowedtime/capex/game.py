r"""The capex game: a conditional Nash equilibrium that flips when the market's belief does.

Essay VII: "The capex arms race is a Nash equilibrium, but a conditional one: it
holds only while the market rewards the next dollar of spending ... The flip
comes the first time a hyperscaler announces a capex cut and its multiple
expands on the news ... because it is a coordination equilibrium, the
inversion is not gradual."

Model. :math:`N` players choose capex growth :math:`g_i` (decimal a year) from
discrete levels (the normal-form game) or an interval (the continuous game).
The market's belief :math:`b \in [0, 1]` is the probability it puts on the boom
regime (the next dollar of capex earns its return). Player :math:`i`'s payoff
is the re-rating of its equity minus the cost of the spending:

.. math::

    u_i(g; b) = g_i\,\big(a(b) + k\,\bar g_{-i}\big) - \tfrac{c_i}{2}\,g_i^2,
    \qquad a(b) = \alpha\,b - \delta\,(1 - b),

where :math:`\bar g_{-i}` is the rivals' mean growth, :math:`\alpha` the
re-rating per unit of growth in the boom (spending rewarded), :math:`\delta` the
de-rating in the repriced regime (discipline rewarded), :math:`k` the
complementarity (the auction: each CFO spends because every other CFO is
spending) and :math:`c_i` the convex cost of the build. Payoffs are linear in
:math:`b`, so each "everyone plays x" profile is an equilibrium on an interval of
beliefs whose ends are found exactly (:meth:`CapexGame.equilibrium_interval`).

Solvers come from QuantEcon (``quantecon.game_theory``): ``NormalFormGame``,
``pure_nash_brute`` for all pure equilibria, ``mclennan_tourky`` (epsilon
1e-8) for a mixed one. The continuous game is solved by sequential
best-response dynamics, which converge monotonically in this supermodular game
(Topkis 1979; Milgrom and Roberts 1990).

Notes
-----
Units: growth rates and beliefs as decimals; payoffs in re-rating units per
unit of growth (only their comparisons matter).

In the continuous game the symmetric interior equilibrium
:math:`g^* = a(b) / (c - k)` is stable when :math:`k < c` and unstable when
:math:`k > c`; only with :math:`k > c` do "everyone spends" and "everyone cuts"
coexist and the flip become a jump. The defaults take :math:`k = 1.5 > c = 1`.

References
----------
.. [1] Milgrom, P. and Roberts, J. (1990). "Rationalizability, learning, and
   equilibrium in games with strategic complementarities." Econometrica 58(6).
.. [2] McLennan, A. and Tourky, R. (2006). "From imitation games to Kakutani."
.. [3] Granovetter, M. (1978). "Threshold models of collective behavior."
   American Journal of Sociology 83(6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime._montecarlo import as_generator
from borrowedtime.errors import ConvergenceError, SpecError

__all__ = ["CapexGame", "BeliefMap", "ContinuousEquilibrium", "CascadeResult", "DEFAULT_PLAYERS"]

DEFAULT_PLAYERS = ("microsoft", "google", "amazon", "meta")


@dataclass(frozen=True)
class CapexGame:
    """The N-player capex game (specification).

    Parameters
    ----------
    players : sequence of str
        Player names (2 to 6 for the discrete game; enumeration grows as levels**players).
    levels : sequence of float
        Capex growth a year for each discrete action, ascending (decimal; 0.0 holds capex flat).
    labels : sequence of str
        Action names, one per level.
    reward_boom : float
        alpha: re-rating per unit of growth when the market believes (b = 1), >= 0.
    penalty_repriced : float
        delta: de-rating per unit of growth when the market has repriced (b = 0), >= 0.
    complementarity : float
        k: extra re-rating per unit of own growth per unit of rivals' mean growth, >= 0.
    cost : float or sequence of float
        c_i: convex cost of growth, one value or one per player, > 0.
    """

    players: tuple[str, ...] = DEFAULT_PLAYERS
    levels: tuple[float, ...] = (0.0, 0.25, 0.5)
    labels: tuple[str, ...] = ("cut", "moderate", "spend")
    reward_boom: float = 1.0
    penalty_repriced: float = 1.0
    complementarity: float = 1.5
    cost: float | tuple[float, ...] = 1.0

    def __post_init__(self) -> None:
        name = type(self).__name__
        object.__setattr__(self, "players", tuple(self.players))
        object.__setattr__(self, "levels", tuple(float(v) for v in self.levels))
        object.__setattr__(self, "labels", tuple(self.labels))
        if len(self.players) < 2:
            raise SpecError(f"{name} needs at least 2 players; got {len(self.players)} ({list(self.players)!r}).")
        if len(set(self.players)) != len(self.players):
            raise SpecError(f"{name}: player names must be unique; got {list(self.players)!r}.")
        if len(self.levels) < 2 or any(np.diff(self.levels) <= 0) or not np.all(np.isfinite(self.levels)):
            raise SpecError(f"The 'levels' parameter of {name} must be 2 or more finite, strictly ascending growth "
                            f"rates. Got {list(self.levels)!r} instead.")
        if len(self.labels) != len(self.levels):
            raise SpecError(f"{name}: {len(self.labels)} labels for {len(self.levels)} levels.")
        for p in ("reward_boom", "penalty_repriced", "complementarity"):
            v = getattr(self, p)
            if not (np.isfinite(v) and v >= 0):
                raise SpecError(f"The {p!r} parameter of {name} must be a finite float >= 0. Got {v!r} instead.")
        cost = np.broadcast_to(np.asarray(self.cost, dtype=float), (len(self.players),)) \
            if np.ndim(self.cost) == 0 or len(np.atleast_1d(self.cost)) == len(self.players) else None
        if cost is None:
            raise SpecError(f"The 'cost' parameter of {name} must be one value or one per player "
                            f"({len(self.players)}). Got {self.cost!r} instead.")
        if not np.all(np.isfinite(cost)) or np.any(cost <= 0):
            raise SpecError(f"The 'cost' parameter of {name} must be > 0. Got {self.cost!r} instead.")

    # ------------------------------------------------------------------ payoffs
    @property
    def n_players(self) -> int:
        return len(self.players)

    @property
    def costs(self) -> np.ndarray:
        """c_i per player."""
        return np.broadcast_to(np.asarray(self.cost, dtype=float), (self.n_players,)).copy()

    def market_reward(self, belief: float | np.ndarray) -> np.ndarray:
        """a(b) = alpha b - delta (1 - b): the re-rating of one unit of growth at belief b."""
        b = _check_belief(belief)
        return self.reward_boom * b - self.penalty_repriced * (1.0 - b)

    def payoff(self, growth: Sequence[float], belief: float) -> np.ndarray:
        """Each player's payoff at a growth profile (continuous or discrete)."""
        g = np.asarray(growth, dtype=float)
        if g.shape != (self.n_players,):
            raise SpecError(f"growth profile needs {self.n_players} values; got {g.shape}")
        others = (g.sum() - g) / (self.n_players - 1)
        return g * (self.market_reward(belief) + self.complementarity * others) - 0.5 * self.costs * g**2

    def payoff_array(self, belief: float) -> np.ndarray:
        """Payoff profile array of shape ``(m,) * N + (N,)``: entry [a_1..a_N, i] is u_i."""
        n, lv = self.n_players, np.asarray(self.levels)
        idx = np.indices((len(lv),) * n)  # (N, m, ..., m)
        g = lv[idx]
        others = (g.sum(axis=0, keepdims=True) - g) / (n - 1)
        c = self.costs.reshape((n,) + (1,) * n)
        u = g * (self.market_reward(belief) + self.complementarity * others) - 0.5 * c * g**2
        return np.moveaxis(u, 0, -1)

    def normal_form(self, belief: float):
        """The game at belief b as a ``quantecon.game_theory.NormalFormGame``."""
        from quantecon.game_theory import NormalFormGame

        if self.n_players > 6:
            raise SpecError(f"the discrete game enumerates levels**players profiles; {self.n_players} players is "
                            "too many (at most 6): use continuous_equilibrium instead.")
        return NormalFormGame(self.payoff_array(belief))

    # ------------------------------------------------------------------ equilibria
    def pure_equilibria(self, belief: float) -> list[tuple[int, ...]]:
        """All pure Nash equilibria at belief b, as action-index profiles (``quantecon.pure_nash_brute``)."""
        from quantecon.game_theory import pure_nash_brute

        return [tuple(int(a) for a in prof) for prof in pure_nash_brute(self.normal_form(belief))]

    def mixed_equilibrium(self, belief: float, *, epsilon: float = 1e-8) -> tuple[np.ndarray, ...]:
        """One (possibly mixed) Nash equilibrium by McLennan-Tourky (epsilon 1e-8; QuantEcon's default
        1e-3 is only approximate). Checked with ``is_nash(tol=1e-5)``.

        Raises
        ------
        ConvergenceError
            When the returned profile is not a Nash equilibrium within 1e-5.
        """
        from quantecon.game_theory import mclennan_tourky

        g = self.normal_form(belief)
        profile = mclennan_tourky(g, epsilon=epsilon)
        if not g.is_nash(profile, tol=1e-5):
            raise ConvergenceError(f"mclennan_tourky at belief {belief} returned a profile that is not a Nash "
                                   "equilibrium within 1e-5; lower epsilon.")
        return tuple(np.asarray(p, dtype=float) for p in profile)

    def symmetric_mixed_equilibria(self, belief: float, *, tol: float = 1e-12) -> list[np.ndarray]:
        r"""Every symmetric, properly mixed Nash equilibrium at belief b, in closed form (equal costs only).

        Payoffs are linear in the rivals' mean growth, so against rivals who mix independently with
        probabilities p, own level g earns :math:`g(a + k m) - c g^2 / 2` with :math:`m = p \cdot`
        levels. A quadratic in g takes one value on at most two levels, so a mixed symmetric
        equilibrium mixes exactly two levels :math:`g_1 < g_2`, with :math:`a + k m = c (g_1 + g_2) / 2`:
        :math:`m = (c (g_1 + g_2)/2 - a) / k` and weight :math:`(m - g_1)/(g_2 - g_1)` on :math:`g_2`,
        provided that weight is in (0, 1) and no other level pays more. Each is a tipping point
        between the pure equilibria around it (unstable under best-response dynamics).

        Returns
        -------
        list of numpy.ndarray
            One probability vector over ``levels`` per equilibrium (all players play it).
        """
        costs = self.costs
        if not np.allclose(costs, costs[0]):
            raise SpecError("symmetric_mixed_equilibria needs equal costs for all players; use mixed_equilibrium")
        if self.complementarity <= 0:
            return []
        a, k, c = float(self.market_reward(belief)), self.complementarity, float(costs[0])
        lv = np.asarray(self.levels)
        out = []
        for i in range(len(lv)):
            for j in range(i + 1, len(lv)):
                big_a = 0.5 * c * (lv[i] + lv[j])
                m = (big_a - a) / k
                q = (m - lv[i]) / (lv[j] - lv[i])
                if not tol < q < 1 - tol:
                    continue
                u = lv * big_a - 0.5 * c * lv**2
                if np.all(u <= u[i] + 1e-12):
                    p = np.zeros(len(lv))
                    p[i], p[j] = 1 - q, q
                    out.append(p)
        return out

    def profile_labels(self, profile: Sequence[int]) -> tuple[str, ...]:
        return tuple(self.labels[int(a)] for a in profile)

    def _deviation_gains(self, profile: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Payoff of staying minus deviating, at b = 0 and b = 1, for every (player, alternative)."""
        out = []
        prof = np.asarray(profile, dtype=int)
        lv = np.asarray(self.levels)
        for b in (0.0, 1.0):
            gains = []
            base = self.payoff(lv[prof], b)
            for i in range(self.n_players):
                for a in range(len(lv)):
                    if a == prof[i]:
                        continue
                    dev = prof.copy()
                    dev[i] = a
                    gains.append(base[i] - self.payoff(lv[dev], b)[i])
            out.append(np.asarray(gains))
        return out[0], out[1]

    def equilibrium_interval(self, profile: Sequence[int]) -> tuple[float, float] | None:
        """Beliefs [lo, hi] in [0, 1] on which a pure profile is a Nash equilibrium (None: nowhere).

        Exact: each deviation gain is linear in b, gain(b) = gain(0) + (gain(1) - gain(0)) b.
        """
        g0, g1 = self._deviation_gains(profile)
        slope = g1 - g0
        lo, hi = 0.0, 1.0
        for a, s in zip(g0, slope, strict=True):
            if abs(s) < 1e-15:
                if a < -1e-12:
                    return None
                continue
            root = -a / s
            if s > 0:
                lo = max(lo, root)
            else:
                hi = min(hi, root)
        return (float(lo), float(hi)) if lo <= hi + 1e-12 else None

    def flip_beliefs(self) -> dict[str, float | None]:
        """The beliefs of the flip, for the symmetric profiles "everyone spends" (top level) and "everyone cuts".

        ``spend_stops``: as belief falls, below it "everyone spends" is no longer an equilibrium.
        ``cut_starts``: as belief falls, from it on "everyone cuts" is an equilibrium.
        Between them (when ``cut_starts > spend_stops``) both are equilibria: the coordination band.
        """
        top, bottom = len(self.levels) - 1, 0
        spend = self.equilibrium_interval((top,) * self.n_players)
        cut = self.equilibrium_interval((bottom,) * self.n_players)
        return {
            "spend_stops": None if spend is None else spend[0],
            "cut_starts": None if cut is None else cut[1],
            "spend_interval": spend,
            "cut_interval": cut,
        }

    def belief_map(self, beliefs: Sequence[float] | None = None) -> BeliefMap:
        """Pure equilibria on a grid of beliefs (default 0, 0.025, ..., 1)."""
        grid = np.linspace(0.0, 1.0, 41) if beliefs is None else np.asarray(beliefs, dtype=float)
        _check_belief(grid)
        eq = [self.pure_equilibria(float(b)) for b in grid]
        symmetric = np.allclose(self.costs, self.costs[0])
        mixed = [self.symmetric_mixed_equilibria(float(b)) if symmetric else [] for b in grid]
        return BeliefMap(game=self, beliefs=grid, equilibria=eq, flip=self.flip_beliefs(), mixed=mixed)

    # ------------------------------------------------------------------ continuous game
    def best_response(self, i: int, growth: np.ndarray, belief: float) -> float:
        """Continuous best response of player i on [min level, max level]."""
        others = (growth.sum() - growth[i]) / (self.n_players - 1)
        raw = (self.market_reward(belief) + self.complementarity * others) / self.costs[i]
        return float(np.clip(raw, self.levels[0], self.levels[-1]))

    def continuous_equilibrium(self, belief: float, start: Sequence[float] | float | None = None, *,
                               tol: float = 1e-10, max_iter: int = 10_000) -> ContinuousEquilibrium:
        """Sequential best-response dynamics on the interval [min level, max level].

        Parameters
        ----------
        start : float or sequence, optional
            Initial growth profile (default: everyone at the top level, the boom's status quo).

        Raises
        ------
        ConvergenceError
            If the dynamics have not settled within ``max_iter`` sweeps.
        """
        g = np.full(self.n_players, self.levels[-1]) if start is None else \
            np.broadcast_to(np.asarray(start, dtype=float), (self.n_players,)).copy()
        path = [g.copy()]
        for _ in range(max_iter):
            prev = g.copy()
            for i in range(self.n_players):
                g[i] = self.best_response(i, g, belief)
            path.append(g.copy())
            if np.max(np.abs(g - prev)) < tol:
                return ContinuousEquilibrium(belief=float(belief), growth=g, path=np.asarray(path))
        raise ConvergenceError(f"best-response dynamics did not settle in {max_iter} sweeps at belief {belief}")

    # ------------------------------------------------------------------ the cascade
    def cut_thresholds(self, belief: float) -> np.ndarray:
        """Granovetter thresholds: for each player, the fewest rivals cutting (the rest spending) that make
        cutting its best discrete reply at belief b; N (never) when none does, 0 when it cuts anyway."""
        n, top = self.n_players, len(self.levels) - 1
        out = np.full(n, n, dtype=int)
        for i in range(n):
            rivals = [j for j in range(n) if j != i]
            for m in range(n):
                prof = np.full(n, top)
                prof[rivals[:m]] = 0
                if self._best_discrete(i, prof, belief) == 0:
                    out[i] = m
                    break
        return out

    def _best_discrete(self, i: int, profile: np.ndarray, belief: float) -> int:
        lv = np.asarray(self.levels)
        vals = []
        for a in range(len(lv)):
            p = profile.copy()
            p[i] = a
            vals.append(self.payoff(lv[p], belief)[i])
        return int(np.argmax(vals))  # ties: the lowest growth

    def cascade(self, belief: float, first_mover: str | int, *, cut_rewarded: bool = True,
                signal: float = 1.0, noise: float = 2.0, rounds: int = 12, commit_rounds: int = 4,
                seed: int | np.random.Generator | None = None) -> CascadeResult:
        """Simulate the flip: one player cuts, the market reacts, beliefs update, the others respond.

        Round 0: everyone spends (top level) except ``first_mover``, who cuts. Each later round the
        market observes one re-rating per cutter: in the boom regime a cut is punished (mean
        ``-signal``), in the repriced regime rewarded (``+signal``), with normal noise ``noise``.
        The belief is updated by Bayes' rule; then each player in turn plays its best discrete
        reply to the others at the new belief (threshold contagion: a cut lowers the rivals' mean
        growth and so everyone's reward for spending).

        Parameters
        ----------
        commit_rounds : int
            Rounds the first mover holds its announced cut before it best-responds like the others
            (default 4: a year of quarters).
        cut_rewarded : bool
            Deterministic reaction: each cut is observed at exactly +signal (rewarded) or -signal
            (punished). Ignored when ``seed`` is given.
        seed : int or Generator, optional
            Draw reactions at random from the regime ``cut_rewarded`` names (True: repriced).
        """
        b = float(_check_belief(belief))
        if isinstance(first_mover, str):
            if first_mover not in self.players:
                raise SpecError(f"unknown first mover {first_mover!r}; players are {', '.join(self.players)}")
            first = self.players.index(first_mover)
        else:
            first = int(first_mover)
            if not 0 <= first < self.n_players:
                raise SpecError(f"first_mover index {first} out of range for {self.n_players} players")
        if rounds < 1 or commit_rounds < 0:
            raise SpecError(f"rounds must be >= 1 and commit_rounds >= 0; got {rounds!r}, {commit_rounds!r}")
        if not (signal > 0 and noise > 0):
            raise SpecError(f"signal and noise must be > 0; got {signal!r}, {noise!r}")
        rng = None if seed is None else as_generator(seed)
        top = len(self.levels) - 1
        prof = np.full(self.n_players, top)
        prof[first] = 0
        records = [(0, b, prof.copy(), 0.0)]
        for r in range(1, rounds + 1):
            cutters = int(np.sum(prof == 0))
            if cutters:
                mean = signal if cut_rewarded else -signal
                x = np.full(cutters, mean) if rng is None else rng.normal(mean, noise, cutters)
                # log-likelihood ratio boom vs repriced: N(-signal, noise) vs N(+signal, noise)
                llr = float(np.sum(-2.0 * signal * x / noise**2))
                logit = np.log(b) - np.log1p(-b) + llr if 0 < b < 1 else (np.inf if b >= 1 else -np.inf)
                b = float(1.0 / (1.0 + np.exp(-logit)))
                obs = float(np.mean(x))
            else:
                obs = 0.0
            for i in range(self.n_players):
                if i == first and r <= commit_rounds:
                    continue
                prof[i] = self._best_discrete(i, prof, b)
            records.append((r, b, prof.copy(), obs))
            if (cutters == 0 and np.all(prof == top)) or np.all(prof == 0):
                break  # back to the boom, or the cascade is complete
        return CascadeResult(game=self, first_mover=self.players[first], rounds=records,
                             thresholds=self.cut_thresholds(records[0][1]))


def _check_belief(belief) -> np.ndarray:
    b = np.asarray(belief, dtype=float)
    if np.any(~np.isfinite(b)) or np.any(b < 0) or np.any(b > 1):
        raise SpecError(f"belief must be in [0, 1] (probability of the boom regime). Got {belief!r}.")
    return b


@dataclass(frozen=True, eq=False)
class BeliefMap:
    """Pure equilibria over a grid of beliefs, with the exact flip beliefs."""

    game: CapexGame
    beliefs: np.ndarray
    equilibria: list[list[tuple[int, ...]]]
    flip: dict = field(default_factory=dict)
    mixed: list[list[np.ndarray]] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per belief: the number of pure equilibria and which symmetric ones exist."""
        n, top = self.game.n_players, len(self.game.levels) - 1
        rows = []
        for b, eqs in zip(self.beliefs, self.equilibria, strict=True):
            rows.append({"belief": float(b), "n_equilibria": len(eqs),
                         "everyone_spends": (top,) * n in eqs, "everyone_cuts": (0,) * n in eqs,
                         "equilibria": "; ".join("/".join(self.game.profile_labels(e)) for e in eqs)})
        return pd.DataFrame(rows)

    def to_dict(self) -> list[dict]:
        """Per belief: the pure equilibria as action profiles, and the symmetric mixed ones as
        ``{label: probability}`` (every player mixes the same way)."""
        mixed = self.mixed or [[] for _ in self.beliefs]
        return [{"belief": float(b), "equilibria": [list(self.game.profile_labels(e)) for e in eqs],
                 "symmetric_mixed": [{lab: float(q) for lab, q in zip(self.game.labels, p, strict=True) if q > 0}
                                     for p in mx]}
                for b, eqs, mx in zip(self.beliefs, self.equilibria, mixed, strict=True)]

    def summary(self) -> str:
        f = self.flip
        return (f"Capex game ({self.game.n_players} players, levels {list(self.game.levels)}): everyone spends is an "
                f"equilibrium for belief >= {f['spend_stops']:.3f}; everyone cuts for belief <= {f['cut_starts']:.3f}")

    def __repr__(self) -> str:
        return f"BeliefMap(n_beliefs={len(self.beliefs)}, spend_stops={self.flip['spend_stops']}, " \
               f"cut_starts={self.flip['cut_starts']})"


@dataclass(frozen=True, eq=False)
class ContinuousEquilibrium:
    """Where best-response dynamics settled, and the path they took (sweeps x players)."""

    belief: float
    growth: np.ndarray
    path: np.ndarray

    def __repr__(self) -> str:
        return f"ContinuousEquilibrium(belief={self.belief:.3f}, growth={np.round(self.growth, 4).tolist()})"


@dataclass(frozen=True, eq=False)
class CascadeResult:
    """The rounds of a cascade: belief, each player's action, the observed re-rating of the cuts."""

    game: CapexGame
    first_mover: str
    rounds: list
    thresholds: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for r, b, prof, obs in self.rounds:
            row = {"round": r, "belief": b, "observed_rerating": obs, "n_cut": int(np.sum(prof == 0))}
            row.update({p: self.game.labels[int(a)] for p, a in zip(self.game.players, prof, strict=True)})
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def all_cut_round(self) -> int | None:
        """First round in which every player cuts (None if never)."""
        for r, _, prof, _ in self.rounds:
            if np.all(prof == 0):
                return int(r)
        return None

    def to_dict(self) -> dict:
        return {"first_mover": self.first_mover, "all_cut_round": self.all_cut_round,
                "thresholds": dict(zip(self.game.players, self.thresholds.tolist(), strict=True)),
                "rounds": self.to_frame().to_dict(orient="records")}

    def summary(self) -> str:
        f = self.to_frame()
        return (f"Cascade from {self.first_mover}: belief {f['belief'].iloc[0]:.3f} -> {f['belief'].iloc[-1]:.3f}; "
                f"cutting {f['n_cut'].iloc[0]} -> {f['n_cut'].iloc[-1]} of {self.game.n_players}; "
                f"all cut in round {self.all_cut_round}")

    def __repr__(self) -> str:
        return f"CascadeResult(first_mover={self.first_mover!r}, rounds={len(self.rounds)}, all_cut_round={self.all_cut_round})"
