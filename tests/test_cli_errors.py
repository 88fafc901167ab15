"""Issue 9: every failure of the command line is one line on stderr with exit code 2, never a traceback.

Also: consistent flags (-o output, -c column, --version, --status), tables that fit 100 columns
or print plain full-width text into a file, recognised file formats, no estimate shown from too
few observations, progress on stderr.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from borrowedtime.cli import _app, app

runner = CliRunner()


def _one_line_error(res, *needles: str) -> str:
    err = res.stderr
    assert res.exit_code == 2, (res.exit_code, res.stdout, err)
    assert "Traceback" not in res.output
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def rising_csv(tmp_path_factory) -> Path:
    """A monthly series whose maximum is its last date (no turn in the sample)."""
    p = tmp_path_factory.mktemp("data") / "rising.csv"
    idx = pd.date_range("2000-01-01", periods=60, freq="MS")
    pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "v": np.exp(np.linspace(0, 1, 60))}).to_csv(p, index=False)
    return p


BAD_INPUT = [
    (["watch", "--demo", "--confidence", "1.5"], ["--confidence must be in [0.5, 1)", "got 1.5"]),
    (["watch", "--demo", "--horizon", "0"], ["--horizon must be > 0", "got 0"]),
    (["watch", "--demo", "--cutoff", "-1"], ["--cutoff must be > 0"]),
    (["watch", "--demo", "--seasonal", "weekly"], ["--seasonal must be auto, none"]),
    (["watch", "--demo", "--bogus"], ["No such option: --bogus"]),
    (["watch"], ["give a FILE"]),
    (["treadmill", "--loans", "-5"], ["--loans must be >= 1", "got -5"]),
    (["treadmill", "--seed", "abc"], ["--seed", "'abc'"]),
    (["treadmill", "--dilution-limit", "1.5"], ["--dilution-limit must be in (0, 1)", "got 1.5"]),
    (["treadmill", "--undated-term", "-1"], ["--undated-term must be > 0", "got -1"]),
    (["treadmill", "--compute", "bogus"], ["--compute must be 'contracts' or 'ramp'", "'bogus'"]),
    (["credit", "--rho-ai", "2"], ["--rho-ai must be in [0, 1]", "got 2"]),
    (["treadmill", "--achievable", "soon"], ["--achievable must be trend, target"]),
    (["detectors", "{rising}", "--threshold", "7"], ["--threshold must be in (0, 1]", "got 7"]),
    (["detectors", "{rising}", "--horizon", "0"], ["--horizon must be >= 1"]),
    (["backtest", "{rising}", "--calm", "2003-01-01:1992-01-01"], ["--calm must run forwards"]),
    (["backtest", "{rising}", "--calm", "1992"], ["--calm must be START:END"]),
    (["audit", "--status", "maybe"], ["--status must be one of pass, fail, cannot-check", "'maybe'"]),
    (["complex", "show", "nonsense"], ["unknown view 'nonsense'"]),
    (["nosuchcommand"], ["No such command"]),
    (["credit", "--paths", "5"], ["--paths", "'5'"]),
    (["stress", "--paths", "0"], ["--paths", "'0'"]),
    (["stress", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], ["--scheduler and --workers: give one"]),
    (["backtest", "{rising}", "--release-lag", "-1"], ["--release-lag must be >= 0"]),
    (["report", "-o", "/no/such/dir/x.html"], ["-o/--output /no/such/dir/x.html", "does not exist"]),
    (["audit", "--csv", "/no/such/dir/a.csv"], ["--csv /no/such/dir/a.csv", "does not exist"]),
]


@pytest.mark.parametrize(("argv", "needles"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_exit_2(argv, needles, rising_csv):
    argv = [a.replace("{rising}", str(rising_csv)) for a in argv]
    _one_line_error(runner.invoke(app, argv), *needles)


def test_unwritable_output_paths_fail_before_any_work(tmp_path):
    """Every command that writes a file refuses an unwritable path at once (report took 45 s before)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    folder = tmp_path / "adir"
    folder.mkdir()
    try:
        for argv in (["report", "-o"], ["report", "--output"], ["audit", "--csv"], ["audit", "-o"]):
            for target, why in ((tmp_path / "missing" / "f", "does not exist"), (folder, "is a folder")) + (
                ((ro / "f", "not writable"),) if os.geteuid() != 0 else ()
            ):
                _one_line_error(runner.invoke(app, [*argv, str(target)]), why)
    finally:
        ro.chmod(0o700)


def _run(args: list[str], stdout) -> subprocess.CompletedProcess:
    code = "import sys; from borrowedtime.cli import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["--version"], ["watch", "--demo"]])
def test_full_device_on_stdout_is_one_line(args):
    """``borrowedtime ... > /dev/full`` in a real process: one line on stderr, exit code 2, no traceback."""
    with open("/dev/full", "w") as full:
        res = _run(args, full)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "No space left on device" in lines[0], res.stderr


class _FullStdout(io.TextIOBase):
    """A stdout on a full device: every write fails with ENOSPC."""

    def write(self, s):
        raise OSError(errno.ENOSPC, "No space left on device")

    def isatty(self):
        return False


EVERY_COMMAND = [
    ["watch", "--demo"], ["watch", "--demo", "--json"], ["backtest"],
    ["treadmill", "--loans", "2000"], ["audit"], ["complex", "show", "labs"],
    ["complex", "validate", "{complex}"], ["detectors", "{rising}", "--turn", "2002-01-01", "--reps", "20"],
    ["capex"], ["stress", "--paths", "200"], ["credit", "--paths", "1000"], ["calibrate", "{rising}"],
]


@pytest.mark.parametrize("argv", EVERY_COMMAND, ids=[" ".join(a) for a in EVERY_COMMAND])
def test_every_command_with_an_unwritable_stdout(argv, rising_csv, monkeypatch, capsys):
    """Every command, its output unwritable: one line naming the cause, exit code 2, no traceback."""
    from borrowedtime.complex import default_complex_path

    argv = [a.replace("{rising}", str(rising_csv)).replace("{complex}", str(default_complex_path())) for a in argv]
    monkeypatch.setattr(sys, "stdout", _FullStdout())
    with pytest.raises(SystemExit) as exit_:
        _app.main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "No space left on device" in lines[0] and "Traceback" not in err, err


def test_version():
    from borrowedtime import __version__

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"borrowedtime {__version__}"


def test_flags_are_consistent():
    """-o is an output and -c a column wherever they exist."""
    from typer.main import get_command

    from borrowedtime.cli._app import app as root

    cmd = get_command(root)
    seen = {}

    def walk(c, path):
        for p in getattr(c, "params", []):
            for o in getattr(p, "opts", []):
                if o in ("-o", "-c"):
                    seen.setdefault(o, []).append((path, p.name))
        for name, sub in getattr(c, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(cmd, "borrowedtime")
    assert all(name in ("output", "csv") for _, name in seen["-o"]), seen["-o"]
    assert all(name == "column" for _, name in seen["-c"]), seen["-c"]


@pytest.mark.parametrize("given", ["cannot-check", "CANNOT-CHECK", "cannot check", "Cannot_Check"])
def test_status_is_case_insensitive(given):
    res = runner.invoke(app, ["audit", "--status", given, "--json"])
    assert res.exit_code == 0, res.output
    claims = json.loads(res.stdout)["claims"]
    assert claims and {c["status"] for c in claims} == {"cannot check"}


def test_audit_csv_writes_what_it_shows(tmp_path):
    out = tmp_path / "fails.csv"
    res = runner.invoke(app, ["audit", "--status", "FAIL", "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    shown = [c["id"] for c in json.loads(res.stdout)["claims"]]
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == shown and {r["status"] for r in rows} == {"fail"}


# ----------------------------------------------------------------------------- widths


@pytest.fixture
def terminal_100(monkeypatch):
    """stdout as a 100-column terminal."""
    monkeypatch.setattr(_app.stdout, "_force_terminal", True)
    monkeypatch.setattr(_app.stdout, "_width", 100)
    monkeypatch.setattr(_app.stdout, "_color_system", None)


@pytest.mark.parametrize("argv", [["complex", "show", "concentration"], ["audit", "--why"], ["watch", "--demo"],
                                  ["backtest"]])
def test_tables_fit_100_columns(argv, terminal_100):
    res = runner.invoke(app, argv)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= 100, [ln for ln in lines if len(ln) > 100]
    assert "…" not in res.stdout  # nothing cut


def test_backtest_into_a_file_is_plain_full_width_text():
    """Not a terminal: no box drawing, no wrapping, dates whole."""
    res = runner.invoke(app, ["backtest"])
    assert res.exit_code == 0, res.output
    assert "…" not in res.stdout and "┃" not in res.stdout
    row = next(ln for ln in res.stdout.splitlines() if "2007-03-01" in ln and "monitor" in ln)
    assert "2007-03-01  2006-05-01" in row  # turn and first call (as published), whole dates
    summary = next(ln for ln in res.stdout.splitlines() if ln.startswith("Backtest of"))
    assert summary.endswith("after it had turned negative")  # prose on one line, not wrapped


# ----------------------------------------------------------------------------- formats


def _xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return path


@pytest.mark.parametrize("name", ["prices.xlsx", "prices.csv"])
def test_excel_workbook_is_named_whatever_its_extension(tmp_path, name):
    p = _xlsx(tmp_path / name)
    _one_line_error(runner.invoke(app, ["watch", str(p)]), f"{name}: this is an Excel workbook", "save")


def test_old_excel_workbook(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    _one_line_error(runner.invoke(app, ["watch", str(p)]), "Excel workbook")


def test_semicolon_file_gets_a_delimiter_hint(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("date;value\n2020-01-01;1,5\n2020-02-01;1,6\n2020-03-01;1,7\n")
    _one_line_error(runner.invoke(app, ["watch", str(p)]), "separated by semicolons", "comma-separated")


# ----------------------------------------------------------------------------- estimates


def test_demo_shows_no_filtered_estimate_from_six_marks():
    """The six OpenAI marks all rose: the demo shows their discrete step-ups only, never a filtered reading."""
    res = runner.invoke(app, ["watch", "--demo", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "openai_valuation" not in {s["source"] for s in data["series"]}
    steps = [r["step_up"] for r in data["essay_marks"] if r["step_up"] is not None]
    assert len(steps) == 5 and all(x > 1 for x in steps)  # every mark rose
    text = runner.invoke(app, ["watch", "--demo"]).stdout
    assert "too few for the filter" in text and "OpenAI marks: step-ups" in text


def test_a_long_enough_series_is_estimated(tmp_path):
    idx = pd.date_range("2000-01-01", periods=15, freq="YS")
    p = tmp_path / "annual.csv"
    pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "v": np.exp(0.1 * np.arange(15))}).to_csv(p, index=False)
    res = runner.invoke(app, ["watch", str(p), "--json"])
    s = json.loads(res.stdout)["series"][0]
    assert s["estimable"] is True and s["latest"]["velocity"] == pytest.approx(0.1, abs=0.01)
    short = tmp_path / "short.csv"
    pd.DataFrame({"date": idx[:14].strftime("%Y-%m-%d"), "v": np.exp(0.1 * np.arange(14))}).to_csv(short, index=False)
    s = json.loads(runner.invoke(app, ["watch", str(short), "--json"]).stdout)["series"][0]
    assert s["estimable"] is False and s["latest"]["velocity"] is None and len(s["discrete"]) == 14


# ----------------------------------------------------------------------------- progress


def test_progress_goes_to_stderr_unless_quiet_or_not_a_terminal(monkeypatch):
    monkeypatch.setattr(_app.stderr, "_force_terminal", True)
    assert _app.progress_enabled(quiet=False) is True
    assert _app.progress_enabled(quiet=True) is False
    monkeypatch.setattr(_app.stderr, "_force_terminal", False)
    monkeypatch.setattr(_app.stderr, "_file", io.StringIO())
    assert _app.progress_enabled(quiet=False) is False


def test_report_progress_is_not_turned_off_by_json():
    import inspect

    from borrowedtime.cli import watch

    src = inspect.getsource(watch.report)
    assert "disable=as_json" not in src and "progress_enabled(quiet)" in src


# ----------------------------------------------------------------------------- make demo


def test_packaging_has_no_licence_warning_and_demo_echoes_nothing():
    """The setuptools warning came from ``license = {text = ...}``: an SPDX string needs setuptools >= 77."""
    import re
    import tomllib

    root = Path(__file__).resolve().parents[1]
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert meta["project"]["license"] == "MIT"
    req = next(r for r in meta["build-system"]["requires"] if r.startswith("setuptools"))
    assert int(re.search(r">=\s*(\d+)", req).group(1)) >= 77
    make = (root / "Makefile").read_text()
    demo = make.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    recipe = [ln for ln in demo.splitlines()[1:] if ln.startswith("\t")]
    assert recipe and all(ln.startswith("\t@") for ln in recipe)
    assert "--quiet" in make and "--disable-pip-version-check" in make


# ----------------------------------------------------------------------------- issue 20: 80 columns


@pytest.fixture
def terminal(monkeypatch):
    """stdout as a terminal whose width rich reads from COLUMNS (set per call through CliRunner's env)."""
    monkeypatch.setattr(_app.stdout, "_force_terminal", True)
    monkeypatch.setattr(_app.stdout, "_width", None)
    monkeypatch.setattr(_app.stdout, "_color_system", None)


def _at(width: int, argv: list[str]):
    res = runner.invoke(app, argv, env={"COLUMNS": str(width)})
    assert res.exit_code == 0, (res.exit_code, res.stdout, res.stderr)
    lines = res.stdout.splitlines()
    wide = [ln for ln in lines if len(ln) > width]
    assert not wide, wide  # no line wider than the terminal
    assert "…" not in res.stdout  # no cell cut
    return res.stdout


AT_80 = [["audit"], ["audit", "--why"], ["backtest"], ["treadmill", "--loans", "8400"], ["capex"], ["watch", "--demo"],
         ["detectors", "{rising}", "--reps", "20"], ["detectors", "{rising}", "--turn", "2002-01-01", "--reps", "20"],
         ["complex", "show", "concentration"], ["credit", "--paths", "1000", "--term-paths", "0"]]


@pytest.mark.parametrize("argv", AT_80, ids=[" ".join(a) for a in AT_80])
def test_every_table_fits_80_columns(argv, terminal, rising_csv):
    _at(80, [a.replace("{rising}", str(rising_csv)) for a in argv])


def test_audit_at_80_columns_shows_every_status(terminal):
    """The status column was zero wide at 80 columns: each claim's id and status now share a line."""
    from borrowedtime.audit import audit

    out = _at(80, ["audit"])
    claims = audit().claims
    lines = out.splitlines()
    for c in claims:
        row = next(ln for ln in lines if f" {c.id} " in ln)
        assert c.status in row, row
    assert "left out to fit 80 columns" in out and "claim" in out  # the dropped columns are named


def test_capex_bull_cases_are_formatted_numbers(terminal):
    out = _at(80, ["capex"])
    assert "{" not in out and "0.9461435535077239" not in out
    assert "dscr_after (30% 0.946, 50% 0.676)" in " ".join(out.split())


def test_a_narrow_terminal_goes_vertical_and_keeps_numbers_whole(terminal, monkeypatch):
    """Too narrow for any table: one block per record, every field there, nothing cut."""
    out = _at(40, ["backtest"])
    assert "first call" in out and "1990-03-01" in out and "2006-05-01" in out
    fields = [ln for ln in out.splitlines() if ln.startswith("  ")]
    assert "  first call    1990-03-01" in fields and all(ln == ln.rstrip() for ln in fields)  # not padded
    monkeypatch.setattr(_app.stdout, "_force_terminal", None)
    plain = runner.invoke(app, ["backtest"]).stdout  # into a file: the full table, every column
    assert "standing 0m" in plain and "┃" not in plain


def test_fit_table_drops_named_columns_then_wraps_labels(terminal, monkeypatch):
    monkeypatch.setattr(_app.stdout, "_width", 50)
    cols = [("name", "key"), ("a long number", "num"), ("when", "date"), ("prose", "text")]
    rows = [["second-derivative monitor", "1,234,567.89", "2007-03-01", "a few words of prose to wrap here"]]
    t, dropped = _app.fit_table("t", cols, rows, drop=["prose"])
    assert dropped == ["prose"] and isinstance(t, _app.Table)
    widths = [c.width for c in t.columns]
    assert widths[1] >= len("1,234,567.89") and widths[2] >= len("2007-03-01")
    t, dropped = _app.fit_table("t", cols, rows)  # nothing may be dropped: vertical
    assert dropped == [] and isinstance(t, _app.Records)


# ----------------------------------------------------------------------------- issue 20: live detectors


def test_detectors_without_a_turn_is_live(rising_csv):
    """A series at its high on its last date: every detector in real time, the warnings standing now."""
    res = runner.invoke(app, ["detectors", str(rising_csv), "--reps", "20", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["live"] is True and doc["turn"] is None and doc["as_of"] == "2004-12-01"
    assert [d["name"] for d in doc["detectors"]] == ["borrowedtime", "lppls", "gsadf", "baseline", "naive"]
    for d in doc["detectors"]:
        assert isinstance(d["standing_now"], bool) and d["false_alarms"] is None and d["lead_days"] is None
    text = runner.invoke(app, ["detectors", str(rising_csv), "--reps", "20"])
    assert text.exit_code == 0 and "live, as of 2004-12-01" in text.stdout and "warning now" in text.stdout
    scored = runner.invoke(app, ["detectors", str(rising_csv), "--reps", "20", "--turn", "2002-01-01", "--json"])
    assert json.loads(scored.stdout)["live"] is False


# ----------------------------------------------------------------------------- issue 20: bad input


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    (d / "negative.csv").write_text("date,v\n2000-01-01,-1\n2000-02-01,-2\n2000-03-01,-3\n")
    (d / "zero.csv").write_text("date,v\n2000-01-01,0\n2000-02-01,0\n2000-03-01,0\n")
    (d / "text.csv").write_text("date,v\n2000-01-01,abc\n2000-02-01,def\n2000-03-01,ghi\n")
    (d / "header.csv").write_text("date,v\n")
    idx = pd.date_range("2000-01-01", periods=80, freq="MS")
    v = np.exp(np.linspace(0, 1, 80))
    pd.DataFrame({"date": idx[::-1].strftime("%Y-%m-%d"), "v": v[::-1]}).to_csv(d / "reversed.csv", index=False)
    p = np.random.default_rng(0).permutation(80)
    pd.DataFrame({"date": idx[p].strftime("%Y-%m-%d"), "v": v[p]}).to_csv(d / "shuffled.csv", index=False)
    pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "a": v, "b": 2 * v}).to_csv(d / "two.csv", index=False)
    return d


BAD_20 = [
    (["screen", "{bad}/negative.csv"], ["negative.csv: no series can be screened", "v: non-positive value -1"]),
    (["screen", "{bad}/zero.csv"], ["zero.csv: no series can be screened", "non-positive value 0"]),
    (["screen", "{bad}/text.csv"], ["text.csv: no series can be screened", "not a number", "'abc'"]),
    (["screen", "{bad}/header.csv"], ["header.csv: no series can be screened", "no values"]),
    (["screen", "{bad}/reversed.csv"], ["reversed.csv, row 3: dates not sorted"]),
    (["screen", "{bad}/shuffled.csv"], ["shuffled.csv, row", "dates not sorted"]),
    (["screen", "{bad}/two.csv", "--confidence", "7"], ["--confidence must be in [0.5, 1)", "got 7"]),
    (["credit", "--rating", "nobody=BBB"], ["--rating nobody=", "'nobody' is not an entity of the complex"]),
    (["credit", "--pd", "nobody=0.1"], ["--pd nobody=", "'nobody' is not an entity of the complex"]),
    (["capex", "--players", "meta,nobody"], ["--players: unknown 'nobody'", "meta, amazon"]),
    (["capex", "--rating", "nobody=BBB"], ["--rating: unknown firm(s) 'nobody'"]),
    (["backtest", "--release-lag", "1000"], ["--release-lag 1000: nothing would be published inside the sample"]),
    (["backtest", "--calm", "2050:2060"], ["--calm 2050:2060: the span lies outside the data"]),
    (["treadmill", "--loans", "5"], ["--loans must be >= 84", "got 5"]),
    (["report", "--series", "{bad}/two.csv"], ["--series", "two.csv", "2 value columns", "--column"]),
    (["report", "--series", "{bad}/two.csv", "--column", "zz"], ["--series", "no column 'zz'"]),
    (["report", "--column", "a"], ["--column applies to --series FILE"]),
]


@pytest.mark.parametrize(("argv", "needles"), BAD_20, ids=[" ".join(a) for a, _ in BAD_20])
def test_issue_20_bad_input_is_one_line_exit_2(argv, needles, bad_files):
    err = _one_line_error(runner.invoke(app, [a.replace("{bad}", str(bad_files)) for a in argv]), *needles)
    assert "RegimeRule" not in err and "internal error" not in err


def test_report_refuses_an_unwritable_path_before_any_work(monkeypatch, tmp_path):
    """/proc passes the permission bits but cannot hold a file: refused before compute_report runs."""
    import borrowedtime.reporting as reporting

    def no_work(*a, **k):
        raise AssertionError("compute_report ran")

    monkeypatch.setattr(reporting, "compute_report", no_work)
    if Path("/proc").is_dir():
        _one_line_error(runner.invoke(app, ["report", "-o", "/proc/x.html"]), "-o/--output /proc/x.html",
                        "cannot write")
    target = tmp_path / "r.html"  # a writable path is tried and left as it was: absent
    res = runner.invoke(app, ["report", "-o", str(target)])
    assert "compute_report ran" in res.stderr and not target.exists()  # the bug boundary names it


def test_report_column_reaches_the_report(monkeypatch, bad_files):
    import borrowedtime.reporting as reporting

    seen = {}

    def capture(options, **k):
        seen["series"] = options.series
        raise KeyboardInterrupt  # stop before any work

    monkeypatch.setattr(reporting, "compute_report", capture)
    runner.invoke(app, ["report", "--series", f"{bad_files}/two.csv", "--column", "b", "-o", "/dev/null"])
    assert seen["series"] == ((f"{bad_files}/two.csv", "b"),)


def test_complex_validate_of_a_missing_file_writes_stderr_only():
    res = runner.invoke(app, ["complex", "validate", "/nonexistent.yaml"])
    _one_line_error(res, "/nonexistent.yaml: no such file")
    assert res.stdout == ""


def test_screen_skips_a_series_below_the_filters_minimum_with_its_reason(tmp_path):
    """One observation short of the monitor's one rule (KinematicsModel.min_observations): skipped with the
    reason and its discrete arithmetic, never ranked 'undetermined nan'."""
    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.series import infer_frequency

    idx = pd.date_range("2000-01-01", periods=200, freq="MS")
    need = KinematicsModel().min_observations(infer_frequency(idx))
    for n, ranked in ((need - 1, False), (need, True)):
        path = tmp_path / f"n{n}.csv"
        pd.DataFrame({"date": idx[:n].strftime("%Y-%m-%d"), "v": np.exp(np.linspace(0, 1, n))}).to_csv(path,
                                                                                                    index=False)
        res = runner.invoke(app, ["screen", str(path), "--json"])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert bool(doc["series"]) is ranked
        if not ranked:
            assert doc["skipped"][0]["name"] == "v" and f"needs at least {need}" in doc["skipped"][0]["why"]
        else:
            assert doc["series"][0]["regime"] != "undetermined" and doc["skipped"] == []
