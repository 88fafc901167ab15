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
import textwrap
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # rich takes COLUMNS from the environment as a fixed width; that describes a terminal, so it
        # must not narrow plain output into a file or pipe (pytest-xdist workers, for one, set COLUMNS=80)
        self._env_width = None if "width" in kwargs else self._width

    @property
    def plain(self) -> bool:
        return not self.is_terminal

    @property
    def size(self):  # type: ignore[override]
        if self.plain and (self._width is None or self._width == self._env_width):
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
    when stdout is not a terminal. :func:`fit_table` sizes one to the terminal.
    """
    t = Table(box=box.HEAVY_HEAD, **kwargs)
    t.heading = title  # printed above the table at the console's width, not wrapped to the table's
    for header, kind in columns:
        if kind == "text":
            t.add_column(header, overflow="fold", ratio=1, min_width=_TEXT_MIN)
        else:
            t.add_column(header, justify="right" if kind in ("num", "date") else "left", no_wrap=True)
    return t


_TEXT_MIN = 16  # narrowest a prose column gets before it is dropped or the table goes vertical


def _words_len(x: Any) -> int:
    """Length of the longest word of a cell (a header may wrap between words, never inside one)."""
    return max((len(w) for w in _plain_cell(x).split()), default=0)


def _header_len(header: Any) -> int:
    """Narrowest a header gets: its longest word, and a short header (<= 8 characters) stays whole."""
    return max(_words_len(header), min(len(_plain_cell(header)), 8))


def _widths(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]],
            squeeze: bool = False) -> tuple[list[int], list[int]]:
    """Per column: the width it needs (min) and the width it would like (natural), in cells.

    ``squeeze``: labels (``key``) may wrap between words too (never inside one).
    """
    need, want = [], []
    for j, (header, kind) in enumerate(columns):
        cells = [r[j] for r in rows]
        natural = max([_header_len(header), *(_cell_len(c) for c in cells)])
        if kind == "text":
            need.append(min(natural, max(_TEXT_MIN, _header_len(header))))
        elif kind == "key" and squeeze:
            need.append(max([_header_len(header), *(_words_len(c) for c in cells)]))
        else:  # numbers, dates, keys: every cell whole; the header wraps between words
            need.append(natural)
        want.append(max(natural, _cell_len(header)) if kind != "text" else natural)
    return need, want


def _frame(n: int) -> int:
    return 3 * n + 1  # borders and one space of padding either side of each cell


def _sized_table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], width: int,
                 squeeze: bool = False, **kwargs: Any) -> Table:
    """A :func:`table` whose every column has an explicit width, so rich never cuts a cell to '…'."""
    need, want = _widths(columns, rows, squeeze)
    room = width - _frame(len(columns))
    widths = list(want) if sum(want) <= room else list(need)
    if sum(widths) < room:  # give the spare cells to whoever wants them, prose first, then headers
        order = [j for j, (_, k) in enumerate(columns) if k == "text"] + \
                [j for j, (_, k) in enumerate(columns) if k != "text"]
        spare = room - sum(widths)
        for j in order:
            add = min(spare, want[j] - widths[j])
            widths[j] += add
            spare -= add
    t = Table(box=box.HEAVY_HEAD, **kwargs)
    t.heading = title
    for (header, kind), w in zip(columns, widths, strict=True):
        t.add_column(header, width=w, overflow="fold", no_wrap=False,
                     justify="right" if kind in ("num", "date") else "left")
    for r in rows:
        t.add_row(*r)
    return t


class Records:
    """A table turned vertical for a narrow terminal: one block per row, ``header  value`` per line."""

    def __init__(self, title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]):
        self.title, self.columns, self.rows = title, list(columns), [list(r) for r in rows]

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Any]:
        if self.title:
            yield Text(self.title, style="italic")
        label = max(len(_plain_cell(h)) for h, _ in self.columns[1:]) if len(self.columns) > 1 else 0
        indent = label + 4  # two spaces, the label, two spaces
        room = max(options.max_width - indent, 8)
        for r in self.rows:
            yield Text("")
            yield _as_text(r[0])
            for (header, _), cell in zip(self.columns[1:], r[1:], strict=True):
                lines = _as_text(cell).wrap(console, room, overflow="fold") or [Text("")]
                for k, line in enumerate(lines):  # no padding to the width: no trailing spaces
                    head = Text(("  " + _plain_cell(header)).ljust(indent) if k == 0 else " " * indent, style="dim")
                    line.rstrip()
                    yield head + line


def _as_text(x: Any) -> Text:
    """A cell as rich Text (markup read where it is markup)."""
    if isinstance(x, Text):
        return x
    try:
        return Text.from_markup(str(x))
    except Exception:  # brackets that are not markup
        return Text(str(x))


def fit_table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]],
              drop: Sequence[str] = (), vertical: bool = True, **kwargs: Any) -> tuple[Any, list[str]]:
    """A table sized to the width of stdout: every command's one way to print a table.

    Numbers, dates and keys are never cut; prose (``text``) columns wrap and
    headers wrap between words. If the table does not fit it drops the ``drop``
    columns, in order, and returns their headers (the caller names them); then
    it lets labels (``key``) wrap between words; if it still does not fit it
    goes vertical (:class:`Records`, one block per row,
    nothing dropped) unless ``vertical=False``. Not a terminal: the full table,
    printed plain and full width by :data:`stdout`.

    Returns
    -------
    renderable, dropped
        What to pass to ``stdout.print`` and the headers left out.
    """
    cols = list(columns)
    if stdout.plain:
        t = table(title, cols, **kwargs)
        for r in rows:
            t.add_row(*r)
        return t, []
    width = stdout.width
    keep = list(range(len(cols)))
    dropped: list[str] = []
    order = [h for h in drop if h in [c[0] for c in cols]]
    while True:
        kc = [cols[i] for i in keep]
        kr = [[r[i] for i in keep] for r in rows]
        need, _ = _widths(kc, kr)
        if sum(need) + _frame(len(kc)) <= width:
            return _sized_table(title, kc, kr, width, **kwargs), dropped
        if not order:
            break
        h = order.pop(0)
        keep.remove(next(i for i in keep if cols[i][0] == h))
        dropped.append(h)
    need, _ = _widths(kc, kr, squeeze=True)  # labels wrap between words
    if sum(need) + _frame(len(kc)) <= width or not vertical:
        return _sized_table(title, kc, kr, width, squeeze=True, **kwargs), dropped
    return Records(title, cols, rows), []


def fits(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a table of these columns and rows fits the width of stdout without dropping a column."""
    need, _ = _widths(columns, rows)
    return stdout.plain or sum(need) + _frame(len(columns)) <= stdout.width


def _cell_len(x: Any) -> int:
    if isinstance(x, str):
        try:
            return max(Text(line).cell_len for line in Text.from_markup(x).plain.split("\n"))
        except Exception:  # not markup after all
            return len(x)
    if isinstance(x, Text):
        return max(Text(line).cell_len for line in x.plain.split("\n"))
    return Text(str(x)).cell_len


def print_lines(text: str, style: str | None = None) -> None:
    """Print a library's ``summary()`` (plain text, no markup) so that no line is wider than the terminal.

    On a terminal each line wraps between words at the width of stdout, its
    continuation indented two spaces more than the line (numbers and dates are
    words, so never cut); into a file or pipe the text is written as it is.
    """
    if stdout.plain:
        stdout.print(Text(text), soft_wrap=True, style=style)
        return
    out: list[str] = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        out.extend(textwrap.wrap(line, width=stdout.width, subsequent_indent=" " * (indent + 2),
                                 break_long_words=False, break_on_hyphens=False) or [""])
    stdout.print(Text("\n".join(out)), soft_wrap=True, style=style)


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
    try:  # the permission bits are not the whole story (/proc, read-only mounts): try it
        if p.exists():
            with open(p, "a", encoding="utf-8"):
                pass
        else:
            with open(p, "x", encoding="utf-8"):
                pass
            p.unlink()
    except OSError as exc:
        raise SpecError(f"{flag} {p}: cannot write there ({exc.strerror or exc}).") from None


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
           "terminal_width", "print_lines"]
