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

State after every quarter is a :class:`CascadeState`; ``simulate(...,
record=True)`` keeps them all, :func:`narrative` prints one path as a
timeline.

What comes from the other modules (computed once, before the quarterly
loop, by :func:`credit_capex_inputs`, and held on the model as numbers):

- ``credit``: the lenders' LGD on a seized vehicle's debt by seniority and
  collateral (:func:`borrowedtime.credit.lgd_for`, Basel foundation values:
  senior secured on other physical collateral, the uncovered part unsecured);
  guarantees by double default (:mod:`borrowedtime.credit.guarantees`): a
  wrapped creditor loses only when obligor and guarantor both fail, otherwise
  the guarantor bears the loss.
- ``capex``: the game's flip belief (:meth:`borrowedtime.capex.game.CapexGame.flip_beliefs`,
  ``spend_stops``): the market's belief in the boom is ``1 - mean hyperscaler
  distress / flip_distress`` and the game flips when it falls below that
  belief; the hyperscaler-leverage stretch is capped at the debt the group can
  add before its leverage-implied rating anchor falls below its current
  rating (:class:`borrowedtime.capex.FundingModel`, ``headroom_turns_with_vehicles``
  times EBITDA); re-let capacity rents at the re-leasing glut's discount
  (:class:`borrowedtime.capex.ReleasingGlut`, the mean of its discounts).

Units: USD bn (flows per quarter unless named annual); growth as annual log
growth; shares decimal.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import yaml

from borrowedtime.cascade.scenario import INPUTS, Scenario
from borrowedtime.errors import SpecError
from borrowedtime.network import ExposureNetwork, clear_batch, network_from_complex, quarter_label

__all__ = [
    "CascadeModel",
    "CascadeState",
    "Outcome",
    "draw_inputs",
    "central_draws",
    "simulate",
    "narrative",
    "stage_growth",
    "stage_marks",
    "stage_pullback",
    "stage_clearing",
    "stage_freeze",
    "stage_equity",
    "stage_strong_buy",
]

NEVER = -1  # a quarter index meaning "not within the horizon"


# ----------------------------------------------------------------------------- the compiled model
@dataclass(frozen=True, eq=False)
class CascadeModel:
    """A scenario compiled to arrays over entities, labs and edges (built by :meth:`from_scenario`)."""

    scenario: Scenario
    network: ExposureNetwork
    horizon: int
    equity0: np.ndarray  # (N,)
    cash0: np.ndarray  # (N,)
    ocf_q: np.ndarray  # (N,) operating cash flow per quarter
    tracks_cash: np.ndarray  # (N,) bool: neoclouds and vehicles carry cash forward
    labs: tuple[str, ...]
    lab_index: np.ndarray  # (L,)
    lab_rev_q: np.ndarray  # (L, T) the plan's revenue rate received in quarter q, annual USD bn
    lab_rev_smooth: np.ndarray  # (L, T) the plan's smooth revenue rate (marks)
    lab_g_plan: np.ndarray  # (L, T) the plan's annual log growth
    lab_growth0: np.ndarray  # (L,) the plan's growth at quarter 0 (reference of the multiple)
    lab_mark0: np.ndarray
    lab_cash0: np.ndarray
    lab_cost_q: np.ndarray  # (L, T) planned costs per quarter
    lab_contracted_q: np.ndarray  # (L, T) contracted compute per quarter
    lab_compute_share: np.ndarray  # (L,) compute share of costs (the treadmill's for a treadmill lab)
    lab_outflow_q: np.ndarray  # (L, T) planned outflow per quarter: costs plus contracted compute beyond them
    lab_first_test_q: np.ndarray  # (L,) quarter of the treadmill's next round (-1: none)
    lab_plan_end_q: np.ndarray  # (L,) quarter after the plan's projections (0: none)
    lab_anchor: np.ndarray  # (L,) multiple of forward revenue the achievable mark is anchored on
    multiple_median: float  # central value of the drawn multiple
    treadmill: dict  # lab -> RoundsResult of a treadmill lab
    sched: np.ndarray  # (T, m) scheduled amount per edge per quarter
    lab_of_edge: np.ndarray  # (m,) lab number of the debtor, -1 when not a lab
    debt_edge: np.ndarray  # (m,) non-recourse debt of a neocloud or vehicle
    hyper_to_neo: np.ndarray  # (m,) hyperscaler's capacity contract with a neocloud
    claims: np.ndarray  # (N, N) initial remaining claims A[i, j]: j owes i
    out_inc: object  # (m, N) edge -> debtor (dense or sparse)
    in_inc: object  # (m, N) edge -> creditor
    guar_inc: object  # (m, N) edge -> guarantor
    capex0: float
    capex_growth0: float
    params: dict
    lgd_secured: float = 0.40  # credit: senior, other physical collateral (GPU / data-centre lien)
    lgd_unsecured: float = 0.45  # credit: senior unsecured
    relet_discount: float = 0.40  # capex: rent discount a replacement tenant demands in a glut
    flip_belief: float = 0.3125  # capex: belief below which "everyone spends" stops being an equilibrium
    flip_growth: float = 0.0  # capex: capex log growth of the game's "everyone cuts" equilibrium
    lever_headroom_usd_bn: float = float("inf")  # capex: debt the hyperscalers can add at their ratings

    @property
    def n(self) -> int:
        return self.network.n

    @functools.cached_property
    def leverage(self):
        """(N, N) DebtRank leverage: initial claims over the creditor's equity (CSR when large and sparse)."""
        lam = self.claims / self.equity0[:, None]
        if self.n > 200 and np.count_nonzero(lam) < 0.05 * lam.size:
            from scipy import sparse

            return sparse.csr_matrix(lam)
        return lam

    @classmethod
    def from_scenario(cls, scn: Scenario) -> CascadeModel:

        cx = _complex_with_overlay(scn)
        base = network_from_complex(cx, extra_edges=[e.model_dump() for e in scn.edges])
        T = scn.horizon_quarters
        # neoclouds borrow non-recourse against their receipts (scenario: neocloud_debt), sized on the
        # receipts of the lab-ramped schedule (see _lab_plan)
        nd = scn.neocloud_debt
        neo = np.flatnonzero(base.of_kind("neocloud"))
        sched0 = _lab_plan(scn, base, T, cx)["sched"]
        extra = [e.model_dump() for e in scn.edges]
        for i in neo:
            receipts = sched0[:, base.dst == i].sum(axis=1)
            if receipts.max() <= 0:
                continue
            q_receipts = receipts[:4].min() if receipts[:4].min() > 0 else receipts[receipts > 0].min()
            term = nd.term_years.value
            service = (1 - nd.opex_share.value) * q_receipts / nd.initial_dscr.value
            name = base.names[i]
            extra.append(dict(
                contract=f"{name}-debt", kind="term_loan", debtor=name, creditor=f"{name}-lenders",
                amount_usd_bn=float(service * 4 * term), term_years=term, non_recourse=True,
                source="scenario neocloud_debt",
            ))
        net = network_from_complex(cx, extra_edges=extra)
        n, _m = net.n, net.src.size
        kinds = np.array(net.kinds)
        claims = np.zeros((n, n))
        np.add.at(claims, (net.dst, net.src), net.amount_usd_bn)
        debt_of = np.zeros(n)
        np.add.at(debt_of, net.src, np.where(net.non_recourse, net.amount_usd_bn, 0.0))

        # balance sheets: the complex's latest figures, else the scenario's kind defaults
        bs = scn.balance_sheets
        by_kind = bs.get("by_kind", {})
        equity0, cash0, ocf = np.zeros(n), np.zeros(n), np.zeros(n)
        for i, (name, kind) in enumerate(zip(net.names, net.kinds, strict=True)):
            own, dflt = bs.get(name, {}), by_kind.get(kind, by_kind.get("other", {}))
            ent = cx.entity(name) if cx.has_entity(name) else None

            def latest(metric, ent=ent):
                o = ent.latest(metric) if ent is not None else None
                return None if o is None else float(o.value)

            if "equity_usd_bn" in own:
                equity0[i] = own["equity_usd_bn"]
            elif latest("equity_usd_bn") is not None:
                equity0[i] = latest("equity_usd_bn")
            elif "equity_share_of_debt" in dflt:
                equity0[i] = max(dflt["equity_share_of_debt"] * debt_of[i], 0.05)
            else:
                equity0[i] = dflt.get("equity_usd_bn", 50.0)
            cash0[i] = own.get("cash_usd_bn", dflt.get("cash_usd_bn", 0.0))
            annual = own.get("ocf_usd_bn", latest("operating_cash_flow_usd_bn"))
            ocf[i] = (annual if annual is not None else dflt.get("ocf_usd_bn", 0.0)) / 4.0
        tracks = np.isin(kinds, ("neocloud", "spv"))

        # labs
        labs = tuple(scn.labs)
        lab_index = np.array([net.index(x) for x in labs], dtype=np.intp)
        plan = _lab_plan(scn, net, T, cx)
        cost, contracted, k = plan["cost_q"], plan["contracted_q"], plan["compute_share"][:, None]
        outflow = cost + np.maximum(contracted - k * cost, 0.0)
        anchor, m_med = _anchors(scn, plan, T)
        hyper = np.isin(kinds, ("hyperscaler",))
        neo_mask = np.isin(kinds, ("neocloud",))
        return cls(
            scenario=scn, network=net, horizon=T, equity0=equity0, cash0=cash0, ocf_q=ocf, tracks_cash=tracks,
            labs=labs, lab_index=lab_index, lab_rev_q=plan["rev_q"], lab_rev_smooth=plan["rev_smooth"],
            lab_g_plan=plan["g_plan"], lab_growth0=plan["g_plan"][:, 0].copy(), lab_mark0=plan["mark0"],
            lab_cash0=plan["cash0"], lab_cost_q=cost, lab_contracted_q=contracted,
            lab_compute_share=plan["compute_share"], lab_outflow_q=outflow, lab_first_test_q=plan["first_test_q"],
            lab_plan_end_q=plan["plan_end_q"], lab_anchor=anchor, multiple_median=m_med, treadmill=plan["rounds"],
            sched=plan["sched"], lab_of_edge=plan["lab_of_edge"],
            debt_edge=net.non_recourse & tracks[net.src],
            hyper_to_neo=hyper[net.src] & neo_mask[net.dst],
            claims=claims, out_inc=_incidence(net.src, n), in_inc=_incidence(net.dst, n),
            guar_inc=_incidence(net.guarantor, n), capex0=scn.capex.level_usd_bn.value, capex_growth0=scn.capex.growth.value,
            params={k: scn.param(k) for k in scn.model},
            **credit_capex_inputs(net.as_of.year),
        )

    def summary(self) -> str:
        return (
            f"Cascade model '{self.scenario.name}': {self.n} entities, {self.network.src.size} obligations, "
            f"{len(self.labs)} labs ({', '.join(self.labs)}), {self.horizon} quarters from "
            f"{quarter_label(self.network.as_of, 0)}"
        )

    def __repr__(self) -> str:
        return f"<CascadeModel {self.scenario.name!r} n={self.n} T={self.horizon}>"


@functools.lru_cache(maxsize=8)
def credit_capex_inputs(year: int) -> dict:
    """The numbers the engine takes from ``credit`` and ``capex``, computed once per model.

    Parameters
    ----------
    year : int
        The network's as-of year: the year of the hyperscalers' leverage row
        used for the rating headroom (clipped to the years the funding model has).

    Returns
    -------
    dict
        ``lgd_secured`` and ``lgd_unsecured`` (decimals, Basel II foundation
        LGDs via :func:`borrowedtime.credit.lgd_for`); ``relet_discount``
        (decimal, mean of :class:`borrowedtime.capex.ReleasingGlut` discounts,
        essay XII's 30-50 %); ``flip_belief`` (``spend_stops`` of the default
        :class:`borrowedtime.capex.game.CapexGame`); ``flip_growth`` (annual log
        capex growth after the flip: the game's "everyone cuts" level, its lowest,
        0 % a year by default); ``lever_headroom_usd_bn``
        (USD bn: sum over the group of max(headroom turns with vehicles, 0)
        times EBITDA, :class:`borrowedtime.capex.FundingModel`).
    """
    from borrowedtime.capex import FundingModel, ReleasingGlut
    from borrowedtime.capex.game import CapexGame
    from borrowedtime.credit import lgd_for

    lev = FundingModel().run().leverage
    lev = lev[lev["name"].isin(FundingModel().group)]
    yr = int(np.clip(year, lev["year"].min(), lev["year"].max()))
    row = lev[lev["year"] == yr]
    headroom = float((row["headroom_turns_with_vehicles"].clip(lower=0.0) * row["ebitda_usd_bn"]).sum())
    game = CapexGame()
    flip = game.flip_beliefs()["spend_stops"]
    return {
        "lgd_secured": lgd_for("senior", "other_physical"),
        "lgd_unsecured": lgd_for("senior", None),
        "relet_discount": float(np.mean(ReleasingGlut.from_inputs().discounts)),
        "flip_belief": 0.0 if flip is None else float(flip),
        "flip_growth": float(np.log1p(game.levels[0])),
        "lever_headroom_usd_bn": headroom,
    }


def _central(d) -> float:
    """The central value of an input's distribution: its median (the deterministic central path's draw)."""
    if d.dist == "fixed":
        return float(d.value)
    if d.dist == "normal":
        return float(d.mean)
    if d.dist == "lognormal":
        return float(d.median)
    if d.dist == "uniform":
        return 0.5 * (d.low + d.high)
    a, c, b = d.low, d.mode, d.high  # triangular
    if b == a:
        return float(a)
    if c - a >= 0.5 * (b - a):
        return float(a + np.sqrt(0.5 * (b - a) * (c - a)))
    return float(b - np.sqrt(0.5 * (b - a) * (b - c)))


def _lab_plan(scn: Scenario, net: ExposureNetwork, T: int, cx=None) -> dict:
    """The labs' plans by quarter and the edge schedule with each lab's contracted total spread on its edges.

    Returns a dict of arrays over (labs, quarters): ``rev_q`` (revenue rate received, annual USD bn),
    ``rev_smooth`` and ``g_plan`` (the plan's smooth revenue rate and annual log growth, for the marks),
    ``cost_q`` and ``contracted_q`` (USD bn per quarter), ``compute_share``, ``mark0``, ``cash0``,
    ``first_test_q`` (the treadmill's next round, -1: none), ``plan_end_q`` (end of the projections),
    ``step_up`` (the treadmill's achievable step-up at its next round, nan: none), ``rounds`` (lab ->
    :class:`~borrowedtime.treadmill.rounds.RoundsResult`), ``sched`` and ``lab_of_edge``.
    """
    kinds = np.array(net.kinds)
    labs = tuple(scn.labs)
    for lab in labs:
        if lab not in net.names:
            raise SpecError(f"{scn.file}: labs.{lab}: no entity {lab!r} in the complex.")
    lab_index = np.array([net.index(x) for x in labs], dtype=np.intp)
    m = net.src.size
    lab_of_edge = np.full(m, -1, dtype=np.intp)
    for k in range(m):
        hit = np.flatnonzero(lab_index == net.src[k])
        if hit.size:
            lab_of_edge[k] = hit[0]
    sched = net.schedule(T)
    platform_dst = np.isin(kinds[net.dst], ("hyperscaler", "neocloud"))
    L = len(labs)
    out = {k: np.zeros((L, T)) for k in ("rev_q", "rev_smooth", "g_plan", "cost_q", "contracted_q")}
    out.update(compute_share=np.full(L, scn.param("compute_share")), mark0=np.zeros(L), cash0=np.zeros(L),
               first_test_q=np.full(L, NEVER, dtype=np.int64), plan_end_q=np.zeros(L, dtype=np.int64),
               step_up=np.full(L, np.nan), rounds={})
    years = net.as_of.year + (net.as_of.month - 1) / 12 + np.arange(T) / 4.0  # quarter starts
    mean_accel = _central(scn.distributions["revenue_accel"])
    for li, (lab_name, spec) in enumerate(scn.labs.items()):
        own = lab_of_edge == li
        if spec.plan == "treadmill":
            try:
                tp = _treadmill_plan(years, mean_accel, cx, lab_name, spec, net.as_of)
            except SpecError as exc:
                raise SpecError(f"{scn.file}: {exc}") from None
            for k in ("rev_q", "rev_smooth", "g_plan"):
                out[k][li] = tp[k]
            out["contracted_q"][li] = tp["contracted"] / 4.0
            burn_share = tp["burn_share"]
            out["compute_share"][li] = tp["rounds"].compute_share
            out["mark0"][li] = float(tp["rounds"].marks.iloc[-1])
            out["cash0"][li] = tp["cash0"]
            out["first_test_q"][li] = tp["first_test_q"]
            out["plan_end_q"][li] = tp["plan_end_q"]
            out["step_up"][li] = tp["step_up"]
            out["rounds"][lab_name] = tp["rounds"]
        else:
            g = spec.growth.value + mean_accel * (years - years[0])
            rev_path = spec.revenue_usd_bn.value * np.exp(np.concatenate([[0.0], np.cumsum(g[:-1] / 4.0)]))
            out["rev_q"][li] = out["rev_smooth"][li] = rev_path
            out["g_plan"][li] = g
            burn_share = np.full(T, spec.burn_share.value)
            if spec.compute_per_revenue is not None:
                out["contracted_q"][li] = rev_path * spec.compute_per_revenue.value / 4.0
            else:
                out["contracted_q"][li] = sched[:, own].sum(axis=1)
        if spec.mark_usd_bn is not None:
            out["mark0"][li] = spec.mark_usd_bn.value
        if spec.cash_usd_bn is not None:
            out["cash0"][li] = spec.cash_usd_bn.value
        # the lab's edges share its contracted total in proportion to what each still owes
        own = own & platform_dst
        w = np.where(net.schedule(T)[:, own] > 0, net.amount_usd_bn[own], 0.0)
        tot = w.sum(axis=1, keepdims=True)
        sched[:, own] = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), 0.0) * out["contracted_q"][li][:, None]
        out["cost_q"][li] = out["rev_q"][li] * (1.0 + burn_share) / 4.0
    out.update(sched=sched, lab_of_edge=lab_of_edge)
    return out


def _anchors(scn: Scenario, plan: dict, T: int) -> tuple[np.ndarray, float]:
    r"""The multiple of forward revenue each lab's achievable mark is anchored on, and the drawn multiple's median.

    The achievable mark on a path is
    :math:`A = a_\ell\,(m / \tilde m)\,R^{fwd}\,e^{\kappa (g - g_0)}` with :math:`m` the drawn multiple,
    :math:`\tilde m` its median, :math:`R^{fwd}` forward revenue (half a year ahead) and :math:`g` growth.
    The anchor :math:`a_\ell` makes the central path (every input at its median, no shock) price as the
    lab's reading says: ``trend`` / ``target`` / ``reported`` at the treadmill's achievable step-up over
    the last mark at its next round (so the central path's first round is the treadmill's); ``mark`` at
    the last mark at quarter 0; ``multiple`` at the drawn multiple itself (:math:`a_\ell = \tilde m`).
    """
    m_med = _central(scn.distributions["multiple"])
    kappa = scn.param("multiple_growth_elasticity")
    g0 = plan["g_plan"][:, 0]
    anchor = np.full(len(scn.labs), m_med)
    for li, (lab, spec) in enumerate(scn.labs.items()):
        reading = spec.reading
        if reading == "multiple":
            continue
        q = int(plan["first_test_q"][li]) if reading != "mark" else 0
        if reading != "mark" and not 0 <= q < T:
            raise SpecError(f"{scn.file}: labs.{lab}: the treadmill's next round (quarter {q}) is outside the "
                            f"horizon of {T} quarters; choose achievable: mark or multiple.")
        g = plan["g_plan"][li, q]
        fwd = plan["rev_smooth"][li, q] * np.exp(g / 2.0) * np.exp(kappa * (g - g0[li]))
        target = plan["mark0"][li] * (plan["step_up"][li] if reading != "mark" else 1.0)
        anchor[li] = target / fwd
    return anchor, m_med


def _incidence(index: np.ndarray, n: int):
    """(m, n) one-hot of each edge's entity (-1: none); dense when small, CSR otherwise."""
    m = index.size
    ok = index >= 0
    if m * n <= 200_000:
        out = np.zeros((m, n))
        out[np.flatnonzero(ok), index[ok]] = 1.0
        return out
    from scipy import sparse

    return sparse.csr_matrix((np.ones(ok.sum()), (np.flatnonzero(ok), index[ok])), shape=(m, n))


def _scatter(values: np.ndarray, inc) -> np.ndarray:
    """Sum (P, m) edge values into (P, n) entity totals."""
    if isinstance(inc, np.ndarray):
        return values @ inc
    return np.asarray((inc.T @ values.T).T)


def _complex_with_overlay(scn: Scenario):
    """The packaged complex with the scenario's overlay merged by the complex loader."""
    from borrowedtime.complex import load_complex

    if not scn.complex_overlay:
        return load_complex()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{scn.name}-overlay.yaml"
        path.write_text(yaml.safe_dump(scn.complex_overlay, sort_keys=False), encoding="utf-8")
        try:
            return load_complex(overlay=path)
        except SpecError as exc:
            raise SpecError(f"{scn.file}: complex_overlay: {exc}".replace(str(path), "complex_overlay")) from None


def _treadmill_plan(years: np.ndarray, mean_accel: float, cx, entity: str, spec, as_of) -> dict:
    """A lab's plan by quarter from the treadmill (:class:`~borrowedtime.treadmill.rounds.RoundsSpec`).

    The same reading and defaults as :func:`borrowedtime.treadmill.run_treadmill`: the entity's figures
    in the scenario's complex (overlay included), contracted compute on the ``compute`` reading
    (``contracts`` by default, undated commitments over ``undated_term_years``), the observed compute
    share. Within each calendar year the flows are the year's figure spread evenly (the treadmill's
    :meth:`~borrowedtime.treadmill.rounds.RoundsResult.flow_between`), so on the central path the
    cash the lab holds and the raise it needs are the treadmill's. After the last projected year
    revenue growth keeps decelerating at the mean acceleration (floored at zero), the burn share stays
    at its last value, contracted compute is what the contracts still schedule (zero after the last
    payment; the ``ramp`` reading holds its last value) (assumptions). The smooth revenue rate (yearly
    figures at mid-year, interpolated in logs) gives the plan's growth for the marks.

    ``cash0`` is the treadmill's cash on hand at quarter 0; ``first_test_q`` the quarter starting at
    the treadmill's next round date (the reported next mark's); ``plan_end_q`` the quarter after
    ``burn_through``; ``step_up`` the treadmill's achievable step-up on the lab's ``achievable``
    reading (``trend`` of past step-ups by default; nan for ``mark`` / ``multiple``).
    """
    import pandas as pd

    from borrowedtime.network.graph import _quarter_offset
    from borrowedtime.treadmill.rounds import RoundsSpec

    reading = spec.reading
    kw = dict(compute=spec.compute, undated_term_years=spec.undated_term_years)
    if reading in ("trend", "target", "reported"):
        kw["achievable"] = reading
    try:
        rounds = RoundsSpec.from_complex(cx, entity, **kw).run()
    except SpecError as exc:
        raise SpecError(f"labs.{entity}: plan treadmill: {exc}") from None
    rev = rounds.revenue
    ry = rev.index.to_numpy(float)
    lr = np.log(rev.to_numpy(float))
    last_g = lr[-1] - lr[-2]
    ext_years = np.arange(ry[-1] + 1, np.floor(years[-1]) + 2)
    ext = lr[-1] + np.cumsum(np.maximum(last_g + mean_accel * (ext_years - ry[-1]), 0.0))
    all_y, all_lr = np.concatenate([ry, ext_years]), np.concatenate([lr, ext])
    y = np.floor(years + 1e-9).astype(int)
    rev_q = np.exp(np.interp(y, all_y, all_lr))  # the calendar year's figure
    mid = years + 0.125  # quarter midpoints against yearly figures at mid-year
    rev_smooth = np.exp(np.interp(mid, all_y + 0.5, all_lr))
    g_plan = np.gradient(np.log(rev_smooth), 0.25) if years.size > 1 else np.array([last_g])
    burn = rounds.burn_share
    burn_share = burn.reindex(np.clip(y, burn.index.min(), burn.index.max())).to_numpy(float)
    comp = rounds.contracted_compute
    if spec.compute == "ramp":
        contracted = comp.reindex(np.clip(y, comp.index.min(), comp.index.max())).to_numpy(float)
    else:
        contracted = comp.reindex(y, fill_value=0.0).to_numpy(float)
    start = pd.Timestamp(as_of)
    cash0 = rounds.cash_on_hand(start) if start >= rounds.marks.index[-1] else float("nan")
    if not np.isfinite(cash0):
        raise SpecError(f"labs.{entity}: the complex's as_of ({as_of}) is before the lab's last round; "
                        "give cash_usd_bn.")
    days = (rounds.next_date - start).days
    first = int(round(days / (365.25 / 4))) if days >= 0 else NEVER
    end = _quarter_offset(as_of, pd.Timestamp(year=rounds.spec.burn_through + 1, month=1, day=1).date())
    step = rounds.achievable_step_up() if reading in ("trend", "target", "reported") else float("nan")
    return {"rev_q": rev_q, "rev_smooth": rev_smooth, "g_plan": g_plan, "burn_share": burn_share,
            "contracted": contracted, "cash0": float(cash0), "first_test_q": first, "plan_end_q": max(end, 0),
            "step_up": step, "rounds": rounds}


# ----------------------------------------------------------------------------- random inputs
def draw_inputs(model: CascadeModel, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Draw every random number of ``n`` paths, always in the same order.

    Returns ``inputs`` (n, K) in the order of
    :data:`~borrowedtime.cascade.scenario.INPUTS`, ``lab_z`` (n, L) standard
    normals for the labs' accelerations, ``rev_shock`` (n, T, L) and
    ``capex_shock`` (n, T) standard normals; lab shocks are correlated at
    ``lab_correlation`` with the first lab's.
    """
    scn = model.scenario
    X = np.empty((n, len(INPUTS)))
    for k, name in enumerate(INPUTS):
        d = scn.distributions[name]
        u = rng.standard_normal(n) if d.dist in ("normal", "lognormal") else rng.random(n)
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
    z[:, 1:] = rho * z[:, :1] + s * z[:, 1:]
    shocks[:, :, 1:] = rho * shocks[:, :, :1] + s * shocks[:, :, 1:]
    return {"inputs": X, "lab_z": z, "rev_shock": shocks, "capex_shock": cap}


def central_draws(model: CascadeModel, n: int = 1) -> dict[str, np.ndarray]:
    """Draws of the deterministic central path: every input at its median, every shock zero.

    On this path a treadmill lab's revenue, cash and first round are the treadmill's
    (:func:`borrowedtime.treadmill.run_treadmill` with the same inputs): the reconciliation test.
    """
    L, T = len(model.labs), model.horizon
    x = np.array([_central(model.scenario.distributions[k]) for k in INPUTS])
    return {"inputs": np.tile(x, (n, 1)), "lab_z": np.zeros((n, L)), "rev_shock": np.zeros((n, T, L)),
            "capex_shock": np.zeros((n, T))}


# ----------------------------------------------------------------------------- state
@dataclass
class CascadeState:
    """Everything the cascade knows after a quarter, arrays over (paths, ...).

    Money in USD bn; ``*_q`` fields hold a quarter index or -1 (not yet).
    """

    q: int
    revenue: np.ndarray  # (P, L) annual rate received: the plan's times exp(dev)
    growth: np.ndarray  # (P, L) annual log growth: the plan's plus dgrowth
    dev: np.ndarray  # (P, L) log deviation of revenue from the plan
    dgrowth: np.ndarray  # (P, L) deviation of annual log growth from the plan's
    lab_cash: np.ndarray  # (P, L)
    mark: np.ndarray  # (P, L) last post-money value
    required: np.ndarray  # (P, L) required value at the last funding test (nan: none yet)
    achievable: np.ndarray  # (P, L) achievable value at the last funding test
    raised: np.ndarray  # (P, L) raised this quarter
    trigger_q: np.ndarray  # (P, L)
    capex: np.ndarray  # (P,) annual rate
    capex_growth: np.ndarray  # (P,)
    flipped_q: np.ndarray  # (P,)
    frozen_q: np.ndarray  # (P,)
    cash: np.ndarray  # (P, N)
    loss: np.ndarray  # (P, N) cumulative credit losses and impairments
    h: np.ndarray  # (P, N) distress after DebtRank
    h_key: np.ndarray  # (P, N) direct distress h was computed from (2: defaulted)
    default_q: np.ndarray  # (P, N)
    distress_q: np.ndarray  # (P, N)
    remaining: np.ndarray  # (P, m) still owed per edge
    cut: np.ndarray  # (P, m) share of each edge cut by restructuring
    paid: np.ndarray  # (P, m) paid this quarter
    due: np.ndarray  # (P, m) due this quarter
    bought: np.ndarray  # (P, N) book value of seized assets bought
    stretch_used: dict = field(default_factory=dict)  # name -> (P,) amount put in, USD bn
    stretch_q: dict = field(default_factory=dict)  # name -> (P,) quarter used (-1)
    hold_until: np.ndarray | None = None  # (P, L) backstop: no funding test before this quarter
    lever_left: np.ndarray | None = None  # (P,) hyperscaler debt capacity left

    def copy(self) -> CascadeState:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = {k: a.copy() for k, a in v.items()} if isinstance(v, dict) else (
                v.copy() if isinstance(v, np.ndarray) else v)
        return CascadeState(**out)

    def take(self, rows: np.ndarray) -> CascadeState:
        """The state of some paths only (copies): stages run on the paths where something happens."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = {k: a[rows] for k, a in v.items()} if isinstance(v, dict) else (
                v[rows] if isinstance(v, np.ndarray) else v)
        return CascadeState(**out)

    def put(self, rows: np.ndarray, sub: CascadeState, names: tuple[str, ...]) -> None:
        """Write fields of a :meth:`take` back into these paths."""
        for name in names:
            v = getattr(self, name)
            if isinstance(v, dict):
                for k in v:
                    v[k][rows] = getattr(sub, name)[k]
            else:
                v[rows] = getattr(sub, name)

    def path(self, i: int) -> dict:
        """One path's values (for narratives and tests)."""
        return {f.name: (getattr(self, f.name)[i] if isinstance(getattr(self, f.name), np.ndarray) else None)
                for f in fields(self) if f.name not in ("stretch_used", "stretch_q")}


def _initial_state(model: CascadeModel, P: int) -> CascadeState:
    L, N, m = len(model.labs), model.n, model.network.src.size
    lever = model.scenario.stretches.hyperscaler_leverage
    return CascadeState(
        q=-1,
        revenue=np.tile(model.lab_rev_q[:, 0], (P, 1)),
        growth=np.tile(model.lab_growth0, (P, 1)),
        dev=np.zeros((P, L)),
        dgrowth=np.zeros((P, L)),
        lab_cash=np.tile(model.lab_cash0, (P, 1)),
        mark=np.tile(model.lab_mark0, (P, 1)),
        required=np.full((P, L), np.nan),
        achievable=np.full((P, L), np.nan),
        raised=np.zeros((P, L)),
        trigger_q=np.full((P, L), NEVER),
        capex=np.full(P, model.capex0),
        capex_growth=np.full(P, model.capex_growth0),
        flipped_q=np.full(P, NEVER),
        frozen_q=np.full(P, NEVER),
        cash=np.tile(model.cash0, (P, 1)),
        loss=np.zeros((P, N)),
        h=np.zeros((P, N)),
        h_key=np.zeros((P, N)),
        default_q=np.full((P, N), NEVER),
        distress_q=np.full((P, N), NEVER),
        remaining=np.tile(model.sched.sum(axis=0) + 0.0, (P, 1)),
        cut=np.zeros((P, m)),
        paid=np.zeros((P, m)),
        due=np.zeros((P, m)),
        bought=np.zeros((P, N)),
        stretch_used={k: np.zeros(P) for k in ("private_round", "backstop", "hyperscaler_leverage")},
        stretch_q={k: np.full(P, NEVER) for k in ("private_round", "backstop", "hyperscaler_leverage")},
        hold_until=np.full((P, L), NEVER),
        lever_left=np.full(P, min(lever.extra_debt_usd_bn or 0.0, model.lever_headroom_usd_bn) if lever.enabled else 0.0),
    )


def _x(draws: dict, name: str) -> np.ndarray:
    return draws["inputs"][:, INPUTS.index(name)]


def _relet(model: CascadeModel, draws: dict) -> np.ndarray:
    """(P,) share of lost receipts recovered: the share re-let (drawn) at the glut's discounted rent (capex)."""
    return _x(draws, "relet_value") * (1.0 - model.relet_discount)


# ----------------------------------------------------------------------------- the six stages
def stage_growth(model: CascadeModel, s: CascadeState, draws: dict, q: int) -> None:
    """Stage 0: revenue and capex growth move by their acceleration; levels follow (the second derivative)."""
    p = model.params
    sd = p["growth_shock_sd"]
    d_rev = model.scenario.distributions["revenue_accel"]
    d_cap = model.scenario.distributions["capex_accel"]
    a_cap = _x(draws, "capex_accel")
    cap_mean = d_cap.mean if d_cap.dist == "normal" else float(np.mean(d_cap.support()))
    # the hyperscaler-leverage stretch: debt funds capex at the pre-deceleration growth while capacity lasts
    levered = s.lever_left > 0
    a_eff = np.where(levered, np.maximum(a_cap, 0.0), a_cap)
    new_cap_growth = s.capex_growth + a_eff / 4.0 + sd * draws["capex_shock"][:, q]
    new_capex = s.capex * np.exp(new_cap_growth / 4.0)
    if levered.any():
        base_capex = s.capex * np.exp((s.capex_growth + a_cap / 4.0) / 4.0)
        extra = np.where(levered, np.maximum(new_capex - base_capex, 0.0) / 4.0, 0.0)
        s.stretch_used["hyperscaler_leverage"] += np.minimum(extra, s.lever_left)
        first = levered & (s.stretch_q["hyperscaler_leverage"] == NEVER)
        s.stretch_q["hyperscaler_leverage"][first] = q
        s.lever_left = np.maximum(s.lever_left - extra, 0.0)
    surprise = (a_eff - cap_mean) / 4.0 + sd * draws["capex_shock"][:, q]
    # lab accelerations: the first lab's is the drawn input, others correlated through lab_z; a path
    # leaves the plan by its acceleration's difference from the central one (the plan's own), its shocks
    # and the capex surprise the labs' revenue recycles
    sd_rev = d_rev.sd if d_rev.dist == "normal" else 0.0
    a_lab = _x(draws, "revenue_accel")[:, None] + sd_rev * (draws["lab_z"] - draws["lab_z"][:, :1])
    s.dgrowth = (s.dgrowth + (a_lab - _central(d_rev)) / 4.0 + sd * draws["rev_shock"][:, q, :]
                 + _x(draws, "recycling")[:, None] * surprise[:, None])
    s.dev = s.dev + s.dgrowth / 4.0
    s.growth = model.lab_g_plan[:, q][None, :] + s.dgrowth
    s.revenue = model.lab_rev_q[:, q][None, :] * np.exp(s.dev)
    s.capex_growth, s.capex = new_cap_growth, new_capex


def _net_need(model: CascadeModel, s: CascadeState, q: int, k) -> np.ndarray:
    r"""(P, L) projected need over the next k quarters (int or (L,) per lab), USD bn.

    The plan's outflows less the plan's revenue shifted by the path's deviation, which keeps growing at
    its current rate: :math:`\sum_j \max(O_{q+j} - R_{q+j} e^{dev + dg\,j/4}/4, 0)`. On the central
    path this is the treadmill's outflow net of revenue (burn plus contracted compute beyond the plan).
    """
    T = model.horizon
    k = np.broadcast_to(np.asarray(k, dtype=np.int64), (len(model.labs),))
    steps = np.arange(int(k.max()))
    idx = np.minimum(q + steps, T - 1)
    out = model.lab_outflow_q[:, idx]  # (L, k)
    rev = model.lab_rev_q[:, idx][None] * np.exp(s.dev[:, :, None] + s.dgrowth[:, :, None] * steps / 4.0) / 4.0
    use = steps[None, :] < k[:, None]
    return (np.maximum(out[None, :, :] - rev, 0.0) * use[None]).sum(axis=2)


def stage_marks(model: CascadeModel, s: CascadeState, draws: dict, q: int) -> None:
    """Stage 1: funding tests; the trigger when the achievable mark falls below the required one.

    Stretches act here: a larger private round or a backstop closes the first failing round instead.
    """
    p = model.params
    scn = model.scenario
    alive = (s.trigger_q == NEVER) & (s.default_q[:, model.lab_index] == NEVER)
    # a lab with a scheduled round (the treadmill's next) raises before it only if its cash would not last
    # to it (the treadmill's runway); otherwise when its cash covers fewer than buffer_quarters of need
    ahead = model.lab_first_test_q > q
    need_buffer = _net_need(model, s, q, np.where(ahead, model.lab_first_test_q - q, int(p["buffer_quarters"])))
    scheduled = (model.lab_first_test_q == q)[None, :]
    test = alive & ((s.lab_cash < need_buffer) | scheduled) & (s.hold_until <= q)
    s.raised[:] = 0.0
    if not test.any():
        return
    d = _x(draws, "dilution_limit")[:, None]
    # the raise funds the plan through its projections (the treadmill's burn_through) or cover_quarters
    cover = np.maximum(int(p["cover_quarters"]), model.lab_plan_end_q - q)
    F = np.maximum(_net_need(model, s, q, cover) - s.lab_cash, 0.0)
    required = F / d
    fwd = model.lab_rev_smooth[:, q][None, :] * np.exp(s.dev + s.growth / 2.0)
    achievable = (model.lab_anchor[None, :] * (_x(draws, "multiple")[:, None] / model.multiple_median) * fwd
                  * np.exp(p["multiple_growth_elasticity"] * (s.growth - model.lab_growth0[None, :])))
    s.required = np.where(test, required, s.required)
    s.achievable = np.where(test, achievable, s.achievable)
    clears = test & (achievable >= required)
    fails = test & ~clears
    s.lab_cash += np.where(clears, F, 0.0)
    s.raised += np.where(clears, F, 0.0)
    s.mark = np.where(clears, achievable, s.mark)
    for name in ("private_round", "backstop"):
        st = getattr(scn.stretches, name)
        if not st.enabled:
            continue
        ready = (s.stretch_q[name] == NEVER) & (q >= (st.quarter or 0))
        use = fails & ready[:, None]
        use &= np.cumsum(use, axis=1) == 1  # once per path, for the first lab that fails
        size = float(st.size_usd_bn or 0.0)
        s.lab_cash += np.where(use, size, 0.0)
        s.raised += np.where(use, size, 0.0)
        got = use.any(axis=1)
        s.stretch_used[name] += np.where(got, size, 0.0)
        s.stretch_q[name][got] = q
        if name == "backstop":
            s.hold_until = np.where(use, q + int(st.hold_quarters or 0), s.hold_until)
        fails &= ~use
    # the round prices below the required mark: raise what clears, the window shuts
    s.lab_cash += np.where(fails, d * achievable, 0.0)
    s.raised += np.where(fails, d * achievable, 0.0)
    s.mark = np.where(fails, achievable, s.mark)
    s.trigger_q = np.where(fails, q, s.trigger_q)


def stage_pullback(model: CascadeModel, s: CascadeState, draws: dict, q: int) -> None:
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


def stage_clearing(model: CascadeModel, s: CascadeState, draws: dict, q: int) -> np.ndarray:
    """Stage 3: covenant tests, acceleration, Rogers-Veraart clearing; returns the new defaults (P, N)."""
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
    shortfall = np.where(dead[:, net.src] | (shortfall < 1e-9), 0.0, shortfall)  # no rounding dust as losses
    s.loss += _scatter(shortfall * (1.0 - relet), model.in_inc)
    s.remaining = np.maximum(s.remaining - np.where(accel, s.remaining, contracted), 0.0)
    s.due, s.paid = owed, paid
    new_default = default & ~dead & (pbar > 0)
    # cash carried by neoclouds and vehicles; labs spend theirs
    solvent_cash = e_in + inflow - pay
    s.cash = np.where(model.tracks_cash[None, :], np.where(default, 0.0, solvent_cash), s.cash)
    lab_dead = new_default[:, model.lab_index] | dead[:, model.lab_index]
    s.lab_cash = np.where(lab_dead, 0.0, solvent_cash[:, model.lab_index])
    s.default_q = np.where(new_default, q, s.default_q)
    return new_default


def stage_freeze(model: CascadeModel, s: CascadeState, draws: dict, q: int, new_default: np.ndarray) -> None:
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


def stage_equity(model: CascadeModel, s: CascadeState, draws: dict, q: int) -> None:
    """Stage 5: distress by non-linear DebtRank on claims on the living; the capex game flips."""
    p = model.params
    dead = s.default_q != NEVER
    direct = np.where(dead, 1.0, np.minimum(1.0, s.loss / model.equity0[None, :]))
    # h is a function of the direct distress and of who is alive: recompute only the paths where either
    # moved since the last quarter (a defaulted entity keyed 2 so that its default alone counts as a move)
    key = np.where(dead, 2.0, direct)
    rows = np.flatnonzero((key != s.h_key).any(axis=1))
    s.h_key = key
    if rows.size:
        s.h[rows] = _debtrank(model.leverage, direct[rows], (~dead[rows]).astype(float), p["debtrank_alpha"])
    h = s.h
    s.distress_q = np.where((s.distress_q == NEVER) & (h >= p["distress_threshold"]), q, s.distress_q)
    hyper = model.network.of_kind("hyperscaler")
    if hyper.any():
        belief = 1.0 - h[:, hyper].mean(axis=1) / p["flip_distress"]  # the market's belief in the boom
        flip = (s.flipped_q == NEVER) & (belief < model.flip_belief) & (s.lever_left <= 0)
        s.flipped_q = np.where(flip, q, s.flipped_q)
        # the game moves from "everyone spends" to "everyone cuts": capex growth falls to the game's cut
        # level (capex.game, its lowest level: capex held flat), or by the scenario's flip_cut override
        cut = (np.full(s.capex_growth.shape, p["flip_cut"]) if "flip_cut" in p
               else np.maximum(s.capex_growth - model.flip_growth, 0.0))
        cut = np.where(flip, cut, 0.0)
        s.capex_growth = s.capex_growth - cut
        lab_cut = (_x(draws, "recycling") * cut)[:, None]
        s.dgrowth = s.dgrowth - lab_cut
        s.growth = s.growth - lab_cut


def _debtrank(Lam, d: np.ndarray, alive: np.ndarray, a: float) -> np.ndarray:
    """Non-linear DebtRank fixed point from direct distress ``d`` (rows, N), path by path (Bardoscia et al. 2016).

    ``Lam`` is the (N, N) leverage, dense or CSR (large sparse networks); value is lost only on claims
    on the living. Each path stops when it settles, so results do not depend on the batch.
    """
    h = d.copy()
    act = np.arange(d.shape[0])
    hm, dm, am = h, d, alive
    dense = isinstance(Lam, np.ndarray)
    for _ in range(200):
        v = hm * np.exp(a * (hm - 1.0)) * am  # value lost on claims on the living
        spread = v @ Lam.T if dense else np.asarray((Lam @ v.T).T)
        new = np.maximum(dm, np.minimum(1.0, dm + spread))
        still = np.max(np.abs(new - hm), axis=1) >= 1e-12
        h[act] = new
        if still.all():
            hm = new
            continue
        act, hm, dm, am = act[still], new[still], dm[still], am[still]
        if act.size == 0:
            break
    return h


def stage_strong_buy(model: CascadeModel, s: CascadeState, draws: dict, q: int, new_default: np.ndarray) -> None:
    """Stage 6: seized data centres sold at a fire-sale price to the least distressed hyperscaler.

    Book value is the seized entity's remaining non-recourse debt over ``ltv``;
    proceeds go to its creditors pro rata (recovery), the rest of what it owed
    is their loss; its tenants' contracts end with it (the buyer re-lets on new
    terms, outside the model).
    """
    rows = np.flatnonzero(new_default.any(axis=1))  # only the paths with a new seizure
    if rows.size == 0:
        return
    sub = s.take(rows)
    _strong_buy(model, sub, {k: v[rows] for k, v in draws.items()}, new_default[rows])
    s.put(rows, sub, ("loss", "remaining", "bought"))


def _strong_buy(model: CascadeModel, s: CascadeState, draws: dict, new_default: np.ndarray) -> None:
    net, p = model.network, model.params
    D = new_default
    E = D[:, net.src]  # edges owed by a new defaulter
    owed = np.where(E, s.remaining, 0.0)
    total = _scatter(owed, model.out_inc)
    book = _scatter(np.where(E & model.debt_edge[None, :], s.remaining, 0.0), model.out_inc) / p["ltv"]
    proceeds = np.where(model.tracks_cash[None, :], np.minimum(_x(draws, "fire_sale")[:, None] * book, total), 0.0)
    # a seized vehicle's lenders lose the credit module's LGD: secured (other physical collateral) on the
    # share the fire-sale proceeds cover, unsecured on the rest (lgd_for's coverage blend)
    cover = np.divide(proceeds, total, out=np.zeros_like(total), where=total > 0)
    lgd = cover * model.lgd_secured + (1.0 - cover) * model.lgd_unsecured
    # a lab's creditors re-let what they can
    lost = np.where(model.tracks_cash[net.src][None, :], owed * lgd[:, net.src],
                    owed * (1.0 - _relet(model, draws)[:, None]))
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


# ----------------------------------------------------------------------------- the loop
@dataclass(frozen=True, eq=False)
class Outcome:
    """What a run of the cascade returns per path (arrays; quarters as indices, -1 for never)."""

    trigger_q: np.ndarray  # (P, L)
    default_q: np.ndarray  # (P, N)
    distress_q: np.ndarray  # (P, N)
    loss: np.ndarray  # (P, N) USD bn
    h: np.ndarray  # (P, N)
    bought: np.ndarray  # (P, N) USD bn of book value
    flipped_q: np.ndarray  # (P,)
    frozen_q: np.ndarray  # (P,)
    stretch_used: dict
    inputs: np.ndarray  # (P, K)
    history: tuple = ()

    @property
    def first_trigger_q(self) -> np.ndarray:
        """(P,) first quarter any lab fails to clear its mark (-1: none)."""
        t = np.where(self.trigger_q == NEVER, np.iinfo(np.int64).max, self.trigger_q).min(axis=1)
        return np.where(t == np.iinfo(np.int64).max, NEVER, t)


def simulate(model: CascadeModel, draws: dict, *, record: bool = False) -> Outcome:
    """Run the cascade over the paths in ``draws`` (from :func:`draw_inputs`).

    Parameters
    ----------
    record : bool
        Keep the :class:`CascadeState` after every quarter (``Outcome.history``).
    """
    P = draws["inputs"].shape[0]
    s = _initial_state(model, P)
    history = []
    for q in range(model.horizon):
        s.q = q
        stage_growth(model, s, draws, q)
        stage_marks(model, s, draws, q)
        stage_pullback(model, s, draws, q)
        new_default = stage_clearing(model, s, draws, q)
        stage_freeze(model, s, draws, q, new_default)
        stage_strong_buy(model, s, draws, q, new_default)
        stage_equity(model, s, draws, q)
        if record:
            history.append(s.copy())
    return Outcome(
        trigger_q=s.trigger_q, default_q=s.default_q, distress_q=s.distress_q, loss=s.loss, h=s.h,
        bought=s.bought, flipped_q=s.flipped_q, frozen_q=s.frozen_q, stretch_used=s.stretch_used,
        inputs=draws["inputs"], history=tuple(history),
    )


def narrative(model: CascadeModel, outcome: Outcome, path: int = 0) -> list[str]:
    """One path as a timeline of dated events ("2027Q2: OpenAI round clears at 1.10x against 1.40x required")."""
    if not outcome.history:
        raise SpecError("narrative needs a recorded run: simulate(..., record=True).")
    net = model.network
    label = {n: n for n in net.names}
    lines: list[str] = []
    prev = None
    for st in outcome.history:
        q = st.q
        when = quarter_label(net.as_of, q)
        for li, lab in enumerate(model.labs):
            tested = prev is None or not np.isclose(st.required[path, li], prev.required[path, li], equal_nan=True)
            if tested and np.isfinite(st.required[path, li]):
                last = model.lab_mark0[li] if prev is None else prev.mark[path, li]
                ach, req = st.achievable[path, li] / last, st.required[path, li] / last
                verdict = "clears" if st.trigger_q[path, li] != q else "FAILS: the trigger"
                lines.append(f"{when}: {label[lab]} round {verdict} at {ach:.2f}x against {req:.2f}x required "
                             f"(raised {st.raised[path, li]:,.0f} bn)")
            if st.trigger_q[path, li] == q:
                lines.append(f"{when}: {label[lab]} pulls back on take-or-pay commitments")
        for name, _used in st.stretch_used.items():
            if st.stretch_q[name][path] == q:
                lines.append(f"{when}: stretch '{name}' used")
        new_def = np.flatnonzero(st.default_q[path] == q)
        if new_def.size:
            lines.append(f"{when}: seized / in default: {', '.join(net.names[i] for i in new_def)}")
        if st.frozen_q[path] == q:
            lines.append(f"{when}: credit freezes: GPU-backed debt cannot roll; backlog repriced")
        new_dis = np.flatnonzero((st.distress_q[path] == q) & (st.default_q[path] != q))
        if new_dis.size:
            top = sorted(new_dis, key=lambda i: -st.h[path, i])[:6]
            lines.append(f"{when}: distress (equity loss >= {model.params['distress_threshold']:.0%}): "
                         + ", ".join(f"{net.names[i]} {st.h[path, i]:.0%}" for i in top))
        if st.flipped_q[path] == q:
            lines.append(f"{when}: the capex game flips: capex repriced from option to cost")
        if prev is not None:
            b = st.bought[path] - prev.bought[path]
            for i in np.flatnonzero(b > 0):
                lines.append(f"{when}: {net.names[i]} buys stranded data centres, {b[i]:,.1f} bn of book")
        prev = st
    if not lines:
        lines.append(f"{quarter_label(net.as_of, 0)}-{quarter_label(net.as_of, model.horizon - 1)}: "
                     "every round clears; no trigger within the horizon")
    return lines
