"""Benchmark the cascade Monte Carlo (issue 15): paths x quarters over the default complex.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_cascade.py --paths 100000 --repeats 3 \
        --sample 200 --scale 10000,100000 --synthetic 1000

Measures, in one run:

- the base scenario, ``--paths`` x 40 quarters, no stretches, two local threads
  (``map_chunks``): wall and CPU seconds (median of ``--repeats``), peak RSS;
- the same engine vectorised over a ``--sample`` of paths against a plain
  per-path Python loop (``simulate`` called once per path), same draws:
  time per path and the largest difference of every output;
- cost against paths (``--scale``) and against entities (a synthetic complex of
  ``--synthetic`` entities overlaid on the default one).

No timing is asserted anywhere; results are appended to benchmarks/results_cascade.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from borrowedtime.cascade import CascadeModel, draw_inputs, load_scenario, run_stress, simulate


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def loop_vs_vectorised(sample: int) -> dict:
    model = CascadeModel.from_scenario(load_scenario("base"))
    draws = draw_inputs(model, np.random.default_rng(12345), sample)
    vec, wv, _ = _timed(lambda: simulate(model, draws))

    def loop():
        outs = []
        for i in range(sample):
            one = draws.take(slice(i, i + 1))
            outs.append(simulate(model, one))
        return outs

    outs, wl, _ = _timed(loop)
    diff = {}
    for name in ("trigger_q", "default_q", "distress_q", "loss", "h", "bought"):
        a = getattr(vec, name)
        b = np.concatenate([getattr(o, name) for o in outs])
        diff[name] = float(np.max(np.abs(a.astype(float) - b.astype(float)), initial=0.0))
    return {"vectorised_ms_per_path": 1e3 * wv / sample, "loop_ms_per_path": 1e3 * wl / sample, "diff": diff}


def synthetic_overlay(n_entities: int, seed: int = 0) -> dict:
    """An overlay adding neoclouds (with take-or-pay from labs and hyperscalers) up to n_entities in all."""
    rng = np.random.default_rng(seed)
    tenants = ["openai", "anthropic", "microsoft", "google", "amazon", "meta", "oracle"]
    base_n = 32
    k = max(0, n_entities - base_n) // 2  # each neocloud also brings a lenders node
    ents, cons = [], []
    for i in range(k):
        name = f"synth-neo-{i:04d}"
        ents.append({"name": name, "kind": "neocloud", "source": "synthetic", "as_of": "2026-07-01"})
        for j, t in enumerate(rng.choice(tenants, size=2, replace=False)):
            cons.append({"name": f"{name}-{j}", "kind": "take_or_pay", "obligor": str(t), "obligee": name,
                         "notional_usd_bn": float(rng.uniform(0.5, 5.0)), "term_years": 5,
                         "source": "synthetic", "as_of": "2026-07-01"})
    return {"entities": ents, "contracts": cons}


CHUNK = 10_000


def run_scale(paths: int, scenario) -> tuple[float, float]:
    _, w, c = _timed(lambda: run_stress(scenario, paths=paths, seed=0, stretches=False, chunk_size=CHUNK,
                                        threads=2))
    return w, c


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--scale", default="10000,100000")
    ap.add_argument("--synthetic", type=int, default=1000)
    ap.add_argument("--synthetic-paths", type=int, default=10_000)
    ap.add_argument("--chunk", type=int, default=10_000, help="paths per chunk (memory grows with it, not with --paths)")
    a = ap.parse_args(argv)
    global CHUNK
    CHUNK = a.chunk
    lines = [f"## cascade benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}, "
             f"load average {os.getloadavg()[0]:.1f} at start (other jobs running); "
             f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}",
             f"command: {' '.join([sys.executable.split('/')[-1], *sys.argv])}"]
    scn = load_scenario("base")
    run_stress(scn, paths=100, seed=0, stretches=False, chunk_size=100)  # compile the model once (cached)
    walls, cpus = [], []
    for _ in range(a.repeats):
        w, c = run_scale(a.paths, scn)
        walls.append(w)
        cpus.append(c)
    lines.append(f"base, {a.paths:,} paths x {scn.horizon_quarters} quarters, 2 threads: wall median "
                 f"{statistics.median(walls):.1f} s ({', '.join(f'{x:.1f}' for x in walls)}), CPU median "
                 f"{statistics.median(cpus):.1f} s; peak RSS {_rss_mb():,.0f} MB")
    lv = loop_vs_vectorised(a.sample)
    lines.append(f"sample of {a.sample} paths: vectorised {lv['vectorised_ms_per_path']:.2f} ms/path, "
                 f"per-path Python loop {lv['loop_ms_per_path']:.2f} ms/path "
                 f"(x{lv['loop_ms_per_path'] / lv['vectorised_ms_per_path']:.1f}); largest differences "
                 + ", ".join(f"{k} {v:.1e}" for k, v in lv["diff"].items()))
    for p in [int(x) for x in a.scale.split(",") if x]:
        w, c = run_scale(p, scn)
        lines.append(f"scale: {p:,} paths: wall {w:.1f} s, CPU {c:.1f} s")
    if a.synthetic:
        if True:
            over = synthetic_overlay(a.synthetic)
            scn_big = scn.model_copy(update={"complex_overlay": {
                "contracts": [*scn.complex_overlay["contracts"], *over["contracts"]], "entities": over["entities"]}})
            (model, w0, _) = _timed(lambda: CascadeModel.from_scenario(scn_big))
            run_stress(scn_big, paths=100, seed=0, stretches=False, chunk_size=100)  # compile once (cached)
            w, c = run_scale(a.synthetic_paths, scn_big)
            w1, c1 = run_scale(a.synthetic_paths, scn)
            lines.append(f"entities: default complex ({CascadeModel.from_scenario(scn).n}) {a.synthetic_paths:,} paths "
                         f"wall {w1:.1f} s CPU {c1:.1f} s; synthetic complex of {model.n} entities, "
                         f"{model.network.src.size} obligations (compile {w0:.1f} s): wall {w:.1f} s CPU {c:.1f} s")
    text = "\n".join(lines) + "\n\n"
    print(text)
    with open(Path(__file__).with_name("results_cascade.md"), "a", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
