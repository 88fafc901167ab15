"""The embedded inputs of the treadmill models: ``data/treadmill_inputs.yaml`` (values with provenance)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

__all__ = ["inputs"]


@cache
def inputs() -> dict:
    """The parsed YAML (read once)."""
    text = resources.files("borrowedtime").joinpath("data/treadmill_inputs.yaml").read_text()
    return yaml.safe_load(text)
