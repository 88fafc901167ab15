"""Panels on Dask give the same numbers as one process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from borrowedtime.monitor.distributed import fit_panel_dask
from borrowedtime.monitor.model import KinematicsModel

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
                            dashboard_address=":0") as client:
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
    import borrowedtime.monitor.distributed as dist

    # one host: memory-mapped panel and outputs; several hosts: scattered chunks, arrays sent back
    monkeypatch.setattr(dist, "_same_host", lambda client: same_host)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=":0") as client:
        remote = fit_panel_dask(model, panel, client=client)  # default: one chunk per worker thread
    threads = fit_panel_dask(model, panel, chunk_size=5)
    for res in (remote, threads):
        assert res.filtered_cov.strides[0] == 0 and res.dof.strides[0] == 0
        for name in ("filtered", "filtered_cov", "sigma2", "dof", "observed", "log_level", "seasonal"):
            a, b = getattr(res, name), getattr(whole, name)
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a, b)


_FIELDS = ("filtered", "filtered_cov", "sigma2", "dof", "observed", "log_level", "seasonal", "innovation",
           "innovation_var", "smoothed", "smoothed_cov")


def _assert_same(res, whole, dense: bool = False):
    """Every field bit for bit; the hindsight smoother (and with ``dense`` all states) to rounding.

    The dense paths (the smoother; the filter with averaging > 1) multiply
    matrices over the series of a chunk, and NumPy's matmul rounds the last
    bit differently for different numbers of series.
    """
    assert res.names == whole.names and res.index.equals(whole.index)
    for name in _FIELDS:
        a, b = getattr(res, name), getattr(whole, name)
        assert (a is None) == (b is None), name
        if a is not None and (name.startswith("smoothed") or (dense and a.dtype == float)):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=name)  # seen: 4e-14
        elif a is not None:
            np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("smooth", [False, True])
def test_fit_writes_into_given_arrays(panel, smooth):
    """fit(out=...) fills the caller's arrays (e.g. rows of a shared file) with the usual numbers."""
    model = KinematicsModel()
    whole = model.fit(panel, smooth=smooth)  # panel has a gap: two missing patterns, and a grid fill
    out = {name: np.full(getattr(whole, name).shape, np.nan if name != "observed" else True,
                         dtype=getattr(whole, name).dtype)
           for name in ("filtered", "sigma2", "seasonal", "innovation", "innovation_var", "log_level",
                        "observed")}
    res = model.fit(panel, smooth=smooth, out=out)
    for name, a in out.items():
        assert getattr(res, name) is a, name
    _assert_same(res, whole)


def test_fit_out_refused_clearly(panel):
    from borrowedtime.errors import SpecError

    model = KinematicsModel()
    good = np.empty((panel.shape[1], panel.shape[0], 3))
    with pytest.raises(SpecError, match="'filtered' must be a writable float64 array of shape"):
        model.fit(panel, out={"filtered": good[:, :-1]})
    with pytest.raises(SpecError, match="'filtered' must be a writable"):
        model.fit(panel, out={"filtered": good.astype(np.float32)})
    with pytest.raises(SpecError, match="'smoothed' is not a per-series field"):
        model.fit(panel, out={"smoothed": good})
    with pytest.raises(SpecError, match="momentum='ar1'"):
        KinematicsModel(momentum="ar1").fit(panel, out={"filtered": good})
    with pytest.raises(SpecError, match="averaging > 1"):
        KinematicsModel(averaging=3, seasonal="none").fit(panel, out={"filtered": good})


def test_mean_path_kernel_refuses_a_wrong_out_shape():
    from borrowedtime.monitor._kalman import run_mean_path

    n = 24
    K = np.full((n, 3), 0.1)
    F = np.ones(n)
    obs = np.ones(n, bool)
    Y = np.log(np.linspace(100, 120, 2 * n)).reshape(2, n)
    bad = (np.empty((2, n - 1, 3)), None, np.empty((2, n)), np.empty((2, n)))
    with pytest.raises(ValueError, match="shape"):  # numba would write out of bounds
        run_mean_path(Y, K, F, obs, np.full(n, 1 / 12), 0, 3, out=bad)
    ok = (np.empty((2, n, 3)), None, np.empty((2, n)), np.empty((2, n)))
    got = run_mean_path(Y, K, F, obs, np.full(n, 1 / 12), 0, 3, out=ok)
    ref = run_mean_path(Y, K, F, obs, np.full(n, 1 / 12), 0, 3)
    assert got[0] is ok[0]
    for a, b in zip(got, ref, strict=True):
        if a is not None:
            np.testing.assert_array_equal(a, b)


def test_local_cluster_of_two_processes_equal_one_process(panel):
    """A real LocalCluster(2) (worker processes, shared-memory files): every field equal bit for bit."""
    distributed = pytest.importorskip("distributed")
    model = KinematicsModel()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        res = fit_panel_dask(model, panel, chunk_size=6, client=client)
    _assert_same(res, model.fit(panel))  # two missing patterns: the covariance is written per series
    assert res.filtered_cov.strides[0] != 0


def test_smoother_and_momentum_paths_on_a_cluster(panel):
    """Fields the filter cannot write in place (smoother, momentum='ar1', averaging) are copied in."""
    distributed = pytest.importorskip("distributed")
    plain = panel.iloc[:, 6:26]  # no gap: one missing pattern (as momentum="ar1" needs)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=":0") as client:
        for model, frame, smooth in ((KinematicsModel(), panel, True),
                                     (KinematicsModel(momentum="ar1"), plain, False),
                                     (KinematicsModel(averaging=3, seasonal="none"), plain, False)):
            whole = model.fit(frame, smooth=smooth)
            for res in (fit_panel_dask(model, frame, chunk_size=6, client=client, smooth=smooth),
                        fit_panel_dask(model, frame, chunk_size=6, smooth=smooth)):
                _assert_same(res, whole, dense=model.averaging > 1)


def test_small_shared_memory_falls_back_to_the_temp_dir(monkeypatch, panel):
    """A /dev/shm too small for the panel and the results is not used (a full tmpfs kills with SIGBUS)."""
    distributed = pytest.importorskip("distributed")
    import borrowedtime.monitor.distributed as dist

    used = []
    real = dist._scratch_dir
    monkeypatch.setattr(dist, "_free_bytes", lambda folder: 1024)
    monkeypatch.setattr(dist, "_scratch_dir", lambda need: used.append(real(need)) or used[-1])
    model = KinematicsModel()
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=":0") as client:
        res = fit_panel_dask(model, panel, client=client)
    assert used and not str(used[0]).startswith("/dev/shm") and not used[0].exists()
    _assert_same(res, model.fit(panel))
