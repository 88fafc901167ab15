"""Load and validate time series: dates, values, frequency, gaps.

Every public loader returns a ``pandas.Series`` of floats on a sorted, unique
``DatetimeIndex`` named ``date``, with ``attrs["source"]`` (where it came from)
and ``attrs["frequency"]`` (a :class:`Frequency`). Bad input raises
:class:`~borrowedtime.errors.DataError` naming the file, the row and the
problem; nothing is dropped, filled or turned into NaN on the way.

Row numbers in messages are line numbers of the file (the header is line 1).
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from borrowedtime.errors import DataError, DataQualityWarning

__all__ = [
    "Frequency",
    "infer_frequency",
    "load_series",
    "as_series",
    "FRED_URL",
    "REMOTE_PREFIXES",
    "is_remote",
    "days_since_epoch",
]

FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={series_id}"
#: Source prefixes that name a remote series rather than a file (``fred:ID``, ``sec:TICKER:CONCEPT``).
REMOTE_PREFIXES: tuple[str, ...] = ("fred:", "sec:", "filings:")


def is_remote(source: object) -> bool:
    """True when ``source`` is a named spec, not a path: ``fred:CSUSHPINSA``, ``sec:MSFT:capex`` or ``filings:msft:capex``."""
    return isinstance(source, str) and source.lower().startswith(REMOTE_PREFIXES)


_DATE_NAMES = ("date", "observation_date", "time", "timestamp", "period", "month", "day")
_MIN_OBS = 3


@dataclass(frozen=True)
class Frequency:
    """Sampling frequency of a series.

    Attributes
    ----------
    name : str
        One of ``daily``, ``business``, ``weekly``, ``monthly``, ``quarterly``,
        ``annual`` or ``irregular``.
    periods_per_year : float
        Observations per year (12 for monthly); for irregular series the
        average over the sample, used only for display.
    seasonal_period : int or None
        The natural seasonal period (12 monthly, 4 quarterly), None where
        there is none (daily, weekly, annual, irregular).
    """

    name: str
    periods_per_year: float
    seasonal_period: int | None = None

    @property
    def regular(self) -> bool:
        return self.name != "irregular"

    @property
    def months_per_period(self) -> float:
        return 12.0 / self.periods_per_year

    def __str__(self) -> str:
        return self.name


_MONTHLY_KINDS = {1: ("monthly", 12.0, 12), 3: ("quarterly", 4.0, 4), 12: ("annual", 1.0, None)}


def days_since_epoch(index: pd.DatetimeIndex) -> np.ndarray:
    """Dates as float days since 1970-01-01, whatever the index's time resolution."""
    return np.asarray(index.values.astype("datetime64[s]").astype(np.int64), dtype=float) / 86_400.0


def _month_aligned(index: pd.DatetimeIndex) -> bool:
    """True when every date is the same day of month, or every date a month end."""
    if index.is_month_end.all():
        return True
    return bool((index.day == index.day[0]).all())


def infer_frequency(index: pd.DatetimeIndex, *, where: str = "series") -> Frequency:
    """Infer the sampling frequency of sorted, unique dates.

    Month-aligned dates whose spacing is a constant 1, 3 or 12 months are
    monthly, quarterly or annual; a few longer gaps that are multiples of that
    spacing are allowed (and warned about). Two regular spacings one after the
    other (monthly, then quarterly) are an error: mixed frequencies. Daily data
    whose gaps are 1 to 4 days are business daily; anything else is irregular,
    which the kinematics handle with annualised uneven spacing.

    Raises
    ------
    DataError
        Mixed frequencies, naming the row where the spacing changed.
    """
    n = len(index)
    if n < 2:
        return Frequency("irregular", 1.0)
    years = (index[-1] - index[0]).days / 365.25
    avg_per_year = (n - 1) / years if years > 0 else float(n)
    if _month_aligned(index):
        months = np.diff(index.year * 12 + index.month)
        kinds = sorted(set(months.tolist()))
        if len(kinds) == 1 and kinds[0] in _MONTHLY_KINDS:
            return Frequency(*_MONTHLY_KINDS[kinds[0]])
        regular = [k for k in (1, 3, 12) if k in kinds]
        # Two regular spacings each holding a run of >= 3 gaps: mixed frequencies.
        runs = {k: _longest_run(months == k) for k in regular}
        long_runs = [k for k, r in runs.items() if r >= 3]
        if len(long_runs) >= 2:
            first, second = long_runs[0], long_runs[1]
            i = _first_switch(months, first, second)
            raise DataError(
                f"{where}: mixed frequencies: spacing of {_MONTHLY_KINDS[first][0]} data "
                f"changes to {_MONTHLY_KINDS[second][0]} at row {i + 2} "
                f"({index[i + 1].date()}); resample to one frequency first."
            )
        for base in (1, 3, 12):
            if base in kinds and all(m % base == 0 for m in kinds):
                if runs.get(base, 0) >= 3 and (months == base).mean() >= 0.9:
                    gaps = np.flatnonzero(months != base)
                    desc = ", ".join(f"{index[g].date()}..{index[g + 1].date()}" for g in gaps[:3])
                    warnings.warn(
                        f"{where}: {len(gaps)} gap(s) in {_MONTHLY_KINDS[base][0]} data "
                        f"({desc}{', ...' if len(gaps) > 3 else ''}); the filter skips the "
                        "missing periods and its bands widen there. Resample to fill them "
                        "if that is what you want.",
                        DataQualityWarning,
                        stacklevel=3,
                    )
                    return Frequency(*_MONTHLY_KINDS[base])
        return Frequency("irregular", avg_per_year)
    days = np.diff(days_since_epoch(index))
    if np.all(days == 1):
        return Frequency("daily", 365.25)
    if np.all(days == 7):
        return Frequency("weekly", 52.18)
    if np.all((days >= 1) & (days <= 5)) and np.median(days) == 1:
        return Frequency("business", 252.0)
    return Frequency("irregular", avg_per_year)


def _longest_run(mask: np.ndarray) -> int:
    best = cur = 0
    for m in mask:
        cur = cur + 1 if m else 0
        best = max(best, cur)
    return best


def _first_switch(months: np.ndarray, first: int, second: int) -> int:
    seen_first = False
    for i, m in enumerate(months):
        if m == first:
            seen_first = True
        elif m == second and seen_first:
            return i
    return int(np.flatnonzero(months == second)[0])


# --------------------------------------------------------------------------- readers


_XLSX_MAGIC = b"PK\x03\x04"  # a zip archive: .xlsx/.xlsm workbooks are zips holding xl/
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: the old .xls workbook


def _sniff(path: Path) -> None:
    """Recognise formats a person may hand over by mistake, by their bytes, whatever the extension."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    excel = head.startswith(_XLS_MAGIC)
    if head.startswith(_XLSX_MAGIC):
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                excel = any(n.startswith("xl/") for n in zf.namelist())
        except zipfile.BadZipFile:
            excel = False
        if not excel:
            raise DataError(f"{path.name}: this is a zip archive, not a table; unzip it and pass the CSV inside.")
    if excel:
        raise DataError(
            f"{path.name}: this is an Excel workbook, not a CSV file: open it and save the sheet with the "
            "series as CSV (File > Save As > CSV), then pass that file."
        )
    if is_parquet(path):
        return
    first = head.decode("utf-8", errors="replace").splitlines()[0] if head else ""
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if sep in first and "," not in first:
            raise DataError(
                f"{path.name}, row 1: the fields are separated by {name}, not commas ({first[:60]!r}); "
                "save the file as comma-separated CSV with '.' as the decimal point (a spreadsheet's "
                "'CSV (comma delimited)' format)."
            )


def read_frame(path: Path, read_csv: Callable[[Path], pd.DataFrame]) -> pd.DataFrame:
    """A table file as stored: Parquet (a date index made its first column) or CSV read by ``read_csv``.

    An unreadable file (empty, malformed, not text, Parquet without pyarrow) is a
    :class:`~borrowedtime.errors.DataError` naming it. Shared by the series and
    panel readers, which parse the cells differently.
    """
    try:
        if is_parquet(path):
            frame = pd.read_parquet(path)
            if isinstance(frame.index, pd.DatetimeIndex):
                frame = frame.reset_index()
            return frame
        return read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name}: not a readable table ({exc}).") from None
    except ImportError as exc:
        raise DataError(f"{path.name}: reading Parquet needs pyarrow ({exc}).") from None


def is_parquet(path: Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix)."""
    return path.suffix.lower() in (".parquet", ".pq")


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: no such file.")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a file.")
    _sniff(path)
    frame = read_frame(path, lambda p: pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True))
    return frame.astype(object).where(frame.notna(), "") if is_parquet(path) else frame


def _date_column(frame: pd.DataFrame) -> str:
    for col in frame.columns:
        if str(col).strip().lower() in _DATE_NAMES:
            return col
    return frame.columns[0]


def _parse_dates(raw: pd.Series, where: str) -> pd.DatetimeIndex:
    text = raw.astype(str).str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        i = bad[0]
        raise DataError(
            f"{where}, row {i + 2}, field '{raw.name}': cannot parse date {text.iloc[i]!r} "
            f"(expected e.g. YYYY-MM-DD); {bad.size} bad date(s) in all."
        )
    idx = pd.DatetimeIndex(parsed)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx


def _parse_values(raw: pd.Series, where: str) -> np.ndarray:
    text = raw.astype(str).str.strip()
    values = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        i = bad[0]
        shown = text.iloc[i]
        kind = "missing value" if shown in ("", ".", "nan", "NaN", "NA", "None") else "non-numeric value"
        raise DataError(
            f"{where}, row {i + 2}, field '{raw.name}': {kind} {shown!r}; "
            f"{bad.size} such row(s) in all. Nothing is filled silently: fix or remove them."
        )
    return values


def _check_index(index: pd.DatetimeIndex, where: str) -> None:
    """Refuse duplicate or unsorted dates in a file (``where``), naming the row (header is row 1)."""
    dup = np.flatnonzero(index.duplicated())
    if dup.size:
        i = dup[0]
        raise DataError(f"{where}, row {i + 2}: duplicate date {index[i].date()}.")
    if not index.is_monotonic_increasing:
        i = int(np.flatnonzero(np.diff(days_since_epoch(index)) < 0)[0]) + 1
        raise DataError(
            f"{where}, row {i + 2}: dates not sorted ({index[i].date()} comes after "
            f"{index[i - 1].date()}); sort the file by date."
        )


def _finish(
    values: np.ndarray,
    index: pd.DatetimeIndex,
    *,
    name: str,
    where: str,
    source: str,
    positive: bool,
    min_obs: int,
) -> pd.Series:
    if len(values) == 0:
        raise DataError(f"{where}: the series is empty.")
    if len(values) < min_obs:
        raise DataError(f"{where}: too short: {len(values)} observation(s), need at least {min_obs}.")
    _check_index(index, where)
    if positive:
        bad = np.flatnonzero(values <= 0)
        if bad.size:
            i = bad[0]
            raise DataError(
                f"{where}, row {i + 2}, field '{name}': non-positive value {float(values[i])!r} "
                f"on {index[i].date()}; growth is measured on logs, so values must be > 0."
            )
    freq = infer_frequency(index, where=where)
    out = pd.Series(values, index=index.rename("date"), name=name, dtype=float)
    out.attrs["source"] = source
    out.attrs["frequency"] = freq
    return out


def _from_frame(
    frame: pd.DataFrame,
    column: str | None,
    *,
    where: str,
    source: str,
    positive: bool,
    min_obs: int,
) -> pd.Series:
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise DataError(f"{where}: the series is empty (no rows).")
    date_col = _date_column(frame)
    others = [c for c in frame.columns if c != date_col]
    if column is None:
        if len(others) == 1:
            column = others[0]
        elif not others:
            raise DataError(f"{where}: no value column besides the date column '{date_col}'.")
        else:
            raise DataError(
                f"{where}: {len(others)} value columns ({', '.join(map(str, others))}); "
                "choose one with --column."
            )
    elif column not in frame.columns:
        raise DataError(
            f"{where}: no column {column!r}; the columns are: {', '.join(map(str, frame.columns))}."
        )
    index = _parse_dates(frame[date_col], where)
    values = _parse_values(frame[column], where)
    return _finish(
        values, index, name=str(column), where=where, source=source, positive=positive, min_obs=min_obs
    )


def _http_get(url: str, timeout: float = 30.0) -> bytes:
    """Fetch a URL (kept separate so tests replace it with a recorded response)."""
    req = urllib.request.Request(url, headers={"User-Agent": "borrowedtime"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - fixed https host
        return resp.read()


def _load_fred(series_id: str, *, positive: bool, min_obs: int, fetch: Callable[[str], bytes]) -> pd.Series:
    if not series_id or not series_id.replace("_", "").isalnum():
        raise DataError(f"fred:{series_id}: expected a FRED series id such as CSUSHPINSA.")
    url = FRED_URL.format(series_id=series_id)
    try:
        body = fetch(url)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DataError(f"fred:{series_id}: could not download {url} ({exc}); are you online?") from None
    text = body.decode("utf-8", errors="replace")
    if text.lstrip().startswith("<"):
        raise DataError(f"fred:{series_id}: FRED answered with a web page, not a CSV; is the id right?")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return _from_frame(
        frame, None, where=f"fred:{series_id}", source=url, positive=positive, min_obs=min_obs
    )


def _load_filings(text: str, *, positive: bool, min_obs: int) -> pd.Series:
    """``filings:COMPANY:CONCEPT``: a quarterly series of the packaged filings data (:mod:`borrowedtime.buildout`)."""
    from borrowedtime.buildout import filings_series, parse_filings_source

    company, concept = parse_filings_source(text)
    s = filings_series(company, concept)
    out = as_series(s, name=str(s.name), positive=positive, min_obs=min_obs)
    out.attrs["source"] = (f"{s.name}: borrowedtime.datasets.filings() (10-Q/10-K values, each with its "
                           "accession number)")
    return out


def load_series(
    source: str | Path | pd.Series | pd.DataFrame,
    column: str | None = None,
    *,
    positive: bool = True,
    min_obs: int = _MIN_OBS,
    fetch: Callable[[str], bytes] | None = None,
) -> pd.Series:
    """Load one validated series from a file, FRED or a pandas object.

    Parameters
    ----------
    source : str, Path, Series or DataFrame
        A CSV or Parquet file with a date column (``date``, ``observation_date``
        or the first column) and value columns; ``"fred:SERIES_ID"`` to download
        the public CSV from FRED; ``"sec:TICKER:CONCEPT"`` for a company's
        quarterly series from the SEC's company facts (:mod:`borrowedtime.sec`,
        USD millions); ``"filings:COMPANY:CONCEPT"`` for a quarterly
        series of the packaged filings data (:mod:`borrowedtime.buildout`, USD billions); or a pandas object with a DatetimeIndex (a
        DataFrame may also carry a date column).
    column : str, optional
        The value column; not needed when there is exactly one.
    positive : bool, default True
        Require values > 0 (growth is measured on logs).
    min_obs : int, default 3
        Fewest observations accepted.
    fetch : callable, optional
        ``url -> bytes`` used for ``fred:`` sources, ``(url, headers) -> bytes``
        for ``sec:`` sources (tests pass a recorded response).

    Returns
    -------
    pandas.Series
        Float values on a sorted, unique DatetimeIndex named ``date``;
        ``attrs`` holds ``source`` and ``frequency``.

    Raises
    ------
    DataError
        Naming the file, row and field: unparseable, duplicate or unsorted
        dates; missing or non-numeric values; non-positive values when
        ``positive``; an empty or too-short series; an unknown column (the
        message lists the columns there are); mixed frequencies.
    """
    if isinstance(source, pd.Series):
        return as_series(source, name=str(source.name or "series"), positive=positive, min_obs=min_obs)
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index() if isinstance(source.index, pd.DatetimeIndex) else source
        return _from_frame(
            frame, column, where="DataFrame", source="DataFrame", positive=positive, min_obs=min_obs
        )
    text = str(source)
    if text.lower().startswith("fred:"):
        return _load_fred(text[5:].strip(), positive=positive, min_obs=min_obs, fetch=fetch or _http_get)
    if text.lower().startswith("sec:"):
        from borrowedtime.sec import load_sec

        series = load_sec(text, fetch=fetch)
        return as_series(series, name=series.name, positive=positive, min_obs=min_obs)
    if text.lower().startswith("filings:"):
        return _load_filings(text, positive=positive, min_obs=min_obs)
    path = Path(source)
    frame = _read_table(path)
    return _from_frame(
        frame, column, where=path.name, source=str(path), positive=positive, min_obs=min_obs
    )


def as_series(
    obj: pd.Series | np.ndarray | list,
    *,
    name: str = "series",
    positive: bool = True,
    min_obs: int = _MIN_OBS,
    index: pd.DatetimeIndex | None = None,
) -> pd.Series:
    """Validate an in-memory series (the boundary for library calls).

    A Series must carry a DatetimeIndex; an array needs ``index``. Messages
    name positions as ``row`` counted from 0 of the object.
    """
    if isinstance(obj, pd.Series):
        if not isinstance(obj.index, pd.DatetimeIndex):
            raise DataError(f"{name}: expected a Series with a DatetimeIndex, got {type(obj.index).__name__}.")
        idx, raw = obj.index, obj.to_numpy()
    else:
        if index is None:
            raise DataError(f"{name}: an array needs a DatetimeIndex passed as index=.")
        idx, raw = pd.DatetimeIndex(index), np.asarray(obj)
        if len(idx) != len(raw):
            raise DataError(f"{name}: {len(raw)} values but {len(idx)} dates.")
    try:
        values = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{name}: non-numeric values.") from None
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DataError(
            f"{name}, row {bad[0]} ({idx[bad[0]].date()}): missing or non-finite value; "
            f"{bad.size} in all. Nothing is filled silently."
        )
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    where = name
    if len(values) == 0:
        raise DataError(f"{where}: the series is empty.")
    if len(values) < min_obs:
        raise DataError(f"{where}: too short: {len(values)} observation(s), need at least {min_obs}.")
    dup = np.flatnonzero(idx.duplicated())
    if dup.size:
        raise DataError(f"{where}, row {dup[0]}: duplicate date {idx[dup[0]].date()}.")
    if not idx.is_monotonic_increasing:
        i = int(np.flatnonzero(np.diff(days_since_epoch(idx)) < 0)[0]) + 1
        raise DataError(f"{where}, row {i}: dates not sorted ({idx[i].date()} after {idx[i - 1].date()}).")
    if positive and (values <= 0).any():
        i = int(np.flatnonzero(values <= 0)[0])
        raise DataError(
            f"{where}, row {i} ({idx[i].date()}): non-positive value {float(values[i])!r}; "
            "growth is measured on logs, so values must be > 0."
        )
    freq = obj.attrs.get("frequency") if isinstance(obj, pd.Series) else None
    out = pd.Series(values, index=idx.rename("date"), name=str(getattr(obj, "name", None) or name))
    out.attrs["source"] = obj.attrs.get("source", name) if isinstance(obj, pd.Series) else name
    out.attrs["frequency"] = freq if isinstance(freq, Frequency) else infer_frequency(idx, where=where)
    return out
