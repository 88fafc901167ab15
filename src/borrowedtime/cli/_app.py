"""The typer app, the two consoles and the error boundary shared by every command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from borrowedtime.errors import BorrowedTimeError

app = typer.Typer(
    name="borrowedtime",
    help="Watch the second derivative: real-time kinematics, the AI credit complex, stress tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stdout = Console()
stderr = Console(stderr=True)


@contextmanager
def error_boundary() -> Iterator[None]:
    """Turn a BorrowedTimeError into one line on stderr and exit code 2."""
    try:
        yield
    except BorrowedTimeError as exc:
        stderr.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _default(obj: Any) -> Any:
    if isinstance(obj, pd.Timestamp):
        return obj.date().isoformat()
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def write_json(payload: Any) -> None:
    """Write one JSON document to stdout (NaN and inf become null)."""
    sys.stdout.write(json.dumps(_clean(payload), default=_default, indent=2) + "\n")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``borrowedtime`` script."""
    app(args=argv)


Callback = Callable[[int], None]


@app.callback()
def _root() -> None:
    """Watch the second derivative: kinematics, the AI credit complex, stress tests."""
