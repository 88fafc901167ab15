r"""The six-step cascade, run forward quarter by quarter over (paths, entities) arrays.

The thesis run forward (essay, section XI). Every quarter, on every path:

0. **growth** (:func:`stage_growth`): each lab follows its plan (for a
   ``plan: treadmill`` lab, the treadmill's: :class:`~borrowedtime.treadmill.rounds.RoundsSpec`
   on the scenario's complex) and leaves it by its drawn acceleration's
   difference from the central one, quarterly shocks, and the capex surprises
   its revenue recycles (essay VII); the hyperscalers' capex growth moves by
   its acceleration (the second derivative, drawn per path) plus noise.
1. **marks** (:func:`stage_marks`): a lab raises at its scheduled round (a
   treadmill lab's next round, on the reported next mark's date; earlier only
   if its cash would not last to it), afterwards when its cash covers fewer
   than ``buffer_quarters`` of its net need. The raise :math:`F` funds the
   plan's outflows net of revenue through the end of its projections or
   ``cover_quarters``, whichever is later, less cash; at dilution limit
   :math:`d` the **required** value is :math:`F/d` (the treadmill's
   arithmetic). The **achievable** value is
   :math:`a\,(m/\tilde m)\,R^{fwd} e^{\kappa (g_t - g_0)}`, anchored
   (:func:`_anchors`) so that the central path prices the treadmill's reading
   (trend of past step-ups by default) at its round. The trigger is the
   essay's and the treadmill's: the next mark fails to clear the required
   step-up. The lab then raises only what clears (:math:`d` times the
   achievable value) and the window shuts. On the central path
   (:func:`central_draws`) the first round is the treadmill's
   (``tests/cascade/test_reconcile.py``).
2. **pull-back** (:func:`stage_pullback`): a triggered lab cuts a share
   :math:`\pi` of its remaining take-or-pay (restructured: volumes cut,
   schedules stretched); a guarantor (Google on Anthropic's TPU lease) makes
   the creditor whole and bears the cut.
3. **clearing** (:func:`stage_clearing`): a provider whose contracted receipts
   no longer cover ``dscr_min`` times its non-recourse debt service is in
   breach; the debt accelerates. The quarter's obligations clear by
   Rogers-Veraart (:func:`borrowedtime.network.clear_batch`); who cannot pay
   defaults and is seized.
4. **freeze** (:func:`stage_freeze`): after the first seizure credit freezes:
   GPU-backed debt no longer rolls (the whole principal due is due) and the
   backlog on distressed tenants is repriced to counterparty risk (impaired).
5. **equity** (:func:`stage_equity`): distress (loss over equity) propagates
   by non-linear DebtRank; when the market's belief in the boom (falling with
   the hyperscalers' mean distress) drops below the capex game's flip belief,
   the game flips (capex repriced from option to cost): capex growth falls to
   the game's "everyone cuts" level (``flip_cut`` in a scenario overrides the
   cut), the labs' revenue recycles the cut, and hyperscalers cut their
   neocloud capacity.
6. **strong buy** (:func:`stage_strong_buy`): seized data centres are bought
   by the least distressed hyperscaler at ``fire_sale`` times book; the
   proceeds go to the seized entity's lenders.

State after every quarter is a :class:`~borrowedtime.cascade.state.CascadeState`;
:func:`~borrowedtime.cascade.run.simulate` runs the stages in this order and
``simulate(..., record=True)`` keeps every state,
:func:`~borrowedtime.cascade.narrative.narrative` prints one path as a timeline.
The model they read is :class:`~borrowedtime.cascade.model.CascadeModel` (with what it takes
from ``credit`` and ``capex``), the draws :class:`~borrowedtime.cascade.draws.Draws`.

Units: USD bn (flows per quarter unless named annual); growth as annual log
growth; shares decimal.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from borrowedtime.cascade._kernels import (
    clearing_rows,
    equity_keys,
    net_need_sum,
    net_need_sum_numpy,
    strong_buy_rows,
)
from borrowedtime.cascade.draws import Draws
from borrowedtime.cascade.model import NEVER, CascadeModel, _central, _scatter
from borrowedtime.cascade.state import CascadeState
from borrowedtime.errors import ConvergenceError
from borrowedtime.network import clear_batch
from borrowedtime.network.clearing import _TIE
from borrowedtime.network.debtrank import nonlinear_debtrank_batch

__all__ = [
    "lab_accelerations",
    "stage_growth",
    "stage_marks",
    "stage_pullback",
    "stage_clearing",
    "stage_freeze",
    "stage_equity",
    "stage_strong_buy",
]


def _x(draws: Draws, name: str) -> np.ndarray:
    return draws.x(name)


def _relet(model: CascadeModel, draws: Draws) -> np.ndarray:
    """(P,) share of lost receipts recovered: the share re-let (drawn) at the glut's discounted rent (capex)."""
    return _x(draws, "relet_value") * (1.0 - model.relet_discount)


def lab_accelerations(model: CascadeModel, draws: Draws) -> np.ndarray:
    r"""(P, L) each lab's revenue acceleration (change of annual log growth per year) on each path.

    The first lab's is the drawn ``revenue_accel``; with a normal ``revenue_accel`` (mean
    :math:`\mu`, sd :math:`\sigma`) lab :math:`\ell` gets
    :math:`\mu + \sigma z_\ell`, where :math:`z_0` is the standard normal that drew the first lab's
    and :math:`z_\ell = \rho z_0 + \sqrt{1 - \rho^2}\,e_\ell` (``lab_correlation``
    :math:`\rho`; :class:`~borrowedtime.cascade.draws.Draws` ``lab_z``): every lab's sd is
    :math:`\sigma` and any two labs' correlation is :math:`\rho`. Any other distribution gives every
    lab the first lab's draw.
    """
    d_rev = model.scenario.distributions["revenue_accel"]
    sd_rev = d_rev.sd if d_rev.dist == "normal" else 0.0
    return _x(draws, "revenue_accel")[:, None] + sd_rev * (draws.lab_z - draws.lab_z[:, :1])


def stage_growth(model: CascadeModel, s: CascadeState, draws: Draws, q: int) -> None:
    r"""Stage 0: revenue and capex growth move by their acceleration; levels follow (the second derivative).

    A lab's annual log growth is the plan's plus a deviation :math:`x = r + c`: a reverting part
    :math:`r_q = \phi\,r_{q-1} + u_q` with :math:`\phi = 2^{-1/H}` (``half_life_quarters`` :math:`H`)
    and a permanent part :math:`c` (the capex flip's recycled cut, stage 5). The innovation is
    :math:`u_q = k\,[(a_\ell - 	ilde a)/4 + \sigma\,\epsilon_q] + eta\,s_q`: the lab's acceleration's
    distance from the central one (:func:`lab_accelerations`), a quarterly shock, and the capex surprise
    :math:`s_q` its revenue recycles at ``recycling`` :math:`eta`; ``growth_dispersion_scale``
    :math:`k` scales every dispersion (also capex's). A persistent acceleration difference so settles
    at a growth gap of :math:`k (a_\ell - 	ilde a) / (4 (1 - \phi))` instead of growing without
    bound (:math:`\phi = 1`, :math:`H = \infty`, is the random walk of earlier versions). Revenue's log
    deviation from the plan sums the growth deviation (levels do not revert).
    """
    p = model.params
    k = p["growth_dispersion_scale"]
    sd = k * p["growth_shock_sd"]
    phi = 0.5 ** (1.0 / p["half_life_quarters"])
    d_rev = model.scenario.distributions["revenue_accel"]
    d_cap = model.scenario.distributions["capex_accel"]
    c_cap = _central(d_cap)
    a_cap = c_cap + k * (_x(draws, "capex_accel") - c_cap)
    cap_mean = c_cap + k * ((d_cap.mean if d_cap.dist == "normal" else float(np.mean(d_cap.support()))) - c_cap)
    # the hyperscaler-leverage stretch: debt funds capex at the pre-deceleration growth while capacity lasts
    levered = s.lever_left > 0
    a_eff = np.where(levered, np.maximum(a_cap, 0.0), a_cap)
    new_cap_growth = s.capex_growth + a_eff / 4.0 + sd * draws.capex_shock[:, q]
    new_capex = s.capex * np.exp(new_cap_growth / 4.0)
    if levered.any():
        base_capex = s.capex * np.exp((s.capex_growth + a_cap / 4.0) / 4.0)
        extra = np.where(levered, np.maximum(new_capex - base_capex, 0.0) / 4.0, 0.0)
        s.stretch_used["hyperscaler_leverage"] += np.minimum(extra, s.lever_left)
        first = levered & (s.stretch_q["hyperscaler_leverage"] == NEVER)
        s.stretch_q["hyperscaler_leverage"][first] = q
        s.lever_left = np.maximum(s.lever_left - extra, 0.0)
    surprise = (a_eff - cap_mean) / 4.0 + sd * draws.capex_shock[:, q]
    # lab accelerations: the first lab's is the drawn input, the others correlated with it; a path
    # leaves the plan by its acceleration's difference from the central one (the plan's own), its shocks
    # and the capex surprise the labs' revenue recycles; the deviation reverts at phi per quarter
    a_lab = lab_accelerations(model, draws)
    innovation = (k * (a_lab - _central(d_rev)) / 4.0 + sd * draws.rev_shock[:, q, :]
                  + _x(draws, "recycling")[:, None] * surprise[:, None])
    s.dgrowth = phi * (s.dgrowth - s.shift) + innovation + s.shift
    s.dev = s.dev + s.dgrowth / 4.0
    s.growth = model.lab_g_plan[:, q][None, :] + s.dgrowth
    s.revenue = model.lab_rev_q[:, q][None, :] * np.exp(s.dev)
    s.capex_growth, s.capex = new_cap_growth, new_capex


def _net_need(model: CascadeModel, s: CascadeState, q: int, k, rows: np.ndarray | None = None) -> np.ndarray:
    r"""(P, L) projected need over the next k quarters (int or (L,) per lab), USD bn.

    The plan's outflows less the plan's revenue shifted by the path's deviation, which keeps growing at
    its current rate: :math:`\sum_j \max(O_{q+j} - R_{q+j} e^{dev + dg\,j/4}/4, 0)`. On the central
    path this is the treadmill's outflow net of revenue (burn plus contracted compute beyond the plan).
    ``rows``: only these paths (row by row, so the same numbers as in the whole batch).
    """
    dev, dg = (s.dev, s.dgrowth) if rows is None else (s.dev[rows], s.dgrowth[rows])
    T = model.horizon
    k = np.broadcast_to(np.asarray(k, dtype=np.int64), (len(model.labs),))
    steps = np.arange(int(k.max()))
    idx = np.minimum(q + steps, T - 1)
    out = model.lab_outflow_q[:, idx]  # (L, k)
    ex = np.exp(dev[:, :, None] + dg[:, :, None] * steps / 4.0)
    use = steps[None, :] < k[:, None]
    if steps.size > 128:  # beyond one block of NumPy's pairwise sum: NumPy's own
        return net_need_sum_numpy(ex, model.lab_rev_q[:, idx], out, use)
    # the rest in one compiled pass with NumPy's arithmetic and order of summation (net_need_sum)
    return net_need_sum(ex, np.ascontiguousarray(model.lab_rev_q[:, idx]), np.ascontiguousarray(out), use)


def stage_marks(model: CascadeModel, s: CascadeState, draws: Draws, q: int) -> None:
    """Stage 1: funding tests; the trigger when the achievable mark falls below the required one.

    Stretches act here: a larger private round or a backstop closes the first failing round instead.
    """
    p = model.params
    scn = model.scenario
    s.raised[:] = 0.0
    # only the paths where a lab can be tested (alive, not held by a backstop): every step is row by row,
    # so the other paths keep their values as if the whole batch had been computed
    cand = (s.trigger_q == NEVER) & (s.default_q[:, model.lab_index] == NEVER) & (s.hold_until <= q)
    rc = np.flatnonzero(cand.any(axis=1))
    if rc.size == 0:
        return
    # a lab with a scheduled round (the treadmill's next) raises before it only if its cash would not last
    # to it (the treadmill's runway); otherwise when its cash covers fewer than buffer_quarters of need
    ahead = model.lab_first_test_q > q
    need_buffer = _net_need(model, s, q, np.where(ahead, model.lab_first_test_q - q, int(p["buffer_quarters"])), rc)
    scheduled = (model.lab_first_test_q == q)[None, :]
    test = cand[rc] & ((s.lab_cash[rc] < need_buffer) | scheduled)
    tested = test.any(axis=1)
    if not tested.any():
        return
    r, test = rc[tested], test[tested]  # the paths with a lab tested
    d = _x(draws, "dilution_limit")[r, None]
    # the raise funds the plan through its projections (the treadmill's burn_through) or cover_quarters
    cover = np.maximum(int(p["cover_quarters"]), model.lab_plan_end_q - q)
    F = np.maximum(_net_need(model, s, q, cover, r) - s.lab_cash[r], 0.0)
    required = F / d
    dev, growth = s.dev[r], s.growth[r]
    fwd = model.lab_rev_smooth[:, q][None, :] * np.exp(dev + growth / 2.0)
    achievable = (model.lab_anchor[None, :] * (_x(draws, "multiple")[r, None] / model.multiple_median) * fwd
                  * np.exp(p["multiple_growth_elasticity"] * (growth - model.lab_growth0[None, :])))
    s.required[r] = np.where(test, required, s.required[r])
    s.achievable[r] = np.where(test, achievable, s.achievable[r])
    clears = test & (achievable >= required)
    fails = test & ~clears
    lab_cash, raised = s.lab_cash[r], s.raised[r]
    lab_cash += np.where(clears, F, 0.0)
    raised += np.where(clears, F, 0.0)
    mark = np.where(clears, achievable, s.mark[r])
    for name in ("private_round", "backstop"):
        st = getattr(scn.stretches, name)
        if not st.enabled:
            continue
        ready = (s.stretch_q[name][r] == NEVER) & (q >= (st.quarter or 0))
        use = fails & ready[:, None]
        use &= np.cumsum(use, axis=1) == 1  # once per path, for the first lab that fails
        size = float(st.size_usd_bn or 0.0)
        lab_cash += np.where(use, size, 0.0)
        raised += np.where(use, size, 0.0)
        got = use.any(axis=1)
        s.stretch_used[name][r] += np.where(got, size, 0.0)
        s.stretch_q[name][r[got]] = q
        if name == "backstop":
            s.hold_until[r] = np.where(use, q + int(st.hold_quarters or 0), s.hold_until[r])
        fails &= ~use
    # the round prices below the required mark: raise what clears, the window shuts
    lab_cash += np.where(fails, d * achievable, 0.0)
    raised += np.where(fails, d * achievable, 0.0)
    s.lab_cash[r], s.raised[r] = lab_cash, raised
    s.mark[r] = np.where(fails, achievable, mark)
    s.trigger_q[r] = np.where(fails, q, s.trigger_q[r])


def stage_pullback(model: CascadeModel, s: CascadeState, draws: Draws, q: int) -> None:
    """Stage 2: a lab whose round failed cuts a share of its remaining take-or-pay (once, at the trigger)."""
    lab = model.lab_of_edge
    on_lab = lab >= 0
    if not on_lab.any():
        return
    trig = (s.trigger_q == q).any(axis=1)
    flip = (s.flipped_q >= 0) & (s.flipped_q == q - 1)
    rows = np.flatnonzero(trig | flip)  # only the paths on which a round failed or the game flipped
    if rows.size == 0:
        return
    cut = s.cut[rows]
    now = np.zeros_like(cut, dtype=bool)
    now[:, on_lab] = s.trigger_q[rows][:, lab[on_lab]] == q
    cut = np.where(now, _x(draws, "pullback")[rows, None], cut)
    # hyperscalers cut the marginal gigawatt at neoclouds once the game has flipped
    flip_now = flip[rows][:, None] & model.hyper_to_neo[None, :]
    s.cut[rows] = np.where(flip_now, np.maximum(cut, _x(draws, "hyperscaler_cut")[rows, None]), cut)


def _due(model: CascadeModel, s: CascadeState, q: int) -> tuple[np.ndarray, np.ndarray]:
    """(P, m) due this quarter after cuts and rolling, and the contracted (uncut) amount."""
    sched = np.minimum(model.sched[q][None, :], s.remaining)
    frozen = (s.frozen_q != NEVER)[:, None]
    roll = np.where(frozen, 0.0, model.params["roll_share"]) * model.debt_edge[None, :]
    contracted = sched * (1.0 - roll)
    return contracted * (1.0 - s.cut), contracted


def stage_clearing(model: CascadeModel, s: CascadeState, draws: Draws, q: int) -> np.ndarray:
    """Stage 3: covenant tests, acceleration, Rogers-Veraart clearing; returns the new defaults (P, N).

    Compiled path by path (:func:`~borrowedtime.cascade._kernels.clearing_rows`); the same arithmetic in
    the same order as :func:`stage_clearing_numpy`, so the same bits.
    """
    net, p = model.network, model.params
    P = s.remaining.shape[0]
    cost = model.lab_cost_q[:, q]
    noncontract = cost - np.minimum(model.lab_contracted_q[:, q], model.lab_compute_share * cost)
    opex = np.where(model.network.of_kind("neocloud"), model.scenario.neocloud_debt.opex_share.value, 0.0)
    due = np.empty_like(s.remaining)
    paid = np.empty_like(s.remaining)
    new_default = np.zeros((P, model.n), dtype=bool)
    arrays = {k: np.ascontiguousarray(getattr(s, k)) for k in ("remaining", "cash", "lab_cash", "default_q", "loss")}
    bad = clearing_rows(
        q, np.ascontiguousarray(model.sched[q]), arrays["remaining"], np.ascontiguousarray(s.cut),
        s.frozen_q != NEVER, float(p["roll_share"]), model.debt_edge, net.guarantor, arrays["default_q"],
        model.tracks_cash, opex, float(p["dscr_min"]), net.src, net.dst, arrays["cash"], model.cash0, model.ocf_q,
        model.lab_index, arrays["lab_cash"], np.ascontiguousarray(s.revenue), noncontract,
        np.ascontiguousarray(_relet(model, draws)), float(p["clearing_alpha"]), float(p["clearing_beta"]), _TIE,
        1e-10, 1_000, arrays["loss"], due, paid, new_default)
    if bad:
        raise ConvergenceError(f"clearing: Picard iteration did not settle within 1000 steps on {bad} paths "
                               f"(quarter {q}).")
    for k, a in arrays.items():
        setattr(s, k, a)
    s.due, s.paid = due, paid
    return new_default


def stage_clearing_numpy(model: CascadeModel, s: CascadeState, draws: Draws, q: int) -> np.ndarray:
    """Stage 3 in NumPy over all paths at once: the specification :func:`stage_clearing` is tested against."""
    net, p = model.network, model.params
    due, contracted = _due(model, s, q)
    # guarantees: a guarantor pays what a cut takes from the edge it covers
    g = net.guarantor
    gk = np.flatnonzero(g >= 0)
    topup = np.zeros_like(due)
    if gk.size:  # double default: the wrap pays only while the guarantor stands
        g_alive = s.default_q[:, g[gk]] == NEVER
        topup[:, gk] = np.where(g_alive, contracted[:, gk] - due[:, gk], 0.0)
        s.loss += _scatter(topup, model.guar_inc)
    dead = s.default_q != NEVER
    # covenant: receipts promised this quarter over non-recourse debt service
    promised = _scatter(due + topup, model.in_inc)
    # tested on the contractual service (before rolling): the covenant does not know the market is open
    service = _scatter(np.where(model.debt_edge[None, :], np.minimum(model.sched[q][None, :], s.remaining), 0.0),
                       model.out_inc)
    opex = np.where(model.network.of_kind("neocloud"), model.scenario.neocloud_debt.opex_share.value, 0.0)
    coverage = (1 - opex)[None, :] * promised
    breach = model.tracks_cash[None, :] & (service > 0) & (coverage < p["dscr_min"] * service * (1 - 1e-9)) & ~dead
    accel = breach[:, net.src] & model.debt_edge[None, :]
    owed = np.where(accel, s.remaining * (1 - s.cut), due)
    owed = np.where(dead[:, net.src], 0.0, owed)
    # external assets: neoclouds and vehicles their cash, corporates a constant liquidity buffer plus a
    # quarter's operating cash flow, labs their cash and revenue after the costs not under contract
    e = np.where(model.tracks_cash[None, :], s.cash, model.cash0[None, :]) + model.ocf_q[None, :]
    cost = model.lab_cost_q[:, q]
    noncontract = cost - np.minimum(model.lab_contracted_q[:, q], model.lab_compute_share * cost)
    e[:, model.lab_index] = np.maximum(s.lab_cash + s.revenue / 4.0 - noncontract[None, :], 0.0)
    e_in = e + _scatter(topup, model.in_inc)  # a guarantor's top-up arrives as external cash
    pay, default = clear_batch(net.src, net.dst, owed, e_in, alpha=p["clearing_alpha"], beta=p["clearing_beta"])
    pbar = _scatter(owed, model.out_inc)
    share = np.divide(owed, pbar[:, net.src], out=np.zeros_like(owed), where=pbar[:, net.src] > 0)
    paid = share * pay[:, net.src]
    inflow = _scatter(paid, model.in_inc)
    # creditors lose what was contracted and not received (re-let value recovers part of a cut)
    relet = _relet(model, draws)[:, None]
    shortfall = np.maximum(contracted - paid - topup, 0.0)
    # no rounding dust as losses; an accelerated edge of a defaulter is booked whole by stage 6
    accel_default = accel & default[:, net.src]
    shortfall = np.where(dead[:, net.src] | (shortfall < 1e-9) | accel_default, 0.0, shortfall)
    s.loss += _scatter(shortfall * (1.0 - relet), model.in_inc)
    # accelerated debt is paid in full, or stays owed by what was not paid (the claim in default)
    cleared = np.where(accel, np.where(accel_default, paid, s.remaining), contracted)
    s.remaining = np.maximum(s.remaining - cleared, 0.0)
    s.due, s.paid = owed, paid
    new_default = default & ~dead & (pbar > 0)
    # cash carried by neoclouds and vehicles; labs spend theirs
    solvent_cash = e_in + inflow - pay
    s.cash = np.where(model.tracks_cash[None, :], np.where(default, 0.0, solvent_cash), s.cash)
    lab_dead = new_default[:, model.lab_index] | dead[:, model.lab_index]
    s.lab_cash = np.where(lab_dead, 0.0, solvent_cash[:, model.lab_index])
    s.default_q = np.where(new_default, q, s.default_q)
    return new_default


def stage_freeze(model: CascadeModel, s: CascadeState, draws: Draws, q: int, new_default: np.ndarray) -> None:
    """Stage 4: the first seizure freezes credit; backlog on a triggered lab is repriced (impaired) once."""
    start = (s.frozen_q == NEVER) & new_default[:, model.tracks_cash].any(axis=1)
    s.frozen_q = np.where(start, q, s.frozen_q)
    # impairment: when credit freezes, creditors mark the cut part of what triggered labs still owe
    rows = np.flatnonzero(start)  # the paths on which credit froze this quarter
    lab = model.lab_of_edge
    on = lab >= 0
    if on.any() and rows.size:
        hit = np.zeros((rows.size, lab.size), dtype=bool)
        hit[:, on] = s.trigger_q[rows][:, lab[on]] != NEVER
        remaining, cut = s.remaining[rows], s.cut[rows]
        mark = np.where(hit, remaining * cut * (1.0 - _relet(model, draws)[rows, None]), 0.0)
        s.loss[rows] += _scatter(mark, model.in_inc)
        s.remaining[rows] = np.where(hit, remaining * (1.0 - cut), remaining)
        s.cut[rows] = np.where(hit, 0.0, cut)


def stage_equity(model: CascadeModel, s: CascadeState, draws: Draws, q: int) -> None:
    """Stage 5: distress by non-linear DebtRank on claims on the living; the capex game flips."""
    p = model.params
    # h is a function of the direct distress and of who is alive: recompute only the paths where either
    # moved since the last quarter (a defaulted entity keyed 2 so that its default alone counts as a move);
    # the keys in one compiled pass (equity_keys: the NumPy arithmetic, element by element)
    P = s.loss.shape[0]
    direct = np.empty_like(s.loss)
    s.h_key = np.ascontiguousarray(s.h_key)
    moved = equity_keys(np.ascontiguousarray(s.default_q), np.ascontiguousarray(s.loss), model.equity0, s.h_key,
                        direct, np.zeros(P, dtype=bool))
    rows = np.flatnonzero(moved)
    if rows.size:
        s.h[rows] = nonlinear_debtrank_batch(model.leverage, direct[rows], (s.default_q[rows] == NEVER).astype(float),
                                             p["debtrank_alpha"], tol=1e-12, max_iter=10_000)
    h = s.h
    # a path's h moves only where it was recomputed: the others were tested at their last move (all at q 0)
    at = slice(None) if q == 0 else rows
    dq = s.distress_q[at]
    s.distress_q[at] = np.where((dq == NEVER) & (h[at] >= p["distress_threshold"]), q, dq)
    hyper = model.hyperscalers
    if not hyper.size:
        return
    rec = _x(draws, "recycling")
    if not (rec >= 0).all():  # (a negative or NaN share: every path as written, so that x - (-0.0) is kept)
        _flip(model, s, q, h, rec, np.arange(s.flipped_q.size))
        return
    # only a path that has not flipped and has no leverage left can flip; the others keep their values
    # (subtracting a cut of +0.0 leaves any number as it is)
    _flip(model, s, q, h, rec, np.flatnonzero((s.flipped_q == NEVER) & (s.lever_left <= 0)))


def _flip(model: CascadeModel, s: CascadeState, q: int, h: np.ndarray, rec: np.ndarray, c: np.ndarray) -> None:
    """Stage 5's flip of the capex game on paths ``c`` (row by row)."""
    p = model.params
    if not c.size:
        return
    belief = 1.0 - h[c][:, model.hyperscalers].mean(axis=1) / p["flip_distress"]  # the market's belief in the boom
    flip = (s.flipped_q[c] == NEVER) & (belief < model.flip_belief) & (s.lever_left[c] <= 0)
    s.flipped_q[c] = np.where(flip, q, s.flipped_q[c])
    # the game moves from "everyone spends" to "everyone cuts": capex growth falls to the game's cut
    # level (capex.game, its lowest level: capex held flat), or by the scenario's flip_cut override
    cg = s.capex_growth[c]
    cut = np.full(cg.shape, p["flip_cut"]) if "flip_cut" in p else np.maximum(cg - model.flip_growth, 0.0)
    cut = np.where(flip, cut, 0.0)
    s.capex_growth[c] = cg - cut
    lab_cut = (rec[c] * cut)[:, None]
    s.shift[c] = s.shift[c] - lab_cut  # permanent: the game's new equilibrium does not revert
    s.dgrowth[c] = s.dgrowth[c] - lab_cut
    s.growth[c] = s.growth[c] - lab_cut


def stage_strong_buy(model: CascadeModel, s: CascadeState, draws: Draws, q: int, new_default: np.ndarray) -> None:
    """Stage 6: seized data centres sold at a fire-sale price to the least distressed hyperscaler.

    Book value is the seized entity's remaining non-recourse debt over ``ltv``;
    proceeds go to its creditors pro rata (recovery), the rest of what it owed
    is their loss; its tenants' contracts end with it (the buyer re-lets on new
    terms, outside the model).
    """
    rows = np.flatnonzero(new_default.any(axis=1))  # only the paths with a new seizure
    if rows.size == 0:
        return
    # only the fields the stage reads or writes, on those paths (copies; written back)
    sub = SimpleNamespace(**{f: getattr(s, f)[rows] for f in ("loss", "remaining", "bought", "h", "default_q")})
    fire_sale, relet = _x(draws, "fire_sale")[rows], _relet(model, draws)[rows]
    if model.n <= 128:  # compiled path by path (strong_buy_rows: _strong_buy's arithmetic and order of sums)
        net = model.network
        strong_buy_rows(np.ascontiguousarray(new_default[rows]), sub.remaining, sub.default_q, sub.h, sub.loss,
                        sub.bought, fire_sale, relet, net.src, net.dst, net.guarantor, model.debt_edge,
                        model.tracks_cash, float(model.params["ltv"]), model.lgd_secured, model.lgd_unsecured,
                        model.hyperscalers, model.ocf_q)
    else:
        _strong_buy(model, sub, fire_sale, relet, new_default[rows])
    s.put(rows, sub, ("loss", "remaining", "bought"))


def _strong_buy(model: CascadeModel, s, fire_sale: np.ndarray, relet: np.ndarray, new_default: np.ndarray) -> None:
    """Stage 6 in NumPy on the paths of ``s`` (their ``loss``, ``remaining``, ``bought``, ``h``, ``default_q``),
    with their drawn ``fire_sale`` and :func:`_relet` shares (P,): the specification
    :func:`~borrowedtime.cascade._kernels.strong_buy_rows` is tested against (and the stage beyond 128 entities)."""
    net, p = model.network, model.params
    D = new_default
    E = D[:, net.src]  # edges owed by a new defaulter
    owed = np.where(E, s.remaining, 0.0)
    total = _scatter(owed, model.out_inc)
    book = _scatter(np.where(E & model.debt_edge[None, :], s.remaining, 0.0), model.out_inc) / p["ltv"]
    proceeds = np.where(model.tracks_cash[None, :], np.minimum(fire_sale[:, None] * book, total), 0.0)
    # a seized vehicle's lenders lose the credit module's LGD: secured (other physical collateral) on the
    # share the fire-sale proceeds cover, unsecured on the rest (lgd_for's coverage blend)
    cover = np.divide(proceeds, total, out=np.zeros_like(total), where=total > 0)
    lgd = cover * model.lgd_secured + (1.0 - cover) * model.lgd_unsecured
    # a lab's creditors re-let what they can
    lost = np.where(model.tracks_cash[net.src][None, :], owed * lgd[:, net.src],
                    owed * (1.0 - relet[:, None]))
    # guarantees (double default): a wrapped edge's loss passes to a living guarantor
    g = net.guarantor
    wrapped = np.zeros_like(owed, dtype=bool)
    gk = np.flatnonzero(g >= 0)
    if gk.size:
        wrapped[:, gk] = s.default_q[:, g[gk]] == NEVER
    s.loss += _scatter(np.where(wrapped, 0.0, lost), model.in_inc)
    s.loss += _scatter(np.where(wrapped, lost, 0.0), model.guar_inc)
    s.remaining = np.where(E | D[:, net.dst], 0.0, s.remaining)
    hyper = np.flatnonzero(net.of_kind("hyperscaler"))
    sold = np.where(model.tracks_cash[None, :], book, 0.0).sum(axis=1)
    if hyper.size and (sold > 0).any():
        buyer = hyper[np.argmin(s.h[:, hyper] - 1e-9 * model.ocf_q[hyper][None, :], axis=1)]
        s.bought[np.arange(D.shape[0]), buyer] += sold
