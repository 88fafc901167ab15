"""``evaluate PANEL``: every rule's skill at forecasting a turn within h months, on a wide panel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from borrowedtime.cli._app import app, error_boundary, fit_table, stderr, stdout, write_json
from borrowedtime.errors import SpecError


def _f(x: float | None, fmt: str = ".3f") -> str:
    return "—" if x is None or x != x else format(x, fmt)


@app.command(context_settings={"allow_extra_args": True})
def evaluate(
    ctx: typer.Context,
    panel: Annotated[Path, typer.Argument(help="A wide CSV/Parquet (date column + one column per series), "
                                               "monthly or quarterly, or a folder of them.")],
    horizons: Annotated[list[int] | None, typer.Option(
        "--horizons", help="h in months: a turn within h (repeat or list: --horizons 6 12).")] = None,
    rules: Annotated[str, typer.Option(
        "--rules", help="Comma-separated rules: monitor (P(turn within h)), projection (P(S'+2y S''<0)), "
                        "baseline, naive, markov, and the variants monitor-calibrated, monitor-cutoff3, "
                        "yoy-extrapolation, monitor-yoy, z3, z12, cb6, projection-h1, projection-hinf, "
                        "projection-cutoff3, projection-ar1.")]
        = "monitor,projection,baseline,naive,markov",
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples of the series (AUROC interval).")]
        = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout (nothing else goes there).")] = False,
) -> None:
    """Score each rule as a real-time forecast of "a turn within h months": AUROC, Brier, reliability."""
    from rich.progress import Progress

    from borrowedtime.monitor.evaluate import Evaluation
    from borrowedtime.monitor.screen import read_panel

    with error_boundary():
        extra = list(ctx.args)  # --horizons 6 12: click gives an option one value; the rest arrive here
        if extra and not horizons:
            raise SpecError(f"unexpected argument {extra[0]!r} (see 'borrowedtime evaluate --help').")
        for a in extra:
            if not a.lstrip("-").isdigit():
                raise SpecError(f"--horizons takes whole months; got {a!r}.")
        hs = tuple(horizons or (6, 12)) + tuple(int(a) for a in extra)
        if any(h < 1 for h in hs):
            raise SpecError(f"--horizons must be whole months >= 1, got {min(hs)}.")
        if n_boot < 0:
            raise SpecError(f"--n-boot must be >= 0, got {n_boot}.")
        names = tuple(r.strip() for r in rules.split(",") if r.strip())
        spec = Evaluation(horizons=hs, rules=names, n_boot=n_boot, seed=seed)
        with Progress(console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
            task = bar.add_task(f"reading {panel.name}", total=None)
            frame = read_panel(panel)

            def step(rule: str, done: int, total: int) -> None:
                bar.update(task, description=f"scoring {rule}", completed=done, total=total)

            result = spec.run(frame, on_progress=step)
    if as_json:
        write_json(result.to_dict())
        return
    rows = [[r.name, str(r.horizon), _f(r.auroc), f"{_f(r.auroc_ci[0])}–{_f(r.auroc_ci[1])}",
             _f(None if r.brier is None else float(r.brier)), str(r.n), str(r.events)]
            for r in result.table.itertuples(index=False)]
    title = (f"{result.n_series} {result.frequency.name} series: a turn (YoY first negative after "
             f"{spec.min_positive_months} months positive) within h months, at dates YoY > 0")
    table, dropped = fit_table(title, [("rule", "key"), ("h", "num"), ("AUROC", "num"), ("95% CI", "num"),
                                       ("Brier", "num"), ("pairs", "num"), ("events", "num")], rows,
                               drop=("Brier", "95% CI"))
    stdout.print(table)
    if dropped:
        stdout.print(f"  ({', '.join(dropped)} left out to fit the terminal; --json has every column)")
    stdout.print(f"  CI: bootstrap over series ({spec.n_boot} resamples, seed {spec.seed}); "
                 "Brier for rules that give probabilities.", highlight=False, soft_wrap=True)
    for name, why in result.skipped:
        stdout.print(f"  skipped {name}: {why}", highlight=False, soft_wrap=True)
