"""``borrowedtime detectors``: the second-derivative monitor against LPPLS, PSY GSADF, the baseline and the naive rule."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from borrowedtime.cli._app import (
    app,
    check_range,
    error_boundary,
    fit_table,
    progress_enabled,
    stderr,
    stdout,
    write_json,
)
from borrowedtime.errors import DataError, SpecError


@app.command()
def detectors(
    source: Annotated[str, typer.Argument(help="CSV/Parquet file, fred:SERIES_ID or sec:TICKER:CONCEPT.")],
    column: Annotated[str | None, typer.Option("--column", "-c", help="Value column.")] = None,
    turn: Annotated[
        str | None,
        typer.Option(help="Date of the peak or turn (YYYY-MM-DD); default the maximum, if it is not the last date."),
    ] = None,
    lag: Annotated[int, typer.Option(help="ADF lag of the PSY test (>= 0).")] = 0,
    reps: Annotated[int, typer.Option(help="Monte Carlo replications for PSY critical values (>= 20).")] = 1000,
    threshold: Annotated[float, typer.Option(help="LPPLS confidence that counts as a warning, in (0, 1].")] = 0.2,
    horizon: Annotated[int, typer.Option(help="A warning must be standing this many days before the turn (>= 1).")] = 90,
    seed: Annotated[int, typer.Option(help="Seed of the LPPLS grid and the PSY Monte Carlo (>= 0).")] = 0,
    release_lag: Annotated[int, typer.Option(
        help="Observations between a reference date and its publication (Case-Shiller: 2); every "
             "detector's warnings are dated as published.")] = 0,
    psy_window: Annotated[str, typer.Option(
        help="PSY minimum window: 'realtime' (PSY's rule at a decade of observations, the default) or "
             "'hindsight' (PSY's and exuber's rule at the full sample size, which a real-time user "
             "could not know).")] = "realtime",
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress on stderr (it is also off when stderr is not a terminal).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")] = False,
) -> None:
    """League table: first warning, hits standing 30/90/180/365 days before the turn, move, false alarms, per detector."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from borrowedtime.detectors.league import league_table
    from borrowedtime.detectors.lppls import LPPLSModel
    from borrowedtime.detectors.psy import PSYTest
    from borrowedtime.series import load_series

    with error_boundary():
        check_range(lag, "--lag", 0)
        check_range(reps, "--reps", 20)
        check_range(threshold, "--threshold", 0, 1, low_open=True, why=" (an LPPLS confidence is a share of windows)")
        check_range(horizon, "--horizon", 1, why=" (days)")
        check_range(seed, "--seed", 0)
        check_range(release_lag, "--release-lag", 0, why=" (observations)")
        if psy_window not in ("realtime", "hindsight"):
            raise SpecError(f"--psy-window must be 'realtime' or 'hindsight', got {psy_window!r}.")
        from borrowedtime.series import is_remote

        series = load_series(source if is_remote(source) else Path(source), column)
        if turn is None and series.idxmax() == series.index[-1]:
            raise DataError(
                f"{series.name}: no turn in the sample: the series is at its maximum on its last date "
                f"({series.index[-1].date()}); pass --turn DATE to score the detectors against a turn."
            )
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=stderr, transient=True, disable=not progress_enabled(quiet),
        ) as bar:
            tasks: dict[str, int] = {}

            def on_progress(stage: str, k: int, total: int) -> None:
                if stage not in tasks:
                    label = {"lppls": "LPPLS nested fits", "gsadf": "PSY critical values"}.get(stage, stage)
                    tasks[stage] = bar.add_task(label, total=total)
                if k:
                    bar.advance(tasks[stage], k)

            table = league_table(
                series, turn=turn, horizon_days=horizon, lppls=LPPLSModel(seed=seed),
                lppls_threshold=threshold, psy=PSYTest(lag=lag, reps=reps, seed=seed, min_window=psy_window),
                release_lag=release_lag, on_progress=on_progress,
            )
    if as_json:
        write_json(table.to_dict())
        return
    rows = [[e.name,
             e.first_warning.date().isoformat() if e.first_warning is not None else "-",
             str(e.lead_days) if e.lead_days is not None else "-",
             "/".join("y" if e.hits.get(h) else "n" for h in (30, 90, 180, 365)),
             "-" if e.move_to_turn is None else f"{e.move_to_turn:+.0%}",
             str(len(e.warnings)), str(e.false_alarms), f"{e.seconds:.2f}", e.note] for e in table.entries]
    out, _ = fit_table(
        f"{table.series_name}: turn {table.turn.date()}, horizon {table.horizon_days} days"
        + (f", warnings dated as published ({table.release_lag} observations after their data)"
           if table.release_lag else ""),
        [("detector", "key"), ("first warning", "date"), ("lead (days)", "num"), ("standing 30/90/180/365 d", "key"),
         ("move to turn", "num"), ("episodes", "num"), ("false alarms", "num"), ("seconds", "num"), ("note", "text")],
        rows, drop=("seconds", "episodes"),
    )
    stdout.print(out)
