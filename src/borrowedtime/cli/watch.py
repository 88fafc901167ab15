"""``borrowedtime watch``: the latest real-time kinematics of a series."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from borrowedtime.cli._app import app, error_boundary, stdout, write_json


@app.command()
def watch(
    source: Annotated[
        str | None,
        typer.Argument(help="CSV/Parquet file or fred:SERIES_ID; omit with --demo."),
    ] = None,
    column: Annotated[str | None, typer.Option("--column", "-c", help="Value column.")] = None,
    seasonal: Annotated[str, typer.Option(help="auto, none or a period in observations.")] = "auto",
    demo: Annotated[bool, typer.Option("--demo", help="Run on the embedded essay series.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")] = False,
) -> None:
    """Latest level, velocity, acceleration (with standard errors), P(S''<0), regime, events."""
    from borrowedtime.kinematics import KinematicsModel
    from borrowedtime.series import load_series

    with error_boundary():
        if source is None and not demo:
            raise typer.BadParameter("give a FILE (or fred:ID), or --demo")
        season = int(seasonal) if seasonal.isdigit() else seasonal
        series = load_series(Path(source) if source and not source.startswith("fred:") else source, column)
        result = KinematicsModel(seasonal=season).fit(series)
        latest = result.latest()
    if as_json:
        write_json({"series": result.names[0], "latest": latest})
    else:
        stdout.print(result.summary())
