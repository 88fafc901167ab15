"""A scenario compiled to arrays: the cascade's model over entities, labs, edges and quarters.

:meth:`CascadeModel.from_scenario` merges the scenario's overlay on the complex
(as data, no file written), builds the exposure network, the labs' plans
(a ``plan: treadmill`` lab's from :class:`~borrowedtime.treadmill.rounds.RoundsSpec`),
the edge schedule and the balance sheets. The stages
(:mod:`~borrowedtime.cascade.stages`) read it and never change it.

What comes from the other modules (computed once, by
:func:`credit_capex_inputs`, and held on the model as numbers):

- ``credit``: the lenders' LGD on a seized vehicle's debt by seniority and
  collateral (:func:`borrowedtime.credit.lgd_for`, Basel foundation values:
  senior secured on other physical collateral, the uncovered part unsecured).
- ``capex``: the game's flip belief (:meth:`borrowedtime.capex.game.CapexGame.flip_beliefs`,
  ``spend_stops``); the hyperscaler-leverage stretch's cap
  (:class:`borrowedtime.capex.FundingModel`, ``headroom_turns_with_vehicles``
  times EBITDA); re-let capacity rents at the re-leasing glut's discount
  (:class:`borrowedtime.capex.ReleasingGlut`, the mean of its discounts).

Units: USD bn (flows per quarter unless named annual); growth as annual log
growth; shares decimal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from borrowedtime.cascade.scenario import Scenario
from borrowedtime.errors import SpecError
from borrowedtime.network import ExposureNetwork, network_from_complex, quarter_label
from borrowedtime.network.clearing import EdgeSum

__all__ = ["NEVER", "CascadeModel", "credit_capex_inputs"]

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
    out_inc: EdgeSum  # edge -> debtor
    in_inc: EdgeSum  # edge -> creditor
    guar_inc: EdgeSum  # edge -> guarantor
    capex0: float
    capex_growth0: float
    params: dict
    lgd_secured: float  # credit: senior, other physical collateral (GPU / data-centre lien)
    lgd_unsecured: float  # credit: senior unsecured
    relet_discount: float  # capex: rent discount a replacement tenant demands in a glut
    flip_belief: float  # capex: belief below which "everyone spends" stops being an equilibrium
    flip_growth: float  # capex: capex log growth of the game's "everyone cuts" equilibrium
    lever_headroom_usd_bn: float  # capex: debt the hyperscalers can add at their ratings

    @property
    def n(self) -> int:
        return self.network.n

    @functools.cached_property
    def hyperscalers(self) -> np.ndarray:
        """Entity numbers of the hyperscalers (the capex game's players), in entity order."""
        return np.flatnonzero(self.network.of_kind("hyperscaler"))

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
            elif "equity_usd_bn" in dflt:
                equity0[i] = dflt["equity_usd_bn"]
            else:
                raise SpecError(
                    f"{scn.file}: balance_sheets: no equity for {name!r} (kind {kind}): the complex has no "
                    f"equity_usd_bn for it; give balance_sheets.{name}.equity_usd_bn or "
                    f"balance_sheets.by_kind.{kind}.equity_usd_bn (USD bn).")
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

    def with_params(self, **values: float) -> CascadeModel:
        """The same compiled model with some ``model`` values replaced (they act inside the stages only)."""
        import dataclasses

        scn = self.scenario.with_params(**values)
        return dataclasses.replace(self, scenario=scn, params={k: scn.param(k) for k in scn.model})

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
    if flip is None:
        raise SpecError("capex: the capex game (capex.game.CapexGame, capex_inputs.yaml) has no 'everyone spends' "
                        "equilibrium at any belief, so the cascade's flip belief (spend_stops) is undefined; "
                        "check the game's payoffs.")
    return {
        "lgd_secured": lgd_for("senior", "other_physical"),
        "lgd_unsecured": lgd_for("senior", None),
        "relet_discount": float(np.mean(ReleasingGlut.from_inputs().discounts)),
        "flip_belief": float(flip),
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
            # growth decelerates at the mean acceleration to zero, then stays there (as a treadmill plan beyond
            # its projections): a plan does not shrink by assumption
            g = np.maximum(spec.growth.value + mean_accel * (years - years[0]), 0.0)
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


def _incidence(index: np.ndarray, n: int) -> EdgeSum:
    """Each edge's entity (-1: none) as an edge-to-entity sum (:class:`~borrowedtime.network.clearing.EdgeSum`)."""
    return EdgeSum(index, n)


def _scatter(values: np.ndarray, inc: EdgeSum) -> np.ndarray:
    """Sum (P, m) edge values into (P, n) entity totals, row by row (results do not depend on the batch)."""
    return inc(values)


def _complex_with_overlay(scn: Scenario):
    """The packaged complex with the scenario's overlay merged by the complex loader."""
    from borrowedtime.complex import load_complex

    if not scn.complex_overlay:
        return load_complex()
    try:
        return load_complex(overlay=("complex_overlay", scn.complex_overlay))
    except SpecError as exc:
        raise SpecError(f"{scn.file}: {exc}") from None


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
    kw = dict(compute=spec.compute, undated_term_years=spec.undated_term_years, inputs=spec.inputs)
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


