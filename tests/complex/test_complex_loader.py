"""The complex loader: the default dataset loads; every bad input names file, path and problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from borrowedtime.complex import load_complex, validate_complex
from borrowedtime.complex.schema import APPROX_BAND
from borrowedtime.errors import SpecError

HEAD = """\
as_of: 2026-05-31
entities:
  - {name: openai, kind: lab, source: s, as_of: 2026-05-31}
  - {name: anthropic, kind: lab, source: s, as_of: 2026-05-31}
  - name: oracle
    kind: hyperscaler
    source: s
    as_of: 2026-05-31
    figures: [{metric: backlog_usd_bn, value: 500}]
"""


def _file(tmp_path: Path, body: str, name: str = "cx.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return p


def _contracts(*lines: str) -> str:
    return HEAD + "contracts:\n" + "".join(f"  - {line}\n" for line in lines)


def _problems(path: Path | None, **kw) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_complex(path, **kw)
    return [str(p) for p in info.value.problems]


# ----------------------------------------------------------------------------- default dataset
def test_default_dataset_loads_with_every_kind_of_party():
    cx = load_complex()
    kinds = {e.kind for e in cx.entities}
    assert {"lab", "hyperscaler", "neocloud", "chipmaker", "investor", "lender", "insurer", "spv"} <= kinds
    ckinds = {c.kind for c in cx.contracts}
    assert {"take_or_pay", "term_loan", "bond", "equity_stake", "funding_round", "guarantee",
            "residual_value_guarantee", "revenue_share", "margin_loan"} <= ckinds
    assert str(cx.as_of) == "2026-07-01"


def test_every_figure_has_provenance():
    cx = load_complex()
    for e in cx.entities:
        for o in e.figures:
            assert o.source and o.as_of, (e.name, o.metric)
    for c in cx.contracts:
        for f in (c.notional_usd_bn, c.share_of_obligee_book, c.stake, *c.end_users.values()):
            if f is not None:
                assert f.source and f.as_of, c.name


def test_essay_figures_are_the_essays_values():
    # Where the essay states a figure, the dataset carries the essay's value (sections VI, VIII, IX).
    cx = load_complex()
    assert cx.contract("openai-oracle").notional_usd_bn.value == 300
    assert cx.contract("openai-oracle").notional_usd_bn.source.startswith("essay VI")
    assert cx.contract("openai-2026-round").post_money_usd_bn.value == 852
    assert cx.contract("ddtl5").notional_usd_bn.value == 3.1
    assert cx.contract("tpu-senior").notional_usd_bn.value == 31
    shares = {k.platform: k.share.value for k in cx.concentrations}
    assert shares == {"microsoft": 0.49, "oracle": 0.54, "google": 0.43, "amazon": 0.51}


def test_approx_figures_get_a_range():
    # "roughly $300 billion": approx without low/high gets +/-10 %.
    f = load_complex().contract("openai-oracle").notional_usd_bn
    assert f.approx
    assert f.range == pytest.approx((300 * (1 - APPROX_BAND), 300 * (1 + APPROX_BAND)))


def test_bare_numbers_inherit_the_holders_provenance():
    c = load_complex().contract("openai-aws")
    assert c.notional_usd_bn.source == c.source
    assert c.notional_usd_bn.as_of == c.as_of


def test_default_file_validates_clean():
    assert validate_complex() == []


# ----------------------------------------------------------------------------- bad input
def test_unknown_entity_in_a_contract(tmp_path):
    p = _file(tmp_path, _contracts(
        "{name: a, kind: take_or_pay, obligor: opnai, obligee: oracle, notional_usd_bn: 10, source: s, as_of: 2026-05-31}"
    ))
    assert _problems(p) == [f"{p}: contracts[0].obligor: unknown entity 'opnai'"]


def test_book_shares_over_100_percent(tmp_path):
    p = _file(tmp_path, _contracts(
        "{name: a, kind: take_or_pay, obligor: openai, obligee: oracle, share_of_obligee_book: 0.7, source: s, as_of: 2026-05-31}",
        "{name: b, kind: take_or_pay, obligor: anthropic, obligee: oracle, share_of_obligee_book: 0.4, source: s, as_of: 2026-05-31}",
    ))
    assert _problems(p) == [
        f"{p}: contracts[1].share_of_obligee_book: shares of the book of 'oracle' sum to 110%, "
        "over 100% (contracts[0], contracts[1])"
    ]


def test_stated_concentrations_over_100_percent(tmp_path):
    p = _file(tmp_path, HEAD + """\
concentrations:
  - {platform: oracle, obligors: [openai], share: 0.7, source: s, as_of: 2026-05-31}
  - {platform: oracle, obligors: [anthropic], share: 0.6, source: s, as_of: 2026-05-31}
""")
    assert _problems(p) == [
        f"{p}: concentrations[1].share: stated shares of the book of 'oracle' sum to 130%, over 100%"
    ]


def test_a_share_above_one(tmp_path):
    p = _file(tmp_path, HEAD + """\
concentrations:
  - {platform: oracle, obligors: [openai], share: 54, source: s, as_of: 2026-05-31}
""")
    assert _problems(p) == [f"{p}: concentrations[0].share: must be a decimal share in [0, 1], got 54"]


def test_negative_notional(tmp_path):
    p = _file(tmp_path, _contracts(
        "{name: a, kind: term_loan, obligor: openai, obligee: oracle, notional_usd_bn: -5, source: s, as_of: 2026-05-31}"
    ))
    assert _problems(p) == [f"{p}: contracts[0].notional_usd_bn: must be >= 0, got -5"]


def test_guarantee_on_a_non_existent_contract(tmp_path):
    p = _file(tmp_path, _contracts(
        "{name: g, kind: guarantee, obligor: oracle, obligee: openai, covers: lease-x, source: s, as_of: 2026-05-31}"
    ))
    assert _problems(p) == [f"{p}: contracts[0].covers: guarantee on a non-existent contract 'lease-x'"]


def test_guarantee_without_covers(tmp_path):
    p = _file(tmp_path, _contracts(
        "{name: g, kind: residual_value_guarantee, obligor: oracle, obligee: openai, source: s, as_of: 2026-05-31}"
    ))
    assert _problems(p) == [
        f"{p}: contracts[0]: a residual_value_guarantee needs 'covers': the name of the guaranteed contract"
    ]


@pytest.mark.parametrize("raw, detail", [
    ("2026/05/31", "got '2026/05/31'"),
    ("31-05-2026", "got '31-05-2026'"),
    ("2026-02-30", "got '2026-02-30' (day is out of range for month)"),
    ("May 2026", "got 'May 2026'"),
])
def test_date_in_the_wrong_format(tmp_path, raw, detail):
    p = _file(tmp_path, _contracts(
        f"{{name: a, kind: take_or_pay, obligor: openai, obligee: oracle, notional_usd_bn: 1, source: s, as_of: '{raw}'}}"
    ))
    assert _problems(p) == [f"{p}: contracts[0].as_of: expected a date YYYY-MM-DD, {detail}"]


def test_duplicate_names(tmp_path):
    p = _file(tmp_path, HEAD + """\
  - {name: openai, kind: lab, source: s, as_of: 2026-05-31}
contracts:
  - {name: a, kind: take_or_pay, obligor: openai, obligee: oracle, notional_usd_bn: 1, source: s, as_of: 2026-05-31}
  - {name: a, kind: bond, obligor: oracle, obligee: openai, notional_usd_bn: 1, source: s, as_of: 2026-05-31}
""")
    assert _problems(p) == [
        f"{p}: entities[3].name: duplicate name 'openai' (first at entities[0])",
        f"{p}: contracts[1].name: duplicate name 'a' (first at contracts[0])",
    ]


def test_every_problem_is_listed_at_once(tmp_path):
    p = _file(tmp_path, _contracts(
        "{name: a, kind: take_or_pay, obligor: opnai, obligee: oracle, notional_usd_bn: 1, source: s, as_of: 2026-05-31}",
        "{name: b, kind: term_loan, obligor: openai, obligee: oracle, notional_usd_bn: -2, source: s, as_of: 2026-05-31}",
        "{name: c, kind: guarantee, obligor: oracle, obligee: openai, covers: zzz, source: s, as_of: 2026/05/31}",
        "{name: b, kind: bond, obligor: oracle, obligee: openai, notional_usd_bn: 1, source: s, as_of: 2026-05-31, colour: red}",
    ))
    with pytest.raises(SpecError) as info:
        load_complex(p)
    text = str(info.value)
    assert text.startswith("6 problems in the complex:")
    for needle in (
        "contracts[0].obligor: unknown entity 'opnai'",
        "contracts[1].notional_usd_bn: must be >= 0, got -2",
        "contracts[2].as_of: expected a date YYYY-MM-DD, got '2026/05/31'",
        "contracts[2].covers: guarantee on a non-existent contract 'zzz'",
        "contracts[3].name: duplicate name 'b' (first at contracts[1])",
        "contracts[3].colour: unknown field",
    ):
        assert f"{p}: {needle}" in text
    assert isinstance(info.value, ValueError)


def test_missing_required_field_and_bad_kind(tmp_path):
    body = HEAD.replace("{name: openai, kind: lab, source: s", "{name: openai, kind: startup, source: s").replace(
        "{name: anthropic, kind: lab, source: s, as_of", "{name: anthropic, kind: lab, as_of")
    probs = _problems(_file(tmp_path, body))
    p = tmp_path / "cx.yaml"
    assert probs[0].startswith(f"{p}: entities[0].kind: Input should be 'lab', 'hyperscaler'")
    assert probs[1] == f"{p}: entities[1].source: required field is missing"


def test_yaml_syntax_error_names_the_line(tmp_path):
    p = _file(tmp_path, "as_of: 2026-05-31\nentities: [\n  {name: x\n")
    probs = _problems(p)
    assert len(probs) == 1 and probs[0].startswith(f"{p}: line ") and "not valid YAML" in probs[0]


def test_end_user_shares_over_100_percent(tmp_path):
    p = _file(tmp_path, _contracts(
        "{name: a, kind: take_or_pay, obligor: oracle, obligee: anthropic, notional_usd_bn: 1, "
        "end_users: {openai: 0.8, anthropic: 0.3}, source: s, as_of: 2026-05-31}"
    ))
    assert _problems(p) == [f"{p}: contracts[0].end_users: end-user shares sum to 110%, over 100%"]


# ----------------------------------------------------------------------------- overlay
def test_overlay_a_newer_quarters_backlog(tmp_path):
    over = _file(tmp_path, """\
entities:
  - name: oracle
    figures:
      - {metric: backlog_usd_bn, period: "FQ4 FY26", value: 600, as_of: 2026-05-31, source: "test overlay"}
""", "newer.yaml")
    cx = load_complex(overlay=over)
    assert cx.backlog("oracle") == 600
    assert len(cx.entity("oracle").observations("backlog_usd_bn")) == 4  # history kept
    assert cx.files == ("complex_2026.yaml (default)", str(over))
    assert load_complex().backlog("oracle") == 553  # the cached default is untouched


def test_book_adds_contracts_signed_after_the_report_until_a_newer_report(tmp_path):
    # Amazon's Q1 2026 backlog (USD 364bn, 2026-03-31) excludes Anthropic's >USD 100bn of 2026-04-20.
    cx = load_complex()
    assert cx.backlog("amazon") == 364
    assert [c.name for c in cx.signed_since("amazon")] == ["anthropic-aws"]
    assert cx.book("amazon") == 464
    over = _file(tmp_path, """entities:
  - name: amazon
    figures: [{metric: backlog_usd_bn, value: 480, as_of: 2026-06-30, source: "test overlay"}]
""", "q2.yaml")
    newer = load_complex(overlay=over)
    assert newer.signed_since("amazon") == [] and newer.book("amazon") == 480


def test_overlay_adds_updates_and_drops(tmp_path):
    over = _file(tmp_path, """\
contracts:
  - {name: openai-aws, notional_usd_bn: 50, as_of: 2026-04-01, source: "test overlay"}
  - {name: softbank-margin-loan, drop: true}
  - {name: softbank-margin-guarantee, drop: true}
  - {name: anthropic-aws, kind: take_or_pay, obligor: anthropic, obligee: amazon, notional_usd_bn: 20, source: t, as_of: 2026-04-01}
""", "o.yaml")
    cx = load_complex(overlay=over)
    assert cx.contract("openai-aws").notional_usd_bn.value == 50
    assert cx.contract("openai-aws").term_years == 7  # untouched fields kept
    assert cx.contract("anthropic-aws").notional_usd_bn.value == 20
    assert not any(c.name == "softbank-margin-loan" for c in cx.contracts)


def test_overlay_problems_name_the_overlay_file(tmp_path):
    over = _file(tmp_path, """\
contracts:
  - {name: extra, kind: bond, obligor: nobody, obligee: oracle, notional_usd_bn: 1, source: t, as_of: 2026-04-01}
""", "bad_overlay.yaml")
    assert _problems(None, overlay=over) == [f"{over}: contracts[0].obligor: unknown entity 'nobody'"]


def test_dropping_a_guaranteed_contract_is_caught(tmp_path):
    over = _file(tmp_path, "contracts:\n  - {name: softbank-margin-loan, drop: true}\n", "o.yaml")
    probs = _problems(None, overlay=over)
    assert len(probs) == 1
    assert probs[0].startswith("complex_2026.yaml (default): contracts[")
    assert probs[0].endswith(".covers: guarantee on a non-existent contract 'softbank-margin-loan'")
