"""The complex as a network of obligations."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.errors import SpecError
from borrowedtime.network import network_from_complex, quarter_label


def test_default_complex_network():
    net = network_from_complex()
    frame = net.to_frame().set_index("contract")
    assert frame.loc["openai-oracle", "amount_usd_bn"] == pytest.approx(300.0)
    assert frame.loc["openai-oracle", "start"] == "2027Q1"  # starts 2027-01-01 (WSJ 2025-09-10)
    assert frame.loc["openai-oracle", "quarters"] == 20
    assert frame.loc["tpu-senior", "guarantor"] == "broadcom"
    skipped = dict(net.skipped)
    assert skipped["softbank-margin-loan"] == "status proposed"
    assert skipped["microsoft-lambda"] == "amount not disclosed"
    # every owed contract is either an edge or listed with a reason
    assert len(frame) + len(skipped) == 24
    sched = net.schedule(40)
    assert sched.sum(axis=0) == pytest.approx(net.amount_usd_bn)  # every edge fully paid within 40 quarters
    g = net.to_networkx()
    assert g["openai"]["amazon"]["amount_usd_bn"] == pytest.approx(138.0)
    assert g.nodes["coreweave"]["kind"] == "neocloud"


def test_extra_edges_and_labels():
    net = network_from_complex(extra_edges=[
        {"contract": "cw-debt", "debtor": "coreweave", "creditor": "coreweave-lenders", "amount_usd_bn": 20.0}
    ])
    assert net.kinds[net.index("coreweave-lenders")] == "lender"
    L = net.liabilities()
    assert L[net.index("coreweave"), net.index("coreweave-lenders")] == 20.0
    with pytest.raises(SpecError, match="unknown debtor"):
        network_from_complex(extra_edges=[{"contract": "x", "debtor": "nobody", "creditor": "y", "amount_usd_bn": 1}])
    assert np.array_equal(net.of_kind("neocloud").nonzero()[0].size, 6)
    from datetime import date
    assert quarter_label(date(2026, 7, 1), 0) == "2026Q3"
    assert quarter_label(date(2026, 7, 1), 3) == "2027Q2"
