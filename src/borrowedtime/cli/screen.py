"""``screen PANEL``: many series at once, ranked by state (borrowed time first)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from borrowedtime.cli._app import (
    app,
    check_output,
    check_range,
    error_boundary,
    fit_table,
    print_lines,
    stderr,
    stdout,
    write_json,
)
from borrowedtime.errors import DataError, SpecError


@app.command()
def screen(
    panel: Annotated[str, typer.Argument(help="A wide CSV/Parquet (date column + one column per series), a folder of "
                                              "them, or filings:COMPANIES:CONCEPTS (e.g. filings:all:capex).")],
    top: Annotated[int | None, typer.Option("--top", help="Show only the first N ranked series.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Also write an HTML page with small multiples.")] = None,
    seasonal: Annotated[str, typer.Option(help="Seasonal component: auto, none or a period in observations.")] = "auto",
    horizon: Annotated[float, typer.Option(help="Refinancing horizon H of S'+H*S'', years.")] = 2.0,
    confidence: Annotated[float, typer.Option(help="P(S'+H*S''<0) needed to make a call.")] = 0.9,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout (nothing else goes there).")] = False,
) -> None:
    """Fit every series of PANEL in one pass and rank them: borrowed time first, by probability and duration."""
    from rich.progress import Progress

    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.monitor.regimes import RegimeRule
    from borrowedtime.monitor.screen import Screen, read_panel

    with error_boundary():
        if top is not None and top < 1:
            raise SpecError(f"--top must be a positive integer, got {top}.")
        check_output(output, "-o/--output")
        if horizon != float("inf"):
            check_range(horizon, "--horizon", 0, low_open=True, why=" (years)")
        check_range(confidence, "--confidence", 0.5, 1, high_open=True, why=" (a probability above even odds)")
        season = int(seasonal) if seasonal.isdigit() else seasonal
        if season not in ("auto", "none") and not isinstance(season, int):
            raise SpecError(f"--seasonal must be auto, none or an integer; got {seasonal!r}.")
        spec = Screen(KinematicsModel(seasonal=season), RegimeRule(horizon_years=horizon, confidence=confidence))
        with Progress(console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
            task = bar.add_task(f"reading {Path(panel).name}", total=None)
            frame = read_panel(panel)
            bar.update(task, description=f"screening {frame.shape[1]} series")
            result = spec.run(frame, on_progress=lambda d, t: bar.update(task, completed=d, total=t))
        if result.table.empty and not any(s.arithmetic for s in result.skipped):
            raise DataError(f"{Path(panel).name}: no series can be screened: "
                            + "; ".join(f"{s.name}: {s.why}" for s in result.skipped) if result.skipped
                            else f"{Path(panel).name}: no value column to screen.")
        if output is not None:
            from borrowedtime.report.screen import render_screen_page

            output.write_text(render_screen_page(result, top=top), encoding="utf-8")
    if as_json:
        write_json(result.to_dict(top=top))
        return
    frame = result.to_frame() if top is None else result.to_frame().head(top)
    table, _ = fit_table(
        result.summary(),
        [("#", "num"), ("series", "key"), ("regime", "key"), ("P", "num"), ("P12", "num"), ("since", "date"),
         ("mo.", "num"), ("call", "date"), ("last", "date"), ("S′/yr", "num")],
        [[str(k), r.name, r.regime, f"{r.p_borrowed_time:.2f}",
          "—" if r.p_turn_12m != r.p_turn_12m else f"{r.p_turn_12m:.2f}", f"{r.since:%Y-%m}",
          str(r.months_in_regime),
          "—" if r.call_since is None or r.call_since != r.call_since else f"{r.call_since:%Y-%m}",
          f"{r.last_date:%Y-%m}", f"{r.velocity:+.1%}"] for k, r in enumerate(frame.itertuples(index=False), 1)])
    stdout.print(table)
    if not stdout.plain:  # the key follows the table on a terminal (docs/observe.md)
        print_lines("P: P(S'+H·S''<0) at the last date; P12: P(a turn within 12 months: YoY growth negative "
                    "after >= 24 months positive); since: start of the regime; mo.: months in it; call: start of "
                    "the standing call; S′/yr: log growth per year (real time)", style="dim")
    for s in result.skipped:
        print_lines(f"  skipped {s.name}: {s.why}")
    if output is not None:
        stdout.print(f"wrote {output}")
