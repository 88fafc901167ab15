"""``watch``, ``backtest`` and ``report``: the second-derivative monitor on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from borrowedtime.cli._app import (
    app,
    check_output,
    check_range,
    error_boundary,
    fit_table,
    print_lines,
    progress_enabled,
    stderr,
    stdout,
    write_json,
    write_text,
)
from borrowedtime.datasets import reference_path, shared_data_dir
from borrowedtime.errors import BorrowedTimeError, DataError, SpecError

ColumnOpt = Annotated[str | None, typer.Option("--column", "-c", help="Value column of FILE.")]
SeasonalOpt = Annotated[str, typer.Option(help="Seasonal component: auto, none or a period in observations.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Write JSON to stdout (nothing else goes there).")]
CutoffOpt = Annotated[float, typer.Option(help="Trend cutoff period, years (default: shortest business cycle).")]
HorizonOpt = Annotated[float, typer.Option(help="Refinancing horizon H of S'+H*S'', years (default: 2/28 teaser).")]
ConfidenceOpt = Annotated[float, typer.Option(help="P(S'+H*S''<0) needed to make a call, in [0.5, 1).")]
QuietOpt = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress on stderr (it is also off when stderr is not a terminal).")]


def _check_settings(cutoff: float, horizon: float, confidence: float) -> None:
    """The monitor's settings, refused at the boundary with the flag's name."""
    check_range(cutoff, "--cutoff", 0, low_open=True, why=" (years)")
    if horizon != float("inf"):
        check_range(horizon, "--horizon", 0, low_open=True, why=" (years; inf for the sign of S'')")
    check_range(confidence, "--confidence", 0.5, 1, high_open=True, why=" (a probability above even odds)")


def _source(text: str):
    from borrowedtime.series import is_remote

    return text if is_remote(text) else Path(text)


def _seasonal(text: str):
    t = text.strip().lower()
    if t.isdigit() and int(t) >= 2:
        return int(t)
    if t not in ("auto", "none"):
        raise SpecError(f"--seasonal must be auto, none or a period of at least 2 observations, got {text!r}.")
    return t


def _num(v) -> str:
    """A table cell: integers without '.0', dates as YYYY-MM-DD, booleans yes/no, missing as a dash."""
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return "—"
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _fmt(x, spec: str = "+.4f") -> str:
    return "—" if x is None or pd.isna(x) else format(x, spec)


def _discrete(s: pd.Series) -> list[dict]:
    """The discrete arithmetic of a short series: growth per step (annualised if irregular) and its change."""
    from borrowedtime.monitor.discrete import acceleration, growth

    g = growth(s)
    acc = acceleration(g) if len(g) >= 2 else pd.Series(dtype=float)
    return [{"date": d.date().isoformat(), "value": float(s.loc[d]),
             "growth": None if d not in g.index else float(g.loc[d]),
             "acceleration_pp": None if d not in acc.index else float(acc.loc[d])} for d in s.index]


@app.command()
def watch(
    source: Annotated[str | None, typer.Argument(help="CSV/Parquet FILE, fred:SERIES_ID, sec:TICKER:CONCEPT or filings:COMPANY:CONCEPT.")] = None,
    column: ColumnOpt = None,
    seasonal: SeasonalOpt = "auto",
    demo: Annotated[bool, typer.Option(
        "--demo", help="Run on the build-out's filings series, beside the essay's own figures.")] = False,
    cutoff: CutoffOpt = 1.5,
    horizon: HorizonOpt = 2.0,
    confidence: ConfidenceOpt = 0.9,
    as_json: JsonOpt = False,
) -> None:
    """Latest level, velocity, acceleration (with standard errors), P(S''<0), regime and events."""
    from borrowedtime.monitor.backtest import borrowed_time_windows, year_over_year
    from borrowedtime.monitor.events import latest_p_turn
    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.monitor.regimes import RegimeRule
    from borrowedtime.series import load_series

    with error_boundary():
        if source is None and not demo:
            raise SpecError("give a FILE (or fred:SERIES_ID), or --demo.")
        if source is not None and demo:
            raise SpecError("give a FILE or --demo, not both.")
        _check_settings(cutoff, horizon, confidence)
        season = _seasonal(seasonal)
        if demo:
            from borrowedtime.verdict import essay_beside_filings, read_buildout

            reading = read_buildout(cutoff_years=cutoff, horizon_years=horizon, confidence=confidence)
            return _demo_output(reading, essay_beside_filings(), horizon, as_json)
        model = KinematicsModel(cutoff_years=cutoff, seasonal=season)
        rule = RegimeRule(horizon_years=horizon, confidence=confidence)
        series = [load_series(_source(source), column)]
        rows = []
        for s in series:
            res = model.fit(s)
            reg = rule.classify(res)
            cur = reg.current(0)
            estimable = bool(res.ready[0, -1])
            windows = borrowed_time_windows(reg, year_over_year(s)) if estimable else []
            turn = latest_p_turn(res)
            rows.append({"series": str(s.name), "frequency": str(res.frequency), "observations": len(s),
                         "estimable": estimable, "min_observations": res.min_observations,
                         "states": res.n_states,
                         "latest": res.latest(0), "regime": cur["regime"], "call": cur["call"],
                         "p_projected_negative": cur["p_projected_negative"],
                         "p_turn_within": turn,
                         "windows": [{"start": w.start, "end": w.end, "rollover": w.rollover,
                                      "velocity_zero": w.velocity_zero} for w in windows],
                         "discrete": None if estimable else _discrete(s)})
    if as_json:
        write_json({"series": rows})
        return
    h = f"{horizon:g}y"
    cells = []
    for r in rows:
        lt = r["latest"]
        est = r["estimable"]
        cells.append([r["series"], lt["date"],
                      f"{_fmt(lt['velocity'], '+.3f')} ± {_fmt(lt['velocity_sd'], '.3f')}" if est else "—",
                      f"{_fmt(lt['acceleration'], '+.3f')} ± {_fmt(lt['acceleration_sd'], '.3f')}" if est else "—",
                      _fmt(lt["p_accel_neg"], ".2f") if est else "—",
                      _fmt(r["p_projected_negative"], ".2f") if est else "—",
                      ("yes" if r["call"] else "no") if est else "—", r["regime"] if est else "too short"])
    t, dropped = fit_table(
        "Real-time kinematics: velocity per year, acceleration per year² (log S)",
        [("series", "key"), ("date", "date"), ("S′ ± sd", "num"), ("S″ ± sd", "num"), ("P(S″<0)", "num"),
         (f"P(S′+{h}·S″<0)", "num"), ("call", "key"), ("regime", "key")],
        cells, drop=("P(S″<0)", "date"),
    )
    stdout.print(t)
    if dropped:
        stdout.print(f"({', '.join(dropped)} left out to fit {stdout.width} columns; --json has every field)",
                     style="dim", highlight=False)
    for r in rows:
        if not r["estimable"]:
            print_lines(
                f"  {r['series']}: {r['observations']} observations, fewer than the {r['min_observations']} "
                f"the filter needs ({r['min_observations'] // r['states']} per state, {r['states']} states): "
                "no filtered estimate, no call; the discrete arithmetic "
                + "below.")
        turn = r["p_turn_within"]
        if r["estimable"] and any(v is not None for v in turn.values()):
            hs = [k for k, v in turn.items() if v is not None]
            print_lines(f"  {r['series']}: P(a turn within {', '.join(hs)} months) = "
                         + ", ".join(f"{turn[k]:.2f}" for k in hs)
                         + " (a turn: the first negative YoY reading after at least 24 months of positive ones;"
                         " it ranks coming turns well but is over-confident as odds: see 'borrowedtime evaluate')")
        elif r["estimable"]:
            print_lines(f"  {r['series']}: P(turn within h) not given: YoY growth is not positive at the last "
                         "date, or the data are not monthly, quarterly or annual.")
        for w in r["windows"]:
            print_lines(f"  {r['series']}: borrowed-time call {w['start'].date()} -> "
                        f"{w['end'].date() if w['end'] is not None else 'standing'}"
                        f"{'; S′ crossed zero ' + str(w['velocity_zero'].date()) if w['velocity_zero'] is not None else ''}")
    for r in rows:
        if r["discrete"] is not None:
            t, _ = fit_table(
                f"{r['series']}: discrete growth per step"
                f"{' (annualised: irregular dates)' if r['frequency'] == 'irregular' else ''}",
                [("date", "date"), ("value", "num"), ("growth %", "num"), ("change, pp", "num")],
                [[d["date"], f"{d['value']:,.6g}", _fmt(None if d["growth"] is None else 100 * d["growth"], "+.1f"),
                  _fmt(d["acceleration_pp"], "+.1f")] for d in r["discrete"]])
            stdout.print(t)


def _level(x: float) -> str:
    return f"{x:,.2f}" if abs(x) < 10 else f"{x:,.0f}"


def _demo_output(reading, essay: dict, horizon: float, as_json: bool) -> None:
    """``watch --demo``: the monitor on the build-out's filings series, then the essay's figures beside the filings'."""
    from dataclasses import asdict

    from borrowedtime.essay_arithmetic import essay_tables

    cap, val = essay_tables()
    if as_json:
        write_json({"series": [asdict(r) for r in reading.readings], "horizon_years": reading.horizon_years,
                    "confidence": reading.confidence, "essay": essay,
                    "essay_capex": cap.to_dict(orient="records"), "essay_marks": val.to_dict(orient="records")})
        return
    h = f"{horizon:g}y"
    cells = []
    for r in reading.readings:
        name = r.source.removeprefix("filings:")
        if r.estimable:
            cells.append([name, _num(r.last), _level(r.level),
                          f"{_level(r.trend)} [{_level(r.trend_low)}, {_level(r.trend_high)}]",
                          f"{r.velocity:+.2f} ± {r.velocity_sd:.2f}", f"{r.acceleration:+.2f} ± {r.acceleration_sd:.2f}",
                          f"{r.p_accel_neg:.2f}", f"{r.p_borrowed_time:.2f}", r.regime])
        else:
            cells.append([name, _num(r.last), "—" if r.level is None else _level(r.level), "—", "—", "—", "—", "—",
                          "no data" if r.regime == "unavailable" else r.regime])
    t, dropped = fit_table(
        "The build-out's own numbers (quarterly filings), real time: S′ per year, S″ per year² (log S)",
        [("series", "key"), ("last", "date"), ("value", "num"), ("S [95 %]", "num"), ("S′ ± sd", "num"),
         ("S″ ± sd", "num"), ("P(S″<0)", "num"), (f"P(S′+{h}·S″<0)", "num"), ("regime", "key")],
        cells, drop=("value", "S [95 %]", "last", "P(S″<0)"),
    )
    stdout.print(t)
    if dropped:
        stdout.print(f"({', '.join(dropped)} left out to fit {stdout.width} columns; --json has them)", style="dim")
    stdout.print("Value: the last observation, USD bn (a quarter for flows, at the quarter's end for backlogs) or "
                 "a ratio; S: the filtered trend there with its 95 % band (seasonally adjusted). Flows get a "
                 "quarterly seasonal component, backlogs and the trailing ratio none.", style="dim",
                 soft_wrap=not stdout.is_terminal)
    for r in reading.readings:
        if not r.estimable:
            stdout.print(f"  {r.source.removeprefix('filings:')}: {r.regime}: {r.why}", highlight=False,
                         soft_wrap=not stdout.is_terminal)
    fc, fg = essay.get("filings_capex_usd_bn", {}), essay.get("filings_growth_pct", {})
    fa = essay.get("filings_acceleration_pp", {})
    t1, _ = fit_table(
        "Hyperscaler capex: the essay's figures (recomputed | stated) beside the filings' (4 platforms)",
        [("year", "date"), ("essay $bn", "num"), ("growth %", "num"), ("stated", "num"),
         ("accel. pp", "num"), ("stated ", "num"), ("filings $bn", "num"), ("growth % ", "num"),
         ("accel. pp ", "num")],
        [[str(row.year), f"{row.capex_usd_bn:,.0f}", _fmt(row.growth_pct, "+.1f"),
          _fmt(row.stated_growth_pct, "+.0f"), _fmt(row.acceleration_pp, "+.0f"),
          _fmt(row.stated_acceleration_pp, "+.0f"), _fmt(fc.get(str(row.year)), ",.0f"),
          _fmt(fg.get(str(row.year)), "+.1f"), _fmt(fa.get(str(row.year)), "+.1f")]
         for row in cap.itertuples(index=False)])
    stdout.print(t1)
    t2, _ = fit_table(
        "OpenAI marks: step-ups (recomputed | stated)",
        [("date", "date"), ("mark $bn", "num"), ("step-up", "num"), ("stated", "num")],
        [[str(row.date), f"{row.mark_usd_bn:,.0f}", _fmt(row.step_up, ".2f"), _fmt(row.stated_step_up, ".2f")]
         for row in val.itertuples(index=False)])
    stdout.print(t2)
    stdout.print("The essay's series have 5 and 6 annual or irregular points, too few for the filter; the monitor "
                 "reads the build-out on the companies' quarterly filings above instead. The essay's 2026 and 2027 "
                 "capex are its estimates; the filings' columns are calendar years in which all four platforms "
                 "report every quarter. Every OpenAI step-up is above 1: each mark rose.", style="dim",
                 soft_wrap=not stdout.is_terminal)


@app.command()
def backtest(
    source: Annotated[str | None, typer.Argument(help="FILE, fred:ID, sec:TICKER:CONCEPT or filings:COMPANY:CONCEPT; default: Case-Shiller national in the shared reference data.")] = None,
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
    from borrowedtime.monitor.backtest import Backtest
    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.monitor.regimes import RegimeRule
    from borrowedtime.series import load_series

    with error_boundary():
        _check_settings(cutoff, horizon, confidence)
        check_range(release_lag, "--release-lag", 0, why=" (observations)")
        model = KinematicsModel(cutoff_years=cutoff, seasonal=_seasonal(seasonal))
        calm_span = _calm(calm) if calm else None
        if source is None:
            case_shiller = reference_path("case_shiller", required=False)
            if case_shiller is None:
                raise DataError(
                    "no FILE given and the Case-Shiller series is not in the shared reference data: "
                    "pass a FILE (or fred:CSUSHPINSA)."
                )
            series = load_series(case_shiller, column=column or "National-US")
            delinquency = reference_path("delinquency", required=False)
            out = load_series(delinquency) if outcome is None and delinquency is not None else None
            calm_span = calm_span or ("1992-01-01", "2003-12-31")
            lag = 2 if release_lag is None else release_lag  # Case-Shiller: published ~2 months later
        else:
            lag = 0 if release_lag is None else release_lag
            series = load_series(_source(source), column)
            out = None
        if outcome is not None:
            out = load_series(_source(outcome), outcome_column, positive=False)
        _check_inside(series, lag, calm_span, calm)
        result = Backtest(
            model, RegimeRule(horizon_years=horizon, confidence=confidence), calm=calm_span, release_lag=lag,
        ).run(series, out)
    if as_json:
        write_json(result.to_dict())
        return
    comp = result.comparison()
    standing = [c for c in comp.columns if c.startswith("standing_")]
    t1, dropped = fit_table(
        f"Real-time backtest of {result.name}: the first call before each turn of year-over-year growth"
        + (f" (calls dated as published, {result.spec.release_lag} observations after their data)"
           if result.spec.release_lag else ""),
        [("rule", "key"), ("YoY < 0", "date"), ("first call", "date"), ("lead, months", "num")]
        + [(f"standing {c.removeprefix('standing_')}", "key") for c in standing],
        [[r["rule"], _num(r["yoy_negative"]), _num(r["first_call"]), _num(r["lead_months"])]
         + [_num(r[c]) for c in standing] for r in comp.to_dict(orient="records")],
        drop=[f"standing {c.removeprefix('standing_')}" for c in standing],
    )
    stdout.print(t1)
    if dropped:
        stdout.print(f"({', '.join(dropped)} left out to fit {stdout.width} columns: the same strict test at "
                     "the observation before the turn and 3 months before; --json has them)", style="dim")
    calm_head = (f"calm {result.calm[0]:%Y}–{result.calm[1]:%Y}" if result.calm is not None
                 else "calm calls")
    per_rule = comp.drop_duplicates("rule")
    t2, _ = fit_table(
        "Calls in all (calm: calls made in the span given by --calm, where nothing should be called)",
        [("rule", "key"), ("calls", "num"), ("turns anticipated", "num"), ("false alarms", "num"),
         (calm_head, "num")],
        [[r["rule"], _num(r["calls"]), _num(r["anticipated"]), _num(r["false_alarms"]), _num(r["calm_calls"])]
         for r in per_rule.to_dict(orient="records")],
    )
    stdout.print(t2)
    print_lines(result.summary())
    o = result.outcome_summary()
    if o:
        for t in o["turns"]:
            print_lines(f"  {o['name']}: trough {t['trough']} ({t['trough_value']:.2f}), "
                        f"{t['value_at_turn']:.2f} when YoY turned negative {t['yoy_negative']}")


def _check_inside(series: pd.Series, lag: int, calm_span: tuple[str, str] | None, calm: str | None) -> None:
    """Refuse a release lag that publishes nothing inside the sample, and a --calm span outside the data."""
    first, last = series.index[0], series.index[-1]
    if lag >= len(series):
        raise SpecError(f"--release-lag {lag}: nothing would be published inside the sample "
                        f"({len(series)} observations, {first.date()}..{last.date()}); give fewer observations.")
    if calm is not None and calm_span is not None:
        a, b = (pd.Timestamp(x) for x in calm_span)
        if b < first or a > last:
            raise SpecError(f"--calm {calm}: the span lies outside the data ({first.date()}..{last.date()}).")


def _calm(text: str) -> tuple[str, str]:
    """--calm START:END, two dates in order."""
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        a, b = (pd.Timestamp(p.strip()) for p in parts)
    except ValueError:
        raise SpecError(f"--calm must be START:END dates such as 1992-01-01:2003-12-31, got {text!r}.") from None
    if not a < b:
        raise SpecError(f"--calm must run forwards (START before END), got {text!r}.")
    return str(a.date()), str(b.date())


@app.command()
def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
    series: Annotated[list[str] | None, typer.Option("--series", help="Extra series FILE[:COLUMN] to chart.")] = None,
    column: Annotated[str | None, typer.Option(
        "--column", "-c", help="Value column of every --series FILE given without its own :COLUMN.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for any Monte Carlo section.")] = 0,
    quick: Annotated[bool, typer.Option("--quick", help="Smaller Monte Carlo runs.")] = False,
    print_verdict: Annotated[bool, typer.Option(
        "--print-verdict", help="After writing, print the report's verdict as `borrowedtime verdict` does "
                                "(from the same run: the cascade is not run again).")] = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write one self-contained HTML report (works offline); sections whose data are absent are named."""
    from rich.progress import Progress

    from borrowedtime.report import render_page
    from borrowedtime.reporting import ReportOptions, compute_report
    from borrowedtime.series import is_remote, load_series

    pairs = []
    with error_boundary():
        check_output(output, "-o/--output")
        check_range(seed, "--seed", 0)
        if column is not None and not series:
            raise SpecError("--column applies to --series FILE; give --series too.")
        for item in series or []:
            path, _, col = item.partition(":") if not is_remote(item) else (item, "", "")
            pairs.append((path, col or column))
            if not is_remote(path):
                try:  # a file is checked before any work (a remote source is fetched when the report is computed)
                    load_series(Path(path), col or column)
                except BorrowedTimeError as exc:
                    raise type(exc)(f"--series {item}: {exc}") from None
    options = ReportOptions(series=tuple(pairs), shared_data=shared_data_dir(), seed=seed, quick=quick)
    with error_boundary(), Progress(console=stderr, transient=True, disable=not progress_enabled(quiet)) as bar:
        task = bar.add_task("report", total=None)
        inputs = compute_report(options, on_step=lambda name: bar.update(task, description=f"computing: {name}"))
        page = render_page(inputs)
        write_text(output, page, "-o/--output")
    if as_json:
        doc = {"output": str(output), "bytes": len(page.encode()),
               "skipped": [{"section": k, "why": v} for k, v in inputs.skipped.items()]}
        if print_verdict and "verdict" in inputs.results:
            doc["verdict"] = inputs.results["verdict"].to_dict()
        write_json(doc)
        return
    for key, why in inputs.skipped.items():
        stderr.print(f"[yellow]skipped[/yellow] {key}: {why}", highlight=False, soft_wrap=True)
    stdout.print(f"wrote {output} ({len(page.encode()) / 1e6:.1f} MB)")
    if print_verdict:
        if "verdict" not in inputs.results:
            stderr.print(f"no verdict to print: {inputs.skipped.get('verdict', 'not computed')}", highlight=False)
            raise typer.Exit(1)
        from borrowedtime.cli.verdict import print_verdict as show

        stdout.print()
        show(inputs.results["verdict"])
