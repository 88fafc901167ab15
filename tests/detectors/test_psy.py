"""PSY: ADF against statsmodels, kernels against NumPy, statistics against exuber, critical values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from borrowedtime._numba import python_twin
from borrowedtime.detectors import _psy_kernels as _kernels
from borrowedtime.detectors.psy import PSYTest, adf_stat, psy_critical_values, psy_min_window
from borrowedtime.errors import DataError, SpecError

RESULTS = Path(__file__).parent / "results"


def _walk(n: int = 120, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    return pd.Series(np.exp(4 + np.cumsum(rng.normal(0, 0.02, n))), index=idx, name="walk")


@pytest.mark.filterwarnings("ignore::FutureWarning")  # adfuller return type notice
@pytest.mark.parametrize("lag", [0, 1, 3])
def test_adf_matches_statsmodels_at_fixed_lag(case_shiller, lag):
    from statsmodels.tsa.stattools import adfuller

    x = np.log(case_shiller.to_numpy())[:200]
    expected = adfuller(x, maxlag=lag, autolag=None, regression="c")[0]
    assert adf_stat(x, lag) == pytest.approx(expected, rel=1e-9)


def test_window_kernel_matches_numpy_specification():
    x = np.log(_walk(60).to_numpy())
    k, minw = 2, 10
    stats = np.empty((60, 60))
    _kernels.adf_all_windows(x, k, minw, stats)
    for i0, i1 in [(0, 59), (0, 12), (5, 40), (30, 59), (47, 59)]:
        assert stats[i0, i1] == pytest.approx(_kernels.adf_window_stats_numpy(x, k, i0, i1), rel=1e-9)
    assert np.isnan(stats[48, 59])  # 11 observations: 8 rows < minw
    plain = np.empty((60, 60))
    python_twin(_kernels.adf_all_windows)(x, k, minw, plain)
    assert_allclose(stats, plain, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("case", [0, 1, 2])
def test_statistics_agree_with_exuber_case_shiller(case_shiller, case):
    # tests/detectors/results/make_psy_exuber.py: pyexuber 0.1.0 radf() on the NSA index, levels
    ref = json.loads((RESULTS / "psy_exuber.json").read_text())["case_shiller_levels"][case]
    test = PSYTest(lag=ref["lag"], min_window=ref["minw"], log=False)
    sadf, gsadf, seq = test.statistics(case_shiller)
    assert sadf == pytest.approx(ref["sadf"], abs=1e-8)
    assert gsadf == pytest.approx(ref["gsadf"], abs=1e-8)
    first = ref["minw"] + ref["lag"]
    assert_allclose(seq[first::10], ref["bsadf_every10"], atol=1e-8)
    forward = np.empty(len(case_shiller))
    _kernels.adf_sup(case_shiller.to_numpy(), ref["lag"], ref["minw"], np.empty(len(case_shiller)), forward)
    assert_allclose(forward[first::10], ref["badf_every10"], atol=1e-8)


def test_statistics_agree_with_exuber_nasdaq(nasdaq_path):
    from borrowedtime.series import load_series

    ref = json.loads((RESULTS / "psy_exuber.json").read_text())["nasdaq_log"][0]
    series = load_series(nasdaq_path, column="Adj Close")
    sadf, gsadf, seq = PSYTest(lag=0, min_window=ref["minw"]).statistics(series)
    assert ref["minw"] == psy_min_window(len(series))
    assert sadf == pytest.approx(ref["sadf"], abs=1e-8)
    assert gsadf == pytest.approx(ref["gsadf"], abs=1e-8)
    assert_allclose(seq[ref["minw"]::10], ref["bsadf_every10"], atol=1e-8)


def test_critical_values_seeded_cached_and_ordered(tmp_path, monkeypatch):
    monkeypatch.setenv("BORROWEDTIME_CACHE", str(tmp_path / "env"))
    a = psy_critical_values(80, lag=1, reps=60, seed=3, cache=tmp_path)
    files = list(tmp_path.glob("psy-v2-n80-*.npz"))
    assert len(files) == 1
    b = psy_critical_values(80, lag=1, reps=60, seed=3, cache=tmp_path)  # from disk
    c = psy_critical_values(80, lag=1, reps=60, seed=3, cache=False)  # recomputed
    assert np.array_equal(a.gsadf, b.gsadf) and np.array_equal(a.gsadf, c.gsadf)
    assert np.array_equal(a.bsadf, c.bsadf, equal_nan=True)
    assert a.gsadf[0] < a.gsadf[1] < a.gsadf[2]
    # the GSADF null quantile lies above SADF's: a sup over more windows
    assert a.gsadf[1] > a.sadf[1]
    psy_critical_values(80, lag=1, reps=60, seed=3)  # default cache: the env variable's folder
    assert list((tmp_path / "env").rglob("*.npz"))


def test_explosive_segment_is_date_stamped(tmp_path):
    # a random walk, then 20 months of 3%/month explosive growth (rho = 1.03 on log level - 4)
    rng = np.random.default_rng(5)
    n = 160
    x = np.empty(n)
    x[0] = 1.0
    for t in range(1, n):
        rho = 1.04 if 120 <= t < 140 else 1.0
        x[t] = rho * x[t - 1] + rng.normal(0, 0.01)
    series = pd.Series(np.exp(x), index=pd.date_range("2000-01-01", periods=n, freq="MS"), name="boom")
    res = PSYTest(reps=100, seed=1, cache=tmp_path, sensitivity_lags=(0, 1)).fit(series)
    assert res.rejects
    starts = [s for s, _ in res.episodes()]
    assert any(series.index[118] <= s <= series.index[139] for s in starts)
    assert set(res.lag_sensitivity()["lag"]) == {0, 1}
    frame = res.to_frame()
    assert list(frame.columns) == ["bsadf", "bsadf_cv", "above"]
    assert "GSADF" in res.summary()


def test_bad_input_gets_clear_errors(tmp_path):
    short = _walk(20)
    with pytest.raises(DataError, match="minimum window needs"):
        PSYTest(min_window=30, cache=tmp_path).fit(short)
    nan = _walk(60)
    nan.iloc[10] = np.nan
    with pytest.raises(DataError, match="missing or non-finite"):
        PSYTest(cache=tmp_path).statistics(nan)
    neg = _walk(60)
    neg.iloc[3] = 0.0
    with pytest.raises(DataError, match="non-positive"):
        PSYTest(cache=tmp_path).statistics(neg)
    with pytest.raises(SpecError, match="lag"):
        PSYTest(lag=-1)
    with pytest.raises(SpecError, match="level"):
        PSYTest(level=0.5)
    with pytest.raises(SpecError, match="reps"):
        psy_critical_values(50, reps=5)


@pytest.mark.parametrize("lag", [0, 2])
def test_running_sup_matches_the_full_window_matrix(lag):
    x = np.log(_walk(90, seed=4).to_numpy())
    minw = 15
    stats = np.empty((90, 90))
    _kernels.adf_all_windows(x, lag, minw, stats)
    full = np.empty(90)
    sadf, gsadf = _kernels.sup_stats(stats, lag, minw, full)
    run = np.empty(90)
    sadf2, gsadf2 = _kernels.adf_sup(x, lag, minw, run, np.empty(90))
    assert sadf2 == pytest.approx(sadf, rel=1e-9)
    assert gsadf2 == pytest.approx(gsadf, rel=1e-9)
    assert_allclose(run[minw + lag:], full[minw + lag:], rtol=1e-9)
    assert np.isnan(run[: minw + lag]).all()
