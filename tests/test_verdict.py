"""The one verdict: its parts agree with the mechanisms it reads, and its sentences follow the numbers."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import borrowedtime
from borrowedtime.buildout import HYPERSCALERS
from borrowedtime.cli import app
from borrowedtime.errors import SpecError
from borrowedtime.treadmill.rounds import RoundsSpec
from borrowedtime.verdict import (
    Verdict,
    essay_beside_filings,
    flip_term,
    read_buildout,
    read_stress,
    verdict,
)

runner = CliRunner()
PATHS = 400  # the smallest run that keeps the trigger share's standard error near 2.5 points


@pytest.fixture(scope="module")
def v() -> Verdict:
    return verdict(paths=PATHS, seed=0)


def test_exported_at_top_level():
    assert borrowedtime.verdict is verdict and "verdict" in borrowedtime.__all__


def test_fields_and_json(v):
    d = json.loads(v.to_json())
    assert {"monitor", "treadmill", "stress", "summary"} <= set(d)
    assert d["summary"] == list(v.sentences) and v.sentences[0].startswith("Verdict:")
    assert str(v) == "\n".join(v.sentences)
    assert list(v.to_frame().columns) == ["question", "reading", "how sure"]


def test_treadmill_part_is_the_treadmill(v):
    r = RoundsSpec().run()
    t = v.treadmill
    assert t.required_step_up == pytest.approx(r.required_step_up())
    assert t.achievable[t.trend_reading] == pytest.approx(r.trend_step_up())
    assert t.fires[t.trend_reading] is r.trigger
    assert t.undated_term_years == 6.0


def test_flip_term_is_where_the_trend_reading_flips(v):
    t = v.treadmill
    flip = t.flip_term_years[t.trend_reading]
    assert flip is not None and 1 < flip < t.undated_term_years
    below, above = RoundsSpec(undated_term_years=flip - 0.1).run(), RoundsSpec(undated_term_years=flip + 0.1).run()
    assert below.trigger and not above.trigger
    assert f"at {flip:.1f} years or less it fires" in v.summary()


def test_flip_term_bisection_on_a_known_curve():
    # required = 10 / term: equal to 2 at term 5
    assert flip_term(2.0, required_at=lambda term: 10.0 / term) == pytest.approx(5.0, abs=0.05)
    assert flip_term(0.1, required_at=lambda term: 10.0 / term) is None  # fires at every term in [1, 20]


def test_stress_part_against_the_cascade(v):
    s = v.stress
    assert (s.paths, s.seed) == (PATHS, 0)
    assert 0 <= s.first_round_share + s.later_share <= s.triggered_share + 1e-12
    # the central path does not trigger at the default inputs and clears the treadmill's round
    assert s.central_trigger is None
    assert s.central_required == pytest.approx(v.treadmill.required_step_up, rel=0.02)
    again = read_stress(paths=PATHS, seed=0)
    assert again.triggered_share == s.triggered_share  # same seed, same paths


def test_summary_states_the_numbers(v):
    text = v.summary()
    t, s = v.treadmill, v.stress
    assert f"{t.required_step_up:.2f}× step-up" in text
    assert f"{100 * s.triggered_share:.0f} % of paths" in text
    assert f"{s.paths:,} paths, seed {s.seed}" in text


def _toy_filings(accel: float) -> pd.DataFrame:
    """Four platforms' capex and cash flow over 44 quarters, log growth 0.2/yr with a constant acceleration."""
    t = np.arange(44) / 4.0
    rows = []
    for k, c in enumerate(HYPERSCALERS):
        level = 1_000 * (k + 1) * np.exp(0.2 * t + 0.5 * accel * t**2)
        for d, x in zip(pd.date_range("2015-03-31", periods=44, freq="QE"), level, strict=True):
            rows.append((c, "capex", d.date().isoformat(), float(x)))
            rows.append((c, "operating_cash_flow", d.date().isoformat(), float(3 * x)))
    return pd.DataFrame(rows, columns=["company", "concept", "period_end", "value_usd_m"])


@pytest.mark.parametrize("accel, agrees", [(0.02, False), (-0.04, True)])
def test_the_verdict_says_when_the_filings_disagree_with_the_essay(accel, agrees):
    data = _toy_filings(accel)
    mon = read_buildout(data=data)
    h = mon.get("filings:hyperscalers:capex")
    assert h.estimable and h.observations == 44
    # S: the filtered trend with its band, near the last value (a smooth series with no season)
    assert h.trend_low < h.trend < h.trend_high and h.trend == pytest.approx(h.level, rel=0.05)
    assert (h.p_accel_neg > 0.5) is agrees
    from borrowedtime.verdict import _sentences, read_treadmill

    text = " ".join(_sentences(mon, essay_beside_filings(data), read_treadmill(n_draws=500), read_stress(paths=100)))
    assert ("This disagrees with the essay" in text) is not agrees
    assert ("This agrees with the essay" in text) is agrees


def test_missing_series_are_named_not_dropped():
    data = _toy_filings(0.0)
    mon = read_buildout(data=data)
    nvda = mon.get("filings:nvda:data_center_revenue")
    assert nvda is not None and nvda.available is False and "no company 'nvda'" in nvda.why
    assert len(mon.readings) == 12


def test_cli_json_and_report_print_the_same_summary(v):
    res = runner.invoke(app, ["verdict", "--paths", str(PATHS), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert {"monitor", "treadmill", "stress", "summary"} <= set(d)
    assert d["summary"] == list(v.sentences)
    from borrowedtime.report.verdict import render

    page = render(v)
    assert all(html.escape(s) in page for s in v.sentences)


def test_cli_bad_paths_one_line():
    res = runner.invoke(app, ["verdict", "--paths", "5"])
    assert res.exit_code == 2 and "--paths" in res.output and "Traceback" not in res.output


def test_the_verdict_is_the_reports_first_section():
    from borrowedtime.report.sections import sections
    from borrowedtime.reporting import COMPUTATIONS

    assert sections()[0].key == "verdict" and next(iter(COMPUTATIONS)) == "verdict"


def test_essay_beside_the_filings_annual_sums():
    data = _toy_filings(0.0)
    e = essay_beside_filings(data)
    assert e["essay_capex_usd_bn"]["2024"] == 226 and e["essay_acceleration_pp"] == [30, -4, -25]
    caps = e["filings_capex_usd_bn"]
    assert list(caps) == [str(y) for y in range(2015, 2026)]  # 44 quarters from 2015Q1: eleven whole years
    # log growth 0.2 a year with no acceleration: +22.1 % a year, change of growth 0 pp
    assert all(g == pytest.approx(100 * (np.exp(0.2) - 1), abs=0.1) for g in e["filings_growth_pct"].values())
    assert all(abs(a) < 0.1 for a in e["filings_acceleration_pp"].values())
    assert all(r == pytest.approx(1 / 3, abs=1e-3) for r in e["filings_capex_to_ocf"].values())


def test_a_series_the_filter_cannot_read_is_named():
    data = _toy_filings(0.0)
    bad = pd.DataFrame([("nvda", "data_center_revenue", f"2024-{m:02d}-28", v)
                        for m, v in ((1, 100.0), (4, 0.0), (7, 120.0), (10, 130.0))],
                       columns=data.columns)
    mon = read_buildout(data=pd.concat([data, bad]))
    nvda = mon.get("filings:nvda:data_center_revenue")
    assert nvda.available is False and "non-positive value" in nvda.why and nvda.observations == 4


def test_cli_unknown_scenario_fails_before_any_work(monkeypatch):
    import sys

    called = []
    monkeypatch.setattr(sys.modules["borrowedtime.verdict"], "read_buildout", lambda *a, **k: called.append(1))
    res = runner.invoke(app, ["verdict", "--scenario", "nobody"])
    assert res.exit_code == 2 and "no scenario 'nobody'" in res.output and not called


def test_docs_show_what_the_command_prints():
    """docs/verdict.md quotes `borrowedtime verdict`; after a data change regenerate its output block with
    `borrowedtime verdict > out.txt` and paste it."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "verdict.md").read_text(encoding="utf-8")
    block = doc.split("```text\n", 1)[1].split("```", 1)[0]
    res = runner.invoke(app, ["verdict"])
    assert res.exit_code == 0, res.output
    table, sentences = block.split("\n\n", 1)
    assert list(verdict().sentences) == sentences.splitlines()  # the summary, sentence by sentence
    assert res.stdout.strip() == block.strip()  # and the whole output, table included


def test_a_run_passed_in_is_read_not_run_again(monkeypatch):
    # the report's stress run (stretches, sensitivity) read by the verdict gives the reading of the verdict's
    # own run (no stretches) with the same seed and paths: the base case does not depend on the stretches
    from dataclasses import asdict

    from borrowedtime.cascade import montecarlo, run_stress

    res = run_stress("base", paths=PATHS, seed=3)
    own = read_stress(paths=PATHS, seed=3)
    calls = []
    monkeypatch.setattr(montecarlo, "map_chunks", lambda *a, **k: calls.append(1))
    assert asdict(read_stress(result=res)) == asdict(own) and not calls
    v = verdict(seed=3, stress=res)
    assert not calls and asdict(v.stress) == asdict(own) and v.stress.paths == PATHS
    with pytest.raises(SpecError, match="seed 3, the verdict seed 4"):
        verdict(seed=4, stress=res)


def test_the_report_runs_the_cascade_once_for_the_verdict_and_the_stress_section(monkeypatch):
    from borrowedtime.cascade import montecarlo
    from borrowedtime.reporting import ReportOptions, compute_report, stress_run

    calls = []
    real = montecarlo.map_chunks

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(montecarlo, "map_chunks", counted)
    stress_run.cache_clear()
    inp = compute_report(ReportOptions(seed=5, quick=True), keys=["verdict", "stress"])
    stress_run.cache_clear()
    assert calls == [1_000]  # one Monte Carlo run of 1,000 paths (quick), read by both sections
    st, res = inp.results["verdict"].stress, inp.results["stress"].result
    assert (st.paths, st.seed) == (res.paths, res.seed) == (1_000, 5)
    assert st.triggered_share == float((res.runs["base"]["trigger"] != -1).mean())
    assert st.median_trigger == res.trigger_quarter().get("median_label")
