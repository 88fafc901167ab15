"""``borrowedtime treadmill``: the 2/28 cohorts on a price path, the up-round borrower, the IPO."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from borrowedtime.cli._app import (
    app,
    check_range,
    error_boundary,
    print_lines,
    progress_enabled,
    stderr,
    write_json,
)
from borrowedtime.datasets import ENV_VAR, reference_path
from borrowedtime.errors import SpecError

DEFAULT_COLUMN = "National-US"
_PROGRESS_FROM = 2_000_000  # loans; smaller runs take a few seconds


def _achievable(text: str) -> str | float:
    t = text.strip().lower()
    if t in ("trend", "target", "reported"):
        return t
    try:
        value = float(t)
    except ValueError:
        raise SpecError(f"--achievable must be trend, target, reported or a step-up such as 1.4, got {text!r}.") from None
    check_range(value, "--achievable", 0, low_open=True, why=" (a step-up multiple: 1.4 is +40 %)")
    return value


def payload(arm, rounds, ipo, readings=None, regional=None, supply=None) -> dict:
    """The ``--json`` document: vintages, aggregate, rounds, ipo, regional (shares 0-1, money USD bn)."""
    frame = arm.to_frame()
    turn = arm.default_rate_turn()
    yoy_neg = arm.price_yoy_negative()
    return {
        "vintages": [
            {
                "year": int(year),
                "refinanced_by_2006_end": float(row["refinanced_by_2006_end"]),
                "defaulted_by_2008_end": float(row["defaulted_by_2008_end"]),
                "reset_exposed": float(row["reset_exposed"]),
                "troubled_by_2009_09": _share(row["troubled_by_2009_09"]),
                "prepaid_by_2009_09": _share(row["prepaid_by_2009_09"]),
            }
            for year, row in frame.iterrows()
        ],
        "aggregate": {
            "default_rate_turn": turn.date().isoformat(),
            "price_yoy_negative": None if yoy_neg is None else yoy_neg.date().isoformat(),
        },
        "rounds": rounds.to_dict(),
        "inputs_readings": [] if readings is None else [
            {"inputs": str(k), **{c: (v if isinstance(v, str) else float(v)) for c, v in row.items()}}
            for k, row in readings.iterrows()
        ],
        "ipo": ipo.to_dict(),
        "validation": _records(arm.gao_validation()),
        "regional": None if regional is None else _regional(regional),
        "credit_supply_readings": [] if supply is None else supply,
    }


def _records(frame) -> list[dict]:
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in frame.to_dict("records")]


def _regional(reg) -> dict:
    """The ``regional`` block: the cohorts on state paths, by vintage and by state."""
    frame = reg.to_frame()
    span = reg.state_range()
    by_state = reg.by_state()
    years = [int(y) for y in frame.index]
    vintages = []
    for y in years:
        row = {"year": y, "troubled_by_2009_09": _share(frame.loc[y, "troubled_by_2009_09"]),
               "prepaid_by_2009_09": _share(frame.loc[y, "prepaid_by_2009_09"])}
        if y in span.index:
            r = span.loc[y]
            row.update({"states_troubled_lowest": float(r["lowest"]), "lowest_state": str(r["lowest_state"]),
                        "states_troubled_highest": float(r["highest"]), "highest_state": str(r["highest_state"])})
        vintages.append(row)
    return {
        "states": len(reg.states),
        "weights_source": reg.weights_source,
        "weights_kind": "proxy" if reg.weights_source.startswith("PROXY") else "table",
        "price_rule": reg.price_rule,
        "refi_intensity": float(reg.aggregate.spec.refi_intensity),
        "vintages": vintages,
        "validation": _records(reg.gao_validation()),
        "by_state": [
            {
                "state": st,
                "weight": {str(y): float(by_state.loc[(st, y), "weight"]) for y in years},
                "loans": {str(y): int(by_state.loc[(st, y), "loans"]) for y in years},
                "troubled_by_2009_09": {str(y): _share(by_state.loc[(st, y), "troubled"]) for y in years},
                "prepaid_by_2009_09": {str(y): _share(by_state.loc[(st, y), "prepaid"]) for y in years},
                "price_change_to_2009_09": {str(y): float(by_state.loc[(st, y), "price_change"]) for y in years},
            }
            for st in reg.states
        ],
    }


def supply_readings(national, regional, national_none, regional_none) -> list[dict]:
    """Troubled and prepaid shares at 2009-09 with and without the credit-supply series."""
    def shares(res) -> dict:
        if res is None:
            return {}
        f = res.to_frame()
        return {str(int(y)): {"troubled": _share(r["troubled_by_2009_09"]), "prepaid": _share(r["prepaid_by_2009_09"])}
                for y, r in f.iterrows() if int(y) in (2003, 2005, 2006, 2007)}

    return [
        {"credit_supply": "sourced", "status": "conditional on a crisis outcome (origination volume, 2007 at "
         "31 % of the 2005 peak)", "national": shares(national), "regional": shares(regional)},
        {"credit_supply": "none", "status": "forecast from the 2003 calibration (refinance intensity constant, "
         "recalibrated to the same 2003 target)", "national": shares(national_none),
         "regional": shares(regional_none)},
    ]


def _pct(shares: dict, year: str) -> str:
    x = shares.get(year, {}).get("troubled")
    return "—" if x is None else f"{x:.1%}"


def _regional_runs(series, loans: int, seed: int, national):
    """The regional run and the runs without credit supply (GAO's vintages only: 4 of 7 years)."""
    from borrowedtime.treadmill import ArmSpec
    from borrowedtime.treadmill.regional import (
        load_state_prices,
        monthly_state_prices,
        regional_spec,
        run_regional,
    )

    prices = monthly_state_prices(load_state_prices(), "interpolate")
    reg = run_regional(regional_spec(), prices, n_loans=loans, seed=seed)
    gao_years = (2003, 2005, 2006, 2007)
    few = max(1, loans * len(gao_years) // 7)  # the same loans per vintage as the full runs
    nat_none = ArmSpec.sourced_without_supply(vintages=gao_years).run(series, n_loans=few, seed=seed)
    reg_none = run_regional(regional_spec(credit_supply=False, vintages=gao_years), prices, n_loans=few, seed=seed)
    return reg, supply_readings(national, reg, nat_none, reg_none)


def _share(x: float) -> float | None:
    return None if x != x else float(x)  # NaN (not observed by then) -> null


@app.command()
def treadmill(
    prices: Annotated[
        Path | None,
        typer.Option(
            "--prices",
            help="Monthly home-price CSV/Parquet driving the cohorts (default: Case-Shiller U.S. National "
            "NSA in the shared reference data when present).",
        ),
    ] = None,
    column: Annotated[str | None, typer.Option("--column", "-c", help="Value column of --prices.")] = None,
    loans: Annotated[int, typer.Option("--loans", help="Loans in all, over the monthly vintages (>= 1).")] = 1_000_000,
    seed: Annotated[int, typer.Option("--seed", help="Root seed of the loan simulation (>= 0).")] = 0,
    achievable: Annotated[
        str, typer.Option("--achievable", help="Achievable next step-up: trend, target, reported or a number.")
    ] = "trend",
    dilution_limit: Annotated[
        float | None,
        typer.Option("--dilution-limit", help="Share the next raise sells, in (0, 1) (default: the mean of the last two rounds)."),
    ] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress on stderr (it is also off when stderr is not a terminal).")] = False,
    compute: Annotated[
        str, typer.Option("--compute", help="OpenAI's contracted compute: 'contracts' (the complex's take-or-pay "
                          "schedules) or 'ramp' (the assumed 40/70/100/120/130/140 ramp).")
    ] = "contracts",
    undated_term: Annotated[
        float | None, typer.Option("--undated-term", help="Years over which undated commitments are spread "
                                   "(contracts reading; default the median term of the dated contracts).")
    ] = None,
    inputs: Annotated[
        str, typer.Option("--inputs", help="OpenAI's last round: 'essay' (USD 122bn at 852bn) or 'announced' "
                          "(the first close, USD 110bn at 730 + 110 = 840bn); both are shown.")
    ] = "essay",
    model: Annotated[
        str, typer.Option("--model", help="ARM model: 'sourced' (dated reset index and credit supply, "
                          "validated against GAO-10-806SP) or 'constant' (one reset index, constant credit).")
    ] = "sourced",
    regional: Annotated[
        bool, typer.Option("--regional/--national", help="Also run the cohorts on the 51 FHFA state paths "
                           "(loans drawn by a population proxy) and without the credit-supply series; "
                           "--national runs the national path alone.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")] = False,
) -> None:
    """The refinancing treadmill: 2/28 cohorts on a price path, the up-round borrower, the IPO's two prices."""
    from borrowedtime.series import load_series
    from borrowedtime.treadmill import ArmSpec, IpoSpec, RoundsSpec, input_readings, turn_date

    with error_boundary():
        check_range(loans, "--loans", 1)
        check_range(seed, "--seed", 0)
        check_range(dilution_limit, "--dilution-limit", 0, 1, low_open=True, high_open=True,
                    why=" (a share of the company)")
        check_range(undated_term, "--undated-term", 0, low_open=True, why=" (years)")
        if compute not in ("contracts", "ramp"):
            raise SpecError(f"--compute must be 'contracts' or 'ramp'; got {compute!r}.")
        achievable_value = _achievable(achievable)
        if inputs not in ("essay", "announced"):
            raise SpecError(f"--inputs must be 'essay' or 'announced'; got {inputs!r}.")
        if model not in ("sourced", "constant"):
            raise SpecError(f"--model must be 'sourced' or 'constant'; got {model!r}.")
        if prices is None:
            default_prices = reference_path("case_shiller", required=False)
            if default_prices is None:
                raise typer.BadParameter(
                    "no --prices given and the default Case-Shiller series is not here (keep the shared data "
                    f"folder beside the checkout or set {ENV_VAR}, or pass --prices FILE [--column C] with a "
                    "monthly home-price series)",
                    param_hint="--prices",
                )
            prices, column = default_prices, column or DEFAULT_COLUMN
        spec = ArmSpec.sourced() if model == "sourced" else ArmSpec()
        n_vintages = 12 * len(spec.vintages)
        if loans < n_vintages:
            raise SpecError(f"--loans must be >= {n_vintages} (one loan per monthly vintage: {len(spec.vintages)} "
                            f"years of 12), got {loans}.")
        series = load_series(prices, column)
        rounds = RoundsSpec(achievable=achievable_value, dilution_limit=dilution_limit, compute=compute,
                            undated_term_years=undated_term, inputs=inputs).run()
        readings = input_readings(achievable=achievable_value, dilution_limit=dilution_limit, compute=compute,
                                  undated_term_years=undated_term)
        ipo = IpoSpec().run(rounds, seed=seed)
        with Progress(
            TextColumn("loans"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=stderr, transient=True, disable=loans < _PROGRESS_FROM or not progress_enabled(quiet),
        ) as bar:
            per_vintage = max(1, loans // (12 * len(spec.vintages)))
            task = bar.add_task("loans", total=per_vintage * 12 * len(spec.vintages))
            arm = spec.run(series, n_loans=loans, seed=seed, on_progress=lambda k: bar.advance(task, k))
        reg = supply = None
        if regional and model == "sourced":
            reg, supply = _regional_runs(series, loans, seed, arm)
        doc = payload(arm, rounds, ipo, readings, reg, supply)
        delinquency_turn = None
        delinquency_path = reference_path("delinquency", required=False)
        if delinquency_path is not None:
            delinquency = load_series(delinquency_path)
            delinquency_turn = turn_date(delinquency, "2000-01-01", "2012-12-31")
    if as_json:
        write_json(doc)
        return
    print_lines(arm.summary())
    if delinquency_turn is not None:
        print_lines(
            f"  bank mortgage delinquency (FRED DRSFRMACBS) bottomed: {delinquency_turn:%Y}Q"
            f"{(delinquency_turn.month - 1) // 3 + 1}   model default rate turned: "
            f"{doc['aggregate']['default_rate_turn'][:7]}   price YoY < 0: {doc['aggregate']['price_yoy_negative']}"
        )
    if reg is not None:
        print_lines(reg.summary())
        print_lines("  troubled at 2009-09, national / regional (2005, 2006, 2007):")
        for r in supply:
            cells = "  ".join(
                f"{_pct(r['national'], y)}/{_pct(r['regional'], y)}" for y in ("2005", "2006", "2007"))
            print_lines(f"    credit supply {r['credit_supply']:<8} {cells}")
    print_lines(rounds.summary())
    print_lines("  the last round read two ways (--inputs; this run: " + inputs + "):")
    for name, r in readings.iterrows():
        print_lines(
            f"    {name:9s} {r['last_raise_usd_bn']:,.0f} bn at {r['last_mark_usd_bn']:,.0f} bn -> required step-up "
            f"{r['required_step_up']:.2f}; reported target {r['reported_target_step_up']:.2f} "
            f"(margin {r['reported_target_margin']:+.2f})")
    print_lines(ipo.summary())
