"""The report's structure: presentation only, one line per section, identical bytes, skipped sections named."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from borrowedtime.report import SECTIONS, ReportSection, render_page
from borrowedtime.report import _format as F
from borrowedtime.reporting import COMPUTATIONS, ReportInputs, ReportOptions, compute_report

REPORT_DIR = Path(__file__).resolve().parents[2] / "src" / "borrowedtime" / "report"


def test_report_package_runs_no_model():
    """Issue 10 item 6: report/ formats results; it never runs or fits a model, nor reads data."""
    for path in REPORT_DIR.glob("*.py"):
        text = path.read_text()
        for banned in (".run(", ".fit(", "load_series(", "load_complex(", "league_table(", "audit("):
            assert banned not in text, f"{path.name} calls {banned}"


@pytest.fixture(scope="module")
def cheap_inputs(case_shiller_path):
    """The watch list, the essay arithmetic, the kinematics and the audit (no Monte Carlo)."""
    return compute_report(ReportOptions(shared_data=case_shiller_path.parent),
                          keys=["watch", "essay", "kinematics", "audit"])


def test_render_is_deterministic_with_fixed_unique_div_ids(cheap_inputs):
    page = render_page(cheap_inputs)
    assert page == render_page(cheap_inputs)
    ids = re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', page)
    assert len(ids) >= 4 and len(set(ids)) == len(ids)
    assert all(i.startswith("fig-") for i in ids)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", page.split("</script>", 1)[1])  # no uuids in the body


def test_first_screen_answers_the_question(cheap_inputs):
    page = render_page(cheap_inputs)
    body = page.split("</script>", 1)[1]
    first = body.index('<section id="watch">')
    assert first < body.index('<section id="essay">')  # the summary opens the page
    watch = body[first: body.index("</section>", first)]
    screen = cheap_inputs.results["watch"].screen
    national = screen.table.set_index("name").loc["National-US"]
    # the national index is filtered; its regime, probability and start date are on the first screen
    assert national["regime"] in watch and F.fmt(national["p_borrowed_time"], "prob") in watch
    assert F.fmt(national["since"], "month") in watch and "href='#kinematics'" in watch
    # the essay's series are too short: their discrete arithmetic is shown instead (essay, V: +52%, -25 pp)
    capex = next(s for s in screen.skipped if s.name == "hyperscaler_capex")
    assert capex.arithmetic["observations"] == 5 and "growth +52%" in watch and "-25 pp" in watch
    assert "step-up 1.23× after 1.70×" in watch  # OpenAI 852 -> 1,048 after 500 -> 852
    n_claims = len(cheap_inputs.results["audit"][0].claims)
    assert "Verdicts of the other sections" in watch and f"{n_claims} of the essay" in watch
    assert "bt-legend" in watch  # the colour key belongs to the first screen


def test_adding_a_section_is_one_line(cheap_inputs):
    inputs = ReportInputs({**cheap_inputs.results, "extra": 42}, {}, cheap_inputs.options)
    SECTIONS.append(ReportSection("extra", "An extra section", lambda r: f"<p>the answer is {r}</p>",
                                  lambda r: f"extra verdict {r}"))
    try:
        page = render_page(inputs)
    finally:
        SECTIONS.pop()
    assert '<section id="extra"><h2>An extra section</h2>' in page and "the answer is 42" in page
    assert "extra verdict 42" in page
    assert set(COMPUTATIONS) >= {"watch", "essay", "kinematics", "audit", "treadmill", "detectors", "capex",
                                 "calibration", "stress"}


def test_audit_grouped_by_section_with_status_colours(cheap_inputs):
    page = render_page(cheap_inputs)
    audit = page[page.index('<section id="audit">'):]
    audit = audit[: audit.index("</section>")]
    result, _ = cheap_inputs.results["audit"]
    sections = list(dict.fromkeys(c.section for c in result.claims))
    assert audit.count("<details><summary>Essay section ") == len(sections)
    n = result.counts()
    assert audit.count("class='status-fail'") == n["fail"] and audit.count("class='status-pass'") == n["pass"]
    assert audit.count("class='status-cannot-check'") == n["cannot check"]


def test_tables_for_people():
    assert F.human("capex_usd_bn") == "Capex (USD bn)" and F.human("price_yoy_then") == "Price YoY then"
    assert F.fmt(0.145, "pct") == "14.5%" and F.fmt(1100.0, "usd_bn") == "$1,100 bn"
    assert F.fmt(1.8255, "multiple") == "1.83×" and F.fmt(-25.1, "pp", digits=0, signed=True) == "-25 pp"
    assert F.fmt(False, "bool") == "no" and F.fmt(pd.Timestamp("2004-10-01"), "quarter") == "2004Q4"
    assert F.fmt(np.nan, "pct") == "—"
    long = pd.DataFrame({"a_usd_bn": np.arange(20.0)})
    html = F.table(long, {"a_usd_bn": "usd_bn"}, caption="Long")
    assert html.startswith("<details>") and "A (USD bn)" in html and "(20 rows)" in html


def test_report_outside_the_checkout_is_identical_and_names_what_it_skipped(tmp_path):
    """Issue 9 item 10: two runs give identical bytes (in two processes with different string hashing);
    without the reference data the report says which sections it skipped and why."""
    import json
    import subprocess
    import sys

    empty = tmp_path / "no-shared-data"
    empty.mkdir()

    def run(out: str, hashseed: str, *extra: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "BORROWEDTIME_SHARED_DATA": str(empty), "PYTHONHASHSEED": hashseed}
        code = "import sys; from borrowedtime.cli import main; main(sys.argv[1:])"
        return subprocess.run([sys.executable, "-c", code, "report", "-o", out, "--quick", *extra], cwd=tmp_path,
                              env=env, capture_output=True, text=True)

    a = run("a.html", "1", "--print-verdict")
    b = run("b.html", "2", "--json", "--print-verdict")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    for key in ("kinematics", "calibration", "detectors", "treadmill: 2/28 cohorts"):
        assert f"skipped {key}:" in a.stderr
    assert "nasdaq_composite_daily_1994_2000.csv" in a.stderr
    # --print-verdict prints the report's own verdict (the same run; `make demo` ends on it)
    assert "Is the AI build-out on borrowed time, and how sure?" in a.stdout
    assert a.stdout.splitlines()[0].startswith("wrote a.html")
    verdict = json.loads(b.stdout)["verdict"]
    assert verdict["summary"] and verdict["summary"][0] in a.stdout
    skipped = {s["section"] for s in json.loads(b.stdout)["skipped"]}
    assert skipped == {"kinematics", "calibration", "detectors", "treadmill: 2/28 cohorts"}
    page = (tmp_path / "a.html").read_text()
    assert "Sections skipped on this run" in page and '<section id="treadmill">' in page
