"""``borrowedtime complex validate|show`` and ``borrowedtime audit``.

``complex validate FILE`` lists every problem in a complex file at once (exit
code 2 when there are any, the code of bad input everywhere); ``complex show`` prints entities, contracts and
the exposure views; ``audit`` recomputes the essay's claims from the default
dataset or a user's file, optionally with overlays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from borrowedtime.cli._app import (
    EXIT_BAD_INPUT,
    app,
    check_output,
    error_boundary,
    fail,
    fit_table,
    stderr,
    stdout,
    write_json,
    write_text,
)
from borrowedtime.errors import DataError, SpecError

complex_app = typer.Typer(
    name="complex",
    help="The AI credit complex as data: validate a file, show entities, contracts and exposures.",
    no_args_is_help=True,
)
app.add_typer(complex_app, name="complex")

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")]
_OVERLAY = Annotated[
    list[Path] | None,
    typer.Option("--overlay", help="Overlay file merged on the base by name (repeatable)."),
]
_BASE = Annotated[
    Path | None,
    typer.Option("--complex", help="Complex YAML file; default: the packaged essay dataset."),
]
_STATUS_STYLE = {"pass": "green", "fail": "bold red", "cannot check": "yellow"}


def _records(frame) -> list[dict]:
    return frame.reset_index().to_dict(orient="records")


def _rich_table(frame, title: str, *, float_fmt: str = "{:,.1f}") -> Table:
    """A frame as a table that fits stdout: transposed when it is wide and short, else columns dropped."""
    from borrowedtime.cli._app import fits

    df = frame.reset_index()
    cols, rows = [], []
    for col in df.columns:
        kind = "num" if df[col].dtype.kind in "fiu" else "key"
        if kind == "key" and df[col].astype(str).str.len().max() > 30:
            kind = "text"  # prose (sources, notes): wraps at words
        cols.append((str(col).removesuffix("_usd_bn"), kind))
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append("—" if v != v else float_fmt.format(v))
            else:
                cells.append("—" if v is None else str(v))
        rows.append(cells)
    if not fits(cols, rows) and len(rows) <= 12 and not any(k == "text" for _, k in cols):
        # wide and short (one row per platform, many fields): one row per field instead
        t_cols = [("", "key")] + [(r[0], "num") for r in rows]
        t_rows = [[cols[j][0]] + [r[j] for r in rows] for j in range(1, len(cols))]
        cols, rows = t_cols, t_rows
    t, dropped = fit_table(title, cols, rows, drop=[c for c, _ in reversed(cols[1:])])
    if dropped:
        t.heading = f"{t.heading} (left out to fit: {', '.join(dropped)}; --json has every column)"
    return t


def _status(text: str | None) -> str | None:
    """--status, case-insensitive; cannot-check, cannot_check and 'cannot check' are one status."""
    from borrowedtime.audit import STATUSES

    if text is None:
        return None
    t = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if t not in STATUSES:
        raise SpecError(f"--status must be one of {', '.join(s.replace(' ', '-') for s in STATUSES)}, got {text!r}.")
    return t


@complex_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="The complex YAML file to check.")],
    on_default: Annotated[
        bool, typer.Option("--on-default", help="Check FILE as an overlay on the packaged dataset.")
    ] = False,
    as_json: _JSON = False,
) -> None:
    """List every problem in a complex file (exit code 2 if there are any)."""
    from borrowedtime.complex import validate_complex

    with error_boundary():
        if not file.exists():  # not a problem *in* the file: one line on stderr, like every command
            raise DataError(f"{file}: no such file.")
        if file.is_dir():
            raise DataError(f"{file}: is a folder; give a complex YAML file.")
        problems = validate_complex(None, overlay=file) if on_default else validate_complex(file)
    if as_json:
        write_json({"file": str(file), "valid": not problems, "problems": [p.to_dict() for p in problems]})
    elif not problems:
        stdout.print(f"[green]valid:[/green] {file}")
    else:
        t, _ = fit_table(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {file}",
                         [("file", "key"), ("path", "key"), ("problem", "text")],
                         [[p.file, p.path, p.message] for p in problems])
        stdout.print(t)
    if problems:
        raise typer.Exit(code=EXIT_BAD_INPUT)


@complex_app.command("show")
def show(
    what: Annotated[
        str,
        typer.Argument(help="entities, contracts, figures, exposures, concentration, labs or all."),
    ] = "all",
    base: _BASE = None,
    overlay: _OVERLAY = None,
    as_json: _JSON = False,
) -> None:
    """Print the entities, contracts and exposure views of the complex."""
    from borrowedtime.complex import exposures, lab_exposure, load_complex, platform_concentration

    views = ("entities", "contracts", "figures", "exposures", "concentration", "labs")
    what = what.strip().lower()
    if what != "all" and what not in views:
        fail(f"unknown view {what!r}; choose one of {', '.join(views)} or all")
        raise typer.Exit(code=EXIT_BAD_INPUT)
    with error_boundary():
        cx = load_complex(base, overlay=overlay or None)
        wanted = views if what == "all" else (what,)
        frames = {}
        for v in wanted:
            if v == "entities":
                frames[v] = cx.entities_frame()
            elif v == "contracts":
                frames[v] = cx.contracts_frame().drop(columns=["source"])
            elif v == "figures":
                frames[v] = cx.figures_frame()
            elif v == "exposures":
                frames[v] = exposures(cx).matrix("ultimate")
            elif v == "concentration":
                frames[v] = platform_concentration(cx).to_frame()
            elif v == "labs":
                frames[v] = lab_exposure(cx).to_frame()
    if as_json:
        write_json({"files": list(cx.files), "as_of": cx.as_of, **{k: _records(f) for k, f in frames.items()}})
        return
    stdout.print(cx.summary())
    titles = {
        "entities": "Entities (latest backlog, USD bn)",
        "contracts": "Contracts (USD bn; obligor owes obligee)",
        "figures": "Reported figures with provenance",
        "exposures": "Owed, looked through: creditor (rows) x ultimate debtor (columns), USD bn",
        "concentration": "Platform backlog by ultimate tenant (USD bn, shares decimal)",
        "labs": "Ultimate exposure to the labs by creditor (USD bn)",
    }
    for k, f in frames.items():
        if k == "exposures":
            f = f.loc[f.sum(axis=1) > 0, f.sum(axis=0) > 0]
        stdout.print(_rich_table(f, titles[k], float_fmt="{:,.3f}" if k == "concentration" else "{:,.1f}"))


@app.command("audit")
def audit_cmd(
    base: _BASE = None,
    overlay: _OVERLAY = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", "-o", help="Also write the claims shown to this CSV file.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Show (and write) only claims with this status: pass, fail, cannot-check."),
    ] = None,
    why: Annotated[bool, typer.Option("--why", help="Show the 'why' column in the table.")] = False,
    as_json: _JSON = False,
) -> None:
    """Recompute every quantitative claim of the essay: pass, fail or cannot check."""
    from borrowedtime.audit import audit, format_value
    from borrowedtime.complex import load_complex

    with error_boundary():
        status = _status(status)
        check_output(csv, "--csv")
        cx = load_complex(base, overlay=overlay or None)
        result = audit(cx)
        claims = [c for c in result.claims if status is None or c.status == status]
        if csv is not None:
            frame = result.to_frame()
            write_text(csv, frame.loc[[c.id for c in claims]].to_csv(), "--csv")
            if not as_json:
                stderr.print(f"wrote {len(claims)} claims to {csv}")
    if as_json:
        payload = result.to_dict()
        payload["claims"] = [c.to_dict() for c in claims]
        write_json(payload)
        return
    n = result.counts()
    by = result.counts_by_kind()
    rows = []
    for c in claims:
        sign = {"at least": ">= ", "more than": "> ", "less than": "< ", "at most": "<= "}.get(c.test or "", "")
        claim = c.claim + (f"\n[dim]why: {escape(c.why)}[/dim]" if why and c.why else "")
        row = [c.id, claim, c.kind, sign + format_value(c.stated, c.unit), format_value(c.recomputed, c.unit),
               "—" if c.test not in (None, "within") and not c.tolerance
               else format_value(c.tolerance, c.unit, tolerance=True),
               f"[{_STATUS_STYLE[c.status]}]{c.status}[/{_STATUS_STYLE[c.status]}]"]
        rows.append(row)
    cols = [("id", "key"), ("claim" + (" (and why)" if why else ""), "text"), ("kind", "key"), ("stated", "num"),
            ("recomputed", "num"), ("tolerance", "num"), ("status", "key")]
    t, dropped = fit_table(
        f"Audit of the essay: {len(result.claims)} claims — {n['pass']} pass, {n['fail']} fail, "
        f"{n['cannot check']} cannot check" + (f" (showing {status}: {len(claims)})" if status else "")
        + "\n" + "; ".join(f"{k}: {v['pass']} pass, {v['fail']} fail, {v['cannot check']} cannot check"
                           for k, v in by.items()),
        cols, rows, drop=("tolerance", "kind") + (() if why else ("claim",)),  # --why: vertical rather
    )
    stdout.print(t)
    if dropped:
        stdout.print(f"({', '.join(dropped)} left out to fit {stdout.width} columns; a wider terminal, --why or "
                     "--json shows every field)", style="dim")
    stdout.print(f"dataset: {', '.join(result.files)}", style="dim")
