"""Series input: real files load; every bad input names file, row and problem."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from borrowedtime.errors import DataError, DataQualityWarning
from borrowedtime.series import as_series, infer_frequency, load_series


def _csv(tmp_path: Path, text: str, name: str = "s.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_case_shiller_loads_monthly(case_shiller_path):
    s = load_series(case_shiller_path, column="National-US")
    assert s.attrs["frequency"].name == "monthly"
    assert s.index[0] == pd.Timestamp("1975-01-01") and s.index[-1] == pd.Timestamp("2024-07-01")
    assert len(s) == 595
    assert s.dtype == float


def test_delinquency_single_column_needs_no_column(delinquency_path):
    s = load_series(delinquency_path)
    assert s.name == "DRSFRMACBS"
    assert s.attrs["frequency"].name == "quarterly"
    assert s.min() == pytest.approx(1.41)


def test_nasdaq_is_business_daily(nasdaq_path):
    s = load_series(nasdaq_path, column="Close")
    assert s.attrs["frequency"].name == "business"


def test_two_columns_without_column_lists_them(case_shiller_path):
    with pytest.raises(DataError, match=r"National-US, National-US-SA.*--column"):
        load_series(case_shiller_path)


def test_unknown_column_lists_columns(case_shiller_path):
    with pytest.raises(DataError, match=r"no column 'Price'.*Date, National-US, National-US-SA"):
        load_series(case_shiller_path, column="Price")


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("date,v\n2020-01-01,1\n2020-13-01,2\n2020-03-01,3\n", r"s\.csv, row 3, field 'date': cannot parse date '2020-13-01'"),
        ("date,v\n2020-01-01,1\n2020-01-01,2\n2020-02-01,3\n", r"s\.csv, row 3: duplicate date 2020-01-01"),
        ("date,v\n2020-01-01,1\n2020-03-01,2\n2020-02-01,3\n", r"s\.csv, row 4: dates not sorted"),
        ("date,v\n2020-01-01,1\n2020-02-01,\n2020-03-01,3\n", r"s\.csv, row 3, field 'v': missing value ''"),
        ("date,v\n2020-01-01,1\n2020-02-01,.\n2020-03-01,3\n", r"s\.csv, row 3, field 'v': missing value '\.'"),
        ("date,v\n2020-01-01,1\n2020-02-01,abc\n2020-03-01,3\n", r"s\.csv, row 3, field 'v': non-numeric value 'abc'"),
        ("date,v\n2020-01-01,1\n2020-02-01,-2\n2020-03-01,3\n", r"s\.csv, row 3, field 'v': non-positive value -2\.0"),
        ("date,v\n", r"s\.csv: the series is empty"),
        ("date,v\n2020-01-01,1\n2020-02-01,2\n", r"s\.csv: too short: 2 observation\(s\), need at least 3"),
    ],
)
def test_bad_csv_names_file_row_and_problem(tmp_path, body, pattern):
    with pytest.raises(DataError, match=pattern):
        load_series(_csv(tmp_path, body))


def test_mixed_frequencies(tmp_path):
    monthly = pd.date_range("2000-01-01", periods=12, freq="MS")
    quarterly = pd.date_range("2001-01-01", periods=8, freq="QS")
    dates = monthly.append(quarterly)
    body = "date,v\n" + "".join(f"{d.date()},{i + 1}\n" for i, d in enumerate(dates))
    with pytest.raises(DataError, match=r"mixed frequencies: .*monthly.*quarterly at row 14"):
        load_series(_csv(tmp_path, body))


def test_irregular_dates_are_allowed(tmp_path):
    body = "date,mark\n2024-01-15,86\n2024-10-02,157\n2025-03-31,300\n2025-10-02,500\n2026-03-31,852\n"
    s = load_series(_csv(tmp_path, body))
    assert s.attrs["frequency"].name == "irregular"


def test_gap_in_monthly_data_warns_not_fills(tmp_path):
    dates = pd.date_range("2000-01-01", periods=40, freq="MS").delete(20)
    body = "date,v\n" + "".join(f"{d.date()},{i + 1}\n" for i, d in enumerate(dates))
    with pytest.warns(DataQualityWarning, match=r"1 gap\(s\) in monthly data"):
        s = load_series(_csv(tmp_path, body))
    assert len(s) == 39 and s.attrs["frequency"].name == "monthly"


def test_fred_source_uses_recorded_response(delinquency_path):
    # The shared file is FRED's own CSV download of DRSFRMACBS: a recorded response.
    seen = []

    def fetch(url: str) -> bytes:
        seen.append(url)
        return delinquency_path.read_bytes()

    s = load_series("fred:DRSFRMACBS", positive=True, fetch=fetch)
    assert seen == ["https://fred.stlouisfed.org/graph/fredgraph.csv?id=DRSFRMACBS"]
    assert s.index[0] == pd.Timestamp("1991-01-01") and s.iloc[0] == pytest.approx(3.10)


def test_fred_offline_is_a_clear_error():
    import urllib.error

    def offline(url: str) -> bytes:
        raise urllib.error.URLError("no network")

    with pytest.raises(DataError, match=r"fred:CSUSHPINSA: could not download .*are you online"):
        load_series("fred:CSUSHPINSA", fetch=offline)


def test_as_series_rejects_nan():
    idx = pd.date_range("2000-01-01", periods=5, freq="MS")
    with pytest.raises(DataError, match=r"row 2 \(2000-03-01\): missing or non-finite"):
        as_series(pd.Series([1.0, 2.0, np.nan, 4.0, 5.0], index=idx))


def test_parquet_roundtrip(tmp_path):
    pytest.importorskip("pyarrow")
    idx = pd.date_range("2000-01-01", periods=24, freq="MS")
    frame = pd.DataFrame({"date": idx, "price": np.linspace(100, 120, 24)})
    path = tmp_path / "p.parquet"
    frame.to_parquet(path)
    s = load_series(path)
    assert s.attrs["frequency"].name == "monthly" and s.iloc[-1] == pytest.approx(120)


def test_infer_frequency_quarterly_and_annual():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert infer_frequency(pd.date_range("2000-01-01", periods=9, freq="QS")).name == "quarterly"
        assert infer_frequency(pd.date_range("2000-01-01", periods=9, freq="YS")).name == "annual"
