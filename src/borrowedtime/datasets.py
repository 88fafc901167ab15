"""The one data layer: packaged datasets and the shared reference series.

Everything the package reads from disk on its own goes through this module:

* **Packaged YAML** (``borrowedtime/data/*.yaml``), read by one reader,
  :func:`read_yaml`, and cached by :func:`packaged_yaml`:

  - ``complex_2026.yaml`` -- the AI credit complex (entities, contracts,
    guarantees; :func:`borrowedtime.complex.load_complex`). It is the source of
    every **entity fact**: OpenAI's valuation marks, capital raised, revenue,
    burn, contracted compute, the IPO target, the platforms' backlogs;
  - ``essay.yaml`` -- the essay's **stated figures**: its own series (capex
    levels, capex / cash-flow ratios) and the stated sequences (growth rates,
    accelerations, step-ups, marks) that the audit checks and the demo prints
    (:func:`essay_data`);
  - ``treadmill_inputs.yaml`` -- model inputs that are not facts about an
    entity of the complex (subprime originations, the public market's revenue
    multiple, the dilution range of recent rounds; :func:`treadmill_inputs`).

* **Shared reference series** (Case-Shiller, the FRED delinquency rate, the
  Nasdaq composite, FRED-MD): real data kept outside the package in
  ``../shared/data`` beside the checkout (never copied into it).
  :func:`shared_data_dir` finds that folder; the environment variable
  :data:`ENV_VAR` (``BORROWEDTIME_SHARED_DATA``) overrides it;
  :func:`reference_path` names one file of it by a short key
  (:data:`REFERENCE_FILES`). No other module spells the folder out.

Errors are :class:`~borrowedtime.errors.DataError` naming the file (and, for
YAML, the line and column) and what was expected.
"""

from __future__ import annotations

import copy
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from borrowedtime.errors import DataError

__all__ = [
    "ENV_VAR",
    "REFERENCE_FILES",
    "COMPLEX_DEFAULT",
    "YamlFileError",
    "read_yaml",
    "packaged_path",
    "packaged_yaml",
    "essay_data",
    "treadmill_inputs",
    "shared_data_dir",
    "reference_path",
]

#: Environment variable that points at the folder of shared reference series.
ENV_VAR = "BORROWEDTIME_SHARED_DATA"

#: Short keys of the shared reference series and their file names.
REFERENCE_FILES: dict[str, str] = {
    "case_shiller": "case_shiller_us_national_monthly.csv",
    "delinquency": "fred_DRSFRMACBS_sf_mortgage_delinquency_quarterly.csv",
    "nasdaq": "nasdaq_composite_daily_1994_2000.csv",
    "fred_md": "fred_md_107_monthly_1959_2019.csv",
    "fhfa_states": "fhfa_state_hpi_quarterly_1975_2011.csv",
}

#: The packaged default complex (the essay's 2026 world).
COMPLEX_DEFAULT = "complex_2026.yaml"

_PACKAGE_DATA = "data"


# ----------------------------------------------------------------------------- YAML
class _NoDateLoader(yaml.SafeLoader):
    """Safe loader that leaves dates as strings (so every date is checked the same way downstream)."""


_NoDateLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlFileError(DataError):
    """A YAML file that cannot be read or parsed: ``file``, ``where`` (line, column) and ``reason``."""

    def __init__(self, file: str, where: str, reason: str) -> None:
        self.file, self.where, self.reason = file, where, reason
        super().__init__(f"{file}: {where}: {reason}" if where else f"{file}: {reason}")


def read_yaml(path: str | Path, *, label: str | None = None, dates: bool = True) -> Any:
    """Read one YAML file safely; the only YAML reader of the package.

    Parameters
    ----------
    path : str or Path
        The file.
    label : str, optional
        How the file is named in error messages (default: the path as given).
    dates : bool, default True
        Parse ISO dates to :class:`datetime.date`; ``False`` keeps them as
        strings (the complex loader validates every date itself).

    Returns
    -------
    object
        The parsed document (``{}`` for an empty file).

    Raises
    ------
    YamlFileError
        (a :class:`DataError`) The file cannot be read, or is not valid YAML
        (with line and column).
    """
    name = str(path) if label is None else label
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlFileError(name, "", f"cannot read file ({exc.strerror or exc})") from None
    try:
        raw = yaml.load(text, Loader=yaml.SafeLoader if dates else _NoDateLoader)  # noqa: S506 (SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise YamlFileError(name, where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return {} if raw is None else raw


def packaged_path(name: str) -> Path:
    """Path of a packaged data file (``complex_2026.yaml``, ``essay.yaml``, ...)."""
    path = Path(str(resources.files("borrowedtime").joinpath(f"{_PACKAGE_DATA}/{name}")))
    if not path.exists():
        raise DataError(f"no packaged dataset {name!r} in borrowedtime/{_PACKAGE_DATA}.")
    return path


@cache
def _packaged(name: str) -> Any:
    return read_yaml(packaged_path(name), label=f"borrowedtime/{_PACKAGE_DATA}/{name}")


def packaged_yaml(name: str) -> Any:
    """A packaged YAML file, parsed once per process; each call returns a fresh copy."""
    return copy.deepcopy(_packaged(name))


def essay_data() -> dict:
    """The essay's stated figures (``data/essay.yaml``): ``series`` and ``facts``."""
    return packaged_yaml("essay.yaml")


def treadmill_inputs() -> dict:
    """Inputs of the treadmill models that are not entity facts (``data/treadmill_inputs.yaml``)."""
    return packaged_yaml("treadmill_inputs.yaml")


# ----------------------------------------------------------------------------- shared series
def _candidates() -> list[Path]:
    # ../shared/data beside the checkout (src/borrowedtime/datasets.py -> the project root's parent),
    # then beside the working directory (a non-editable install run from the project root).
    root = Path(__file__).resolve().parents[2]
    return [root.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]


def shared_data_dir(*, required: bool = False) -> Path | None:
    """The folder of shared reference series, or None when it is not there.

    Parameters
    ----------
    required : bool, default False
        Raise instead of returning None.

    Notes
    -----
    Order: the folder named by :data:`ENV_VAR` when set (it must exist), else
    ``../shared/data`` beside the project checkout, else ``../shared/data``
    beside the working directory.

    Raises
    ------
    DataError
        :data:`ENV_VAR` names a missing folder, or ``required`` and none is found.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        p = Path(override)
        if not p.is_dir():
            raise DataError(f"{ENV_VAR}={override}: no such folder (it should hold the shared reference series).")
        return p
    for p in _candidates():
        if p.is_dir():
            return p
    if required:
        raise DataError(
            "no shared reference data: expected the folder shared/data beside the project checkout, "
            f"or set {ENV_VAR} to the folder that holds {', '.join(REFERENCE_FILES.values())}."
        )
    return None


def reference_path(key: str, *, required: bool = True) -> Path | None:
    """Path of one shared reference series by key (:data:`REFERENCE_FILES`).

    Parameters
    ----------
    key : str
        ``case_shiller``, ``delinquency``, ``nasdaq`` or ``fred_md``.
    required : bool, default True
        Raise when the file is not there; otherwise return None.

    Raises
    ------
    DataError
        An unknown key, or (``required``) a missing folder or file.
    """
    if key not in REFERENCE_FILES:
        raise DataError(f"no reference series {key!r}; there are: {', '.join(REFERENCE_FILES)}.")
    folder = shared_data_dir(required=required)
    if folder is None:
        return None
    path = folder / REFERENCE_FILES[key]
    if not path.exists():
        if required:
            raise DataError(f"{path}: the reference series {key!r} is missing from the shared data folder.")
        return None
    return path
