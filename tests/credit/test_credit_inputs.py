"""credit_inputs.yaml: the rating tables load, validate, and CoreWeave's row has ES/equity."""

import math

import pytest

from borrowedtime.credit import books
from borrowedtime.credit.pd import rating_category
from borrowedtime.datasets import packaged_yaml
from borrowedtime.errors import DataError, SpecError


def test_yaml_entries_have_source_as_of_checked():
    raw = packaged_yaml("credit_inputs.yaml")
    for section in ("agency_ratings", "assumed_ratings"):
        for name, e in raw[section].items():
            assert {"rating", "source", "as_of", "checked"} <= set(e), name
            rating_category(e["rating"])
            # an unchecked value must say so in its source
            if not e["checked"]:
                assert e["source"].startswith(("not checked", "assumption")), name
    assert books.AGENCY_RATINGS["coreweave"] == raw["agency_ratings"]["coreweave"]["rating"]
    assert books.ASSUMED_RATINGS["openai"] == raw["assumed_ratings"]["openai"]["rating"]


def test_bad_rating_in_overlay_names_the_field():
    bad = {"openai": {"rating": "ZZZ", "source": "x", "as_of": "2026-01-01", "checked": False}}
    with pytest.raises(DataError, match=r"assumed_ratings\.openai\.rating"):
        books._rating_table("assumed_ratings", overlay=bad)
    missing = {"openai": {"rating": "B", "as_of": "2026-01-01", "checked": False}}
    with pytest.raises(DataError, match=r"assumed_ratings\.openai\.source"):
        books._rating_table("assumed_ratings", overlay=missing)
    good = {"openai": {"rating": "B-", "source": "x", "as_of": "2026-01-01", "checked": False}}
    assert books._rating_table("assumed_ratings", overlay=good)["openai"] == "B-"


def test_rating_override_validated_and_used():
    with pytest.raises(SpecError, match="openai"):
        books.book_inputs(ratings={"openai": "ZZZ"})
    assert books.book_inputs(ratings={"openai": "B"}).ratings["openai"] == "B"


def test_coreweave_financials_filled():
    fin = books.book_inputs().financials.loc["coreweave"]
    for metric in ("equity_usd_bn", "debt_usd_bn"):
        assert math.isfinite(fin[metric]) and fin[metric] > 0, metric


def test_coreweave_row_has_es_over_equity():
    res = books.platform_books(n_paths=2_000, seed=3, sweep_rhos=(0.12,))
    row = res.to_frame().loc["coreweave"]
    assert math.isfinite(row["es_999_over_equity"]) and row["es_999_over_equity"] > 0
    assert row["es_999_over_equity"] == pytest.approx(row["es_999_usd_bn"] / row["equity_usd_bn"])
