"""``borrowedtime verdict``: is the AI build-out on borrowed time, and how sure? (one answer, :mod:`borrowedtime.verdict`)."""

from __future__ import annotations

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


@app.command()
def verdict(
    paths: Annotated[int | None, typer.Option(
        help="Monte Carlo paths of the cascade (at least 100; default: the scenario's, as `stress` runs it).")] = None,
    seed: Annotated[int, typer.Option(help="Root seed of the cascade and the IPO draws.")] = 0,
    scenario: Annotated[str, typer.Option(help="Cascade scenario: a packaged name or a YAML file.")] = "base",
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress on stderr (it is also off when stderr is not a terminal).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout (nothing else goes there).")] = False,
) -> None:
    """The monitor on the filings series, the treadmill's step-ups and the cascade's triggers, in a few sentences."""
    from rich.progress import Progress

    from borrowedtime.verdict import verdict as run_verdict

    with error_boundary():
        if paths is not None:
            check_range(paths, "--paths", 100, why=" (Monte Carlo paths)")
        check_range(seed, "--seed", 0)
        with Progress(console=stderr, transient=True, disable=not progress_enabled(quiet)) as bar:
            task = bar.add_task("verdict", total=None)
            result = run_verdict(paths=paths, seed=seed, scenario=scenario,
                                 progress=lambda name: bar.update(task, description=f"computing: {name}"))
    if as_json:
        write_json(result.to_dict())
        return
    print_verdict(result)


def print_verdict(result) -> None:
    """The verdict as the command prints it (also ``borrowedtime report --print-verdict``)."""
    frame = result.to_frame()
    t, dropped = fit_table(
        "Is the AI build-out on borrowed time, and how sure?",
        [("question", "text"), ("reading", "num"), ("how sure", "text")],
        frame[["question", "reading", "how sure"]].values.tolist(), drop=("how sure",),
    )
    stdout.print(t)
    if dropped:
        stdout.print(f"({', '.join(dropped)} left out to fit {stdout.width} columns; --json has it)", style="dim")
    for sentence in result.sentences:
        stdout.print(sentence, soft_wrap=not stdout.is_terminal, highlight=False)
