"""The one data layer: packaged YAML, the shared reference folder, the complex as the source of entity facts."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from borrowedtime import datasets
from borrowedtime.complex import load_complex
from borrowedtime.errors import DataError, SpecError
from borrowedtime.essay import essay_facts, essay_series
from borrowedtime.treadmill import RoundsSpec

SRC = Path(__file__).resolve().parents[1] / "src" / "borrowedtime"


def test_one_reader_names_file_line_and_column(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(DataError, match=rf"{re.escape(str(p))}: line \d+, column \d+: not valid YAML"):
        datasets.read_yaml(p)
    with pytest.raises(DataError, match="cannot read file"):
        datasets.read_yaml(tmp_path / "missing.yaml")
    (tmp_path / "empty.yaml").write_text("")
    assert datasets.read_yaml(tmp_path / "empty.yaml") == {}


def test_packaged_yaml_is_a_fresh_copy_each_call():
    a = datasets.essay_data()
    a["facts"].clear()
    assert datasets.essay_data()["facts"]  # the cache was not touched
    with pytest.raises(DataError, match="no packaged dataset 'nope.yaml'"):
        datasets.packaged_path("nope.yaml")


def test_shared_folder_is_found_and_overridable(tmp_path, monkeypatch):
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    folder = datasets.shared_data_dir(required=True)
    assert (folder / "README.md").exists()
    assert datasets.reference_path("case_shiller").name == datasets.REFERENCE_FILES["case_shiller"]
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    assert datasets.shared_data_dir() == tmp_path
    assert datasets.reference_path("case_shiller", required=False) is None
    with pytest.raises(DataError, match="missing from the shared data folder"):
        datasets.reference_path("case_shiller")
    with pytest.raises(DataError, match="no reference series 'x'"):
        datasets.reference_path("x")
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="no such folder"):
        datasets.shared_data_dir()


def test_no_source_file_outside_the_data_layer_names_the_shared_folder():
    offenders = [p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
                 if p.name != "datasets.py" and "shared/data" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_one_yaml_reader_in_the_package():
    readers = [p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
               if re.search(r"yaml\.(safe_)?load\(", p.read_text(encoding="utf-8"))]
    assert readers == ["datasets.py"]


def test_openai_marks_live_in_the_complex_only():
    # the essay's series of marks is read from the complex: one store of the fact
    assert "openai_valuation" not in datasets.essay_data()["series"]
    marks = essay_series("openai_valuation")
    cx = load_complex()
    filed = [o.value for o in cx.entity("openai").observations("valuation_usd_bn")]
    assert marks.iloc[:-1].tolist() == filed
    assert marks.iloc[-1] == pytest.approx(852 * 1.23, abs=0.5)  # the next mark the essay implies
    # the stated marks (what the audit checks) agree with the complex's
    assert essay_facts()["openai_marks"]["values"] == filed


def test_rounds_from_the_complex_equal_the_default():
    a = RoundsSpec().run()
    b = RoundsSpec.from_complex(load_complex(), "openai").run()
    assert a.step_ups.equals(b.step_ups)
    assert a.next_raise_required() == b.next_raise_required()
    assert a.cumulative_burn() == b.cumulative_burn()


OVERLAY_MARKS = """\
entities:
  - name: openai
    figures:
      - {metric: valuation_usd_bn, period: "2026 round", value: 730, as_of: 2026-03-31, source: "test overlay"}
      - {metric: revenue_usd_bn, period: "2027", value: 40, as_of: 2027-12-31, source: "test overlay"}
"""


def test_an_overlay_of_openai_marks_moves_the_treadmill(tmp_path):
    p = tmp_path / "marks.yaml"
    p.write_text(OVERLAY_MARKS)
    cx = load_complex(overlay=p)
    base = RoundsSpec().run()
    moved = RoundsSpec.from_complex(cx, "openai").run()
    # the last private step-up is 730 / 500 instead of 852 / 500; the next mark's is 1048 / 730
    assert moved.step_ups.iloc[3] == pytest.approx(730 / 500)
    assert moved.step_ups.iloc[-1] == pytest.approx(1048 / 730)
    assert not np.allclose(moved.step_ups.to_numpy(), base.step_ups.to_numpy())
    assert moved.revenue.loc[2027] == 40.0 and base.revenue.loc[2027] == 60.0
    # the same USD 122bn at a lower mark sold more of the company: the observed dilution moves with the mark
    assert moved.dilution_limit == pytest.approx((40 / 300 + 122 / 730) / 2)
    assert moved.surplus() != base.surplus()  # lower 2027 revenue, lower burn: the cash identity moves too


def test_from_complex_names_what_is_missing(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(textwrap.dedent("""\
        as_of: 2026-05-31
        entities:
          - name: lab1
            kind: lab
            source: t
            as_of: 2026-05-31
            figures:
              - {metric: valuation_usd_bn, value: 10, as_of: 2025-01-01}
              - {metric: valuation_usd_bn, value: 20, as_of: 2026-01-01}
        """))
    cx = load_complex(p)
    with pytest.raises(SpecError, match="complex entity 'lab1': no capital_raised_usd_bn figure for the mark"):
        RoundsSpec.from_complex(cx, "lab1")
    with pytest.raises(SpecError, match="no entity named 'nobody'"):
        RoundsSpec.from_complex(cx, "nobody")


def test_treadmill_inputs_hold_no_entity_facts():
    assert "openai" not in datasets.treadmill_inputs()
    assert isinstance(pd.Series(datasets.treadmill_inputs()["subprime_originations"]["values"]), pd.Series)
