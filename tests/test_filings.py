"""Issue 21 parts 1-2: the filings facts, the one quarter conversion, the reconciliation, the sec: source.

What is true by construction and what is an independent check
--------------------------------------------------------------
A quarter computed as a difference of year-to-date values (``Q4 = FY - 9M``)
reconciles with its inputs trivially; the tests below check such quarters only
against their definition (the inputs named in ``note``). The independent checks
are the sums where every term was read from its own row: four three-month
quarters against the 10-K year, or stated quarters against a stated
year-to-date value (``Q1 + Q2 = H1`` when Q1, Q2 and H1 are each stated).
"""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from borrowedtime import datasets
from borrowedtime.errors import DataError, DataQualityWarning
from borrowedtime.filings import COLUMNS, QUARTER_COLUMNS, coverage, read_facts, to_quarters
from borrowedtime.sec import (
    ENV_USER_AGENT,
    companyfacts_to_facts,
    load_sec,
    sec_facts,
    sec_quarters,
)
from borrowedtime.series import is_remote, load_series

RECORDED = Path(__file__).resolve().parent / "results" / "sec"
HEADER = ",".join(COLUMNS)
GOOD = "msft,capex,2024-07-01,2024-09-30,2025,Q1,14923,10-Q,0000950170-24-118967,https://example.org/x,true,"


# ----------------------------------------------------------------------------- packaged data
@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return datasets.filing_facts()


@pytest.fixture(scope="module")
def quarters() -> pd.DataFrame:
    return datasets.filings()


def test_filings_frame_has_the_issue_columns(quarters):
    for col in (
        "company",
        "concept",
        "period_end",
        "fiscal_year",
        "fiscal_quarter",
        "value_usd_m",
        "form",
        "source",
        "derived",
        "accession",
        "checked",
        "calendar_quarter",
    ):
        assert col in quarters.columns
    assert list(quarters.columns) == list(QUARTER_COLUMNS)
    assert quarters["fiscal_quarter"].between(1, 4).all()
    # Outflows and revenue are positive; operating cash flow may be negative (Amazon 2018Q1).
    assert (quarters.loc[quarters.concept != "operating_cash_flow", "value_usd_m"] > 0).all()


def test_every_fact_names_its_filing(facts):
    assert (facts["source"].str.len() > 0).all()
    assert (facts["form"].str.len() > 0).all()
    # A fact without an accession number was read from an investor-relations release, and says so.
    no_acc = facts[facts["accession"] == ""]
    assert (no_acc["form"] == "IR release").all(), no_acc[["company", "form", "source"]]
    with_acc = facts[facts["accession"] != ""]
    assert with_acc["accession"].str.fullmatch(r"\d{10}-\d{2}-\d{6}").all()
    # Every sec.gov source names the company's CIK folder and the accession it was read from.
    sec = with_acc[with_acc["source"].str.contains("sec.gov/Archives")]
    for r in sec.itertuples():
        assert r.accession.replace("-", "") in r.source, (r.accession, r.source)


def test_no_duplicate_span(facts):
    assert not facts.duplicated(["company", "concept", "period_start", "period_end"]).any()
    assert not facts.duplicated(["company", "concept", "fiscal_year", "fiscal_period"]).any()


def _independent_sums(facts: pd.DataFrame) -> list[tuple[str, float, float]]:
    """Every stated year-to-date value whose quarters are all stated as three-month values."""
    out = []
    for (company, concept, year), g in facts[facts["period_start"].notna()].groupby(
        ["company", "concept", "fiscal_year"]
    ):
        by = dict(zip(g["fiscal_period"], g["value_usd_m"], strict=True))
        for ytd, parts in (
            ("H1", ("Q1", "Q2")),
            ("9M", ("Q1", "Q2", "Q3")),
            ("FY", ("Q1", "Q2", "Q3", "Q4")),
        ):
            if ytd in by and all(p in by for p in parts):
                out.append(
                    (f"{company} {concept} FY{year} {ytd}", by[ytd], sum(by[p] for p in parts))
                )
    return out


def test_reconciliation_independent_sums(facts):
    checks = _independent_sums(facts)
    # Which sums are independent checks today (Microsoft FY2013-14 half-years of capex and cash flow,
    # revenue years with four stated quarters): the test fails if one disappears without notice.
    names = {c[0] for c in checks}
    assert {
        "msft capex FY2014 H1",
        "msft operating_cash_flow FY2014 H1",
        "msft capex FY2013 H1",
    } <= names
    for name, stated, summed in checks:
        assert abs(stated - summed) <= 1.0, (name, stated, summed)


def test_reconciliation_quarters_against_the_10k(facts, quarters):
    """Each fiscal year with a stated FY total: its four quarters sum to it.

    Years whose Q4 is derived (FY - 9M) reconcile by construction; only years with four stated
    three-month quarters are independent (listed by ``_independent_sums``).
    """
    fy = facts[facts["fiscal_period"] == "FY"].set_index(["company", "concept", "fiscal_year"])[
        "value_usd_m"
    ]
    counts = quarters.groupby(["company", "concept", "fiscal_year"]).size()
    total = quarters.groupby(["company", "concept", "fiscal_year"])["value_usd_m"].sum()
    checked = 0
    for key, value in fy.items():
        if counts.get(key, 0) == 4:
            assert abs(total[key] - value) <= 1.0, (key, total[key], value)
            checked += 1
    assert checked == int((counts.reindex(fy.index).fillna(0) == 4).sum())


def test_derived_quarters_equal_their_definition(facts, quarters):
    derived = quarters[quarters["derived"]]
    assert len(derived) >= 1
    stated = facts.set_index(["company", "concept", "fiscal_year", "fiscal_period"])["value_usd_m"]
    ytd = {2: "H1", 3: "9M", 4: "FY"}
    prev = {2: "Q1", 3: "H1", 4: "9M"}
    for r in derived.itertuples():
        key = (r.company, r.concept, r.fiscal_year)
        assert r.note.startswith(f"derived: {ytd[r.fiscal_quarter]} ")
        if (*key, prev[r.fiscal_quarter]) in stated.index:
            expect = stated[(*key, ytd[r.fiscal_quarter])] - stated[(*key, prev[r.fiscal_quarter])]
            assert r.value_usd_m == pytest.approx(expect)
    # Microsoft FY2018 Q4 operating cash flow = FY 43,884 - 9M 32,466 (FY18 Q4 and FY19 Q3 releases).
    row = quarters[
        (quarters.company == "msft")
        & (quarters.concept == "operating_cash_flow")
        & (quarters.fiscal_year == 2018)
        & (quarters.fiscal_quarter == 4)
    ]
    assert row["value_usd_m"].item() == 43884 - 32466
    assert row["derived"].item() and row["period_start"].item() == pd.Timestamp("2018-04-01")


@pytest.mark.xfail(
    strict=True,
    reason="issue 21 coverage (>= 40 quarters per company and concept) is not sourced yet",
)
def test_coverage_forty_quarters(quarters):
    n = (
        quarters[quarters.concept.isin(["capex", "operating_cash_flow", "revenue"])]
        .groupby(["company", "concept"])
        .size()
    )
    assert len(n) >= 9 and (n >= 40).all(), n


def test_filings_selects_and_refuses_unknown_names():
    only = datasets.filings("msft", ["capex"])
    assert set(only["company"]) == {"msft"} and set(only["concept"]) == {"capex"}
    with pytest.raises(DataError, match="unknown company 'tsla'"):
        datasets.filings("tsla")


# ----------------------------------------------------------------------------- the conversion
def _facts(tmp_path, *rows: str) -> Path:
    p = tmp_path / "f.csv"
    p.write_text("\n".join([HEADER, *rows]) + "\n")
    return p


def test_to_quarters_year_to_date_and_sum_fallback(tmp_path):
    acc = "0001018724-24-00000{}"
    p = _facts(
        tmp_path,
        f"amzn,capex,2024-01-01,2024-03-31,2024,Q1,100,10-Q,{acc.format(1)},x,true,",
        f"amzn,capex,2024-01-01,2024-06-30,2024,H1,250,10-Q,{acc.format(2)},x,true,",
        f"amzn,capex,2024-07-01,2024-09-30,2024,Q3,160,10-Q,{acc.format(3)},x,false,",
        f"amzn,capex,2024-01-01,2024-12-31,2024,FY,600,10-K,{acc.format(4)},x,true,",
    )
    q = to_quarters(read_facts(p))
    assert q["value_usd_m"].tolist() == [100, 150, 160, 190]
    assert q["derived"].tolist() == [False, True, False, True]
    # Q4 = FY - (H1 + Q3): not checked, because Q3 was not.
    assert q["checked"].tolist() == [True, True, False, False]
    assert q["period_start"].dt.strftime("%m-%d").tolist() == ["01-01", "04-01", "07-01", "10-01"]
    assert "FY (0001018724-24-000004) - (H1 (0001018724-24-000002) + Q3)" in q["note"].iloc[3]


def test_to_quarters_leaves_a_gap_rather_than_filling(tmp_path):
    p = _facts(
        tmp_path,
        "googl,revenue,2024-01-01,2024-03-31,2024,Q1,100,10-Q,,x,true,",
        "googl,revenue,2024-01-01,2024-12-31,2024,FY,600,10-K,,x,true,",
    )
    q = to_quarters(read_facts(p))
    assert q["fiscal_quarter"].tolist() == [1]


@pytest.mark.parametrize(
    ("row", "field", "what"),
    [
        (GOOD.replace("msft", "ibm", 1), "company", "unknown company 'ibm'"),
        (GOOD.replace(",capex,", ",capx,"), "concept", "unknown concept 'capx'"),
        (GOOD.replace("2024-09-30", "2024-09-31"), "period_end", "not a calendar date"),
        (GOOD.replace("2024-07-01", "2024-04-01"), "period_start", "does not fit the label 'Q1'"),
        (GOOD.replace(",14923,", ",-14923,"), "value_usd_m", "positive outflow"),
        (GOOD.replace(",14923,", ",n/a,"), "value_usd_m", "expected a number"),
        (
            GOOD.replace("0000950170-24-118967", "24-118967"),
            "accession",
            "expected an accession number",
        ),
        (GOOD.replace(",true,", ",yes,"), "checked", "expected true or false"),
        (GOOD.replace("https://example.org/x", ""), "source", "empty"),
        (GOOD.replace(",Q1,", ",Q5,"), "fiscal_period", "unknown fiscal period"),
        ("msft,rpo,2024-07-01,2024-09-30,2025,Q1,1,10-Q,,x,true,", "period_start", "instant value"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path, row, field, what):
    p = _facts(tmp_path, row)
    with pytest.raises(DataError) as err:
        read_facts(p)
    msg = str(err.value)
    assert msg.startswith(f"f.csv, line 2, field '{field}'"), msg
    assert what in msg, msg


def test_duplicate_span_and_extra_field_are_refused(tmp_path):
    p = _facts(tmp_path, GOOD, GOOD.replace(",Q1,", ",Q1,"))
    with pytest.raises(
        DataError, match=r"f.csv, line 3, field 'period_end': duplicate msft capex .*lines 2, 3"
    ):
        read_facts(p)
    p = _facts(tmp_path, GOOD + ",extra")
    with pytest.raises(DataError, match="f.csv, line 2: 13 fields but the header has 12"):
        read_facts(p)
    p = _facts(tmp_path)
    p.write_text("company,concept\nmsft,capex\n")
    with pytest.raises(DataError, match="missing column"):
        read_facts(p)


# ----------------------------------------------------------------------------- sec:
def _recorded(url: str, headers: dict) -> bytes:
    assert headers["User-Agent"] == "borrowedtime tests tests@example.org"
    return (RECORDED / url.rsplit("/", 1)[1]).read_bytes()


@pytest.fixture()
def agent(monkeypatch):
    monkeypatch.setenv(ENV_USER_AGENT, "borrowedtime tests tests@example.org")


@pytest.mark.parametrize(
    "spec",
    [
        "sec:MSFT:operating_cash_flow",
        "sec:MSFT:capex",
        "sec:GOOGL:revenue",
        "sec:GOOG:capex",
        "sec:msft:revenue",
        "sec:AMZN:capex",
        "sec:AMZN:operating_cash_flow",
    ],
)
def test_sec_gives_back_the_packaged_quarters(agent, tmp_path, quarters, spec):
    got = sec_quarters(spec, fetch=_recorded, cache_dir=tmp_path)
    ticker, concept = spec.split(":")[1:]
    company = {"GOOG": "googl"}.get(ticker.upper(), ticker.lower())
    want = quarters[(quarters.company == company) & (quarters.concept == concept)]
    cols = [
        "fiscal_year",
        "fiscal_quarter",
        "period_start",
        "period_end",
        "value_usd_m",
        "derived",
        "calendar_quarter",
    ]
    pd.testing.assert_frame_equal(
        got[cols].reset_index(drop=True), want[cols].reset_index(drop=True)
    )
    assert not got["checked"].any()


def test_sec_keeps_the_first_filed_value_and_drops_trailing_twelve_months(agent, tmp_path):
    facts = sec_facts("sec:MSFT:operating_cash_flow", fetch=_recorded, cache_dir=tmp_path)
    assert "9999999999-99-999999" not in set(facts["accession"])
    assert facts["value_usd_m"].max() < 1e6  # the 1e18 USD trailing-twelve-month entry is gone
    assert set(facts["fiscal_period"]) <= {"Q1", "Q2", "Q3", "Q4", "H1", "9M", "FY"}


def test_sec_is_a_file_source_for_load_series(agent, tmp_path, monkeypatch):
    monkeypatch.setenv("BORROWEDTIME_CACHE_DIR", str(tmp_path))
    s = load_series("sec:MSFT:operating_cash_flow", fetch=_recorded, min_obs=3)
    assert is_remote("sec:MSFT:capex") and is_remote("fred:X") and not is_remote("data.csv")
    assert s.index[0] == pd.Timestamp("2009-09-30") and s.iloc[0] == 6107
    assert s.attrs["source"] == "https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json"
    # Cached on disk: a second read needs no network.
    assert (tmp_path / "sec" / "CIK0000789019.json").exists()

    def offline(url, headers):
        raise urllib.error.URLError("no network")

    again = load_sec("sec:MSFT:operating_cash_flow", fetch=offline)
    pd.testing.assert_series_equal(again, s, check_names=False, check_freq=False)


def test_sec_offline_without_cache_is_one_clear_line(agent, tmp_path):
    def offline(url, headers):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(DataError) as err:
        sec_facts("sec:AMZN:capex", fetch=offline, cache_dir=tmp_path)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(
        "sec:AMZN:capex: could not download https://data.sec.gov/api/xbrl/companyfacts/CIK0001018724.json"
    )
    assert msg.endswith("are you online?")


def test_sec_offline_with_stale_cache_warns_and_uses_it(agent, tmp_path):
    sec_facts("sec:GOOGL:capex", fetch=_recorded, cache_dir=tmp_path)

    def offline(url, headers):
        raise urllib.error.URLError("no network")

    with pytest.warns(DataQualityWarning, match="using the copy cached on"):
        f = sec_facts("sec:GOOGL:capex", fetch=offline, cache_dir=tmp_path, max_age_hours=0)
    want = datasets.filing_facts("googl", "capex")
    assert sorted(f["value_usd_m"]) == sorted(want["value_usd_m"])


def test_sec_needs_a_user_agent(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_USER_AGENT, raising=False)
    with pytest.raises(
        DataError,
        match=f"sec:MSFT:capex: the SEC requires a User-Agent naming you; set {ENV_USER_AGENT}",
    ):
        sec_facts("sec:MSFT:capex", fetch=_recorded, cache_dir=tmp_path)


@pytest.mark.parametrize(
    ("spec", "what"),
    [
        ("sec:IBM:capex", "unknown ticker 'IBM'"),
        ("sec:MSFT:capx", "unknown concept 'capx'"),
        ("sec:NVDA:data_center_revenue", "not a us-gaap tag"),
    ],
)
def test_sec_bad_specs(agent, tmp_path, spec, what):
    with pytest.raises(DataError, match=what):
        sec_facts(spec, fetch=_recorded, cache_dir=tmp_path)


def test_sec_refuses_a_response_that_is_not_company_facts(agent, tmp_path):
    with pytest.raises(DataError, match="not an SEC company-facts response"):
        companyfacts_to_facts({"cik": 1}, "msft", "capex", source="x")
    with pytest.raises(DataError, match="not JSON"):
        sec_facts("sec:MSFT:capex", fetch=lambda u, h: b"<html>", cache_dir=tmp_path)
    payload = json.loads((RECORDED / "CIK0000789019.json").read_text())
    with pytest.raises(DataError, match="none of the tags"):
        companyfacts_to_facts(payload, "msft", "rpo", source="x")


def test_cli_sec_source_offline_is_one_line(agent, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from borrowedtime.cli import app

    monkeypatch.setenv("BORROWEDTIME_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(
        "borrowedtime.sec._http_get", lambda url, headers: (_ for _ in ()).throw(OSError("offline"))
    )
    res = CliRunner().invoke(app, ["watch", "sec:MSFT:capex"])
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exit_code == 2, res.output
    assert len(lines) == 1 and "sec:MSFT:capex: could not download" in lines[0], lines


def test_coverage_counts_quarters_gaps_and_marks(tmp_path):
    p = _facts(
        tmp_path,
        "amzn,capex,2024-01-01,2024-03-31,2024,Q1,100,10-Q,,x,true,",
        "amzn,capex,2024-01-01,2024-06-30,2024,H1,250,10-Q,,x,false,",
        "amzn,capex,2024-10-01,2024-12-31,2024,Q4,90,10-K,,x,true,",
    )
    cov = coverage(to_quarters(read_facts(p)))
    row = cov.iloc[0].to_dict()
    assert row == {
        "company": "amzn",
        "concept": "capex",
        "first": "2024Q1",
        "last": "2024Q4",
        "n": 3,
        "gaps": 1,
        "derived": 1,
        "checked": 2,
    }


def test_tool_writes_packaged_schema_from_company_facts(agent, tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "filings_from_sec", Path(__file__).resolve().parents[1] / "tools" / "filings_from_sec.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setenv("BORROWEDTIME_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr("borrowedtime.sec._http_get", _recorded)
    out = tmp_path / "facts.csv"
    assert tool.main(["MSFT", "--concept", "capex", "-o", str(out)]) == 0
    facts = read_facts(out)
    assert len(facts) == len(datasets.filing_facts("msft", "capex"))
    assert not facts["checked"].any()
