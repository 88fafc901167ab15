"""Debt is conserved through a default: what a defaulter's creditors are owed is paid, recovered or lost.

Found 2026-12-06 (issue 25's profiling noticed that stage 6, the strong buy, never bought): when a
covenant breach accelerated a neocloud's or a vehicle's debt (stage 3) and the entity then defaulted,
the clearing set the accelerated edges' remaining debt to zero while the creditors' loss counted only
the quarter's scheduled service not paid. The rest of the accelerated debt left the books with no
payment, no recovery and no loss, and stage 6 then found no book value to sell. On the base scenario,
2,000 paths, seed 0, about 14,700 bn vanished this way on 490 paths. Now what an accelerated defaulter
does not pay stays owed after stage 3, and stage 6 sells its collateral and books its creditors' loss.
"""

import numpy as np

import borrowedtime.cascade.run as run
from borrowedtime.cascade.draws import draw_inputs
from borrowedtime.cascade.montecarlo import model_for
from borrowedtime.cascade.scenario import load_scenario
from borrowedtime.cascade.stages import _due


def test_accelerated_debt_of_a_defaulter_is_paid_or_lost(monkeypatch):
    model = model_for(load_scenario("base"))
    draws = draw_inputs(model, np.random.default_rng(0), 300)
    net = model.network
    vanished = []
    clearing = run.stage_clearing

    def checked(model, s, draws, q):
        before = s.remaining.copy()
        _, contracted = _due(model, s, q)
        new_default = clearing(model, s, draws, q)
        owed_by_defaulter = new_default[:, net.src] & model.debt_edge[None, :]
        # reduction of what is owed beyond this quarter's payment and this quarter's counted shortfall
        gone = before - s.remaining - s.paid - np.maximum(contracted - s.paid, 0.0)
        vanished.append(np.where(owed_by_defaulter, np.maximum(gone, 0.0), 0.0).sum())
        return new_default

    monkeypatch.setattr(run, "stage_clearing", checked)
    run.simulate(model, draws)
    assert sum(vanished) < 1e-6


def test_seized_collateral_is_sold_and_its_lenders_lose():
    """Stage 6 now finds the accelerated defaulters' books: something is bought, and their lenders lose."""
    model = model_for(load_scenario("base"))
    out = run.simulate(model, draw_inputs(model, np.random.default_rng(0), 300))
    assert out.bought.sum() > 0
    lenders = [i for i, n in enumerate(model.network.names) if n.endswith("-lenders")]
    assert out.loss[:, lenders].sum() > 0
