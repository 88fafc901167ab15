"""``screen PANEL``: many series at once, ranked by state (borrowed time first)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from borrowedtime.cli._app import app, error_boundary, stderr, stdout, write_json
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

    from borrowedtime.kinematics import KinematicsModel
    from borrowedtime.regimes import RegimeRule
    from borrowedtime.screen import Screen, read_panel

    with error_boundary():
        if top is not None and top < 1:
            raise SpecError(f"--top must be a positive integer, got {top}.")
        if output is not None and not output.parent.exists():
            raise DataError(f"{output.parent}: no such folder for -o/--output.")
        season = int(seasonal) if seasonal.isdigit() else seasonal
        if season not in ("auto", "none") and not isinstance(season, int):
            raise SpecError(f"--seasonal must be auto, none or an integer; got {seasonal!r}.")
        spec = Screen(KinematicsModel(seasonal=season), RegimeRule(horizon_years=horizon, confidence=confidence))
        with Progress(console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
            task = bar.add_task(f"reading {Path(panel).name}", total=None)
            frame = read_panel(panel)
            bar.update(task, description=f"screening {frame.shape[1]} series")
            result = spec.run(frame, on_progress=lambda d, t: bar.update(task, completed=d, total=t))
        if output is not None:
            from borrowedtime.report.screen import render_screen_page

            output.write_text(render_screen_page(result, top=top), encoding="utf-8")
    if as_json:
        write_json(result.to_dict(top=top))
        return
    frame = result.to_frame() if top is None else result.to_frame().head(top)
    table = Table(title=result.summary(), box=box.SIMPLE_HEAD, pad_edge=False,
                  caption="P: P(S'+H·S''<0) at the last date; since: start of the regime; mo.: months in it; "
                  "call: start of the standing call; S′/yr: log growth per year (real time)")
    for col in ("#", "series", "regime", "P", "since", "mo.", "call", "last", "S′/yr"):
        table.add_column(col, justify="left" if col in ("series", "regime") else "right", no_wrap=True)
    for k, r in enumerate(frame.itertuples(index=False), 1):
        table.add_row(str(k), r.name, r.regime, f"{r.p_borrowed_time:.2f}", f"{r.since:%Y-%m}",
                      str(r.months_in_regime), "—" if r.call_since is None or r.call_since != r.call_since
                      else f"{r.call_since:%Y-%m}", f"{r.last_date:%Y-%m}", f"{r.velocity:+.1%}")
    stdout.print(table)
    for s in result.skipped:
        stdout.print(f"  skipped {s.name}: {s.why}", highlight=False, soft_wrap=True)
    if output is not None:
        stdout.print(f"wrote {output}")
