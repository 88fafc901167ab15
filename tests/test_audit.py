"""The audit of the essay's numbers: claims recomputed, statuses honest, CLI on default and overlay."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from borrowedtime.audit import STATUSES, audit
from borrowedtime.cli import app
from borrowedtime.complex import load_complex

runner = CliRunner()

NEWER_QUARTERS = """\
# Hypothetical newer figures (test values, not filings).
entities:
  - name: amazon
    figures:
      - {metric: backlog_usd_bn, period: "test", value: 480, as_of: 2026-06-30, source: "test overlay"}
contracts:
  - {name: microsoft-coreweave, notional_usd_bn: 22, source: "test overlay", as_of: 2026-05-31}
"""


@pytest.fixture(scope="module")
def result():
    return audit()


@pytest.fixture()
def overlay(tmp_path) -> Path:
    p = tmp_path / "newer.yaml"
    p.write_text(NEWER_QUARTERS)
    return p


def test_at_least_forty_claims_with_unique_ids(result):
    ids = [c.id for c in result.claims]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)
    assert {c.status for c in result.claims} <= set(STATUSES)
    assert all(c.why for c in result.claims)


def test_checked_claims_have_numbers_and_unchecked_do_not(result):
    for c in result.claims:
        if c.status == "cannot check":
            assert c.recomputed is None and c.tolerance is None, c.id
        else:
            assert c.recomputed is not None and c.tolerance is not None and c.test, c.id


def test_counts_add_up(result):
    n = result.counts()
    assert sum(n.values()) == len(result.claims)
    assert n["pass"] > n["fail"] > 0


def test_growth_and_acceleration_are_recomputed_from_levels(result):
    # Essay VII: 150 -> 226 -> 410 -> 725 -> 1,100 reads +51%, +81%, +77%, +52%; accelerations +30, -4, -25.
    for year, g in ((2024, 0.5067), (2025, 0.8142), (2026, 0.7683), (2027, 0.5172)):
        c = result[f"VII.capex_growth_{year}"]
        assert c.status == "pass" and c.recomputed == pytest.approx(g, abs=1e-4)
    assert [result[f"VII.capex_acceleration_{y}"].recomputed for y in (2025, 2026, 2027)] == [30, -4, -25]


def test_step_ups_are_recomputed_from_marks(result):
    # Essay V: 86 -> 157 -> 300 -> 500 -> 852 steps 1.83x, 1.91x, 1.67x, 1.70x.
    got = [result[f"V.step_up_{i}"].recomputed for i in range(1, 5)]
    assert got == pytest.approx([157 / 86, 300 / 157, 500 / 300, 852 / 500])
    ipo = result["V.step_up_ipo"]
    assert ipo.recomputed == pytest.approx(1000 / 852)  # '>$1 trillion' is a lower bound
    assert "1.05T" in ipo.why  # 1.23x implies a ~$1.05T target: the cross-claim is reported


def test_oracle_backlog_implied_by_300_and_54(result):
    c = result["VI.oracle_implied_backlog"]
    assert c.stated == pytest.approx(300 / 0.54)
    assert c.recomputed == 553  # Oracle FQ3 FY2026 RPO
    assert c.status == "pass"
    assert "54.2%" in c.why  # the 54% is OpenAI alone


def test_about_half_from_per_platform_shares(result):
    c = result["VI.labs_half"]
    assert c.status == "pass"
    books = {"microsoft": 627, "oracle": 553, "google": 462, "amazon": 364 + 100}
    shares = {"microsoft": 0.49, "oracle": 0.54, "google": 0.43, "amazon": 0.51}
    expected = sum(shares[k] * books[k] for k in books) / sum(books.values())
    assert c.recomputed == pytest.approx(expected)


def test_implied_operating_cash_flow(result):
    # 226 / 0.50 = 452 against the filed 451.1 of the four hyperscalers (10-Ks, FY2024).
    c = result["VII.implied_ocf_2024"]
    assert c.stated == pytest.approx(452)
    assert c.recomputed == pytest.approx(118.548 + 125.299 + 115.877 + 91.328)
    assert c.status == "pass"
    assert "growth nearly stops" in result["VII.implied_ocf_2026"].why


def test_the_backlog_reconciles_at_the_essays_date(result):
    # Q1 2026 reports + Anthropic's April AWS commitment: 627 + 553 + 462 + (364 + 100) = 2,106.
    c = result["III.backlog_total"]
    assert c.recomputed == pytest.approx(2106) and c.status == "pass"
    for cid in ("VI.microsoft_share", "VI.oracle_share", "VI.google_share", "VI.amazon_share",
                "VI.labs_half", "VI.labs_half_from_contracts", "VIII.google_backlog"):
        assert result[cid].status == "pass", cid


def test_known_inconsistencies_are_failures_not_hidden(result):
    assert result["VII.capex_to_ocf_2022"].status == "fail"  # filings give ~54%, not ~30%
    # 2025: the ratio holds (~64% on filings) but the level does not (357 filed vs 410)
    assert result["VII.capex_to_ocf_2025"].status == "pass"
    assert result["VII.capex_2025"].status == "fail"
    assert "the capex level, not the ratio" in result["VII.implied_ocf_2025"].why
    # the reported guarantee is SoftBank's own, not a personal one
    assert result["VI.softbank_personal_guarantee"].status == "fail"
    assert result["VIII.oracle_capex_to_sales"].status == "fail"  # ~75% on filings and guidance
    c = result["IX.coreweave_two_thirds"]
    assert c.status == "fail" and c.recomputed == pytest.approx((22.4 + 10) / 66.8)


def test_revenue_share_claim_reports_both_directions(result):
    c = result["VI.revenue_share_ended"]
    assert c.status == "pass"  # Microsoft's share to OpenAI ended 2026-04-27 ...
    assert "continues to 2030-12-31" in c.why  # ... OpenAI's to Microsoft did not


def test_overlay_changes_the_checked_figures(overlay):
    r = audit(load_complex(overlay=overlay))
    # a newer Amazon report absorbs the April contract: book 480, not 364 + 100
    assert r["III.backlog_total"].recomputed == pytest.approx(627 + 553 + 462 + 480)
    # more Microsoft-routed capacity makes CoreWeave two-thirds OpenAI
    assert r["IX.coreweave_two_thirds"].recomputed == pytest.approx((22.4 + 22) / 66.8)
    assert r["IX.coreweave_two_thirds"].status == "pass"
    assert r.files[-1] == str(overlay)


def test_a_sparse_user_complex_gives_cannot_check_not_a_crash(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(textwrap.dedent("""\
        as_of: 2026-05-31
        entities:
          - {name: openai, kind: lab, source: t, as_of: 2026-05-31}
        """))
    r = audit(load_complex(p))
    assert r["III.backlog_total"].status == "cannot check"
    assert r["III.backlog_total"].why.startswith("input missing:")
    assert r["VII.capex_growth_2025"].status == "pass"  # from the essay's embedded series


def test_to_frame_and_to_dict(result):
    f = result.to_frame()
    assert list(f.columns[:7]) == ["section", "claim", "stated", "recomputed", "tolerance", "status", "why"]
    d = result.to_dict()
    assert len(d["claims"]) == len(result.claims) and d["counts"] == result.counts()


# ----------------------------------------------------------------------------- CLI
def test_cli_audit_json_on_default():
    r = runner.invoke(app, ["audit", "--json"])
    assert r.exit_code == 0, r.stderr
    payload = json.loads(r.stdout)
    assert len(payload["claims"]) >= 40
    keys = {"id", "section", "claim", "stated", "recomputed", "tolerance", "status", "why"}
    for c in payload["claims"]:
        assert keys <= set(c)
        assert c["status"] in ("pass", "fail", "cannot check")


def test_cli_audit_overlay_and_csv(overlay, tmp_path):
    out = tmp_path / "audit.csv"
    r = runner.invoke(app, ["audit", "--overlay", str(overlay), "--csv", str(out), "--json"])
    assert r.exit_code == 0, r.stderr
    claims = {c["id"]: c for c in json.loads(r.stdout)["claims"]}
    assert claims["IX.coreweave_two_thirds"]["status"] == "pass"
    table = pd.read_csv(out, index_col="id")
    assert table.loc["III.backlog_total", "recomputed"] == pytest.approx(2122)


def test_cli_audit_table_for_humans():
    r = runner.invoke(app, ["audit", "--status", "fail"])
    assert r.exit_code == 0
    assert "Audit of the essay" in r.stdout and "fail" in r.stdout


def test_cli_audit_bad_overlay_is_one_error_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("contracts:\n  - {name: x, kind: bond, obligor: nobody, obligee: oracle, source: t, as_of: 2026-01-01}\n")
    r = runner.invoke(app, ["audit", "--overlay", str(p), "--json"])
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "error:" in r.stderr and "contracts[0].obligor: unknown entity 'nobody'" in r.stderr


def test_cli_complex_validate_lists_every_problem(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(textwrap.dedent("""\
        as_of: 2026-05-31
        entities:
          - {name: a, kind: lab, source: t, as_of: 2026-05-31}
          - {name: a, kind: lab, source: t, as_of: 2026-05-31}
        contracts:
          - {name: c, kind: bond, obligor: a, obligee: zz, notional_usd_bn: -1, source: t, as_of: 2026-05-31}
        """))
    r = runner.invoke(app, ["complex", "validate", str(p), "--json"])
    assert r.exit_code == 2  # bad input: one code everywhere
    payload = json.loads(r.stdout)
    assert payload["valid"] is False
    assert sorted(x["path"] for x in payload["problems"]) == [
        "contracts[0].notional_usd_bn", "contracts[0].obligee", "entities[1].name"]


def test_cli_complex_validate_default_file_and_overlay(overlay):
    from borrowedtime.complex import default_complex_path

    r = runner.invoke(app, ["complex", "validate", str(default_complex_path())])
    assert r.exit_code == 0 and "valid" in r.stdout
    r = runner.invoke(app, ["complex", "validate", str(overlay), "--on-default", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["valid"] is True


def test_cli_complex_show(overlay):
    r = runner.invoke(app, ["complex", "show", "concentration", "--overlay", str(overlay), "--json"])
    assert r.exit_code == 0, r.stderr
    rows = {x["platform"]: x for x in json.loads(r.stdout)["concentration"]}
    assert rows["amazon"]["backlog_usd_bn"] == 480 and rows["amazon"]["book_usd_bn"] == 480
    r = runner.invoke(app, ["complex", "show"])
    assert r.exit_code == 0 and "Entities" in r.stdout and "Contracts" in r.stdout


def test_report_section_builds():
    from borrowedtime.report.audit import render
    from borrowedtime.reporting import ReportOptions, audit_inputs

    body = render(audit_inputs(ReportOptions()))
    assert "III.backlog_total" in body and "plotly" in body.lower()


# ----------------------------------------------------------------------------- the table
def test_importing_the_audit_reads_nothing():
    import subprocess
    import sys

    code = ("import borrowedtime.datasets as d, borrowedtime.audit, borrowedtime.audit.checks; "
            "print(d._packaged.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_every_row_names_a_check_and_a_valid_rule():
    from borrowedtime.audit import KINDS, claim_table
    from borrowedtime.audit._core import TESTS, tolerance_of
    from borrowedtime.audit.checks import CHECKS

    rows = claim_table()
    assert len({r.id for r in rows}) == len(rows)
    for r in rows:
        assert r.check in CHECKS and r.kind in KINDS and r.test in TESTS, r.id
        tol, rule = tolerance_of(r.tolerance, r.stated)
        assert tol >= 0 and rule, r.id
    # every check function is used by some row
    assert {r.check for r in rows} == set(CHECKS)


def test_counts_by_kind_add_up(result):
    by = result.counts_by_kind()
    assert set(by) == {"independent", "self-consistency"}
    total = {s: sum(v[s] for v in by.values()) for s in STATUSES}
    assert total == result.counts()
    assert by["self-consistency"]["pass"] > 0 and by["independent"]["pass"] > 0
    assert result["VII.capex_growth_2024"].kind == "self-consistency"
    assert result["VII.capex_growth_2024_filed"].kind == "independent"


# ----------------------------------------------------------------------------- issue 12: kinds, rules, new claims
def test_two_kinds_counted_separately(result):
    by = result.counts_by_kind()
    # the essay against its own figures: growth and accelerations from its own levels, step-ups from its marks...
    assert by["self-consistency"] == {"pass": 18, "fail": 1, "cannot check": 0}
    assert sum(by["independent"].values()) == len(result.claims) - 19
    assert result.to_dict()["counts_by_kind"] == by
    assert "self-consistency: 18 pass" in result.summary()


def test_a_ratio_near_one_is_judged_on_the_step_above_one(result):
    c = result["V.step_up_ipo"]
    assert c.tolerance == pytest.approx(0.1 * 0.23)  # not 10 % of 1.23
    assert c.recomputed == pytest.approx(1000 / 852) and c.status == "fail"
    assert "step above one" in c.rule


def test_harmonised_capex_reproduces_2025_but_not_the_growth(result):
    c = result["VII.capex_2025_harmonised"]
    assert c.recomputed == pytest.approx(118.0 + 91.4 + 128.3 + 72.215) and c.status == "pass"
    assert "finance leases" in c.definition and "calendar" in c.definition
    g = result["VII.capex_growth_2025_harmonised"]
    assert g.recomputed == pytest.approx((118.0 + 91.4 + 128.3 + 72.215) / (75.6 + 52.535 + 83.004 + 39.231) - 1)
    assert g.status == "fail"
    assert all(result[f"VII.capex_to_ocf_{y}"].definition for y in (2022, 2023, 2024, 2025))


def test_added_claims(result):
    # section I on the shared Case-Shiller and FRED series
    yoy = result["I.yoy_mid_high_teens"]
    assert yoy.status == "fail" and 0.12 < yoy.recomputed < 0.14 and "14.5% in 2005-09" in yoy.why
    dq = result["I.delinquency_inflected"]
    assert dq.status == "pass" and "2004-10" in dq.why and "proxy" in dq.definition
    assert result["I.refinanced_2003"].status == "cannot check"
    # Amazon's FY2025 free cash flow is positive: 139.5 - 128.3
    fcf = result["VIII.amazon_fcf_negative"]
    assert fcf.recomputed == pytest.approx(11.2) and fcf.status == "fail"
    for cid in ("VIII.meta_tripling", "IX.chip_stocks_fell", "VIII.leverage_energy"):
        assert result[cid].status == "cannot check"


def test_off_balance_sheet_counts_the_hyperscalers_vehicles(result):
    c = result["VIII.off_balance_sheet"]
    assert c.recomputed == pytest.approx(36 + 27.3 + 38)  # Google-guaranteed TPU facility, Meta's Beignet, Oracle's Vantage
    assert "Leases alone give 65.3" in c.why and c.status == "pass"


def test_reference_claims_cannot_check_without_the_shared_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BORROWEDTIME_SHARED_DATA", str(tmp_path))
    r = audit()
    assert r["I.yoy_mid_high_teens"].status == "cannot check"
    assert "not available" in r["I.yoy_mid_high_teens"].why


def test_filed_sums_come_through_the_filings_where_they_hold_the_year(monkeypatch):
    """The audit's filed capex and cash flow go through the one adapter: a calendar year the filings data
    hold (here a hand-made Alphabet 2025) replaces the complex's figure; other entities and years stay."""
    import pandas as pd

    import borrowedtime.datasets as ds
    from borrowedtime.audit._context import Context
    from borrowedtime.complex import load_complex

    before = Context(load_complex())
    before.annual()  # computed now, on the packaged filings data
    rows = [("googl", concept, d.date().isoformat(), v)
            for d in pd.date_range("2025-03-31", periods=4, freq="QE")
            for concept, v in (("capex", 20_000.0), ("operating_cash_flow", 40_000.0))]
    monkeypatch.setattr(ds, "filings", lambda *a, **k: pd.DataFrame(
        rows, columns=["company", "concept", "period_end", "value_usd_m"]))
    after = Context(load_complex())
    ocf0, ocf1 = (c.filed_sum("operating_cash_flow_usd_bn", 2025) for c in (before, after))
    assert ocf1 - ocf0 == pytest.approx(160.0 - 164.713)
    assert after.filed_sum("capex_usd_bn", 2024) == before.filed_sum("capex_usd_bn", 2024)
    assert after.annual().loc[("google", 2025), "basis"] == "filings"
