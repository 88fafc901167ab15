"""The README and the documentation show what the code prints.

Every fenced block of ``README.md`` and ``docs/*.md`` (the pages a reader sees; ``docs/api``
holds only mkdocstrings directives) is one of:

- a shell block (``sh``, ``bash``, ``shell``): each line is a ``borrowedtime ...`` command
  (``.venv/bin/borrowedtime`` and a ``$ `` prompt are accepted, a ``# comment`` is
  dropped), run here through the typer app in this process;
- a ``console`` block: its ``$ borrowedtime ...`` lines are commands, and the lines after
  each are what it prints (compared as below when there are any);
- a ``python`` block: executed on its own (``>>>`` lines are run as a doctest);
- a ``text`` block right after one of those (blank lines between at most): its output,
  compared line by line after collapsing runs of spaces, where a line ``...`` stands for
  any number of lines;
- a block preceded by ``<!-- not run: reason -->``: shown, not run (a ``make`` target, a
  run of minutes). Any other block that cannot run fails here.

Commands run from an empty working directory whose ``../shared/data`` is the shared
reference folder, so the ``../shared/data/...`` paths the pages show resolve and nothing
is written into the checkout. A command shown twice runs once.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app
from borrowedtime.datasets import shared_data_dir

ROOT = Path(__file__).resolve().parents[1]
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
SHELL = frozenset({"sh", "bash", "shell", "console"})
PYTHON = "python"
OUTPUT = "text"
PROGRAMS = ("borrowedtime", ".venv/bin/borrowedtime")
README_MAX_LINES = 300  # issue 20: the README is a guide

_FENCE = re.compile(r"^(`{3,})([\w+-]*)\s*$")
_NOT_RUN = re.compile(r"^<!--\s*not run:\s*(\S.*?)\s*-->$")
_MARKER = re.compile(r"^\s*<!--\s*not run\b")
_LINK = re.compile(r"\[[^\]]*\]\(([^)#\s]+)(?:#[^)]*)?\)")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    body: str
    not_run: str | None  # the reason given by a <!-- not run: ... --> marker right before it
    output: str | None = None  # the text block right after it, for a command or snippet

    @property
    def where(self) -> str:
        return f"{_name(self.page)}:{self.line}"


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else page.name


def parse(page: Path) -> list[Block]:
    """Every fenced block of ``page``, each runnable one with the output block after it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[tuple[Block, int]] = []  # (block, 0-based index of its closing fence)
    before = ""  # the last non-blank line before the current position, outside blocks
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i].strip())
        if not m:
            if lines[i].strip():
                before = lines[i].strip()
            i += 1
            continue
        fence = m.group(1)
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        if j == len(lines):
            raise AssertionError(f"{_name(page)}:{i + 1}: the fence is never closed")
        marker = _NOT_RUN.match(before)
        found.append((Block(page, i + 1, m.group(2).lower(), "\n".join(lines[i + 1:j]),
                            marker.group(1) if marker else None), j))
        before = ""
        i = j + 1
    blocks = []
    for k, (b, close) in enumerate(found):
        if k + 1 < len(found):
            nxt, _ = found[k + 1]
            between = lines[close + 1:nxt.line - 1]
            if (b.lang != OUTPUT and nxt.lang == OUTPUT and nxt.not_run is None
                    and not any(x.strip() for x in between)):
                b = Block(b.page, b.line, b.lang, b.body, b.not_run, nxt.body)
        blocks.append(b)
    return blocks


ALL_BLOCKS = [b for page in PAGES for b in parse(page)]
RUNNABLE = [b for b in ALL_BLOCKS if b.lang in SHELL | {PYTHON} and b.not_run is None]


def _output_blocks() -> set[tuple[Path, int]]:
    """(page, line) of every text block that is the output of the block before it."""
    out = set()
    for page in PAGES:
        blocks = parse(page)
        for a, b in zip(blocks, blocks[1:], strict=False):
            if a.output is not None and b.lang == OUTPUT and b.body == a.output:
                out.add((b.page, b.line))
    return out


# ----------------------------------------------------------------------------- comparing output
def _normal(text: str) -> list[str]:
    """Non-blank lines with runs of whitespace collapsed (the CLI pads columns to the data)."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is ``expected``, where an expected line ``...`` is any run of lines."""
    want, got = _normal(expected), _normal(actual)
    parts: list[list[str]] = [[]]
    for line in want:
        if line == "...":
            parts.append([])
        else:
            parts[-1].append(line)
    if len(parts) == 1:
        return want == got
    head, *middle, tail = parts
    if got[:len(head)] != head:
        return False
    pos = len(head)
    end = len(got) - len(tail)
    if end < pos or (tail and got[end:] != tail):
        return False
    for part in middle:  # leftmost match of each middle part, in order
        if not part:
            continue
        for start in range(pos, end - len(part) + 1):
            if got[start:start + len(part)] == part:
                pos = start + len(part)
                break
        else:
            return False
    return True


def _diff(expected: str, actual: str) -> str:
    return "\n".join(difflib.unified_diff(_normal(expected), _normal(actual), "shown in the docs",
                                          "printed by the code", lineterm="", n=1))


# ----------------------------------------------------------------------------- running
@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty working directory with the shared reference folder at ../shared/data."""
    data = shared_data_dir(required=True)
    base = tmp_path_factory.mktemp("docs")
    (base / "shared").mkdir()
    (base / "shared" / "data").symlink_to(data.resolve(), target_is_directory=True)
    work = base / "work"
    work.mkdir()
    return work


_runner = CliRunner()
_ran: dict[tuple[str, ...], str] = {}


def command_argv(line: str, where: str) -> list[str] | None:
    """The arguments of a ``borrowedtime`` command line; None for a blank or comment line."""
    text = line.strip()
    if text.startswith("$ "):
        text = text[2:]
    words = shlex.split(text, comments=True)
    if not words:
        return None
    if words[0] not in PROGRAMS or any(w in {"|", ">", ">>", "<", "&&", ";", "2>"} for w in words):
        raise AssertionError(
            f"{where}: cannot run {text!r} in a test (only `borrowedtime ...` commands, without shell "
            "redirection, are run); put <!-- not run: the reason --> right before the block if it "
            "cannot be run")
    return words[1:]


def run_command(argv: list[str], where: str) -> str:
    key = tuple(argv)
    if key not in _ran:
        res = _runner.invoke(app, argv)
        if res.exit_code != 0:
            raise AssertionError(f"{where}: `borrowedtime {shlex.join(argv)}` exited with "
                                 f"{res.exit_code}: {res.stderr.strip() or res.stdout.strip()}")
        _ran[key] = res.stdout
    return _ran[key]


def run_python(block: Block) -> str:
    if any(line.lstrip().startswith(">>>") for line in block.body.splitlines()):
        test = doctest.DocTestParser().get_doctest(block.body, {}, block.where, str(block.page),
                                                   block.line)
        report = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
        runner.run(test, out=report.write)
        assert runner.failures == 0, f"{block.where}: the doctest fails:\n{report.getvalue()}"
        return ""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block.body, block.where, "exec"), {"__name__": "__docs__"})  # noqa: S102
    return out.getvalue()


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.where for b in RUNNABLE])
def console_session(body: str, where: str) -> list[tuple[list[str], str]]:
    """A ``console`` block: each ``$ borrowedtime ...`` line with the lines it printed after it."""
    session: list[tuple[list[str], list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            argv = command_argv(line, where)
            if argv is not None:
                session.append((argv, []))
        elif session:
            session[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"{where}: a console block whose first line is not a `$ ` command")
    return [(argv, "\n".join(out)) for argv, out in session]


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.where for b in RUNNABLE])
def test_block_prints_what_the_docs_show(block: Block, workdir: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    if block.lang == PYTHON:
        printed = run_python(block)
    elif block.lang == "console":
        session = console_session(block.body, block.where)
        assert session, f"{block.where}: a console block without a `$ ` command"
        printed = ""
        for argv, shown in session:
            out = run_command(argv, block.where)
            if shown.strip():
                assert matches(shown, out), (
                    f"{block.where}: `borrowedtime {shlex.join(argv)}` does not print what is shown:\n"
                    f"{_diff(shown, out)}")
            printed += out
    else:
        argvs = [a for line in block.body.splitlines()
                 if (a := command_argv(line, block.where)) is not None]
        assert argvs, f"{block.where}: a shell block without a command"
        printed = "".join(run_command(a, block.where) for a in argvs)
    if block.output is not None:
        assert matches(block.output, printed), (
            f"{block.where}: the output shown is not what the code prints:\n"
            f"{_diff(block.output, printed)}")


def test_a_console_block_pairs_commands_with_their_output() -> None:
    session = console_session("$ borrowedtime --version  # the version\n0.1.0\n\n"
                              "$ borrowedtime audit --json\n", "x")
    assert session == [(["--version"], "0.1.0\n"), (["audit", "--json"], "")]
    with pytest.raises(AssertionError, match="cannot run 'make demo'"):
        console_session("$ make demo\n", "x")


# ----------------------------------------------------------------------------- the pages' shape
def test_every_block_is_run_or_says_why_not() -> None:
    outputs = _output_blocks()
    problems = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8").splitlines()
        markers = sum(bool(_MARKER.search(line)) for line in text)
        blocks = parse(page)
        if markers != sum(b.not_run is not None for b in blocks):
            problems.append(f"{page.relative_to(ROOT)}: a <!-- not run: reason --> marker that is "
                            "not right before a fenced block, or gives no reason")
        for b in blocks:
            if not b.lang:
                problems.append(f"{b.where}: a fenced block without a language (sh, python, text, ...)")
            elif b.lang == OUTPUT and b.not_run is None and (b.page, b.line) not in outputs:
                problems.append(f"{b.where}: an output block that follows no command or snippet")
    assert not problems, "\n".join(problems)


def test_the_parser_pairs_outputs_and_markers(tmp_path: Path) -> None:
    page = tmp_path / "probe.md"
    page.write_text("x\n\n```sh\nborrowedtime --version\n```\n\n```text\n0\n```\n\n"
                    "<!-- not run: slow -->\n```sh\nmake demo\n```\n\n```text\norphan\n```\n",
                    encoding="utf-8")
    a, b, c, d = parse(page)
    assert (a.lang, a.output, a.not_run) == ("sh", "0", None)
    assert b.lang == OUTPUT
    assert (c.not_run, c.output) == ("slow", "orphan")
    assert d.lang == OUTPUT


def test_matching_is_strict_outside_ellipses() -> None:
    printed = "a  1\nb 2\n\nc 3\nd 4\n"
    assert matches("a 1\nb 2\nc 3\nd 4", printed)
    assert matches("...\nc 3\n...", printed)
    assert matches("a 1\n...\nd 4", printed)
    assert not matches("a 1\nb 2", printed)  # no trailing ... : the rest must match too
    assert not matches("...\nc 4\n...", printed)
    assert not matches("a 1\n...\nb 2\n...\nb 2", printed)
    assert not matches("...\nd 4\nc 3", printed)


def test_commands_outside_borrowedtime_must_be_marked() -> None:
    with pytest.raises(AssertionError, match="cannot run 'make demo"):
        command_argv("make demo   # everything", "README.md:1")
    with pytest.raises(AssertionError, match="cannot run"):
        command_argv("borrowedtime backtest > out.txt", "README.md:1")
    assert command_argv("$ .venv/bin/borrowedtime audit --json  # the claims", "x") == ["audit", "--json"]
    assert command_argv("# a comment", "x") is None


def test_readme_is_a_short_guide_whose_links_resolve() -> None:
    readme = ROOT / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines (at most {README_MAX_LINES})"
    assert "## The verdict" in lines
    missing = [t for t in _LINK.findall("\n".join(lines))
               if "://" not in t and not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_the_site_builds_strict(tmp_path: Path) -> None:
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        pytest.fail("mkdocs is missing: the dev install has it (make test), or pip install -e '.[docs]'")
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                          str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    assert (tmp_path / "site" / "api" / "observe" / "index.html").exists()
