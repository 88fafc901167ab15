"""The treadmill's packaged inputs, read through the one data layer (:mod:`borrowedtime.datasets`).

Kept as a name for :mod:`borrowedtime.treadmill.arm`; new code imports
:func:`borrowedtime.datasets.treadmill_inputs` directly.
"""

from __future__ import annotations

from borrowedtime.datasets import treadmill_inputs as inputs

__all__ = ["inputs"]
