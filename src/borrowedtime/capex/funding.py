r"""Funding: capex against operating cash flow, the gap, the debt it implies, leverage and notches.

Section VII of the essay: "Aggregate capex as a share of operating cash flow ran
near 30% in 2022, roughly 42% in 2023, about 50% in 2024, and approximately 60%
in 2025; on consensus spending it reaches 100% in 2026. Above that line ...
every marginal dollar of capacity is funded ... from the balance sheet". Section
VIII: "hyperscaler investment-grade leverage at roughly 1.8 turns of gross debt"
before "the hundred-billion-plus parked off the balance sheet in the vehicles".

Two paths of the ratio, with their definitions:

* **essay path**: the ratios the essay states (30/42/50/60/100 %), aggregate
  hyperscaler capex over operating cash flow, calendar years, group unstated;
  the essay's capex levels (150/226/410/725/1,100) divided by them give the
  operating cash flow the essay implies.
* **filed path**: the sum over Microsoft (fiscal years to 30 June), Alphabet,
  Amazon and Meta of filed purchases of property and equipment (Meta incl.
  finance-lease principal; Amazon 2025 net of proceeds) over the sum of filed
  net cash from operating activities, FY2022-FY2025; then 2026 capex as guided
  (``capex_inputs.yaml``) and 2027 at the essay's +52 %, against operating
  cash flow grown at a stated rate (``projection.ocf_growth``, 15 % a year).

Each firm's leverage path starts from its last filed gross debt and EBITDA;
each year's gap above 100 % (times ``debt_share_of_gap``) is added to debt and
EBITDA grows at ``ebitda_growth``. With vehicles, the debt of the
off-balance-sheet vehicles a firm leases from or guarantees (read from the
complex) is added. The rating step is :mod:`borrowedtime.capex.ratings` (S&P's
anchor matrix on debt/EBITDA alone).

Notes
-----
Units: money in USD bn, ratios as decimals (1.0 is 100 %), leverage in turns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised
from borrowedtime.capex import ratings
from borrowedtime.capex._data import FILED_GROUP, ComplexFigures, capex_inputs, complex_figures
from borrowedtime.errors import DataError, SpecError

__all__ = ["FundingModel", "FundingResult", "capex_to_ocf", "crossing_year", "funding_gap"]


def capex_to_ocf(capex, ocf, *, where: str = "") -> np.ndarray:
    """Capex / operating cash flow, refusing a cash flow that makes the ratio meaningless.

    Raises
    ------
    DataError
        When an operating cash flow is zero, negative or not finite (``where`` names the row).
    """
    capex_a, ocf_a = np.asarray(capex, dtype=float), np.asarray(ocf, dtype=float)
    bad = ~np.isfinite(ocf_a) | (ocf_a <= 0)
    if np.any(bad):
        k = int(np.flatnonzero(np.atleast_1d(bad))[0])
        value = float(np.atleast_1d(ocf_a)[k])
        entry = f" (entry {k})" if ocf_a.size > 1 else ""
        raise DataError(f"{where or 'operating cash flow'}: a capex / cash-flow ratio needs operating cash flow > 0; "
                        f"got {value:g}{entry}. A negative cash flow has no ratio: the whole of capex is a gap.")
    if np.any(~np.isfinite(capex_a)) or np.any(capex_a < 0):
        raise DataError(f"{where or 'capex'}: capex must be finite and >= 0; got {capex!r}")
    return capex_a / ocf_a


def funding_gap(capex, ocf) -> np.ndarray:
    """Capex above operating cash flow (USD bn, zero below the 100 % line)."""
    return np.maximum(np.asarray(capex, dtype=float) - np.asarray(ocf, dtype=float), 0.0)


def crossing_year(ratio: pd.Series, line: float = 1.0) -> int | None:
    """The year a ratio crosses ``line`` and stays at or above it to the end of the path.

    None when the last value is below the line. (Amazon's 2022, 136 %, followed by years
    below 100 %, is not a crossing: the build's crossing is the one that lasts.)
    """
    above = ratio.to_numpy() >= line - 1e-12
    if above.size == 0 or not above[-1]:
        return None
    below = np.flatnonzero(~above)
    start = 0 if below.size == 0 else int(below[-1]) + 1
    return int(ratio.index[start])


def _value(item, *, where: str) -> float:
    if isinstance(item, dict):
        item = item.get("value")
    try:
        v = float(item)
    except (TypeError, ValueError):
        raise DataError(f"capex_inputs.yaml, {where}: expected a number, got {item!r}") from None
    if not np.isfinite(v):
        raise DataError(f"capex_inputs.yaml, {where}: expected a finite number, got {item!r}")
    return v


@dataclass(frozen=True)
class FundingModel:
    """Settings of the funding model.

    Parameters
    ----------
    ocf_growth, ebitda_growth : float, optional
        Annual growth of operating cash flow and EBITDA beyond the last filed year (decimal);
        from ``capex_inputs.yaml`` when None.
    capex_growth_2027 : float, optional
        Capex growth into 2027 (decimal); the essay's +52 % when None.
    debt_share_of_gap : float, optional
        Share of the gap above 100 % funded by debt (the rest by equity).
    group : tuple of str
        Firms summed into the filed path (default: the audit's four).
    end_year : int
        Last projected year.
    rating_overrides : mapping of str to str
        Current ratings (S&P or Moody's symbols) to use instead of the packaged S&P ones.
    """

    ocf_growth: float | None = None
    ebitda_growth: float | None = None
    capex_growth_2027: float | None = None
    debt_share_of_gap: float | None = None
    group: tuple[str, ...] = FILED_GROUP
    end_year: int = 2027
    rating_overrides: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("ocf_growth", "ebitda_growth", "capex_growth_2027"):
            v = getattr(self, name)
            if v is not None and not (np.isfinite(v) and v > -1.0):
                raise SpecError(f"The {name!r} parameter of FundingModel must be a decimal growth rate > -1. "
                                f"Got {v!r} instead.")
        if self.debt_share_of_gap is not None and not 0.0 <= self.debt_share_of_gap <= 1.0:
            raise SpecError(f"The 'debt_share_of_gap' parameter of FundingModel must be in [0, 1]. "
                            f"Got {self.debt_share_of_gap!r} instead.")
        if not self.group:
            raise SpecError("FundingModel needs at least one firm in 'group'; got an empty list.")
        for firm, symbol in dict(self.rating_overrides).items():
            ratings.rating_notch(symbol)  # SpecError names an unknown symbol
            if not isinstance(firm, str) or not firm:
                raise SpecError(f"rating_overrides: expected firm names as keys; got {firm!r}")
        if self.end_year < 2026:
            raise SpecError(f"The 'end_year' parameter of FundingModel must be >= 2026. Got {self.end_year!r}.")

    def _param(self, name: str) -> float:
        own = getattr(self, name)
        if own is not None:
            return float(own)
        return _value(capex_inputs()["projection"][name], where=f"projection.{name}")

    def run(self, figures: ComplexFigures | None = None, inputs: dict | None = None) -> FundingResult:
        """Compute both ratio paths, per-firm gaps, leverage and notches."""
        figures = complex_figures() if figures is None else figures
        inputs = capex_inputs() if inputs is None else inputs
        firms_in = inputs["hyperscalers"]
        stray = [n for n in dict(self.rating_overrides) if n not in firms_in or n == "checked_note"]
        if stray:
            raise SpecError(f"rating_overrides: unknown firm(s) {', '.join(map(repr, stray))}")
        unknown = [n for n in self.group if n not in firms_in]
        if unknown:
            raise SpecError(f"unknown firm(s) {', '.join(map(repr, unknown))} in group: capex_inputs.yaml has "
                            f"{', '.join(k for k in firms_in if k != 'checked_note')}")
        g_ocf, g_ebitda = self._param("ocf_growth"), self._param("ebitda_growth")
        g_capex27, debt_share = self._param("capex_growth_2027"), self._param("debt_share_of_gap")
        years = np.arange(2022, self.end_year + 1)

        rows = []
        for name, spec in firms_in.items():
            if name == "checked_note":
                continue
            rows.extend(self._firm_years(name, spec, figures, years, g_ocf, g_capex27))
        firms = pd.DataFrame(rows)
        for _, row in firms.iterrows():  # name the firm and year of a cash flow that has no ratio
            capex_to_ocf(row["capex_usd_bn"], row["operating_cash_flow_usd_bn"],
                         where=f"{row['name']} {row['year']} ({row['kind']}) operating cash flow")
        firms["ratio"] = firms["capex_usd_bn"] / firms["operating_cash_flow_usd_bn"]
        firms["gap_usd_bn"] = funding_gap(firms["capex_usd_bn"], firms["operating_cash_flow_usd_bn"])
        firms["issuance_usd_bn"] = firms["gap_usd_bn"] * debt_share
        leverage = self._leverage(firms, firms_in, figures, g_ebitda)

        grp = firms[firms["name"].isin(self.group)]
        counts = grp.groupby("year")["name"].nunique()
        full = counts[counts == len(self.group)].index
        agg = grp[grp["year"].isin(full)].groupby("year")[
            ["capex_usd_bn", "operating_cash_flow_usd_bn", "gap_usd_bn", "issuance_usd_bn"]].sum()
        kind = grp[grp["year"].isin(full)].groupby("year")["kind"].agg(lambda s: "+".join(sorted(set(s))))
        paths = pd.DataFrame(index=pd.Index(years, name="year"))
        paths["essay_capex_usd_bn"] = figures.essay_capex.reindex(years)
        paths["essay_ratio"] = figures.essay_ratio.reindex(years)
        paths["essay_ocf_usd_bn"] = paths["essay_capex_usd_bn"] / paths["essay_ratio"]
        paths["filed_capex_usd_bn"] = agg["capex_usd_bn"].reindex(years)
        paths["filed_ocf_usd_bn"] = agg["operating_cash_flow_usd_bn"].reindex(years)
        paths["filed_ratio"] = paths["filed_capex_usd_bn"] / paths["filed_ocf_usd_bn"]
        paths["filed_gap_usd_bn"] = agg["gap_usd_bn"].reindex(years)
        paths["filed_issuance_usd_bn"] = agg["issuance_usd_bn"].reindex(years)
        paths["filed_kind"] = kind.reindex(years)

        lgrp = leverage[leverage["name"].isin(self.group)]
        lcount = lgrp.groupby("year")["name"].nunique()
        lev = lgrp.groupby("year")[["debt_usd_bn", "debt_with_vehicles_usd_bn", "ebitda_usd_bn"]].sum()
        lev = lev[lev.index.isin(lcount[lcount == len(self.group)].index)]
        lev["leverage"] = lev["debt_usd_bn"] / lev["ebitda_usd_bn"]
        lev["leverage_with_vehicles"] = lev["debt_with_vehicles_usd_bn"] / lev["ebitda_usd_bn"]
        return FundingResult(
            paths=paths, firms=firms, leverage=leverage, aggregate_leverage=lev, model=self,
            vehicles=figures.off_balance_sheet.copy(),
            essay_leverage=_value(inputs["essay_leverage"]["gross_debt_to_ebitda"], where="essay_leverage"),
            assumptions={"ocf_growth": g_ocf, "ebitda_growth": g_ebitda, "capex_growth_2027": g_capex27,
                         "debt_share_of_gap": debt_share},
        )

    def _firm_years(self, name, spec, figures, years, g_ocf, g_capex27) -> list[dict]:
        filed = figures.filed[figures.filed["name"] == name].set_index("year")
        if filed.empty and "operating_cash_flow_usd_bn" in spec:
            fy = int(str(spec["fiscal_year"])[2:])
            filed = pd.DataFrame({
                "capex_usd_bn": [_value(spec["capex_usd_bn"], where=f"{name}.capex_usd_bn")],
                "operating_cash_flow_usd_bn": [_value(spec["operating_cash_flow_usd_bn"],
                                                      where=f"{name}.operating_cash_flow_usd_bn")]}, index=[fy])
        if filed.empty:
            return []
        out = []
        last = int(filed.index.max())
        ocf_last = float(filed.loc[last, "operating_cash_flow_usd_bn"])
        if "capex_2026_usd_bn" in spec:
            capex_2026 = _value(spec["capex_2026_usd_bn"], where=f"{name}.capex_2026_usd_bn")
        else:  # guidance the complex holds (its one home): Oracle's fiscal 2026
            capex_2026 = figures.guided_capex(name, 2026)
            if capex_2026 is None:
                raise DataError(f"capex_inputs.yaml, {name}: no capex_2026_usd_bn, and complex_2026.yaml has no "
                                "capex_usd_bn figure of period 'FY2026 guidance' for it.")
        for y in years:
            if y in filed.index:
                out.append({"name": name, "year": int(y), "kind": "filed",
                            "capex_usd_bn": float(filed.loc[y, "capex_usd_bn"]),
                            "operating_cash_flow_usd_bn": float(filed.loc[y, "operating_cash_flow_usd_bn"])})
            elif y > last:
                capex = capex_2026 if y == 2026 else capex_2026 * (1 + g_capex27) ** (y - 2026)
                if y < 2026:
                    continue
                out.append({"name": name, "year": int(y), "kind": "guided" if y == 2026 else "projected",
                            "capex_usd_bn": capex,
                            "operating_cash_flow_usd_bn": ocf_last * (1 + g_ocf) ** (y - last)})
        return out

    def _leverage(self, firms, firms_in, figures, g_ebitda) -> pd.DataFrame:
        from borrowedtime.credit.books import AGENCY_RATINGS

        obs = figures.off_balance_sheet.groupby("sponsor")["amount_usd_bn"].sum()
        parts = []
        for name, frame in firms.groupby("name", sort=False):
            spec = firms_in[name]
            base_year = int(str(spec["fiscal_year"])[2:])
            debt0 = figures.debt_at(name, base_year)  # the complex: debt's one home
            ebitda0 = _value(spec["ebitda_usd_bn"], where=f"{name}.ebitda_usd_bn")
            if ebitda0 <= 0:
                raise DataError(f"capex_inputs.yaml, {name}.ebitda_usd_bn: leverage needs EBITDA > 0; got {ebitda0}")
            rating = dict(self.rating_overrides).get(name, AGENCY_RATINGS.get(name))  # credit_inputs.yaml
            if rating is None:
                raise DataError(f"credit_inputs.yaml: no S&P rating of {name!r} in agency_ratings (the capex "
                                "machine's notches start from it); add it there or pass rating_overrides.")
            if rating in ratings.MOODYS_SCALE:
                rating = ratings.SP_SCALE[ratings.MOODYS_SCALE.index(rating)]
            current = ratings.rating_notch(rating)
            brp = spec.get("business_risk")
            frame = frame[frame["year"] >= base_year].sort_values("year").copy()
            issued = frame["issuance_usd_bn"].where(frame["year"] > base_year, 0.0).cumsum()
            frame["debt_usd_bn"] = debt0 + issued
            frame["ebitda_usd_bn"] = ebitda0 * (1 + g_ebitda) ** (frame["year"] - base_year)
            frame["vehicles_usd_bn"] = float(obs.get(name, 0.0))
            frame["debt_with_vehicles_usd_bn"] = frame["debt_usd_bn"] + frame["vehicles_usd_bn"]
            frame["leverage"] = frame["debt_usd_bn"] / frame["ebitda_usd_bn"]
            frame["leverage_with_vehicles"] = frame["debt_with_vehicles_usd_bn"] / frame["ebitda_usd_bn"]
            frame["rating"] = rating
            frame["anchor"] = [ratings.anchor_rating(v, brp) for v in frame["leverage"]]
            frame["anchor_with_vehicles"] = [ratings.anchor_rating(v, brp) for v in frame["leverage_with_vehicles"]]
            # notches the leverage-implied anchor sits above (+) or below (-) the current rating
            frame["notches_vs_rating"] = current - frame["anchor"].map(ratings.SP_SCALE.index)
            frame["notches_vs_rating_with_vehicles"] = current - frame["anchor_with_vehicles"].map(
                ratings.SP_SCALE.index)
            frame["notches_to_junk"] = ratings.INVESTMENT_GRADE_FLOOR - current
            frame["leverage_ceiling"] = ratings.leverage_ceiling(rating, brp)
            # turns of debt/EBITDA left before leverage alone implies an anchor below the current rating
            frame["headroom_turns"] = frame["leverage_ceiling"] - frame["leverage"]
            frame["headroom_turns_with_vehicles"] = frame["leverage_ceiling"] - frame["leverage_with_vehicles"]
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True, eq=False)
class FundingResult(Summarised):
    """Both capex/OCF paths, per-firm funding, leverage and rating headroom.

    Attributes
    ----------
    paths : pandas.DataFrame
        By year: the essay's capex, ratio and implied cash flow; the filed (then guided, projected)
        capex, cash flow, ratio, gap and implied issuance of the group (USD bn, decimals).
    firms : pandas.DataFrame
        By firm and year: capex, cash flow, ratio, gap above 100 % and implied debt issuance.
    leverage : pandas.DataFrame
        By firm and year from the firm's last filed balance sheet on: debt, EBITDA, gross
        debt/EBITDA with and without vehicles, the anchor they imply and the notches between that
        anchor and the current rating (+: leverage leaves room; -: leverage alone implies lower).
    aggregate_leverage : pandas.DataFrame
        The group's gross debt / EBITDA by year, with and without vehicles.
    essay_leverage : float
        The essay's ~1.8 turns (VIII).
    vehicles : pandas.DataFrame
        The off-balance-sheet vehicles counted, by sponsor (:func:`borrowedtime.capex._data.vehicle_debt`).
    """

    paths: pd.DataFrame
    firms: pd.DataFrame
    leverage: pd.DataFrame
    aggregate_leverage: pd.DataFrame
    model: FundingModel
    essay_leverage: float
    assumptions: dict = field(default_factory=dict)
    vehicles: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def essay_crossing_year(self) -> int | None:
        """First year the essay's ratio reaches 100 %."""
        return crossing_year(self.paths["essay_ratio"].dropna())

    @property
    def filed_crossing_year(self) -> int | None:
        """First year the filed/guided/projected ratio reaches 100 % (None within the horizon)."""
        return crossing_year(self.paths["filed_ratio"].dropna())

    def breakeven_ocf_growth(self, year: int = 2026) -> float | None:
        """Cash-flow growth into ``year`` at which the filed path sits exactly on 100 % (decimal).

        Faster growth keeps the group below the line that year.
        """
        p = self.paths
        if year not in p.index or year - 1 not in p.index:
            return None
        capex, ocf_prev = p.loc[year, "filed_capex_usd_bn"], p.loc[year - 1, "filed_ocf_usd_bn"]
        if pd.isna(capex) or pd.isna(ocf_prev):
            return None
        return float(capex / ocf_prev - 1.0)

    def firm_crossing_years(self) -> dict[str, int | None]:
        """Per firm, the first year its ratio reaches 100 %."""
        return {n: crossing_year(f.set_index("year")["ratio"]) for n, f in self.firms.groupby("name", sort=False)}

    def to_frame(self) -> pd.DataFrame:
        """The two paths by year."""
        return self.paths.copy()

    def to_dict(self) -> dict:
        """JSON-ready: per year capex, cash flow and ratio of both paths; crossings; leverage."""
        years = []
        for y, row in self.paths.iterrows():
            years.append({
                "year": int(y),
                "essay": {"capex_usd_bn": row["essay_capex_usd_bn"], "operating_cash_flow_usd_bn": row["essay_ocf_usd_bn"],
                          "ratio": row["essay_ratio"]},
                "filed": {"capex_usd_bn": row["filed_capex_usd_bn"], "operating_cash_flow_usd_bn": row["filed_ocf_usd_bn"],
                          "ratio": row["filed_ratio"], "gap_usd_bn": row["filed_gap_usd_bn"],
                          "implied_issuance_usd_bn": row["filed_issuance_usd_bn"],
                          "kind": None if pd.isna(row["filed_kind"]) else row["filed_kind"]},
            })
        cols = ["name", "year", "debt_usd_bn", "vehicles_usd_bn", "ebitda_usd_bn", "leverage",
                "leverage_with_vehicles", "rating", "anchor", "anchor_with_vehicles", "notches_vs_rating",
                "notches_vs_rating_with_vehicles", "notches_to_junk", "leverage_ceiling", "headroom_turns",
                "headroom_turns_with_vehicles"]
        lev = self.aggregate_leverage.reset_index()
        return {
            "definitions": {
                "essay": "essay VII: aggregate hyperscaler capex / operating cash flow, calendar years, group unstated",
                "filed": ("sum over " + ", ".join(self.model.group) + " of filed capex / filed operating cash flow "
                          "(fiscal years; Microsoft to 30 June); 2026 capex as guided, 2027 at the essay's growth; "
                          "cash flow beyond the last filing grown at ocf_growth"),
            },
            "years": years,
            "essay_crossing_year": self.essay_crossing_year,
            "filed_crossing_year": self.filed_crossing_year,
            "firm_crossing_years": self.firm_crossing_years(),
            "assumptions": self.assumptions,
            "essay_leverage": self.essay_leverage,
            "aggregate_leverage": lev.to_dict(orient="records"),
            "vehicles": self.vehicles.to_dict(orient="records"),
            "breakeven_ocf_growth_2026": self.breakeven_ocf_growth(),
            "firms": self.firms.to_dict(orient="records"),
            "leverage": self.leverage[cols].to_dict(orient="records"),
        }

    def summary(self) -> str:
        p = self.paths
        lines = ["Funding: capex / operating cash flow (essay path vs filed path)"]
        for y, row in p.iterrows():
            e = "" if pd.isna(row["essay_ratio"]) else f"{row['essay_ratio']:.0%}"
            f = "" if pd.isna(row["filed_ratio"]) else f"{row['filed_ratio']:.0%} ({row['filed_kind']})"
            lines.append(f"  {y}: essay {e:>5}  filed {f}")
        lines.append(f"  100% crossing: essay {self.essay_crossing_year}, filed {self.filed_crossing_year}")
        lev = self.aggregate_leverage
        last = lev.index.max()
        lines.append(f"  group gross debt/EBITDA {lev['leverage'].iloc[0]:.2f}x ({lev.index.min()}) -> "
                     f"{lev.loc[last, 'leverage']:.2f}x ({last}); with vehicles {lev.loc[last, 'leverage_with_vehicles']:.2f}x; "
                     f"essay ~{self.essay_leverage:.1f}x")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"FundingResult(years={int(self.paths.index.min())}-{int(self.paths.index.max())}, "
                f"essay_crossing={self.essay_crossing_year}, filed_crossing={self.filed_crossing_year})")
