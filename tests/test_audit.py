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
    from borrowedtime.report._html import ReportContext
    from borrowedtime.report.audit import build

    s = build(ReportContext())
    assert s.anchor == "audit"
    assert "III.backlog_total" in s.body and "plotly" in s.body.lower()
