"""``watch``, ``backtest`` and ``report``: the second-derivative monitor on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from borrowedtime.cli._app import app, error_boundary, stderr, stdout, write_json
from borrowedtime.datasets import reference_path, shared_data_dir
from borrowedtime.errors import DataError, SpecError

ColumnOpt = Annotated[str | None, typer.Option("--column", "-c", help="Value column of FILE.")]
SeasonalOpt = Annotated[str, typer.Option(help="Seasonal component: auto, none or a period in observations.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Write JSON to stdout (nothing else goes there).")]
CutoffOpt = Annotated[float, typer.Option(help="Trend cutoff period, years (default: shortest business cycle).")]
HorizonOpt = Annotated[float, typer.Option(help="Refinancing horizon H of S'+H*S'', years (default: 2/28 teaser).")]
ConfidenceOpt = Annotated[float, typer.Option(help="P(S'+H*S''<0) needed to make a call.")]


def _source(text: str):
    return text if text.startswith("fred:") else Path(text)


def _seasonal(text: str):
    if text.isdigit():
        return int(text)
    if text not in ("auto", "none"):
        raise SpecError(f"--seasonal must be auto, none or an integer; got {text!r}.")
    return text


def _fmt(x, spec: str = "+.4f") -> str:
    return "—" if x is None or pd.isna(x) else format(x, spec)


@app.command()
def watch(
    source: Annotated[str | None, typer.Argument(help="CSV/Parquet FILE or fred:SERIES_ID.")] = None,
    column: ColumnOpt = None,
    seasonal: SeasonalOpt = "auto",
    demo: Annotated[bool, typer.Option("--demo", help="Run on the embedded essay series.")] = False,
    cutoff: CutoffOpt = 1.5,
    horizon: HorizonOpt = 2.0,
    confidence: ConfidenceOpt = 0.9,
    as_json: JsonOpt = False,
) -> None:
    """Latest level, velocity, acceleration (with standard errors), P(S''<0), regime and events."""
    from borrowedtime.backtest import borrowed_time_windows, year_over_year
    from borrowedtime.essay import essay_series
    from borrowedtime.kinematics import KinematicsModel
    from borrowedtime.regimes import RegimeRule
    from borrowedtime.series import load_series

    with error_boundary():
        if source is None and not demo:
            raise SpecError("give a FILE (or fred:SERIES_ID), or --demo.")
        model = KinematicsModel(cutoff_years=cutoff, seasonal=_seasonal(seasonal))
        rule = RegimeRule(horizon_years=horizon, confidence=confidence)
        if demo:
            series = [essay_series("hyperscaler_capex"), essay_series("openai_valuation")]
        else:
            series = [load_series(_source(source), column)]
        rows = []
        for s in series:
            res = model.fit(s)
            reg = rule.classify(res)
            cur = reg.current(0)
            windows = borrowed_time_windows(reg, year_over_year(s))
            rows.append({"series": str(s.name), "frequency": str(res.frequency), "observations": len(s),
                         "latest": res.latest(0), "regime": cur["regime"], "call": cur["call"],
                         "p_projected_negative": cur["p_projected_negative"],
                         "windows": [{"start": w.start, "end": w.end, "rollover": w.rollover,
                                      "velocity_zero": w.velocity_zero} for w in windows]})
    if as_json:
        write_json({"series": rows})
        return
    table = Table(title="Real-time kinematics: velocity per year, acceleration per year² (log S)")
    for col in ("series", "date", "S′ ± sd", "S″ ± sd", "P(S″<0)", "P(S′+2y·S″<0)", "call", "regime"):
        table.add_column(col, justify="left" if col in ("series", "regime") else "right")
    for r in rows:
        lt = r["latest"]
        table.add_row(r["series"], lt["date"],
                      f"{_fmt(lt['velocity'], '+.3f')} ± {_fmt(lt['velocity_sd'], '.3f')}",
                      f"{_fmt(lt['acceleration'], '+.3f')} ± {_fmt(lt['acceleration_sd'], '.3f')}",
                      _fmt(lt["p_accel_neg"], ".2f"), _fmt(r["p_projected_negative"], ".2f"),
                      "yes" if r["call"] else "no", r["regime"])
    stdout.print(table)
    for r in rows:
        for w in r["windows"]:
            stdout.print(f"  {r['series']}: borrowed-time call {w['start'].date()} -> "
                         f"{w['end'].date() if w['end'] is not None else 'standing'}"
                         f"{'; S′ crossed zero ' + str(w['velocity_zero'].date()) if w['velocity_zero'] is not None else ''}")
    if demo:
        from borrowedtime.essay_arithmetic import essay_tables

        cap, val = essay_tables()
        t1 = Table(title="The essay's arithmetic: hyperscaler capex (recomputed | stated)")
        for col in ("year", "capex $bn", "growth %", "stated", "accel. pp", "stated"):
            t1.add_column(col, justify="right")
        for row in cap.itertuples(index=False):
            t1.add_row(str(row.year), f"{row.capex_usd_bn:,.0f}", _fmt(row.growth_pct, "+.1f"),
                       _fmt(row.stated_growth_pct, "+.0f"), _fmt(row.acceleration_pp, "+.0f"),
                       _fmt(row.stated_acceleration_pp, "+.0f"))
        stdout.print(t1)
        t2 = Table(title="OpenAI marks: step-ups (recomputed | stated)")
        for col in ("date", "mark $bn", "step-up", "stated"):
            t2.add_column(col, justify="right")
        for row in val.itertuples(index=False):
            t2.add_row(row.date, f"{row.mark_usd_bn:,.0f}", _fmt(row.step_up, ".2f"), _fmt(row.stated_step_up, ".2f"))
        stdout.print(t2)
        stdout.print("[dim]The essay's series have 5-6 points: read the bands, not the point estimates. "
                     "The acceleration column differences growth rounded to whole percents, as the essay does.[/dim]")


@app.command()
def backtest(
    source: Annotated[str | None, typer.Argument(help="FILE or fred:ID; default: Case-Shiller national in the shared reference data.")] = None,
    column: ColumnOpt = None,
    outcome: Annotated[str | None, typer.Option(help="Outcome series FILE (e.g. delinquency) shown alongside.")] = None,
    outcome_column: Annotated[str | None, typer.Option(help="Value column of the outcome file.")] = None,
    calm: Annotated[str | None, typer.Option(help="Calm span START:END in which calls count as false alarms.")] = None,
    seasonal: SeasonalOpt = "auto",
    cutoff: CutoffOpt = 1.5,
    horizon: HorizonOpt = 2.0,
    confidence: ConfidenceOpt = 0.9,
    release_lag: Annotated[int | None, typer.Option(
        help="Observations between a reference date and its publication; calls are scored as published "
             "(default: 2 for the built-in Case-Shiller run, else 0).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the monitor in real time, date by date, and score its calls against what followed."""
    from borrowedtime.backtest import Backtest
    from borrowedtime.kinematics import KinematicsModel
    from borrowedtime.regimes import RegimeRule
    from borrowedtime.series import load_series

    with error_boundary():
        calm_span = None
        if source is None:
            case_shiller = reference_path("case_shiller", required=False)
            if case_shiller is None:
                raise DataError(
                    "no FILE given and the Case-Shiller series is not in the shared reference data: "
                    "pass a FILE (or fred:CSUSHPINSA)."
                )
            series = load_series(case_shiller, column="National-US")
            delinquency = reference_path("delinquency", required=False)
            out = load_series(delinquency) if outcome is None and delinquency is not None else None
            calm_span = ("1992-01-01", "2003-12-31")
            lag = 2 if release_lag is None else release_lag  # Case-Shiller: published ~2 months later
        else:
            lag = 0 if release_lag is None else release_lag
            series = load_series(_source(source), column)
            out = None
        if outcome is not None:
            out = load_series(_source(outcome), outcome_column, positive=False)
        if calm:
            try:
                a, b = calm.split(":")
                calm_span = (str(pd.Timestamp(a).date()), str(pd.Timestamp(b).date()))
            except ValueError:
                raise SpecError(f"--calm must be START:END dates, got {calm!r}.") from None
        result = Backtest(
            KinematicsModel(cutoff_years=cutoff, seasonal=_seasonal(seasonal)),
            RegimeRule(horizon_years=horizon, confidence=confidence),
            calm=calm_span,
            release_lag=lag,
        ).run(series, out)
    if as_json:
        write_json(result.to_dict())
        return
    from borrowedtime.reporting import backtest_table

    frame = backtest_table(result)
    table = Table(title=f"Real-time backtest: {result.name}")
    for col in frame.columns:
        table.add_column(col, justify="left" if col == "rule" else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*["—" if pd.isna(v) else str(v) for v in row])
    stdout.print(table)
    stdout.print(result.summary())
    o = result.outcome_summary()
    if o:
        for t in o["turns"]:
            stdout.print(f"  {o['name']}: trough {t['trough']} ({t['trough_value']:.2f}), "
                         f"{t['value_at_turn']:.2f} when YoY turned negative {t['yoy_negative']}")


@app.command()
def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
    series: Annotated[list[str] | None, typer.Option("--series", help="Extra series FILE[:COLUMN] to chart.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for any Monte Carlo section.")] = 0,
    quick: Annotated[bool, typer.Option("--quick", help="Smaller Monte Carlo runs.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write one self-contained HTML report (works offline); sections whose data are absent are named."""
    from rich.progress import Progress

    from borrowedtime.report import render_page
    from borrowedtime.reporting import ReportOptions, compute_report

    pairs = []
    for item in series or []:
        path, _, col = item.partition(":") if not item.startswith("fred:") else (item, "", "")
        pairs.append((path, col or None))
    options = ReportOptions(series=tuple(pairs), shared_data=shared_data_dir(), seed=seed, quick=quick)
    with error_boundary(), Progress(console=stderr, transient=True, disable=as_json) as bar:
        task = bar.add_task("report", total=None)
        inputs = compute_report(options, on_step=lambda name: bar.update(task, description=f"computing: {name}"))
        page = render_page(inputs)
        output.write_text(page, encoding="utf-8")
    if as_json:
        write_json({"output": str(output), "bytes": len(page.encode()),
                    "skipped": [{"section": k, "why": v} for k, v in inputs.skipped.items()]})
        return
    for key, why in inputs.skipped.items():
        stderr.print(f"[yellow]skipped[/yellow] {key}: {why}", highlight=False, soft_wrap=True)
    stdout.print(f"wrote {output} ({len(page.encode()) / 1e6:.1f} MB)")
