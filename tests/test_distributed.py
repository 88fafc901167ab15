"""Panels on Dask give the same numbers as one process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from borrowedtime.distributed import fit_panel_dask
from borrowedtime.kinematics import KinematicsModel

pytest.importorskip("dask")


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(7)
    idx = pd.date_range("1990-01-01", periods=240, freq="MS")
    growth = 0.004 + 0.002 * np.sin(np.arange(240) / 30)[None, :] + rng.normal(0, 0.003, (37, 240))
    frame = pd.DataFrame(np.exp(np.cumsum(growth, axis=1)).T * 100, index=idx,
                         columns=[f"s{i}" for i in range(37)])
    frame.iloc[50:53, 5] = np.nan  # one series with a gap: its own covariance path
    return frame


def test_dask_threads_equal_one_process(panel):
    model = KinematicsModel()
    whole = model.fit(panel)
    parts = fit_panel_dask(model, panel, chunk_size=10)
    assert parts.names == whole.names
    assert_allclose(parts.filtered, whole.filtered, rtol=0, atol=1e-12)
    assert_allclose(parts.p_accel_negative, whole.p_accel_negative, rtol=1e-10, equal_nan=True)


def test_dask_distributed_client_equal_one_process(panel):
    distributed = pytest.importorskip("distributed")
    model = KinematicsModel()
    whole = model.fit(panel)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        parts = fit_panel_dask(model, panel, chunk_size=8, client=client)
    assert_allclose(parts.filtered, whole.filtered, rtol=0, atol=1e-12)


@pytest.mark.parametrize("same_host", [True, False])
def test_every_field_equal_and_shared_arrays_stay_shared(monkeypatch, same_host):
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(8)
    idx = pd.date_range("1995-01-01", periods=120, freq="MS")
    panel = pd.DataFrame(np.exp(np.cumsum(rng.normal(0.003, 0.01, (120, 23)), axis=0)), index=idx,
                         columns=[f"c{i}" for i in range(23)])
    model = KinematicsModel()
    whole = model.fit(panel)
    assert whole.filtered_cov.strides[0] == 0  # one missing pattern: the local fit keeps a view
    import borrowedtime.distributed as dist

    # one host: memory-mapped panel and outputs; several hosts: scattered chunks, arrays sent back
    monkeypatch.setattr(dist, "_same_host", lambda client: same_host)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        remote = fit_panel_dask(model, panel, client=client)  # default: one chunk per worker thread
    threads = fit_panel_dask(model, panel, chunk_size=5)
    for res in (remote, threads):
        assert res.filtered_cov.strides[0] == 0 and res.dof.strides[0] == 0
        for name in ("filtered", "filtered_cov", "sigma2", "dof", "observed", "log_level", "seasonal"):
            a, b = getattr(res, name), getattr(whole, name)
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a, b)
