"""Reference values from pyexuber (Python bindings of exuber's core; GPL, benchmark-only).

Run in the peer environment, from the project root:

    benchmarks/.env-peers/bin/python tests/detectors/results/make_psy_exuber.py

Writes ``psy_exuber.json``: SADF, GSADF, the BADF/BSADF sequences (every 10th
value, to keep the file small) of the Case-Shiller U.S. National NSA index
(levels, as exuber users run it) at lags 0, 1 and 3 with exuber's default
minimum window, and of the log NASDAQ Composite (daily, 1994-2000) at lag 0.
pyexuber version and the date are recorded in the file.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from exuber.radf import radf

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2].parent / "shared" / "data"


def _case(x: np.ndarray, lag: int) -> dict:
    r = radf(x, lag=lag)
    return {
        "lag": lag,
        "minw": int(r.minw),
        "n": int(r.n),
        "adf": float(r.adf[0]),
        "sadf": float(r.sadf[0]),
        "gsadf": float(r.gsadf[0]),
        "badf_every10": r.badf[::10, 0].tolist(),
        "bsadf_every10": r.bsadf[::10, 0].tolist(),
    }


def main() -> None:
    cs = pd.read_csv(DATA / "case_shiller_us_national_monthly.csv")["National-US"].to_numpy(float)
    nq = np.log(pd.read_csv(DATA / "nasdaq_composite_daily_1994_2000.csv")["Adj Close"].to_numpy(float))
    out = {
        "source": f"pyexuber {version('pyexuber')}, exuber.radf.radf, run {dt.date.today().isoformat()}",
        "note": "first entry of *_every10 ends at observation index minw + lag (0-based)",
        "case_shiller_levels": [_case(cs, k) for k in (0, 1, 3)],
        "nasdaq_log": [_case(nq, 0)],
    }
    (HERE / "psy_exuber.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
