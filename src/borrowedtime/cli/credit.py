"""``borrowedtime credit``: the platforms' backlogs priced as a loan book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from borrowedtime.cli._app import (
    app,
    check_range,
    error_boundary,
    fit_table,
    print_lines,
    stderr,
    stdout,
    write_json,
)
from borrowedtime.errors import SpecError


def _pairs(items: list[str] | None, what: str, convert) -> dict:
    out = {}
    for raw in items or []:
        name, sep, value = raw.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise SpecError(f"{what}: expected NAME=VALUE (e.g. openai=0.2), got {raw!r}.")
        try:
            out[name.strip()] = convert(value.strip())
        except ValueError:
            raise SpecError(f"{what}: {raw!r} has a value that is not a number.") from None
    return out


def _term_payload(term) -> dict | None:
    if term is None:
        return None
    frame = term.to_frame()
    return {
        "horizon": "the contracts' remaining terms (cumulative PDs)",
        "n_paths": term.n_paths,
        "settings": term.settings,
        "platforms": [
            {"name": p, "exposure_usd_bn": float(r["exposure_usd_bn"]),
             "expected_loss_usd_bn": float(r["expected_loss_usd_bn"]),
             "expected_loss_se_usd_bn": float(r["expected_loss_se_usd_bn"]),
             "var_999_usd_bn": float(r["var_999_usd_bn"]),
             "var_999_ci_usd_bn": [float(r["var_999_ci_low_usd_bn"]), float(r["var_999_ci_high_usd_bn"])],
             "es_999_usd_bn": float(r["es_999_usd_bn"]),
             "es_999_ci_usd_bn": [float(r["es_999_ci_low_usd_bn"]), float(r["es_999_ci_high_usd_bn"])],
             "losses_by_year": [
                 {"year": int(y), "outstanding_usd_bn": float(row["outstanding_usd_bn"]),
                  "payments_usd_bn": float(row["payments_usd_bn"]),
                  "expected_loss_usd_bn": float(row["expected_loss_usd_bn"]),
                  "simulated_expected_loss_usd_bn": float(row["simulated_expected_loss_usd_bn"])}
                 for y, row in term.by_year(p).iterrows()
             ]}
            for p, r in frame.iterrows()
        ],
    }


def payload(books, wraps, treadmill, term=None) -> dict:
    """The ``--json`` document (money USD bn, probabilities decimal).

    ``platforms`` is the one-year view (one-year PDs on the whole backlog, ``horizon`` "one year");
    ``term`` spreads each book over its contracts' remaining terms with cumulative PDs
    (:func:`borrowedtime.credit.term.term_books`), with ``losses_by_year``.
    """
    platforms = []
    for p, r in books.table.iterrows():
        c = books.contributions(p)
        platforms.append({
            "name": p,
            "exposure_usd_bn": float(r["book_usd_bn"]),
            "identified_exposure_usd_bn": float(r["exposure_usd_bn"]),
            "lab_exposure_usd_bn": float(r["lab_exposure_usd_bn"]),
            "expected_loss_usd_bn": float(r["expected_loss_usd_bn"]),
            "unexpected_loss_usd_bn": float(r["unexpected_loss_usd_bn"]),
            "var_99_usd_bn": float(r["var_99_usd_bn"]),
            "es_99_usd_bn": float(r["es_99_usd_bn"]),
            "var_999_usd_bn": float(r["var_999_usd_bn"]),
            "es_999_usd_bn": float(r["es_999_usd_bn"]),
            "var_99_ci_usd_bn": [float(r["var_99_ci_low_usd_bn"]), float(r["var_99_ci_high_usd_bn"])],
            "es_99_ci_usd_bn": [float(r["es_99_ci_low_usd_bn"]), float(r["es_99_ci_high_usd_bn"])],
            "var_999_ci_usd_bn": [float(r["var_999_ci_low_usd_bn"]), float(r["var_999_ci_high_usd_bn"])],
            "es_999_ci_usd_bn": [float(r["es_999_ci_low_usd_bn"]), float(r["es_999_ci_high_usd_bn"])],
            "tail_scenarios_999": int(r["tail_scenarios_999"]),
            "horizon": "one year",
            "equity_usd_bn": r["equity_usd_bn"],
            "operating_cash_flow_usd_bn": r["operating_cash_flow_usd_bn"],
            "debt_usd_bn": r["debt_usd_bn"],
            "es_999_over_equity": r["es_999_over_equity"],
            "herfindahl": float(r["herfindahl"]),
            "top1_share": float(r["top1_share"]),
            "contributions": {str(k): float(v) for k, v in c.items()},
        })
    return {
        "platforms": platforms,
        "correlation_sweep": [
            {"rho": float(s["rho"]), "var_999_usd_bn": float(s["var_999_usd_bn"]),
             "es_999_usd_bn": float(s["es_999_usd_bn"]), "var_99_usd_bn": float(s["var_99_usd_bn"]),
             "expected_loss_usd_bn": float(s["expected_loss_usd_bn"])}
            for _, s in books.sweep.iterrows()
        ],
        "p_default": {str(k): float(v) for k, v in books.pds.items()},
        "wraps": wraps.replace({np.nan: None}).to_dict(orient="records"),
        "treadmill_pd": None if treadmill is None else {
            "p_fail": treadmill.p_fail, "annual_pd": treadmill.annual_pd,
            "refinancing_date": treadmill.refinancing_date,
            "rating_table_one_year": {str(k): float(v) for k, v in treadmill.comparable["one_year_pd"].items()},
        },
        "term": _term_payload(term),
        "settings": books.settings,
    }


def _fmt(v, spec: str = "{:,.1f}") -> str:
    return "—" if v is None or (isinstance(v, float) and not np.isfinite(v)) else spec.format(v)


@app.command()
def credit(
    paths: Annotated[int, typer.Option("--paths", min=1_000, help="Monte Carlo scenarios.")] = 200_000,
    seed: Annotated[str, typer.Option("--seed", help="Root seed, an int >= 0.")] = "0",
    rho_ai: Annotated[float, typer.Option("--rho-ai", help="Asset correlation between AI tenants, in [0, 1].")] = 0.5,
    lgd: Annotated[float, typer.Option("--lgd", help="Loss given default of a backlog receivable, in [0, 1].")] = 0.45,
    copula: Annotated[str, typer.Option("--copula", help="gaussian or t.")] = "gaussian",
    dof: Annotated[float | None, typer.Option("--dof", help="Degrees of freedom of the t copula.")] = None,
    openai_pd: Annotated[
        str, typer.Option("--openai-pd", help="OpenAI's PD: table (its assumed rating), treadmill, or a number.")
    ] = "table",
    rating: Annotated[
        list[str] | None, typer.Option("--rating", help="Override a rating, NAME=GRADE (e.g. oracle=BBB-); repeatable.")
    ] = None,
    pd_over: Annotated[
        list[str] | None, typer.Option("--pd", help="Override a PD, NAME=DECIMAL (e.g. openai=0.25); repeatable.")
    ] = None,
    complex_file: Annotated[
        Path | None, typer.Option("--complex", help="Complex YAML file; default: the packaged essay dataset.")
    ] = None,
    overlay: Annotated[
        list[Path] | None, typer.Option("--overlay", help="Overlay file merged on the complex (repeatable).")
    ] = None,
    term_paths: Annotated[
        int, typer.Option("--term-paths", min=0, help="Scenarios of the view over the backlog's term "
                          "(cumulative PDs, loss by year); 0 skips it.")
    ] = 20_000,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")] = False,
) -> None:
    """Price the platforms' backlogs as a loan book: EL, VaR and ES, contributions, the wraps, the correlation sweep."""
    from borrowedtime.complex import load_complex
    from borrowedtime.credit.books import platform_books, wrap_table
    from borrowedtime.credit.pd import rating_category, treadmill_pd

    with error_boundary():
        try:
            seed_value = int(seed)
        except ValueError:
            raise SpecError(f"--seed must be an int >= 0 (the root of the SeedSequence); got {seed!r}.") from None
        if seed_value < 0:
            raise SpecError(f"--seed must be an int >= 0; got {seed!r}.")
        ratings = _pairs(rating, "--rating", str)
        for grade in ratings.values():
            rating_category(grade)  # a clear error for a grade that is not on the scale
        overrides = _pairs(pd_over, "--pd", float)
        check_range(rho_ai, "--rho-ai", 0, 1, why=" (an asset correlation)")
        check_range(lgd, "--lgd", 0, 1, why=" (a loss share)")
        openai: str | float = openai_pd
        if openai_pd not in ("table", "treadmill"):
            try:
                openai = float(openai_pd)
            except ValueError:
                raise SpecError(f"--openai-pd must be 'table', 'treadmill' or a probability; got {openai_pd!r}.") from None
        cx = load_complex(complex_file, overlay=overlay or None)
        for flag, given in (("--rating", ratings), ("--pd", overrides)):
            unknown = [n for n in given if n not in cx.model.entities]
            if unknown:
                raise SpecError(f"{flag} {unknown[0]}=...: {unknown[0]!r} is not an entity of the complex "
                                f"(entities: {', '.join(cx.model.entities)}).")
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
            task = bar.add_task("credit books", total=None)

            def tick(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=total)

            books = platform_books(cx, n_paths=paths, seed=seed_value, rho_ai=rho_ai, lgd=lgd, copula=copula, dof=dof,
                                   ratings=ratings, p_default=overrides, openai_pd=openai, progress=tick)
            term = None
            if term_paths:
                from borrowedtime.credit.term import term_books

                term = term_books(books, cx, n_paths=term_paths, seed=seed_value,
                                  progress=lambda d, t: tick("term", d, t))
        wraps = wrap_table(books.inputs, p_default=overrides)
        treadmill = treadmill_pd(seed=seed_value)
    if as_json:
        write_json(payload(books, wraps, treadmill, term))
        return
    cols = [("platform", "key"), ("book", "num"), ("labs", "num"), ("EL", "num"), ("VaR 99.9", "num"),
            ("ES 99.9", "num"), ("equity", "num"), ("op. cash flow", "num"), ("debt", "num"), ("ES/equity", "num"),
            ("largest contributor", "text")]
    rows = []
    for p, r in books.table.iterrows():
        c = books.contributions(p)
        rows.append([p, _fmt(r["book_usd_bn"], "{:,.0f}"), _fmt(r["lab_exposure_usd_bn"], "{:,.0f}"),
                     _fmt(r["expected_loss_usd_bn"]), _fmt(r["var_999_usd_bn"]), _fmt(r["es_999_usd_bn"]),
                     _fmt(r["equity_usd_bn"], "{:,.0f}"), _fmt(r["operating_cash_flow_usd_bn"], "{:,.0f}"),
                     _fmt(r["debt_usd_bn"], "{:,.0f}"), _fmt(r["es_999_over_equity"], "{:.2f}x"),
                     f"{c.index[0]} {c.iloc[0]:,.1f}"])
    _print_fit(books.summary().splitlines()[0] + " -- one-year view", cols, rows,
               ["op. cash flow", "debt", "EL", "labs", "equity", "largest contributor"])
    sweep = ", ".join(f"{s['rho']:.2f}: {s['var_999_usd_bn']:,.0f}" for _, s in books.sweep.iterrows())
    print_lines(f"Default book, VaR 99.9 % (USD bn) as the AI tenants' correlation rises: {sweep}")
    cols = [("contract", "key"), ("obligor", "key"), ("guarantor", "key"), ("amount", "num"), ("PD", "num"),
            ("effective PD", "num"), ("grade", "key"), ("RW standalone", "num"), ("RW double default", "num")]
    rows = [[r["contract"], r["obligor"], r["guarantor"] if isinstance(r["guarantor"], str) else "— (naked)",
             _fmt(r["amount_usd_bn"]), f"{r['pd_obligor']:.2%}", f"{r['pd_effective']:.3%}",
             f"{r['grade_standalone']} -> {r['grade_effective']}", f"{r['rw_standalone']:.0%}",
             f"{r['rw_double_default']:.0%}"] for _, r in wraps.iterrows()]
    _print_fit("Wrapped and naked lab exposures (PD one year; grade the PD earns)", cols, rows,
               ["RW standalone", "RW double default", "amount", "guarantor", "grade"])
    print_lines("(RW double default: Basel II para 307 admits only financial protection providers; for Google "
                "and Broadcom it is an analogy)")
    if term is not None:
        cols = [("platform", "key"), ("exposure", "num"), ("EL", "num"), ("VaR 99.9", "num"), ("95 % MC", "num"),
                ("ES 99.9", "num"), ("EL by year", "text")]
        rows = []
        for p, r in term.to_frame().iterrows():
            by = term.by_year(p)
            by = by[by["expected_loss_usd_bn"] > 0.05]
            rows.append([p, _fmt(r["exposure_usd_bn"], "{:,.0f}"), _fmt(r["expected_loss_usd_bn"]),
                         _fmt(r["var_999_usd_bn"]),
                         f"{r['var_999_ci_low_usd_bn']:,.1f}-{r['var_999_ci_high_usd_bn']:,.1f}",
                         _fmt(r["es_999_usd_bn"]),
                         " ".join(f"{y}:{v:,.1f}" for y, v in by["expected_loss_usd_bn"].items())])
        _print_fit(f"Over the backlog's term (cumulative PDs; {term.n_paths:,} paths; USD bn)", cols, rows,
                   ["EL by year", "ES 99.9", "95 % MC"])
    print_lines(treadmill.summary())


def _print_fit(title: str, cols, rows, drop) -> None:
    """A table that fits the terminal (columns dropped in ``drop`` order, named below it)."""
    t, dropped = fit_table(title, cols, rows, drop=drop)
    stdout.print(t)
    if dropped:
        stdout.print(f"(narrow terminal: {', '.join(dropped)} not shown; --json has every column)", highlight=False)
