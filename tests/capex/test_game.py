"""The capex game: equilibria against nashpy, the exact flip beliefs, best-response dynamics, the cascade."""

from __future__ import annotations

import itertools

import nashpy
import numpy as np
import pytest

from borrowedtime.capex.game import CapexGame
from borrowedtime.errors import SpecError


def _two(**kw) -> CapexGame:
    return CapexGame(players=("a", "b"), **kw)


def _nashpy_equilibria(game: CapexGame, belief: float) -> list[tuple[np.ndarray, np.ndarray]]:
    u = game.payoff_array(belief)
    return [(np.asarray(s1), np.asarray(s2)) for s1, s2 in nashpy.Game(u[..., 0], u[..., 1]).vertex_enumeration()]


@pytest.mark.parametrize("belief", [0.1, 0.45, 0.5, 0.9])
@pytest.mark.parametrize("cost", [1.0, (0.8, 1.4)])
def test_two_player_equilibria_match_nashpy_vertex_enumeration(belief, cost):
    game = _two(cost=cost)
    ours = game.pure_equilibria(belief)
    theirs = _nashpy_equilibria(game, belief)
    pure_theirs = sorted(tuple(int(np.argmax(s)) for s in eq) for eq in theirs
                         if all(np.isclose(s.max(), 1.0) for s in eq))
    assert sorted(ours) == pure_theirs
    # the mixed solver's answer is one of the vertex-enumeration equilibria
    mixed = game.mixed_equilibrium(belief)
    assert any(all(np.allclose(m, t, atol=1e-6) for m, t in zip(mixed, eq, strict=True)) for eq in theirs)
    # and every nashpy equilibrium is a Nash equilibrium of the quantecon game
    nfg = game.normal_form(belief)
    assert all(nfg.is_nash(eq, tol=1e-9) for eq in theirs)


def test_mixed_equilibrium_of_the_2x2_coordination_game_is_the_textbook_one():
    # levels {0, 1}: spending pays a + k p - c/2 against a rival who spends with probability p, cutting 0;
    # the mixed equilibrium makes the rival indifferent: p* = (c/2 - a) / k (a coordination game's interior point)
    game = _two(levels=(0.0, 1.0), labels=("cut", "spend"), complementarity=1.5, cost=1.0)
    b = 0.5
    a = float(game.market_reward(b))
    p_star = (0.5 - a) / 1.5
    eqs = _nashpy_equilibria(game, b)
    assert len(eqs) == 3  # two pure (both cut, both spend) and one mixed
    mixed = [eq for eq in eqs if 0 < eq[0][1] < 1]
    assert mixed and mixed[0][0][1] == pytest.approx(p_star)
    assert sorted(game.pure_equilibria(b)) == [(0, 0), (1, 1)]


def test_flip_beliefs_are_exact_and_match_the_grid():
    game = CapexGame()
    flip = game.flip_beliefs()
    # By hand, defaults alpha = delta = 1 (a = 2b - 1), k = 1.5, c = 1, levels (0, .25, .5):
    # everyone spends is an equilibrium iff a >= -0.375 (the binding deviation is to 0.25): b >= 0.3125;
    # everyone cuts iff 0.25 a - 0.5 * 0.0625 <= 0 (deviation to 0.25): a <= 0.125, b <= 0.5625.
    assert flip["spend_stops"] == pytest.approx(0.3125)
    assert flip["cut_starts"] == pytest.approx(0.5625)
    top, n = 2, game.n_players
    for b, spend, cut in [(0.3125 - 1e-6, False, True), (0.3125 + 1e-6, True, True),
                          (0.5625 - 1e-6, True, True), (0.5625 + 1e-6, True, False)]:
        eqs = game.pure_equilibria(b)
        assert ((top,) * n in eqs) is spend
        assert ((0,) * n in eqs) is cut
    fr = game.belief_map().to_frame()
    assert fr.loc[fr["belief"] > 0.5625, "everyone_cuts"].eq(False).all()
    assert fr.loc[fr["belief"] < 0.3125, "everyone_spends"].eq(False).all()


def test_without_complementarity_there_is_no_coordination_band():
    game = CapexGame(complementarity=0.0)
    flip = game.flip_beliefs()
    # with k = 0 each player's choice is dominant: the profiles cannot coexist
    assert flip["spend_stops"] > flip["cut_starts"]


def test_three_player_mixed_equilibrium_is_nash():
    game = CapexGame(players=("x", "y", "z"), cost=(0.9, 1.0, 1.2))
    for b in (0.35, 0.5):
        prof = game.mixed_equilibrium(b)
        assert game.normal_form(b).is_nash(prof, tol=1e-5)


def test_best_response_dynamics():
    game = CapexGame()
    # in the band both corners are stable: where the dynamics start decides
    hi = game.continuous_equilibrium(0.45)
    lo = game.continuous_equilibrium(0.45, start=0.0)
    assert np.allclose(hi.growth, 0.5) and np.allclose(lo.growth, 0.0)
    # with k < c the symmetric interior equilibrium g* = a / (c - k) is unique and stable
    soft = CapexGame(complementarity=0.5, cost=1.0)
    b = 0.6
    g_star = float(soft.market_reward(b)) / (1.0 - 0.5)
    for start in (0.0, 0.5):
        eq = soft.continuous_equilibrium(b, start=start)
        assert np.allclose(eq.growth, g_star, atol=1e-8)


def test_cascade_when_a_cut_is_cheered_and_when_it_is_punished():
    game = CapexGame()
    cheered = game.cascade(0.6, "meta", cut_rewarded=True)
    frame = cheered.to_frame()
    assert cheered.all_cut_round is not None
    assert frame["belief"].is_monotonic_decreasing
    assert frame["n_cut"].iloc[-1] == game.n_players
    punished = game.cascade(0.6, "meta", cut_rewarded=False)
    assert punished.all_cut_round is None
    assert punished.to_frame()["n_cut"].iloc[-1] == 0  # the lone cutter returns to spending
    # the contagion thresholds fall as belief falls
    assert np.all(game.cut_thresholds(0.25) <= game.cut_thresholds(0.5))


def test_cascade_with_noise_is_reproducible():
    game = CapexGame()
    a = game.cascade(0.6, "meta", seed=7).to_frame()
    b = game.cascade(0.6, "meta", seed=7).to_frame()
    assert a.equals(b)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"players": ()}, "at least 2 players"),
    ({"players": ("solo",)}, "at least 2 players"),
    ({"levels": (0.5, 0.25, 0.0)}, "ascending"),
    ({"cost": (1.0, 2.0)}, "one per player"),
    ({"cost": -1.0}, "> 0"),
    ({"complementarity": -0.1}, "complementarity"),
])
def test_bad_specs(kwargs, match):
    with pytest.raises(SpecError, match=match):
        CapexGame(**kwargs)


def test_bad_beliefs_and_movers():
    game = CapexGame()
    with pytest.raises(SpecError, match="belief"):
        game.pure_equilibria(1.2)
    with pytest.raises(SpecError, match="first mover"):
        game.cascade(0.6, "ibm")


def test_payoff_array_matches_payoff():
    game = CapexGame(players=("x", "y", "z"), cost=(0.9, 1.0, 1.2))
    arr = game.payoff_array(0.4)
    lv = np.asarray(game.levels)
    for prof in itertools.product(range(3), repeat=3):
        assert np.allclose(arr[prof], game.payoff(lv[list(prof)], 0.4))


@pytest.mark.parametrize("belief", [0.35, 0.45, 0.55])
def test_symmetric_mixed_equilibria_match_nashpy_and_quantecon(belief):
    two = _two()
    ours = two.symmetric_mixed_equilibria(belief)
    theirs = [eq for eq in _nashpy_equilibria(two, belief)
              if np.allclose(eq[0], eq[1]) and np.count_nonzero(eq[0] > 1e-9) > 1]
    assert len(ours) == len(theirs) > 0
    for p in ours:
        assert any(np.allclose(p, eq[0], atol=1e-9) for eq in theirs)
    # with five players the closed form is still a Nash equilibrium of the full normal-form game
    five = CapexGame(players=tuple("abcde"))
    nfg = five.normal_form(belief)
    for p in five.symmetric_mixed_equilibria(belief):
        assert nfg.is_nash(tuple([p] * 5), tol=1e-9)
