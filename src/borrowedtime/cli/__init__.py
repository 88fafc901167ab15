"""The ``borrowedtime`` command line.

One typer app; each command group lives in its own module here and registers
itself on import. Results go to stdout (``--json`` writes only JSON there),
progress and messages to stderr. A :class:`~borrowedtime.errors.BorrowedTimeError`
becomes one red line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

from borrowedtime.cli._app import app, main

# Each import registers its commands on ``app``.
from borrowedtime.cli import watch as _watch  # noqa: E402,F401  isort: skip
from borrowedtime.cli import detectors as _detectors  # noqa: E402,F401  isort: skip
from borrowedtime.cli import complex as _complex  # noqa: E402,F401  isort: skip
from borrowedtime.cli import treadmill as _treadmill  # noqa: E402,F401  isort: skip
from borrowedtime.cli import screen as _screen  # noqa: E402,F401  isort: skip
from borrowedtime.cli import capex as _capex  # noqa: E402,F401  isort: skip
from borrowedtime.cli import stress as _stress  # noqa: E402,F401  isort: skip
from borrowedtime.cli import credit as _credit  # noqa: E402,F401  isort: skip
from borrowedtime.cli import calibrate as _calibrate  # noqa: E402,F401  isort: skip
from borrowedtime.cli import evaluate as _evaluate  # noqa: E402,F401  isort: skip
from borrowedtime.cli import verdict as _verdict  # noqa: E402,F401  isort: skip

__all__ = ["app", "main"]
