"""Shared fixtures: the real series in ../shared/data (never copied into the project)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CASE_SHILLER = SHARED_DATA / "case_shiller_us_national_monthly.csv"
DELINQUENCY = SHARED_DATA / "fred_DRSFRMACBS_sf_mortgage_delinquency_quarterly.csv"
NASDAQ = SHARED_DATA / "nasdaq_composite_daily_1994_2000.csv"


def _need(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the tests read real data from ../shared/data beside the checkout."
        )
    return path


@pytest.fixture(scope="session")
def case_shiller_path() -> Path:
    return _need(CASE_SHILLER)


@pytest.fixture(scope="session")
def delinquency_path() -> Path:
    return _need(DELINQUENCY)


@pytest.fixture(scope="session")
def nasdaq_path() -> Path:
    return _need(NASDAQ)


@pytest.fixture(scope="session")
def case_shiller(case_shiller_path: Path) -> pd.Series:
    from borrowedtime.series import load_series

    return load_series(case_shiller_path, column="National-US")
