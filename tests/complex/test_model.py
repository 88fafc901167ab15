"""The complex as arrays: stable index, obligation matrix, schedule, guarantees; views equal the tables."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from borrowedtime.complex import ComplexError, ComplexModel, exposures, load_complex
from borrowedtime.complex.schema import OWED_KINDS
from borrowedtime.errors import SpecError


@pytest.fixture(scope="module")
def cx():
    return load_complex()


@pytest.fixture(scope="module")
def m(cx):
    return cx.model


def test_stable_entity_index(cx, m):
    assert m.entities == tuple(e.name for e in cx.entities)
    assert all(m.index(n) == i for i, n in enumerate(m.entities))
    assert m.labels[: m.n_entities] == m.entities
    assert all("|" in g for g in m.labels[m.n_entities:])  # undisclosed splits only
    with pytest.raises(SpecError, match="no entity named 'nobody'"):
        m.index("nobody")
    assert cx.model is m  # built once per complex
    with pytest.raises(ValueError, match="read-only"):
        m.amount[0] = 1.0


def test_obligation_matrix_direct(m):
    owed_m = m.obligations()
    assert owed_m.shape == (len(m.labels), len(m.labels))
    assert owed_m[m.index("openai"), m.index("oracle")] == pytest.approx(300)
    assert owed_m[m.index("openai"), m.index("amazon")] == pytest.approx(38 + 100)
    owed = np.isin(m.edge_kind, OWED_KINDS)
    assert owed_m.sum() == pytest.approx(np.nansum(m.amount[owed]))
    assert m.obligations(bound="low").sum() <= owed_m.sum() <= m.obligations(bound="high").sum()
    by_kind = m.obligations_by_kind()
    assert by_kind.shape[0] == len(m.owed_kinds)
    np.testing.assert_allclose(by_kind.sum(axis=0), owed_m)
    assert m.obligations("term_loan")[m.index("coreweave-ddtl5-spv"), m.index("ddtl5-lenders")] == pytest.approx(3.1)
    assert set(m.undisclosed()) >= {"microsoft-lambda", "anthropic-tpu-lease"}
    with pytest.raises(SpecError, match="unknown contract kind"):
        m.obligations("loan")


def test_ultimate_view_equals_the_exposures_table(cx, m):
    table = exposures(cx).matrix("ultimate")  # creditor x debtor
    U = m.to_frame(m.obligations(view="ultimate")).T  # creditor x debtor
    U = U.loc[table.index, table.columns]
    np.testing.assert_allclose(U.to_numpy(), table.to_numpy(), atol=1e-9)
    # the vehicles' debt ends on who uses the capacity: the TPU senior notes on Anthropic
    Ult = m.obligations("term_loan", view="ultimate")
    assert Ult[m.index("anthropic"), m.index("apollo-blackstone")] == pytest.approx(31)
    assert Ult[m.index("tpu-facility-spv"), :].sum() == pytest.approx(0)


def test_schedule_spreads_dated_amounts_and_keeps_the_total(m):
    s = m.schedule()
    owed_m = m.obligations()
    assert s.by_year.sum() + s.undated.sum() == pytest.approx(owed_m.sum())
    i, j = m.index("openai"), m.index("oracle")
    # ~USD 300bn over five years from 2027-01-01: 60 a year, 2027-2031
    row = pd.Series(s.by_year[:, i, j], index=s.years)
    assert row.loc[2027:2031].to_numpy() == pytest.approx([60.0] * 5)
    assert row.drop(range(2027, 2032), errors="ignore").sum() == pytest.approx(0)
    assert s.undated[m.index("openai"), m.index("microsoft")] > 0  # a share of RPO, no term
    assert s.total_by_year("openai").sum() + s.undated[m.index("openai")].sum() == pytest.approx(owed_m[i].sum())
    assert {"year", "debtor", "creditor", "amount_usd_bn"} == set(s.to_frame().columns)


def test_guarantees_and_collateral_align_with_the_edges(m):
    G = m.guarantees()
    assert G[m.index("broadcom"), m.index("apollo-blackstone")] == pytest.approx(31)  # RVG on the senior notes
    assert G[m.index("meta"), m.index("hyperion-bondholders")] == pytest.approx(27.3)
    e = m.edge_names.index("tpu-senior")
    assert m.guarantor[e, m.index("broadcom")] == 1.0 and m.guaranteed()[e]
    assert m.secured[e] and m.recourse[e] == "non_recourse" and m.seniority[e] == "senior"
    assert m.bankruptcy_remote[m.index("coreweave-ddtl5-spv")]
    assert m.guarantor.shape == (len(m.edge_names), len(m.labels))


def test_an_overlay_keeps_the_index_and_moves_the_arrays(tmp_path, m):
    p = tmp_path / "over.yaml"
    p.write_text(textwrap.dedent("""\
        entities:
          - {name: newlab, kind: lab, source: t, as_of: 2026-06-30}
        contracts:
          - {name: openai-oracle, notional_usd_bn: 250, source: t, as_of: 2026-06-30}
          - {name: newlab-oracle, kind: take_or_pay, obligor: newlab, obligee: oracle, notional_usd_bn: 5,
             source: t, as_of: 2026-06-30}
        """))
    m2 = load_complex(overlay=p).model
    assert m2.entities[: m.n_entities] == m.entities and m2.entities[-1] == "newlab"
    owed2 = m2.obligations()
    assert owed2[m2.index("openai"), m2.index("oracle")] == pytest.approx(250)
    assert owed2[m2.index("newlab"), m2.index("oracle")] == pytest.approx(5)
    assert isinstance(m2, ComplexModel) and "entities" in repr(m2)


def test_validation_problems_travel_on_one_error(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(textwrap.dedent("""\
        as_of: 2026-05-31
        entities:
          - {name: a, kind: lab, source: t, as_of: 2026-05-31}
        contracts:
          - {name: c, kind: bond, obligor: a, obligee: zz, notional_usd_bn: -1, source: t, as_of: 2026-05-31}
        """))
    with pytest.raises(ComplexError) as info:
        load_complex(p)
    err = info.value
    assert isinstance(err, SpecError)
    assert sorted(x.path for x in err.problems) == ["contracts[0].notional_usd_bn", "contracts[0].obligee"]
    assert "2 problems in the complex" in str(err)
