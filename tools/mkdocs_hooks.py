"""MkDocs hook: the benchmarks page shows BENCHMARKS.md from the repository root.

BENCHMARKS.md stays where the benchmark scripts write it; the site shows it under
"Benchmarks" instead of keeping a second copy. Its links point at files of the
repository (``benchmarks/results_*.md``), which are not pages of the site, so they are
shown as the path in code.
"""

from __future__ import annotations

import re
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
_MARKER = "<!-- BENCHMARKS.md -->"
_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://|#)([^)]+)\)")


def _repository_link(match: re.Match[str]) -> str:
    text, target = match.group(1), match.group(2)
    return text if text.startswith("`") else f"{text} (`{target}`)"


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ANN001 (MkDocs' signature)
    if _MARKER not in markdown:
        return markdown
    text = (_ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    text = re.sub(r"\A# [^\n]*\n", "", text)  # the page has its own title
    return markdown.replace(_MARKER, _LINK.sub(_repository_link, text))
