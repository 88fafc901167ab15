"""``borrowedtime detectors``: the second-derivative monitor against LPPLS and PSY GSADF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from borrowedtime.cli._app import app, error_boundary, stderr, stdout, write_json


@app.command()
def detectors(
    source: Annotated[str, typer.Argument(help="CSV/Parquet file or fred:SERIES_ID.")],
    column: Annotated[str | None, typer.Option("--column", "-c", help="Value column.")] = None,
    turn: Annotated[
        str | None, typer.Option(help="Date of the peak or turn (YYYY-MM-DD); default the maximum.")
    ] = None,
    lag: Annotated[int, typer.Option(min=0, help="ADF lag of the PSY test.")] = 0,
    reps: Annotated[int, typer.Option(min=20, help="Monte Carlo replications for PSY critical values.")] = 1000,
    threshold: Annotated[float, typer.Option(help="LPPLS confidence that counts as a warning.")] = 0.2,
    horizon: Annotated[int, typer.Option(min=1, help="A warning must be standing this many days before the turn.")] = 90,
    seed: Annotated[int, typer.Option(help="Seed of the LPPLS grid and the PSY Monte Carlo.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")] = False,
) -> None:
    """League table: first warning, lead before the turn, false alarms, run time, per detector."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from borrowedtime.detectors.league import league_table
    from borrowedtime.detectors.lppls import LPPLSModel
    from borrowedtime.detectors.psy import PSYTest
    from borrowedtime.series import load_series

    with error_boundary():
        series = load_series(Path(source) if not source.startswith("fred:") else source, column)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=stderr, transient=True,
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
                lppls_threshold=threshold, psy=PSYTest(lag=lag, reps=reps, seed=seed),
                on_progress=on_progress,
            )
    if as_json:
        write_json(table.to_dict())
        return
    out = Table(title=f"{table.series_name}: turn {table.turn.date()}, horizon {table.horizon_days} days")
    for col in ("detector", "first warning", "lead (days)", "standing 30/90/180/365 d", "move to turn",
                "episodes", "false alarms", "seconds", "note"):
        out.add_column(col, justify="left" if col in ("detector", "note") else "right")
    for e in table.entries:
        out.add_row(
            e.name,
            e.first_warning.date().isoformat() if e.first_warning is not None else "-",
            str(e.lead_days) if e.lead_days is not None else "-",
            "/".join("y" if e.hits.get(h) else "n" for h in (30, 90, 180, 365)),
            "-" if e.move_to_turn is None else f"{e.move_to_turn:+.0%}",
            str(len(e.warnings)), str(e.false_alarms), f"{e.seconds:.2f}", e.note,
        )
    stdout.print(out)
