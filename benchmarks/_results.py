"""Write one benchmark's section into ``benchmarks/results_detectors.md`` between markers."""

from __future__ import annotations

import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results_detectors.md"
HEADER = """# Bubble detectors: benchmarks against the peer packages

Written by `benchmarks/bench_lppls.py` and `benchmarks/bench_psy.py` (each
replaces its own section). The peers run only in their own environment,
`benchmarks/.env-peers/` (git-ignored), never imported by borrowedtime:

    python3 -m venv benchmarks/.env-peers
    benchmarks/.env-peers/bin/pip install -r benchmarks/requirements-peers.txt

(`lppls` 0.6.24 needs pandas < 3; the file pins what was used here.)

"""


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average at the end {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} (1/5/15 min)"
    )


def write_section(name: str, body: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    RESULTS.write_text(text)
