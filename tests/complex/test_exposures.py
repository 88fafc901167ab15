"""Exposure views: structural facts of the essay's world, and the look-through mechanics."""

from __future__ import annotations

import dataclasses
import textwrap

import numpy as np
import pytest

from borrowedtime.complex import exposures, lab_exposure, load_complex, platform_concentration

PLATFORMS = ["microsoft", "oracle", "google", "amazon"]


@pytest.fixture(scope="module")
def cx():
    return load_complex()


@pytest.fixture(scope="module")
def conc(cx):
    return platform_concentration(cx).to_frame()


def test_half_the_big_four_backlog_traces_to_openai_and_anthropic(conc):
    # Essay VI: "Of roughly $2.1 trillion ... about half - on the order of $1.05 trillion - is owed by
    # OpenAI and Anthropic." "About" is read as +/-10 % of one half.
    t = conc.loc[PLATFORMS]
    assert t["book_usd_bn"].sum() == pytest.approx(2100, rel=0.10)  # "roughly $2.1 trillion"
    labs = t[["openai_usd_bn", "anthropic_usd_bn", "labs_unsplit_usd_bn"]].to_numpy().sum()
    share = labs / t["book_usd_bn"].sum()
    assert share == pytest.approx(0.5, abs=0.05)
    # and the labs' amount is "on the order of" $1.05T (+/-25 %)
    assert labs == pytest.approx(1050, rel=0.25)
    # from disclosed contracts alone, without the essay's shares
    disclosed = (t["lab_share_disclosed"] * t["book_usd_bn"]).sum()
    assert disclosed / t["book_usd_bn"].sum() == pytest.approx(0.5, abs=0.05)


def test_each_platforms_lab_share_is_at_least_the_essays(conc):
    # Disclosed contracts plus the stated residual reach the stated share on every platform;
    # where the disclosed contracts alone exceed it (Microsoft, Oracle), the gap is reported.
    t = conc.loc[PLATFORMS]
    assert (t["lab_share"] >= t["stated_lab_share"] - 1e-12).all()
    assert t.loc["oracle", "stated_gap_usd_bn"] == pytest.approx(300 - 0.54 * 553)
    # Microsoft's OpenAI share (45%) is of the RPO reported on its date (625), not the latest (627)
    assert t.loc["microsoft", "openai_usd_bn"] == pytest.approx(0.45 * 625)
    assert t.loc["microsoft", "stated_gap_usd_bn"] == pytest.approx(0.45 * 625 + 30 - 0.49 * 627)


def test_oracle_is_more_than_half_openai(conc):
    # Essay IX: "Oracle's contracted backlog is more than half OpenAI".
    assert conc.loc["oracle", "openai_usd_bn"] / conc.loc["oracle", "book_usd_bn"] > 0.5


def test_coreweave_microsoft_capacity_is_traced_to_openai(cx):
    ex = exposures(cx)
    direct = ex.owed_to("coreweave", view="direct")
    ultimate = ex.owed_to("coreweave", view="ultimate")
    assert direct["microsoft"] == pytest.approx(10.0)
    assert direct["openai"] == pytest.approx(22.4)
    assert "microsoft" not in ultimate.index
    assert ultimate["openai"] == pytest.approx(32.4)
    assert ultimate.sum() == pytest.approx(direct.sum())  # look-through moves, never creates


def test_vehicle_debt_passes_through_to_the_tenant(cx):
    look = exposures(cx).to_frame()
    ult = look.set_index("contract")["ultimate_obligor"]
    assert ult["tpu-senior"] == "anthropic"  # SPV -> Anthropic's lease
    assert ult["beignet-bonds"] == "meta"  # SPV -> Meta's lease
    assert ult["vantage-loans"] == "openai"  # SPV -> Oracle's lease -> OpenAI (end user)
    assert ult["ddtl5"] == "cohere|openai"  # undisclosed split stays a group


def test_guarantees_are_attached_to_what_they_cover(cx):
    e = exposures(cx).edges.set_index("contract")
    assert e.loc["tpu-senior", "guaranteed_by"] == "broadcom"
    assert e.loc["anthropic-tpu-lease", "guaranteed_by"] == "google"
    assert e.loc["beignet-bonds", "guaranteed_by"] == "meta"


def test_openai_is_the_largest_ultimate_debtor(cx):
    le = lab_exposure(cx)
    totals = le.totals()
    assert totals.index[0] == "openai"
    assert totals["openai"] > 600  # essay X: "$600 billion-plus of take-or-pay obligations"
    t = le.to_frame()
    assert t.loc["coreweave", "ultimate_usd_bn"] > t.loc["coreweave", "direct_usd_bn"]


def test_results_are_frozen(cx):
    for res in (exposures(cx), platform_concentration(cx), lab_exposure(cx)):
        field = dataclasses.fields(res)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(res, field, None)
        assert isinstance(res.summary(), str) and res.summary()


def test_matrix_rejects_an_unknown_view(cx):
    with pytest.raises(ValueError, match="view must be 'ultimate' or 'direct'"):
        exposures(cx).matrix("sideways")


def test_chain_of_vehicles_resolves(tmp_path):
    # A bank lends to spv-a; spv-a's only lessee is spv-b, whose lessees are two labs 3:1 by
    # notional: the loan ends 75/25 on the labs.
    p = tmp_path / "chain.yaml"
    p.write_text(textwrap.dedent("""\
        as_of: 2026-05-31
        entities:
          - {name: lab-a, kind: lab, source: t, as_of: 2026-05-31}
          - {name: lab-b, kind: lab, source: t, as_of: 2026-05-31}
          - {name: spv-a, kind: spv, source: t, as_of: 2026-05-31}
          - {name: spv-b, kind: spv, source: t, as_of: 2026-05-31}
          - {name: bank, kind: lender, source: t, as_of: 2026-05-31}
        contracts:
          - {name: loan, kind: term_loan, obligor: spv-a, obligee: bank, notional_usd_bn: 8, source: t, as_of: 2026-05-31}
          - {name: lease-ab, kind: take_or_pay, obligor: spv-b, obligee: spv-a, notional_usd_bn: 8, source: t, as_of: 2026-05-31}
          - {name: lease-1, kind: take_or_pay, obligor: lab-a, obligee: spv-b, notional_usd_bn: 6, source: t, as_of: 2026-05-31}
          - {name: lease-2, kind: take_or_pay, obligor: lab-b, obligee: spv-b, notional_usd_bn: 2, source: t, as_of: 2026-05-31}
        """))
    look = exposures(load_complex(p)).to_frame()
    loan = look[look["contract"] == "loan"].set_index("ultimate_obligor")["ultimate_usd_bn"]
    np.testing.assert_allclose(loan[["lab-a", "lab-b"]].to_numpy(), [6.0, 2.0])


def test_stated_share_residual_goes_to_the_lab_without_a_contract(tmp_path):
    # Platform book 100, essay says 60% is lab-a + lab-b; only lab-a's 20 is disclosed:
    # the residual 40 goes to lab-b. With neither disclosed, 60 stays an undisclosed split.
    body = """\
        as_of: 2026-05-31
        entities:
          - {name: lab-a, kind: lab, source: t, as_of: 2026-05-31}
          - {name: lab-b, kind: lab, source: t, as_of: 2026-05-31}
          - {name: cloud, kind: hyperscaler, source: t, as_of: 2026-05-31, figures: [{metric: backlog_usd_bn, value: 100}]}
          - {name: cloud2, kind: hyperscaler, source: t, as_of: 2026-05-31, figures: [{metric: backlog_usd_bn, value: 100}]}
        contracts:
          - {name: a-cloud, kind: take_or_pay, obligor: lab-a, obligee: cloud, notional_usd_bn: 20, source: t, as_of: 2026-05-31}
        concentrations:
          - {platform: cloud, obligors: [lab-a, lab-b], share: 0.6, source: t, as_of: 2026-05-31}
          - {platform: cloud2, obligors: [lab-a, lab-b], share: 0.6, source: t, as_of: 2026-05-31}
        """
    p = tmp_path / "residual.yaml"
    p.write_text(textwrap.dedent(body))
    t = platform_concentration(load_complex(p)).to_frame()
    assert t.loc["cloud", "lab-b_usd_bn"] == pytest.approx(40)
    assert t.loc["cloud", "lab_share"] == pytest.approx(0.6)
    assert t.loc["cloud", "lab_share_disclosed"] == pytest.approx(0.2)
    assert t.loc["cloud2", "labs_unsplit_usd_bn"] == pytest.approx(60)
