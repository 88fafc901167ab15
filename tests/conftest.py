"""Shared fixtures: the real series in ../shared/data (never copied into the project)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from borrowedtime.datasets import REFERENCE_FILES, shared_data_dir

# Where the shared reference series live is decided by the data layer (borrowedtime.datasets).
SHARED_DATA = shared_data_dir() or Path(__file__).resolve().parents[1].parent / "shared" / "data"
CASE_SHILLER = SHARED_DATA / REFERENCE_FILES["case_shiller"]
DELINQUENCY = SHARED_DATA / REFERENCE_FILES["delinquency"]
NASDAQ = SHARED_DATA / REFERENCE_FILES["nasdaq"]


def _need(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the tests read real data from the shared reference folder beside the checkout."
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
