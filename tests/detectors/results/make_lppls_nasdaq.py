"""Reference values from the ``lppls`` package (MIT, benchmark-only) on one NASDAQ window.

Run in the peer environment, from the project root:

    benchmarks/.env-peers/bin/python tests/detectors/results/make_lppls_nasdaq.py

Window: the last 120 trading days of the NASDAQ Composite to the 2000-03-10
peak (log adjusted close; time in calendar-day ordinals, as the package
uses). Writes ``lppls_nasdaq.json`` with

* ``cost``: the package's profiled cost ``LPPLS.func_restricted`` at a few
  fixed (tc, m, omega), to check our least-squares reduction;
* ``fits``: 25 fits of ``LPPLS.fit(max_searches=25)`` with Python's
  ``random`` seeded 0..24 (the package draws its starts from ``random``), each
  with its parameters and its SSE; the best is the multistart benchmark.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from lppls import lppls

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2].parent / "shared" / "data" / "nasdaq_composite_daily_1994_2000.csv"


def main() -> None:
    data = pd.read_csv(DATA).iloc[-120:]
    t = np.array([pd.Timestamp(d).toordinal() for d in data["Date"]], dtype=float)
    p = np.log(data["Adj Close"].to_numpy(float))
    obs = np.array([t, p])
    model = lppls.LPPLS(observations=obs)
    t2 = t[-1]
    points = [(t2 + 5.0, 0.5, 8.0), (t2 + 30.0, 0.3, 6.0), (t2 + 80.0, 0.9, 12.0), (t2 + 1.0, 0.1, 3.0)]
    cost = [{"tc": a, "m": b, "w": c, "sse": float(model.func_restricted(np.array([a, b, c]), obs))}
            for a, b, c in points]
    fits = []
    for k in range(25):
        random.seed(k)
        tc, m, w, a, b, c, c1, c2, o, d = model.fit(25)
        sse = float(model.func_restricted(np.array([tc, m, w]), obs)) if tc else None
        fits.append({"seed": k, "tc": tc, "m": m, "w": w, "a": a, "b": b, "c1": c1, "c2": c2,
                     "O": o, "D": d, "sse": sse})
    out = {
        "source": f"lppls {version('lppls')} (pandas {pd.__version__}), run {dt.date.today().isoformat()}",
        "window": {"first": str(data["Date"].iloc[0]), "last": str(data["Date"].iloc[-1]), "n": len(t)},
        "ordinal_minus_unix_days": 719163,
        "cost": cost,
        "fits": fits,
    }
    (HERE / "lppls_nasdaq.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
