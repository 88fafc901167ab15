"""``borrowedtime stress``: the cascade as Monte Carlo over a scenario, with the stretches."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from borrowedtime.cli._app import app, error_boundary, fit_table, print_lines, stderr, stdout


@app.command()
def stress(
    scenario: Annotated[str, typer.Argument(help="A packaged scenario name (base, backstop, ...) or a YAML file.")] = "base",
    paths: Annotated[int | None, typer.Option("--paths", min=1, help="Monte Carlo paths (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed (default: the scenario's).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Run on a Dask LocalCluster of N workers.")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Run on the Dask scheduler at ADDRESS.")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Paths per chunk (seeded chunk by chunk: "
                                                "the numbers depend on seed and chunk size, not on the backend).")] = 5_000,
    narrative_path: Annotated[bool, typer.Option("--timeline", help="Also print the timelines of the central path and of a path on which a mark fails.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")] = False,
) -> None:
    """Run the six-step cascade forward: trigger-quarter distribution, defaults, losses, stretches, tornado."""
    from borrowedtime.cascade import load_scenario, run_stress
    from borrowedtime.errors import SpecError

    with error_boundary():
        scn = load_scenario(scenario, paths=paths, seed=seed)
        client = None
        if scheduler and workers is not None:
            raise SpecError("--scheduler and --workers: give one (a running scheduler, or N local workers), not both.")
        if scheduler:
            try:
                from dask.distributed import Client
            except ImportError:
                raise SpecError("--scheduler needs dask.distributed: pip install 'borrowedtime[distributed]'") from None
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise SpecError(f"--scheduler {scheduler}: cannot connect ({exc}).") from None
        with Progress(TextColumn("chunks of paths"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
            task = bar.add_task("chunks", total=None)
            result = run_stress(scn, client=client, workers=workers, chunk_size=chunk_size,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
        if client is not None:
            client.close()
    if as_json:
        sys.stdout.write(result.to_json())
        return
    _print_tables(result)
    if narrative_path:
        # the deterministic central path (every input at its median: the treadmill's first round), then the
        # first path of the run on which a mark fails (re-drawn from its chunk's seed): the report shows the same
        stdout.print("Timeline of the central path (every input at its median, no shock):", highlight=False)
        for line in result.central_path()["timeline"]:
            print_lines(f"  {line}")
        ex = result.example_path()
        stdout.print(f"Timeline of path {ex['path']} of the run " + ("(the first on which a mark fails):"
                                                                   if ex["trigger"] else "(no mark fails):"),
                     highlight=False)
        for line in ex["timeline"]:
            print_lines(f"  {line}")


def _print_tables(result) -> None:
    """The run as width-aware tables: entities, stretches, tornado (columns dropped to fit are named)."""
    head = result.summary().splitlines()[:3]
    for line in head:
        print_lines(line)
    ents = sorted(result.entities(), key=lambda e: (-e["loss_usd_bn"]["p50"], -e["p_default"]))
    ents = [e for e in ents if e["loss_usd_bn"]["p95"] > 0 or e["p_default"] > 0][:14]
    cols = [("entity", "key"), ("kind", "key"), ("P(default)", "num"), ("loss p50 bn", "num"),
            ("loss p95 bn", "num"), ("first distress", "date")]
    rows = [[e["name"], e["kind"], f"{e['p_default']:.2f}", f"{e['loss_usd_bn']['p50']:,.1f}",
             f"{e['loss_usd_bn']['p95']:,.1f}",
             result.label(e["first_distress_quarter"]) if e["first_distress_quarter"] is not None else "-"]
            for e in ents]
    _show("Entities hit (by median loss)", cols, rows, ["kind", "loss p95 bn", "first distress"])
    st = result.stretches()
    if st:
        cols = [("stretch", "key"), ("quarters bought p50", "num"), ("mean", "num"), ("paths delayed", "num"),
                ("put in, mean bn", "num"), ("paid by", "text")]
        rows = [[x["name"], f"{x['quarters_bought_median']:.0f}", f"{x['quarters_bought_mean']:.1f}",
                 f"{x['share_delayed']:.0%}", f"{x['cost_usd_bn_mean']:,.0f}", x["paid_by"]] for x in st]
        _show("Stretches (same draws, paired)", cols, rows, ["paid by", "mean", "paths delayed"])
    sens = result.sensitivity()
    if sens:
        cols = [("input", "key"), ("value", "num"), ("trigger share", "num"), ("paths", "num")]
        rows = [[x["input"], f"{x['value']:g}" + (" *" if x["scenario_value"] else ""), f"{x['trigger_share']:.1%}",
                 f"{x['paths']:,}"] for x in sens]
        _show("What the trigger share rests on (same draws; * the scenario's value)", cols, rows, ["paths"])
    cols = [("input", "key"), ("low", "num"), ("high", "num"), ("trigger quarters", "num"), ("total loss bn", "num")]
    rows = [[x["input"], f"{x['low']:.3g}", f"{x['high']:.3g}", f"{x['trigger_quarter_effect']:+.1f}",
             f"{x['loss_usd_bn_effect']:+,.1f}"] for x in result.tornado()]
    _show("Tornado: top minus bottom decile of each input", cols, rows, ["low", "high"])


def _show(title, cols, rows, drop) -> None:
    t, dropped = fit_table(title, cols, rows, drop=drop)
    stdout.print(t)
    if dropped:
        stdout.print(f"(narrow terminal: {', '.join(dropped)} not shown; --json has every column)", highlight=False)
