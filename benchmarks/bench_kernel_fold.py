"""Kernels written once vs the hand-unrolled copies they replaced (issue 10), in one process.

    .venv/bin/python benchmarks/bench_kernel_fold.py --before 715dadb --runs 31 --lppls-runs 3

Loads ``detectors/_psy_kernels.py`` and ``detectors/_lppls_kernels.py`` as they were at
``--before`` (read from git into a temporary folder, imported as separate modules beside the
current ones) and times both sides interleaved, in process CPU time (the machine is shared):

* PSY ``adf_sup`` at lags 1-3 on NASDAQ (daily 1994-2000) and Case-Shiller (monthly), logs,
  exuber's minimum window: before, three kernels unrolled by hand; now one template compiled
  per lag (``_adf_sup_fixed_lag``). SADF, BSADF and the forward ADF sequence compared bitwise.
* LPPLS normal equations (``_lppls_normal_fast``, 250 observations, per call) and the full
  NASDAQ confidence indicator (``LPPLSModel().confidence``) with the old kernels swapped in;
  fits compared bitwise.

Writes ``benchmarks/results_kernel_fold.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _results import machine

from borrowedtime.detectors import _lppls_kernels, _psy_kernels
from borrowedtime.detectors.lppls import LPPLSModel
from borrowedtime.detectors.psy import psy_min_window
from borrowedtime.series import load_series

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
OUT = HERE / "results_kernel_fold.md"
SERIES = {
    "NASDAQ": ("nasdaq_composite_daily_1994_2000.csv", "Adj Close"),
    "Case-Shiller": ("case_shiller_us_national_monthly.csv", "National-US"),
}


def _old_module(rev: str, path: str, name: str, folder: Path):
    source = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=HERE.parent, check=True,
                            capture_output=True, text=True).stdout
    file = folder / f"{name}.py"
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _interleaved(fns: dict, runs: int) -> dict:
    times = {k: [] for k in fns}
    for _ in range(runs):
        for k, fn in fns.items():
            c0 = time.process_time()
            fn()
            times[k].append(time.process_time() - c0)
    return {k: float(np.median(v)) for k, v in times.items()}


def _psy_rows(old, runs: int) -> list[str]:
    rows = []
    for label, (file, col) in SERIES.items():
        y = np.log(load_series(DATA / file, column=col).to_numpy(float))
        n = y.size
        mw = psy_min_window(n)
        for k in (1, 2, 3):
            def run(mod, y=y, k=k, mw=mw, n=n):
                bsadf, badf = np.empty(n), np.empty(n)
                return mod.adf_sup(y, k, mw, bsadf, badf), bsadf, badf
            a, b = run(old), run(_psy_kernels)
            same = a[0] == b[0] and all(np.array_equal(u, v, equal_nan=True) for u, v in zip(a[1:], b[1:], strict=True))
            t = _interleaved({"old": lambda: run(old), "new": lambda: run(_psy_kernels)}, runs)
            rows.append(f"| PSY `adf_sup`, {label} (n = {n}), lag {k} | {t['old'] * 1e3:.2f} ms | "
                        f"{t['new'] * 1e3:.2f} ms | {t['new'] / t['old']:.3f} | {'yes' if same else 'NO'} |")
    return rows


def _lppls_rows(old, runs: int, lppls_runs: int) -> list[str]:
    rng = np.random.default_rng(0)
    n = 250
    s = np.linspace(-1.0, 0.0, n)
    y = np.cumsum(rng.normal(0, 0.01, n))
    y -= y[-1]
    beta = np.empty(4)
    bufs = [np.empty(n) for _ in range(4)]
    _lppls_kernels._lppls_basis_sse(s, y, 0.1, 0.5, 8.0, beta, *bufs)
    outs = {}
    for key, mod in (("old", old), ("new", _lppls_kernels)):
        jtj, jtr = np.empty((7, 7)), np.empty(7)
        mod._lppls_normal_fast(s, y, 0.1, 0.5, 8.0, beta, jtj, jtr, *bufs)
        outs[key] = (jtj, jtr)
    same = all(np.array_equal(u, v) for u, v in zip(outs["old"], outs["new"], strict=True))
    jtj, jtr = np.empty((7, 7)), np.empty(7)

    def calls(mod):
        for _ in range(2000):
            mod._lppls_normal_fast(s, y, 0.1, 0.5, 8.0, beta, jtj, jtr, *bufs)

    t = _interleaved({"old": lambda: calls(old), "new": lambda: calls(_lppls_kernels)}, runs)
    rows = [f"| LPPLS `_lppls_normal_fast`, {n} observations, per call | {t['old'] / 2000 * 1e6:.2f} us | "
            f"{t['new'] / 2000 * 1e6:.2f} us | {t['new'] / t['old']:.3f} | {'yes' if same else 'NO'} |"]
    series = load_series(DATA / SERIES["NASDAQ"][0], column=SERIES["NASDAQ"][1])
    model = LPPLSModel()
    current = _lppls_kernels.lppls_nested_fits
    fits = {}

    def confidence(key, fn):
        _lppls_kernels.lppls_nested_fits = fn
        try:
            fits.setdefault(key, model.confidence(series).fits)
        finally:
            _lppls_kernels.lppls_nested_fits = current

    fns = {"old": lambda: confidence("old", old.lppls_nested_fits), "new": lambda: confidence("new", current)}
    for fn in fns.values():  # compile or load the caches
        fn()
    t = _interleaved(fns, lppls_runs)
    same = np.array_equal(fits["old"], fits["new"], equal_nan=True)
    rows.append(f"| LPPLS confidence, NASDAQ (`LPPLSModel()`, {len(series)} days) | {t['old']:.2f} s | "
                f"{t['new']:.2f} s | {t['new'] / t['old']:.3f} | {'yes' if same else 'NO'} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="715dadb", help="git revision with the hand-unrolled kernels")
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--lppls-runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old_psy = _old_module(args.before, "src/borrowedtime/detectors/_psy_kernels.py", "_psy_kernels_before", folder)
        old_lppls = _old_module(args.before, "src/borrowedtime/detectors/_lppls_kernels.py", "_lppls_kernels_before",
                                folder)
        rows = _psy_rows(old_psy, args.runs) + _lppls_rows(old_lppls, args.runs, args.lppls_runs)
    lines = [
        "# Kernels written once vs the hand-unrolled copies (issue 10)\n",
        f"Written by `benchmarks/bench_kernel_fold.py --before {args.before} --runs {args.runs} "
        f"--lppls-runs {args.lppls_runs}`. Machine: {machine()}; other sessions' jobs were running, so the times "
        "are process CPU time (median of the interleaved runs), not wall time. 'Before' is the code at "
        f"`{args.before}`, imported beside the current code in the same process.\n",
        "| what | before (unrolled by hand) | now (written once) | now / before | bitwise equal |",
        "|---|---:|---:|---:|:---:|",
        *rows,
        "",
    ]
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
