"""The typer app, the two consoles and the error boundary shared by every command.

Every way a command can fail ends in **one line on stderr** and a stated exit
code, never a traceback:

* bad input (a file, a flag, a value that cannot mean anything; click's usage
  errors, which would otherwise print a multi-line box): exit code 2;
* an output that cannot be written (``-o /no/such/dir/x.html``, a full device
  such as ``> /dev/full``): exit code 2;
* interrupted (Ctrl-C): exit code 130;
* anything else is a bug in borrowedtime: one line naming the exception, exit
  code 1 (``BORROWEDTIME_DEBUG=1`` shows the traceback).

Output goes through :data:`stdout`, whose tables fit the terminal (numbers and
dates never wrap; prose columns do) and which prints plain full-width text
when stdout is not a terminal (a file or a pipe).
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

try:  # typer >= 0.20 vendors click as typer._click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as _cx

from borrowedtime.errors import BorrowedTimeError, SpecError  # noqa: E402

_ABORT = tuple({getattr(_cx, "Abort", typer.Abort), typer.Abort})

EXIT_BAD_INPUT = 2
EXIT_BUG = 1
_PLAIN_WIDTH = 400  # columns of plain text when stdout is not a terminal: nothing wraps


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def fail(message: str) -> None:
    """Print ``error: message`` as one red line on stderr (the message is not markup)."""
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    err.print(f"[red]error:[/red] {escape(_one_line(message))}")


def _hint(exc: _cx.BadParameter) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        opts = getattr(exc.param, "opts", None) or [exc.param.name]
        hint = max(opts, key=len) if getattr(exc.param, "param_type_name", "") == "option" else exc.param.name
    if isinstance(hint, list | tuple):
        hint = "/".join(str(h) for h in hint)
    return str(hint or "value").strip("'\"")


def _usage_message(exc: _cx.UsageError) -> str:
    """One line for a click usage error, naming the flag and the value."""
    ctx = getattr(exc, "ctx", None)
    cmd = ctx.command_path if ctx is not None else "borrowedtime"
    if isinstance(exc, _cx.BadParameter) and not isinstance(exc, _cx.MissingParameter):
        msg = _one_line(exc.message).rstrip(".")
        cause = exc.__cause__
        got = ""
        if cause is not None and hasattr(cause, "errors"):  # pydantic ValidationError (typer's coercion)
            try:
                first = cause.errors()[0]
                got = f", got {first.get('input')!r}"
                msg = first.get("msg", msg)
            except (IndexError, TypeError, AttributeError):
                pass
        return f"{_hint(exc)}: {msg[:1].lower() + msg[1:]}{got}"
    return f"{_one_line(exc.format_message()).rstrip('.')} (see '{cmd} --help')"


class OneLineGroup(TyperGroup):
    """The root command: every failure ends in one line on stderr (see the module docstring)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        code = 0
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
            _flush_stdout()
        except _cx.NoArgsIsHelpError as exc:
            sys.stdout.write(exc.ctx.get_help() + "\n")
            code = EXIT_BAD_INPUT
        except _cx.UsageError as exc:
            fail(_usage_message(exc))
            code = EXIT_BAD_INPUT
        except _ABORT:
            fail("interrupted")
            code = 130
        except _cx.ClickException as exc:
            fail(exc.format_message())
            code = EXIT_BAD_INPUT
        except BorrowedTimeError as exc:
            fail(str(exc))
            code = EXIT_BAD_INPUT
        except KeyboardInterrupt:
            fail("interrupted")
            code = 130
        except OSError as exc:
            _quiet_stdout()
            fail(_os_message(exc))
            code = EXIT_BAD_INPUT
        except Exception as exc:  # a bug: still one line, and the way to see more
            if os.environ.get("BORROWEDTIME_DEBUG"):
                raise
            fail(f"internal error (a bug in borrowedtime, please report it): {type(exc).__name__}: {exc}; "
                 "set BORROWEDTIME_DEBUG=1 for the traceback")
            code = EXIT_BUG
        if standalone_mode:
            sys.exit(code)
        return code


def _os_message(exc: OSError) -> str:
    if exc.errno == errno.EPIPE:
        return "output pipe closed"
    where = f"{exc.filename}: " if exc.filename else "writing output: "
    return f"{where}{exc.strerror or exc}"


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError:
        _quiet_stdout()
        raise


def _quiet_stdout() -> None:
    """After a failed write to stdout, stop the interpreter's own flush at exit from failing again."""
    for console in (stdout, stderr):  # rich keeps what it failed to write; drop it
        buffer = getattr(console, "_buffer", None)
        if isinstance(buffer, list):
            buffer.clear()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        pass


app = typer.Typer(
    name="borrowedtime",
    cls=OneLineGroup,
    help="Watch the second derivative: real-time kinematics, the AI credit complex, stress tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _Out(Console):
    """stdout: tables fit a terminal; plain, unwrapped, full-width text into a file or pipe."""

    @property
    def plain(self) -> bool:
        return not self.is_terminal

    @property
    def size(self):  # type: ignore[override]
        if self.plain and self._width is None:
            return ConsoleDimensions(_PLAIN_WIDTH, 25)
        return Console.size.fget(self)  # type: ignore[attr-defined]

    @size.setter
    def size(self, new_size) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if len(objects) == 1 and isinstance(objects[0], Table):
            t = objects[0]
            if self.plain:
                super().print(plain_table(t), **kwargs)
                return
            heading = getattr(t, "heading", None)
            if heading:
                super().print(Text(heading, style="italic"))
            super().print(t, **kwargs)
            return
        if self.plain:
            kwargs.setdefault("soft_wrap", True)
        super().print(*objects, **kwargs)


def _plain_cell(x: Any) -> str:
    if isinstance(x, str):
        try:
            text = Text.from_markup(x).plain
        except Exception:  # not markup after all
            text = x
    else:
        text = x.plain if isinstance(x, Text) else str(x)
    return " ".join(text.split("\n"))


def plain_table(t: Table) -> Text:
    """A table as plain aligned text: no box, no wrapping, no trailing spaces (for files and pipes)."""
    cols = t.columns
    cells = [[_plain_cell(c) for c in col.cells] for col in cols]
    heads = [_plain_cell(col.header) for col in cols]
    widths = [max([len(h), *(len(x) for x in cs)]) for h, cs in zip(heads, cells, strict=True)]

    def line(vals: Sequence[str]) -> str:
        parts = [v.rjust(w) if col.justify == "right" else v.ljust(w)
                 for v, w, col in zip(vals, widths, cols, strict=True)]
        return "  ".join(parts).rstrip()

    out = []
    title = getattr(t, "heading", None) or t.title
    if title:
        out.append(_plain_cell(title))
    out.append(line(heads))
    out.append("  ".join("-" * w for w in widths))
    n = max((len(c) for c in cells), default=0)
    for i in range(n):
        out.append(line([c[i] if i < len(c) else "" for c in cells]))
    return Text("\n".join(out) + "\n", no_wrap=True, overflow="ignore")


stdout = _Out(highlight=False)
stderr = Console(stderr=True)


def table(title: str, columns: Sequence[tuple[str, str]], **kwargs: Any) -> Table:
    """A table for :data:`stdout`: ``columns`` are (header, kind), kind ``num``, ``date``, ``key`` or ``text``.

    Numbers, dates and keys never wrap or truncate; ``text`` columns (prose)
    wrap at word boundaries. Printed as plain aligned text (:func:`plain_table`)
    when stdout is not a terminal.
    """
    t = Table(box=box.HEAVY_HEAD, **kwargs)
    t.heading = title  # printed above the table at the console's width, not wrapped to the table's
    for header, kind in columns:
        if kind == "text":
            t.add_column(header, overflow="fold", ratio=1, min_width=16)
        else:
            t.add_column(header, justify="right" if kind in ("num", "date") else "left", no_wrap=True)
    return t


def fit_table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]],
              drop: Sequence[str] = (), **kwargs: Any) -> tuple[Table, list[str]]:
    """A :func:`table` that fits the width of stdout, dropping the ``drop`` columns (in order) if it must.

    Returns the table and the headers dropped (the caller says so, or points to ``--json``).
    """
    cols = list(columns)
    keep = list(range(len(cols)))
    dropped: list[str] = []
    order = [h for h in drop if h in [c[0] for c in cols]]
    while True:
        t = table(title, [cols[i] for i in keep], **kwargs)
        for r in rows:
            t.add_row(*[r[i] for i in keep])
        need = _min_width(t, [cols[i] for i in keep])
        if need <= stdout.width or not order:
            return t, dropped
        h = order.pop(0)
        keep.remove(next(i for i in keep if cols[i][0] == h))
        dropped.append(h)


def fits(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> bool:
    """Whether a :func:`table` of these columns and rows fits the width of stdout."""
    t = table("", columns)
    for r in rows:
        t.add_row(*r)
    return _min_width(t, columns) <= stdout.width


def _cell_len(x: Any) -> int:
    if isinstance(x, str):
        try:
            return max(Text(line).cell_len for line in Text.from_markup(x).plain.split("\n"))
        except Exception:  # not markup after all
            return len(x)
    return Text(str(x)).cell_len


def _min_width(t: Table, cols: Sequence[tuple[str, str]]) -> int:
    """Width a table needs with its prose columns at their minimum width."""
    widths = []
    for c, (_, kind) in zip(t.columns, cols, strict=True):
        if kind == "text":
            widths.append(c.min_width or 16)
        else:
            widths.append(max(_cell_len(x) for x in [*c.cells, c.header]))
    return sum(widths) + 3 * len(widths) + 1


def terminal_width() -> int:
    """Columns available on stdout (a large number when stdout is not a terminal)."""
    return stdout.width if not stdout.plain else _PLAIN_WIDTH


def check_output(path: Path | None, flag: str) -> None:
    """Refuse an output path that cannot be written, before any work is done.

    Raises
    ------
    SpecError
        The folder does not exist, is not writable, or the path is a folder.
    """
    if path is None:
        return
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise SpecError(f"{flag} {p}: is a folder; give a file name.")
    if not parent.exists():
        raise SpecError(f"{flag} {p}: the folder {parent} does not exist.")
    if not parent.is_dir():
        raise SpecError(f"{flag} {p}: {parent} is not a folder.")
    if p.exists() and not os.access(p, os.W_OK):
        raise SpecError(f"{flag} {p}: the file is not writable.")
    if not p.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise SpecError(f"{flag} {p}: the folder {parent} is not writable.")


def write_text(path: Path, text: str, flag: str) -> None:
    """Write an output file; a failure (disk full, permissions) is one line naming the flag."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{flag} {path}: cannot write ({exc.strerror or exc}).") from None


@contextmanager
def error_boundary() -> Iterator[None]:
    """Turn a BorrowedTimeError into one line on stderr and exit code 2."""
    try:
        yield
    except BorrowedTimeError as exc:
        fail(str(exc))
        raise typer.Exit(code=EXIT_BAD_INPUT) from None


def progress_enabled(quiet: bool) -> bool:
    """Progress bars go to stderr unless ``--quiet`` or stderr is not a terminal."""
    return not quiet and stderr.is_terminal


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


# --------------------------------------------------------------------------- option values
def check_range(value: float | None, flag: str, low: float | None = None, high: float | None = None, *,
                low_open: bool = False, high_open: bool = False, why: str = "") -> None:
    """Refuse a flag value outside its interval: ``--confidence must be in [0.5, 1), got 1.5``.

    Raises
    ------
    SpecError
        Naming the flag, the interval and the value (``why`` adds the reason).
    """
    if value is None:
        return
    lo_bad = low is not None and (value <= low if low_open else value < low)
    hi_bad = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or lo_bad or hi_bad:
        if low is not None and high is not None:
            want = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            want = f"{'>' if low_open else '>='} {low:g}"
        else:
            want = f"{'<' if high_open else '<='} {high:g}"
        raise SpecError(f"{flag} must be {want}{why}, got {value:g}.")


def _version(value: bool) -> None:
    if value:
        from borrowedtime import __version__

        sys.stdout.write(f"borrowedtime {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Watch the second derivative: kinematics, the AI credit complex, stress tests."""


__all__ = ["app", "main", "stdout", "stderr", "fail", "table", "check_output", "write_text",
           "error_boundary", "progress_enabled", "write_json", "check_range", "fit_table", "fits", "EXIT_BAD_INPUT",
           "terminal_width"]
