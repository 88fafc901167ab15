r"""The 2/28 treadmill on state price paths: each loan meets its own state's house prices.

The national run (:meth:`ArmSpec.run` on the Case-Shiller U.S. National index)
drives every loan with one path. Here every loan of a vintage year draws a
state with that year's weights and meets the FHFA all-transactions index of its
state: the loans are the same random draws (LTV, product, idiosyncratic house
value, the monthly uniform), only the path differs. States are one more axis
of the simulation (each loan carries a state index into a (V, S, H) array of
price changes), not a loop of 51 runs.

Monthly prices from quarterly indexes (the stated rule)
--------------------------------------------------------
``"interpolate"`` (default): each quarter's index is placed at the quarter's
middle month (the FHFA quarterly index describes transactions over the whole
quarter) and months between two middles are log-linearly interpolated. This
reconstructs the path prices took; it uses hindsight: a month between two
middles uses the next quarter's index, published about two months after that
quarter ends. That is the right reading for the simulation, whose borrowers
and lenders see the value of the house itself, not a published index; nobody
in the model forecasts.

``"step"``: each month takes its own quarter's index (no interpolation; still
uses the quarter's value before the quarter is over).

``"published"``: each month takes the last quarter published by then, taking
FHFA's release about two months after a quarter ends (a quarter ending in
March is first used in June): the path a lender reading the index would have
seen. It lags the true path by three to five months.

Weights
-------
The weights are a PROXY, typed with their source in ``data/arm_regional.yaml``:
each state's share of the U.S. resident population in the vintage year (U.S.
Census Bureau, ST-EST00INT-01). No table of subprime originations by state
(Mayer and Pence 2008; GAO-10-806SP; HMDA higher-priced shares) could be read
for this project, so none is typed; the population proxy spreads the loans as
people are spread and therefore understates the concentration of subprime
lending in the states whose prices fell most.

References
----------
.. [1] Mayer, C. and Pence, K. (2008). "Subprime Mortgages: What, Where, and to
   Whom?" Federal Reserve FEDS 2008-29.
.. [2] U.S. GAO (2010). GAO-10-806SP, "Nonprime Mortgages: Data on Loan
   Performance by Cohort Year, Product Type, and Location."
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from borrowedtime._calendar import month_number
from borrowedtime._results import Summarised
from borrowedtime.datasets import packaged_yaml, reference_path
from borrowedtime.errors import DataError, SpecError
from borrowedtime.treadmill.arm import VALIDATION_DATE, ArmResult, ArmSpec

__all__ = [
    "CALIBRATED_REFI_INTENSITY_REGIONAL",
    "CALIBRATED_REFI_INTENSITY_REGIONAL_NO_SUPPLY",
    "PRICE_RULES",
    "RegionalArmResult",
    "calibrate_regional",
    "load_state_prices",
    "monthly_state_prices",
    "national_on_every_state",
    "regional_inputs",
    "regional_spec",
    "run_regional",
    "state_weights",
    "weights_source",
]

PRICE_RULES = ("interpolate", "step", "published")
"""Rules that turn the quarterly state indexes into months (see the module notes)."""

PUBLICATION_LAG_MONTHS = 3
"""``"published"`` rule: a quarter is first used this many months after its last month (FHFA
releases a quarter's index about two months after the quarter ends)."""


def regional_inputs() -> dict:
    """The regional run's inputs with their sources (``data/arm_regional.yaml``)."""
    return packaged_yaml("arm_regional.yaml")


def weights_source() -> str:
    """One line naming the weights and their source (for JSON and the text report)."""
    w = regional_inputs()["state_weights"]
    return (f"{w['kind'].upper()}: {w['measure']}; U.S. Census Bureau, Population Division, ST-EST00INT-01 "
            "(intercensal estimates, September 2011); not a table of subprime originations")


def state_weights() -> pd.DataFrame:
    """Probability of each state by vintage year (rows sum to one).

    Returns
    -------
    DataFrame
        Index: vintage year (2001-2007); columns: postal codes of the 50
        states and DC; each row the state's share of that year's U.S.
        resident population (the proxy of ``data/arm_regional.yaml``).
    """
    w = regional_inputs()["state_weights"]
    years = [int(y) for y in w["years"]]
    frame = pd.DataFrame({str(st): [float(x) for x in vals] for st, vals in w["values"].items()}, index=years)
    frame = frame.reindex(sorted(frame.columns), axis=1)
    frame.index.name = "vintage"
    frame.columns.name = "state"
    return frame.div(frame.sum(axis=1), axis=0)


def load_state_prices(path: str | Path | None = None) -> pd.DataFrame:
    """The FHFA state house-price indexes, quarterly (the shared reference folder).

    Parameters
    ----------
    path : str or Path, optional
        CSV with a ``date`` column (quarter starts) and one column per state
        (postal codes); default the shared reference file
        ``fhfa_state_hpi_quarterly_1975_2011.csv`` (FHFA all-transactions
        index, NSA, 1980Q1 = 100, via FRED).

    Returns
    -------
    DataFrame
        Quarter starts by state, index levels.

    Raises
    ------
    DataError
        The file is missing, has no ``date`` column, a non-positive or
        missing value, or dates that are not consecutive quarter starts.
    """
    path = Path(path) if path is not None else reference_path("fhfa_states")
    try:
        raw = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the state price file ({exc}).") from None
    if "date" not in raw.columns:
        raise DataError(f"{path}: no 'date' column (expected quarter starts and one column per state).")
    dates = pd.to_datetime(raw["date"], errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna())[0]) + 2
        raise DataError(f"{path}: row {row}: field 'date' is not a date ({raw['date'].iloc[row - 2]!r}).")
    frame = raw.drop(columns="date").set_index(pd.DatetimeIndex(dates, name="date")).astype(float)
    q = month_number(frame.index)
    if not ((np.diff(q) == 3).all() and (frame.index.month % 3 == 1).all() and (frame.index.day == 1).all()):
        raise DataError(f"{path}: field 'date' must be consecutive quarter starts (YYYY-01/04/07/10-01).")
    bad = ~(np.isfinite(frame.to_numpy()) & (frame.to_numpy() > 0))
    if bad.any():
        r, c = (int(a[0]) for a in np.nonzero(bad))
        raise DataError(f"{path}: row {r + 2}: field {frame.columns[c]!r} must be a positive index level.")
    return frame


def monthly_state_prices(quarterly: pd.DataFrame, rule: str = "interpolate") -> pd.DataFrame:
    """Quarterly state indexes to months by a stated rule (module notes).

    Parameters
    ----------
    quarterly : DataFrame
        Quarter starts by state (:func:`load_state_prices`).
    rule : {"interpolate", "step", "published"}

    Returns
    -------
    DataFrame
        Month starts by state. ``interpolate`` runs from the first quarter's
        middle month to the last quarter's; ``step`` over every month of the
        quarters; ``published`` from the month the first quarter is published
        to the month before the quarter after the last one would be.
    """
    if rule not in PRICE_RULES:
        raise SpecError(f"rule must be one of {', '.join(PRICE_RULES)}; got {rule!r}.")
    q_months = month_number(quarterly.index)
    values = np.log(quarterly.to_numpy(dtype=float))
    if rule == "interpolate":
        anchor = q_months + 1  # the quarter's middle month
        months = np.arange(anchor[0], anchor[-1] + 1)
        logs = np.column_stack([np.interp(months, anchor, values[:, j]) for j in range(values.shape[1])])
    else:
        first_use = q_months + (0 if rule == "step" else 2 + PUBLICATION_LAG_MONTHS)
        months = np.arange(first_use[0], first_use[-1] + 3)
        pos = np.searchsorted(first_use, months, side="right") - 1
        logs = values[pos]
    index = pd.DatetimeIndex(pd.to_datetime({"year": months // 12, "month": months % 12 + 1, "day": 1}), name="date")
    return pd.DataFrame(np.exp(logs), index=index, columns=quarterly.columns)


def _weighted_path(prices: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Geometric mean of the state paths with fixed weights (the aggregate's reference series)."""
    logs = np.log(prices[weights.index].to_numpy()) @ weights.to_numpy()
    return pd.Series(np.exp(logs), index=prices.index, name="FHFA states (weighted)")


@dataclass(frozen=True, eq=False)
class RegionalArmResult(Summarised):
    """The cohorts on state price paths: the aggregate book and counts by state (frozen).

    Attributes
    ----------
    aggregate : ArmResult
        All loans of all states together (its ``prices`` is the weighted
        geometric mean of the state paths, for dating only).
    states : tuple of str
        Postal codes, the order of the state axis.
    weights : DataFrame
        Vintage year by state, the probabilities loans were drawn with.
    weights_source : str
    price_rule : str
        How the quarterly indexes were made monthly.
    loans : (V, S) int
        Loans of each monthly vintage drawn in each state.
    refi_by_age, default_by_age : (V, S, H+1) int
        Refinances / defaults by monthly vintage, state and age.
    state_prices : DataFrame
        The monthly state paths used.
    """

    aggregate: ArmResult
    states: tuple[str, ...]
    weights: pd.DataFrame
    weights_source: str
    price_rule: str
    loans: np.ndarray
    refi_by_age: np.ndarray
    default_by_age: np.ndarray
    state_prices: pd.DataFrame

    def _cumulative_by(self, counts: np.ndarray, date: str | pd.Timestamp) -> pd.DataFrame:
        """(year, state) counts of exits at ages up to ``date`` and loans, summed over the year's months."""
        when = month_number(pd.DatetimeIndex([pd.Timestamp(date)]))[0]
        v_months = month_number(self.aggregate.vintage_dates)
        max_age = np.clip(when - v_months, 0, counts.shape[2] - 1)
        ages = np.arange(counts.shape[2])
        upto = (counts * (ages[None, None, :] <= max_age[:, None, None])).sum(axis=2)  # (V, S)
        years = self.aggregate.vintage_dates.year
        frame = pd.DataFrame(upto, columns=list(self.states)).groupby(years).sum()
        return frame

    def by_state(self, date: str | pd.Timestamp = VALIDATION_DATE) -> pd.DataFrame:
        """Troubled (defaulted) and prepaid (refinanced) shares by state and vintage year at ``date``.

        Returns
        -------
        DataFrame
            Rows (state, vintage); columns ``weight`` (the year's draw
            probability), ``loans`` (simulated), ``troubled``, ``prepaid``
            (decimals of the state's loans of that year; NaN without loans),
            ``price_change`` (the state's index at ``date`` over its value in
            June of the vintage year, minus 1).
        """
        loans = pd.DataFrame(self.loans, columns=list(self.states)).groupby(self.aggregate.vintage_dates.year).sum()
        troubled = self._cumulative_by(self.default_by_age, date)
        prepaid = self._cumulative_by(self.refi_by_age, date)
        when = pd.Timestamp(date)
        p = self.state_prices
        at = p.loc[:when].iloc[-1]
        rows = []
        for st in self.states:
            for year in (y for y in loans.index if y in self.aggregate.spec.vintages):
                n = int(loans.loc[year, st])
                mid = p.loc[:pd.Timestamp(year=int(year), month=6, day=1)].iloc[-1]
                rows.append({
                    "state": st, "vintage": int(year), "weight": float(self.weights.loc[year, st]), "loans": n,
                    "troubled": troubled.loc[year, st] / n if n else np.nan,
                    "prepaid": prepaid.loc[year, st] / n if n else np.nan,
                    "price_change": float(at[st] / mid[st] - 1.0),
                })
        return pd.DataFrame(rows).set_index(["state", "vintage"])

    def state_range(self, date: str | pd.Timestamp = VALIDATION_DATE, min_loans: int = 500) -> pd.DataFrame:
        """Lowest and highest troubled share across states by vintage year (states with >= ``min_loans``).

        No set of weights can move a year's aggregate troubled share outside
        this range: if GAO's share lies above the highest state's, the state
        mix alone cannot explain the gap.
        """
        frame = self.by_state(date)
        frame = frame[frame["loans"] >= min_loans]
        g = frame["troubled"].groupby(level="vintage")
        return pd.DataFrame({"lowest": g.min(), "lowest_state": g.idxmin().map(lambda t: t[0]),
                             "highest": g.max(), "highest_state": g.idxmax().map(lambda t: t[0])})

    def to_frame(self) -> pd.DataFrame:
        """The aggregate's measures by vintage year (:meth:`ArmResult.to_frame`)."""
        return self.aggregate.to_frame()

    def gao_validation(self) -> pd.DataFrame:
        """The aggregate against GAO-10-806SP (:meth:`ArmResult.gao_validation`)."""
        return self.aggregate.gao_validation()

    def summary(self) -> str:
        frame = self.to_frame()
        rng = self.state_range()
        import textwrap

        lines = [
            f"  regional: {len(self.states)} FHFA state paths (all-transactions), months by "
            f"'{self.price_rule}'",
            *textwrap.wrap(f"loans' states drawn by {self.weights_source}", width=76, break_on_hyphens=False,
                           initial_indent="    ", subsequent_indent="    "),
            "  vintage  troubled  prepaid   states' troubled at 2009-09:",
            "           at 2009-09          lowest .. highest",
        ]
        for y, row in frame.iterrows():
            if np.isnan(row["troubled_by_2009_09"]):
                continue
            r = rng.loc[y] if y in rng.index else None
            span = "" if r is None else (f"{r['lowest']:.1%} ({r['lowest_state']}) .. "
                                         f"{r['highest']:.1%} ({r['highest_state']})")
            lines.append(f"  {y}     {row['troubled_by_2009_09']:>8.1%} {row['prepaid_by_2009_09']:>8.1%}   {span}")
        val = self.gao_validation()
        if not val.empty:
            lines.append("  vs GAO-10-806SP (model / published - 1; target +-25 %):")
            for measure in ("troubled", "prepaid"):
                cells = "  ".join(f"{r['vintage']} {r['relative_error']:+.0%}{'' if r['within_target'] else '*'}"
                                  for _, r in val[val["measure"] == measure].iterrows())
                lines.append(f"    {measure:<8} {cells}   (* missed)")
        return "\n".join(lines)


def run_regional(
    spec: ArmSpec,
    prices: pd.DataFrame,
    weights: pd.DataFrame | None = None,
    *,
    n_loans: int = 200_000,
    seed: int = 0,
    price_rule: str = "interpolate",
    weights_label: str | None = None,
    n_workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    use_numba: bool = True,
    client: Any = None,
) -> RegionalArmResult:
    """Simulate the cohorts with each loan on its state's monthly price path.

    Parameters
    ----------
    spec : ArmSpec
        The model (``ArmSpec.sourced()`` for the dated default); nothing in it
        is refitted.
    prices : DataFrame
        Monthly state indexes, month starts by state (:func:`monthly_state_prices`).
    weights : DataFrame, optional
        Vintage year by state, non-negative, each row summing to one; default
        :func:`state_weights` (the population proxy). Every column must be a
        column of ``prices``; every vintage of ``spec`` a row.
    n_loans, seed, n_workers, on_progress, use_numba, client
        As :meth:`ArmSpec.run`; the loans' own draws are the national run's.
    price_rule : str
        Recorded in the result (how ``prices`` was made monthly).
    weights_label : str, optional
        Recorded as the weights' source (default :func:`weights_source`).

    Returns
    -------
    RegionalArmResult

    Raises
    ------
    SpecError
        Weights missing a vintage, negative, not summing to one, or naming a
        state without prices.
    DataError
        A vintage month outside the price paths.
    """
    if weights is None:
        weights = state_weights()
        weights_label = weights_label or weights_source()
    # every origination month from the first vintage to the last is simulated (as in ArmSpec.run)
    years = list(range(spec.vintages[0], spec.vintages[-1] + 1))
    missing = [y for y in years if y not in weights.index]
    if missing:
        raise SpecError(f"weights: no row for vintage(s) {missing}.")
    no_prices = [c for c in weights.columns if c not in prices.columns]
    if no_prices:
        raise SpecError(f"weights: state(s) {no_prices} have no price path.")
    w = weights.loc[years].to_numpy(dtype=float)
    if not (np.isfinite(w).all() and (w >= 0).all()) or not np.allclose(w.sum(axis=1), 1.0, atol=1e-9):
        raise SpecError("weights: every vintage's row must be non-negative and sum to one.")
    states = tuple(str(c) for c in weights.columns)
    p = prices[list(states)]
    if p.isna().any().any() or not (p.to_numpy() > 0).all():
        raise DataError("state prices: every state path must be positive with no gaps over its dates.")
    log_p = np.log(p.to_numpy(dtype=float)).T  # (S, T)
    state_p = np.repeat(w, 12, axis=0)  # (V, S): each monthly vintage takes its year's weights
    counts = spec._simulate_paths(log_p, p.index, "state prices", state_p, n_loans, seed, n_workers=n_workers,
                                  on_progress=on_progress, use_numba=use_numba, client=client)
    reference = _weighted_path(p, weights.loc[years].mean(axis=0))
    return RegionalArmResult(
        aggregate=spec._result(reference, counts),
        states=states,
        weights=weights.loc[years],
        weights_source=weights_label or "user weights",
        price_rule=price_rule,
        loans=counts.loans,
        refi_by_age=counts.refi,
        default_by_age=counts.default,
        state_prices=p,
    )


# The one calibrated number, root-found on the regional run (population proxy weights, monthly
# rule "interpolate") to the same 2003 target as the national run; tests/treadmill/results/
# calibrate_arm.py records it in arm_calibration.json.
CALIBRATED_REFI_INTENSITY_REGIONAL = 0.0607
CALIBRATED_REFI_INTENSITY_REGIONAL_NO_SUPPLY = 0.0547


def regional_spec(credit_supply: bool = True, **changes) -> ArmSpec:
    """The dated model (:meth:`ArmSpec.sourced`) with its intensity calibrated on the state paths.

    ``credit_supply=False`` drops the credit-supply series (an outcome of the
    crisis) and uses the intensity recalibrated without it.
    """
    if credit_supply:
        return ArmSpec.sourced(refi_intensity=CALIBRATED_REFI_INTENSITY_REGIONAL, **changes)
    return ArmSpec.sourced_without_supply(refi_intensity=CALIBRATED_REFI_INTENSITY_REGIONAL_NO_SUPPLY, **changes)


def national_on_every_state(prices: pd.Series, states: tuple[str, ...]) -> pd.DataFrame:
    """Every state given the same (national) path: the regional run must then equal the national one."""
    return pd.DataFrame({st: prices.to_numpy() for st in states}, index=prices.index)


def calibrate_regional(
    spec: ArmSpec,
    prices: pd.DataFrame,
    weights: pd.DataFrame | None = None,
    *,
    n_loans: int = 12 * 32_768,
    seed: int = 0,
    xtol: float = 1e-5,
) -> float:
    """The one calibrated number on the state paths: the 2003 vintage 0.78 refinanced by 2006-12.

    The same target as the national calibration
    (:data:`borrowedtime.treadmill.arm.CALIBRATION_TARGET`, essay section I),
    root-found on the regional run instead of the national one; nothing is
    fitted to GAO.
    """
    from borrowedtime.treadmill.calibration import calibrate_refi_intensity

    def runner(trial: ArmSpec, n: int, s: int) -> ArmResult:
        return run_regional(trial, prices, weights, n_loans=n, seed=s).aggregate

    return calibrate_refi_intensity(prices.iloc[:, 0], spec=spec, n_loans=n_loans, seed=seed, xtol=xtol,
                                    runner=runner)
