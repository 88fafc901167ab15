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

* **Filings** (``borrowedtime/data/filings/*.csv``): values as the companies'
  filings state them (capex, operating cash flow, revenue, backlogs; one CSV
  per company, schema in :mod:`borrowedtime.filings`), read by
  :func:`filing_facts` and turned into discrete quarters by :func:`filings`.

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
    "FILINGS_DIR",
    "filing_facts",
    "filings",
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
#: libyaml's parser when PyYAML was built with it (the same documents, parsed about ten times faster: every
#: packaged and shared YAML file loads equal with both), else PyYAML's own; the constructor is the safe one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NoDateLoader(_SafeLoader):
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
        raw = yaml.load(text, Loader=_SafeLoader if dates else _NoDateLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise YamlFileError(
            name, where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
        ) from None
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
            raise DataError(
                f"{ENV_VAR}={override}: no such folder (it should hold the shared reference series)."
            )
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


def reference_path(key: str, *, required: bool = True, folder: str | Path | None = None) -> Path | None:
    """Path of one shared reference series by key (:data:`REFERENCE_FILES`).

    Parameters
    ----------
    key : str
        ``case_shiller``, ``delinquency``, ``nasdaq`` or ``fred_md``.
    required : bool, default True
        Raise when the file is not there; otherwise return None.
    folder : str or Path, optional
        Look in this folder instead of :func:`shared_data_dir` (the report's
        ``shared_data`` option).

    Raises
    ------
    DataError
        An unknown key, or (``required``) a missing folder or file.
    """
    if key not in REFERENCE_FILES:
        raise DataError(f"no reference series {key!r}; there are: {', '.join(REFERENCE_FILES)}.")
    folder = shared_data_dir(required=required) if folder is None else Path(folder)
    if folder is None:
        return None
    path = folder / REFERENCE_FILES[key]
    if not path.exists():
        if required:
            raise DataError(
                f"{path}: the reference series {key!r} is missing from the shared data folder."
            )
        return None
    return path


# ----------------------------------------------------------------------------- filings
#: Packaged folder of the filings facts (one CSV per company, plus ``backlog.csv``).
FILINGS_DIR = "filings"


@cache
def _filing_facts() -> Any:
    from borrowedtime.filings import COLUMNS, read_facts

    folder = Path(str(resources.files("borrowedtime").joinpath(f"{_PACKAGE_DATA}/{FILINGS_DIR}")))
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        raise DataError(
            f"no packaged filings: borrowedtime/{_PACKAGE_DATA}/{FILINGS_DIR}/*.csv is missing."
        )
    import pandas as pd

    frames = []
    for path in files:
        facts = read_facts(path, label=f"borrowedtime/{_PACKAGE_DATA}/{FILINGS_DIR}/{path.name}")
        frames.append(facts.assign(file=path.name))
    facts = pd.concat(frames, ignore_index=True)
    key = ["company", "concept", "period_start", "period_end"]
    dup = facts.duplicated(key, keep=False)
    if dup.any():
        rows = facts.loc[dup].sort_values(key).head(2)
        where = " and ".join(f"{r.file} line {r.line}" for r in rows.itertuples())
        raise DataError(
            f"filings: the same {rows.iloc[0]['company']} {rows.iloc[0]['concept']} span is in {where}."
        )
    return facts.loc[:, [*COLUMNS, "file", "line"]]


def filing_facts(companies: Any = None, concepts: Any = None) -> Any:
    """The packaged filings facts: one row per value as a filing states it.

    Parameters
    ----------
    companies, concepts : str or list of str, optional
        Keep only these companies (``msft``, ``googl``, ...) or concepts
        (``capex``, ``operating_cash_flow``, ...); default all.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`borrowedtime.filings.COLUMNS` plus ``file`` and
        ``line`` (where the row is); values in USD millions.

    Raises
    ------
    DataError
        A packaged file breaks the schema (naming file, line and field), or two
        files hold the same company, concept and span.
    """
    return _select(_filing_facts(), companies, concepts).reset_index(drop=True)


@cache
def _filings_quarters() -> Any:
    from borrowedtime.filings import to_quarters

    return to_quarters(_filing_facts())


def filings(companies: Any = None, concepts: Any = None) -> Any:
    """The build-out's quarterly series from the companies' filings (packaged data).

    Each stated value (:func:`filing_facts`) goes through the one conversion,
    :func:`borrowedtime.filings.to_quarters`: three-month values as stated,
    other quarters as differences of year-to-date values (``derived`` true).

    Parameters
    ----------
    companies, concepts : str or list of str, optional
        Keep only these companies or concepts; default all.

    Returns
    -------
    pandas.DataFrame
        Long frame, one row per company, concept and fiscal quarter, columns
        ``company, concept, period_start, period_end, fiscal_year,
        fiscal_quarter, calendar_quarter, value_usd_m, derived, form,
        accession, source, checked, note``; ``value_usd_m`` in USD millions
        (capex and lease principal as positive outflows). Sources: the SEC
        filings and investor-relations releases named in ``source``.
    """
    return _select(_filings_quarters(), companies, concepts).reset_index(drop=True)


def _select(frame: Any, companies: Any, concepts: Any) -> Any:
    from borrowedtime.filings import COMPANIES, CONCEPTS

    out = frame
    for name, wanted, known in (("company", companies, COMPANIES), ("concept", concepts, CONCEPTS)):
        if wanted is None:
            continue
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise DataError(
                f"filings: unknown {name} {unknown[0]!r}; expected one of {', '.join(known)}."
            )
        out = out[out[name].isin(wanted)]
    return out.copy()
