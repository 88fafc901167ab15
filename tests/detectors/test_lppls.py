"""LPPLS: known answer, kernels against their references, the peer's cost, seeds, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from borrowedtime._numba import python_twin
from borrowedtime.detectors import _lppls_kernels as _kernels
from borrowedtime.detectors.lppls import LPPLSFilter, LPPLSModel, lppls_log_price
from borrowedtime.errors import DataError, SpecError
from borrowedtime.series import days_since_epoch

RESULTS = Path(__file__).parent / "results"
SMALL = dict(window=40, smallest_window=20, inner_increment=5, outer_increment=3, grid=(6, 4, 10), n_starts=2)


def _synthetic(n: int = 200, noise: float = 0.0, seed: int = 1) -> tuple[pd.Series, float]:
    idx = pd.bdate_range("1999-01-04", periods=n)
    t = days_since_epoch(idx)
    tc = t[-1] + 40.0
    lp = lppls_log_price(t, tc, 0.5, 8.0, 8.0, -0.02, 0.002, -0.001)
    if noise:
        lp = lp + np.random.default_rng(seed).normal(0, noise, n)
    return pd.Series(np.exp(lp), index=idx, name="synthetic"), tc


def test_known_answer_recovers_parameters_of_an_exact_lppls_path():
    # noise-free LPPLS path (tc 40 days after the last date, m 0.5, omega 8): the fit must be exact
    series, tc = _synthetic()
    fit = LPPLSModel().fit(series)
    p = fit.params
    assert p["tc"] == pytest.approx(tc, abs=0.01)
    assert p["m"] == pytest.approx(0.5, abs=1e-5)
    assert p["omega"] == pytest.approx(8.0, abs=1e-4)
    assert p["B"] == pytest.approx(-0.02, rel=1e-4)
    assert p["sse"] < 1e-12
    assert fit.qualified


def test_grid_kernel_matches_numpy_specification():
    rng = np.random.default_rng(3)
    n = 50
    s = np.linspace(-1.0, 0.0, n)
    y = np.cumsum(rng.normal(0, 0.01, n))
    y -= y[-1]
    starts = np.array([0, 10, 25], dtype=np.int64)
    sc, mg, wg = np.array([0.01, 0.1, 0.4]), np.array([0.2, 0.7]), np.array([3.0, 7.5, 13.0])
    out = np.empty((3, 3, 2, 3))
    _kernels.lppls_grid_sse(s, y, starts, sc, mg, wg, np.full(3, 1.0), out)
    for k, st in enumerate(starts):
        assert_allclose(out[k], _kernels.lppls_grid_sse_numpy(s, y, st, sc, mg, wg), rtol=1e-8, atol=1e-12)


def test_refine_numba_matches_plain_python():
    rng = np.random.default_rng(4)
    s = np.linspace(-1.0, 0.0, 60)
    y = np.cumsum(rng.normal(0, 0.01, 60))
    lo, hi = np.array([0.005, 0.01, 2.0]), np.array([0.5, 1.0, 15.0])
    fast, slow = np.empty(8), np.empty(8)
    _kernels.lppls_refine(s, y, 0.1, 0.5, 8.0, lo, hi, 30, fast)
    python_twin(_kernels.lppls_refine)(s, y, 0.1, 0.5, 8.0, lo, hi, 30, slow)
    assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def nasdaq_window(nasdaq_path) -> pd.Series:
    from borrowedtime.series import load_series

    return load_series(nasdaq_path, column="Adj Close").iloc[-120:]


def test_profiled_cost_matches_peer(nasdaq_window):
    ref = json.loads((RESULTS / "lppls_nasdaq.json").read_text())
    t = days_since_epoch(nasdaq_window.index) + ref["ordinal_minus_unix_days"]
    y = np.log(nasdaq_window.to_numpy())
    beta = np.empty(4)
    for row in ref["cost"]:
        scale = 100.0  # any scale: the profiled SSE does not depend on it
        sse = _kernels.lppls_profile_sse((t - t[-1]) / scale, y - y[-1], (row["tc"] - t[-1]) / scale,
                                         row["m"], row["w"], beta)
        # the package adds 1e-8 to |tc - t| and 1e-8 to the normal matrix: agreement to ~1e-7
        assert sse == pytest.approx(row["sse"], rel=1e-6)


def test_fit_at_least_as_good_as_bounded_multistart(nasdaq_window):
    # the same cost, 25 bounded Nelder-Mead searches from seeded random starts in the same box
    from scipy.optimize import minimize

    model = LPPLSModel()
    fit = model.fit(nasdaq_window)
    t = days_since_epoch(nasdaq_window.index)
    y = np.log(nasdaq_window.to_numpy())
    scale = float(np.median(np.diff(t))) * (len(t) - 1)
    s, yc = (t - t[-1]) / scale, y - y[-1]
    span = t[-1] - t[0]
    lo = np.array([0.5 * np.median(np.diff(t)) / scale, 0.01, 2.0])
    hi = np.array([min(252.0, 0.5 * span) / scale, 1.0, 15.0])
    beta = np.empty(4)
    rng = np.random.default_rng(0)
    best = np.inf
    for _ in range(25):
        x0 = rng.uniform(lo, hi)
        res = minimize(lambda x: _kernels.lppls_profile_sse(s, yc, x[0], x[1], x[2], beta), x0,
                       method="Nelder-Mead", bounds=list(zip(lo, hi, strict=True)),
                       options={"xatol": 1e-10, "fatol": 1e-14, "maxfev": 4000})
        best = min(best, res.fun)
    assert fit.params["sse"] <= best + 1e-9


def test_same_seed_is_bit_identical_and_seeds_agree(nasdaq_window):
    a = LPPLSModel(**SMALL, seed=7).confidence(nasdaq_window)
    b = LPPLSModel(**SMALL, seed=7).confidence(nasdaq_window)
    c = LPPLSModel(**SMALL, seed=8).confidence(nasdaq_window)
    assert np.array_equal(a.fits, b.fits)
    # another seed shifts the grid; the refined SSE barely moves
    assert np.median(np.abs(a.fits[..., 7] - c.fits[..., 7])) < 1e-6


def test_confidence_is_real_time(nasdaq_window):
    model = LPPLSModel(**SMALL)
    full = model.confidence(nasdaq_window)
    part = model.confidence(nasdaq_window.iloc[:-30])
    common = part.index
    assert np.array_equal(full.fits[: len(common)], part.fits)
    assert_allclose(full.positive.loc[common].to_numpy(), part.positive.to_numpy())
    frame = full.to_frame()
    assert list(frame.columns) == ["pos_conf", "neg_conf", "tc_median"]
    assert ((frame.pos_conf >= 0) & (frame.pos_conf <= 1)).all()
    assert "LPPLS confidence" in full.summary()


def test_filter_conditions_follow_the_package_definition():
    f = LPPLSFilter()
    t1, t2 = 0.0, 100.0
    good = np.array([105.0, 0.5, 8.0, 0.0, -1.0, 0.1, 0.0])  # O = 3.9, D = 0.62
    assert f.qualified(good, t1, t2)
    for i, bad in ((1, 1.2), (2, 1.5), (0, 99.0), (0, 200.0)):
        row = good.copy()
        row[i] = bad
        assert not f.qualified(row, t1, t2)


def test_bad_input_gets_clear_errors(nasdaq_window):
    with pytest.raises(DataError, match="window needs 120"):
        LPPLSModel().confidence(nasdaq_window.iloc[:100])
    neg = nasdaq_window.copy()
    neg.iloc[5] = -1.0
    with pytest.raises(DataError, match="non-positive"):
        LPPLSModel(**SMALL).confidence(neg)
    nan = nasdaq_window.copy()
    nan.iloc[5] = np.nan
    with pytest.raises(DataError, match="missing or non-finite"):
        LPPLSModel(**SMALL).confidence(nan)
    with pytest.raises(SpecError, match="smallest_window"):
        LPPLSModel(window=30, smallest_window=40)
    with pytest.raises(SpecError, match="window"):
        LPPLSModel(window=0)


def test_omega_bound_beyond_the_sincos_range_is_refused(nasdaq_window):
    with pytest.raises(SpecError, match="w_bounds"):
        LPPLSModel(window=60, smallest_window=40, w_bounds=(2.0, 5e4)).fit(nasdaq_window.iloc[-60:])


def test_tc_bounds_read_for_the_data_frequency():
    """tc_units="auto": the package's 60/252 days on daily data, that many observations on monthly data."""
    monthly_idx = pd.date_range("1990-01-01", periods=160, freq="MS")
    daily_idx = pd.bdate_range("1990-01-01", periods=160)
    model = LPPLSModel()
    assert model.at_frequency(daily_idx) is model
    scaled = model.at_frequency(monthly_idx).filters
    spacing = float(np.median(np.diff(days_since_epoch(monthly_idx[:120]))))
    assert scaled.tc_min_days == 60 * spacing and scaled.tc_max_days == 252 * spacing
    assert model.at_frequency(monthly_idx).at_frequency(monthly_idx).filters == scaled  # never scaled twice
    assert LPPLSModel(tc_units="days").at_frequency(monthly_idx).filters == LPPLSFilter()
    # only the first window's dates are read: a later change of frequency moves nothing
    later = monthly_idx.append(pd.bdate_range("2010-01-01", periods=50))
    assert model.at_frequency(later).filters == scaled
    with pytest.raises(SpecError, match="tc_units"):
        LPPLSModel(tc_units="months")


def test_direct_monthly_run_uses_the_scaled_bounds():
    """A monthly series fitted directly gets the same tc bounds as the league (not 60..252 days)."""
    idx = pd.date_range("1990-01-01", periods=64, freq="MS")
    t = np.linspace(-1.0, -0.05, len(idx))
    y = pd.Series(np.exp(lppls_log_price(t, 0.0, 0.5, 8.0, 3.0, -1.0, 0.05, 0.05)), index=idx)
    model = LPPLSModel(window=40, smallest_window=30, inner_increment=5, outer_increment=12)
    conf = model.confidence(y)
    assert conf.model.filters.tc_max_days > 252 * 28  # observations times a month's days
    fitted = model.fit(y).model
    assert fitted.filters.tc_min_days > 60 * 28 and fitted.window == model.window
