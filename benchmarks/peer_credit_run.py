"""Run creditriskengine's multi-factor Gaussian copula on the benchmark book (runs in benchmarks/.env-credit).

creditriskengine.portfolio.copula.simulate_multi_factor allocates (n_simulations, n_obligors) arrays several
times over, so 1,000,000 x 1,000 in one call would need tens of GB: it is called here on chunks of 10,000
scenarios (chunk k seeded by SeedSequence(0).spawn(n)[k]), the same chunking as the NumPy baseline.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import creditriskengine
    from bench_credit import book
    from creditriskengine.portfolio.copula import simulate_multi_factor

    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=10_000)
    a = ap.parse_args()
    ead, pd_, lgd, b = book()
    t0, c0 = time.perf_counter(), time.process_time()
    seeds = np.random.SeedSequence(0).spawn(-(-a.paths // a.chunk))
    parts = []
    for k, seq in enumerate(seeds):
        n = min(a.chunk, a.paths - k * a.chunk)
        parts.append(simulate_multi_factor(pd_, lgd, ead, b, n_simulations=n, seed=int(seq.generate_state(1)[0])))
    loss = np.concatenate(parts)
    var = float(np.quantile(loss, 0.999, method="inverted_cdf"))
    out = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "el": float(loss.mean()),
           "var999": var, "es999": float(loss[loss >= var].mean()), "version": creditriskengine.__version__,
           "what": "portfolio.copula.simulate_multi_factor, chunks of 10,000",
           "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
