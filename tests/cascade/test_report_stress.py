"""The stress report section formats a computed result."""

from __future__ import annotations

from borrowedtime.cascade import run_stress
from borrowedtime.report.stress import stress_html


def test_stress_html_has_every_part():
    res = run_stress("base", paths=120, seed=0, chunk_size=120)
    page = stress_html(res, ["2028Q4: openai round FAILS: the trigger at 0.42x against 1.75x required"])
    for text in ("Who owes whom", "Quarter of the trigger", "Loss by entity", "Tornado", "The stretches",
                 "0.42x against 1.75x", "P(default)", "The central path", "the treadmill on the same inputs",
                 "openai: first round 2027Q3, required step-up 0.94, achievable 1.63, trigger none",
                 "What it rests on:", "growth deviation&#x27;s half-life", "Trigger share against the growth dynamics",
                 "--paths 120 --seed 0</code> prints the same figures"):
        assert text in page
