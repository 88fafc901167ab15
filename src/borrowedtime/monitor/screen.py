"""Screen many series at once: which are on borrowed time, since when, and how sure.

A *screen* hands a panel (a wide table of series, or a folder of files) to the
real-time filter in one vectorised pass per sampling frequency, classifies each
series' latest reading with :class:`~borrowedtime.monitor.regimes.RegimeRule` and ranks
them: borrowed time first (growth still positive, projected growth
``S' + H S''`` negative with probability at least the rule's confidence), by
that probability and then by how long the call has stood; then contraction,
boom, repair and undetermined.

Every input series ends up either ranked or *skipped with a reason*: values
that are not numbers, not positive (growth is measured on logs), or too few
observations for the filter (fewer than
:meth:`KinematicsModel.min_observations <borrowedtime.monitor.model.KinematicsModel.min_observations>`,
the package's one rule, which ``watch`` and the report use too). A series too short for the filter still gets the
discrete arithmetic the essay uses (last growth, its change in percentage
points, the last step-up) beside the reason, never a filtered estimate.

Everything is real time: a series' regime is read at its own last observed
date from estimates that use only data dated at or before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from borrowedtime._results import Summarised, SummaryRepr
from borrowedtime.errors import DataError
from borrowedtime.monitor.discrete import acceleration, growth, step_ups
from borrowedtime.monitor.events import p_turn_within
from borrowedtime.monitor.model import KinematicsModel
from borrowedtime.monitor.regimes import LABELS, RegimeRule
from borrowedtime.monitor.result import KinematicsResult
from borrowedtime.series import Frequency, _check_index, infer_frequency, read_frame

__all__ = [
    "RANK_ORDER",
    "Screen",
    "ScreenResult",
    "Skipped",
    "discrete_arithmetic",
    "read_panel",
]

#: Order of the regimes in a ranked screen (first = most urgent).
RANK_ORDER = ("borrowed time", "contraction", "boom", "repair", "undetermined")

_DATE_NAMES = ("date", "observation_date", "time", "timestamp", "period", "month", "day")
_READABLE = (".csv", ".txt", ".parquet", ".pq")


@dataclass(frozen=True)
class Skipped:
    """A series the screen did not filter, and why.

    Attributes
    ----------
    name : str
    why : str
        A sentence naming the problem (value and date where there is one).
    arithmetic : dict or None
        The discrete arithmetic of a series that is valid but too short for
        the filter (see :func:`discrete_arithmetic`); None otherwise.
    """

    name: str
    why: str
    arithmetic: dict | None = None

    def to_dict(self) -> dict:
        out = {"name": self.name, "why": self.why}
        if self.arithmetic is not None:
            out["arithmetic"] = self.arithmetic
        return out


# ============================================================================ reading


def _date_column(frame: pd.DataFrame) -> str:
    for col in frame.columns:
        if str(col).strip().lower() in _DATE_NAMES:
            return col
    return frame.columns[0]


def _read_one(path: Path) -> pd.DataFrame:
    """One wide file as a DataFrame of raw cells (objects) on a DatetimeIndex."""
    # numbers parsed by the C reader; only empty cells are missing, any other text stays
    # text so that the screen can name the series, date and cell it skips
    frame = read_frame(path, lambda p: pd.read_csv(p, keep_default_na=False, na_values=[""], skipinitialspace=True))
    if frame.shape[1] < 2:
        raise DataError(f"{path.name}: expected a date column and at least one value column, "
                        f"found {frame.shape[1]} column(s).")
    dcol = _date_column(frame)
    raw = frame[dcol]
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = pd.to_datetime(raw)
    else:
        dates = pd.to_datetime(raw.astype(str).str.strip(), errors="coerce", format="mixed")
    bad = np.flatnonzero(dates.isna().to_numpy())
    if bad.size:
        raise DataError(f"{path.name}, row {bad[0] + 2}, column {dcol!r}: not a date: {raw.iloc[bad[0]]!r}.")
    out = frame.drop(columns=[dcol])
    out.index = pd.DatetimeIndex(dates, name="date")
    _check_index(out.index, path.name)  # duplicate or unsorted dates refused, as every reader does
    return out


def read_panel(source: str | Path) -> pd.DataFrame:
    """Read a wide panel: one CSV/Parquet file, or a folder of such files.

    Parameters
    ----------
    source : str or Path
        A file with a date column (``date``, ``observation_date``... or the
        first column) and one column per series; or a folder whose every
        ``.csv``/``.parquet`` file is read the same way (a single-column file
        names its series after the file; otherwise ``file:column``), joined on
        their dates; or ``filings:COMPANIES:CONCEPTS``, series of the packaged
        filings data (:func:`borrowedtime.buildout.filings_panel`).

    Returns
    -------
    pandas.DataFrame
        One column per series on a sorted DatetimeIndex. Cells keep their raw
        text where they are not numbers, so that :meth:`Screen.run` can name
        the series, date and value it skips; empty cells are missing (NaN).

    Raises
    ------
    DataError
        A missing path, an unreadable file, unparseable, duplicate or unsorted dates, a
        folder with no readable file, two series with the same name.
    """
    if str(source).lower().startswith("filings:"):
        from borrowedtime.buildout import filings_panel

        return filings_panel(str(source))
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder.")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _READABLE and p.is_file())
        if not files:
            raise DataError(f"{path}: no .csv or .parquet file in this folder.")
        parts = []
        for f in files:
            one = _read_one(f)
            one.columns = [f.stem] if one.shape[1] == 1 else [f"{f.stem}:{c}" for c in one.columns]
            parts.append(one)
        names = [c for p in parts for c in p.columns]
        dup = pd.Index(names)[pd.Index(names).duplicated()]
        if len(dup):
            raise DataError(f"{path}: two series are named {dup[0]!r}.")
        frame = pd.concat(parts, axis=1, join="outer", sort=True)
    else:
        frame = _read_one(path)
        dup = frame.columns[frame.columns.duplicated()]
        if len(dup):
            raise DataError(f"{path.name}: two columns are named {dup[0]!r}.")
    frame.columns = [str(c) for c in frame.columns]
    frame.attrs["source"] = str(path)
    return frame


# ============================================================================ arithmetic


def discrete_arithmetic(series: pd.Series) -> dict:
    """The essay's discrete arithmetic on a short series: growth, its change, the step-up.

    Parameters
    ----------
    series : pandas.Series
        Positive levels on a DatetimeIndex (at least two).

    Returns
    -------
    dict
        ``last_date``, ``observations``, ``growth`` (decimal, last period;
        annualised for irregular dates, as :func:`borrowedtime.monitor.discrete.growth`
        does), ``previous_growth``, ``acceleration_pp`` (change of growth in
        percentage points, unrounded) and ``step_up`` (last level over the one
        before). Entries that need more points are None.
    """
    s = series.dropna().astype(float)
    values = s.to_numpy()
    out = {"last_date": s.index[-1].date().isoformat() if len(s) else None, "observations": int(len(s)),
           "regular": None, "growth": None, "previous_growth": None, "acceleration_pp": None, "step_up": None,
           "previous_step_up": None}
    if len(s) < 2:
        return out
    try:
        freq = infer_frequency(s.index, where=str(s.name))
        regular = freq.regular
    except DataError:
        regular = False
    s.attrs["frequency"] = freq if regular else Frequency("irregular", 1.0)
    g = growth(s, annualise=not regular).to_numpy()  # the package's one growth arithmetic
    ratio = step_ups(values)
    out["regular"] = bool(regular)
    out["growth"] = float(g[-1])
    out["step_up"] = float(ratio[-1])
    if g.size >= 2:
        out["previous_growth"] = float(g[-2])
        out["acceleration_pp"] = float(acceleration(g[-2:], max_abs_growth=np.inf).iloc[-1])  # annualised rates may be large
        out["previous_step_up"] = float(ratio[-2])
    return out


# ============================================================================ screen


def _coerce(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Skipped]]:
    """Numeric panel of the columns that can be filtered, and the skipped ones with a reason."""
    skipped: list[Skipped] = []
    index = frame.index
    numeric_cols = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
                    for c in frame.columns]
    values = np.empty(frame.shape, dtype=float)
    ok = np.ones(frame.shape[1], dtype=bool)
    if all(numeric_cols):
        values = frame.to_numpy(dtype=float)
    else:
        for j, name in enumerate(frame.columns):
            col = frame.iloc[:, j]
            if numeric_cols[j]:
                values[:, j] = col.to_numpy(dtype=float)
                continue
            text = col.astype(str).str.strip()
            empty = (text == "") | text.str.lower().isin(("na", "nan", "n/a", ".", "none"))
            num = pd.to_numeric(text.where(~empty), errors="coerce")
            bad = np.flatnonzero(num.isna().to_numpy() & ~empty.to_numpy())
            if bad.size:
                i = bad[0]
                skipped.append(Skipped(name, f"not a number at {index[i].date()}: {col.iloc[i]!r} "
                                             f"({bad.size} such cell(s))."))
                ok[j] = False
                continue
            values[:, j] = num.to_numpy(dtype=float)
    finite = np.isfinite(values)
    has_inf = np.isinf(values).any(axis=0)
    no_values = ~finite.any(axis=0)
    with np.errstate(invalid="ignore"):
        nonpos = finite & (values <= 0)
    has_nonpos = nonpos.any(axis=0)
    for j in np.flatnonzero(ok & (has_inf | no_values | has_nonpos)):
        name = frame.columns[j]
        ok[j] = False
        if has_inf[j]:
            i = int(np.flatnonzero(np.isinf(values[:, j]))[0])
            skipped.append(Skipped(name, f"infinite value at {index[i].date()}."))
        elif no_values[j]:
            skipped.append(Skipped(name, "no values (every cell empty)."))
        else:
            rows = np.flatnonzero(nonpos[:, j])
            i = int(rows[0])
            skipped.append(Skipped(name, f"non-positive value {values[i, j]:g} at {index[i].date()} "
                                         f"({rows.size} in all); growth is measured on logs, so values "
                                         "must be > 0."))
    keep = values if ok.all() else values[:, ok]
    numeric = pd.DataFrame(keep, index=index, columns=frame.columns[ok], copy=False)
    return numeric, skipped


def _frequency_groups(frame: pd.DataFrame) -> tuple[dict[str, list[str]], list[Skipped]]:
    """Columns grouped by the sampling frequency of their own observed dates.

    Columns sharing a pattern of observed dates (the usual panel: all of them)
    are looked at once. Series of one frequency dated differently within the
    period (quarter starts against quarter ends, as the filings series are
    dated) form separate groups, fitted one after the other, instead of being
    joined on dates that never meet.
    """
    groups: dict[str, list[str]] = {}
    anchors: dict[str, dict[tuple, str]] = {}
    skipped: list[Skipped] = []
    observed = frame.notna().to_numpy(dtype=bool)  # bool even with no column left
    packed = np.packbits(observed, axis=0)  # one column of bytes per series
    patterns, inverse = np.unique(packed.T, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    freq_of: dict[int, str | DataError | None] = {}
    for g in range(patterns.shape[0]):
        j = int(np.flatnonzero(inverse == g)[0])
        idx = frame.index[observed[:, j]]
        if idx.size < 3:
            freq_of[g] = None  # too short: the caller says so with the arithmetic
            continue
        try:
            f = infer_frequency(idx, where=str(frame.columns[j])).name
        except DataError as exc:
            freq_of[g] = exc
            continue
        d = idx[0]
        day = "end" if d.is_month_end else d.day
        key = {"quarterly": ((d.month - 1) % 3, day), "monthly": (day,), "annual": (d.month, day)}.get(f, ())
        seen = anchors.setdefault(f, {})
        if key not in seen:  # the first dating of a frequency keeps its plain name
            seen[key] = f if not seen else f"{f} ({'period ends' if day == 'end' else d.strftime('day %d')})"
        freq_of[g] = seen[key]
    for j, name in enumerate(frame.columns):
        f = freq_of[int(inverse[j])]
        if f is None:
            continue
        if isinstance(f, DataError):
            skipped.append(Skipped(name, f"dates of mixed or unknown frequency ({f})."))
            continue
        groups.setdefault(f, []).append(name)
    return groups, skipped


@dataclass(frozen=True)
class Screen:
    """Screen a panel of series (specification).

    Parameters
    ----------
    model : KinematicsModel
        The real-time filter (default settings; seasonal ``auto``).
    rule : RegimeRule
        How calls are made (default: H = 2 years, confidence 0.9).
    chunk : int, default 1000
        Series classified at a time after the one-pass fit (bounds the memory
        of the probability arrays; the result does not depend on it).
    """

    model: KinematicsModel = field(default_factory=KinematicsModel)
    rule: RegimeRule = field(default_factory=RegimeRule)
    chunk: int = 1000

    def run(
        self,
        panel: pd.DataFrame | Mapping[str, pd.Series] | Sequence[pd.Series],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> ScreenResult:
        """Filter every series that can be filtered, one vectorised pass per frequency, and rank them.

        Parameters
        ----------
        panel : DataFrame, mapping of name to Series, or sequence of named Series
            A wide panel (one column per series, raw cells allowed: see
            :func:`read_panel`), or separate series (each may have its own
            dates; they are grouped by frequency and joined on dates).
        on_progress : callable, optional
            ``(done, total)`` after each frequency group.

        Returns
        -------
        ScreenResult
        """
        frame = _as_frame(panel)
        numeric, skipped = _coerce(frame)
        groups, more = _frequency_groups(numeric)
        skipped += more
        grouped = {n for names in groups.values() for n in names}
        fits: list[tuple[KinematicsResult, np.ndarray]] = []
        rows: list[pd.DataFrame] = []
        total = len(groups)
        for k, (freq_name, names) in enumerate(sorted(groups.items())):
            sub = numeric if len(names) == numeric.shape[1] else numeric[names]
            rows_seen = sub.notna().to_numpy().any(axis=1)
            if not rows_seen.all():
                sub = sub.loc[rows_seen]
            freq = infer_frequency(sub.index, where=f"{freq_name} group")
            if freq.name != freq_name.split(" (")[0]:  # e.g. month starts and month ends mixed
                for n in names:
                    skipped.append(Skipped(n, f"its {freq_name} dates do not line up with the other "
                                              f"{freq_name} series; screen it on its own."))
                continue
            need = self.model.min_observations(freq)  # the package's one rule
            n_obs = sub.notna().sum(axis=0)
            short = [n for n in names if n_obs[n] < need]
            for n in short:
                s = sub[n].dropna()
                skipped.append(Skipped(n, f"{len(s)} {freq_name} observations; the filter needs at least "
                                          f"{need} ({self.model.min_obs_per_state} per state): discrete "
                                          "arithmetic only.", discrete_arithmetic(s)))
            names = [n for n in names if n_obs[n] >= need]
            if names:
                if short:
                    sub = sub[names]
                    rows_seen = sub.notna().to_numpy().any(axis=1)
                    if not rows_seen.all():
                        sub = sub.loc[rows_seen]
                sub.attrs["frequency"] = freq
                kin = self.model.fit(sub)  # one vectorised pass over every series of this frequency
                last = _last_observed(kin.observed)
                fits.append((kin, last))
                at_last = np.zeros(kin.observed.shape, dtype=bool)
                at_last[np.arange(kin.n_series), last] = True
                turn = p_turn_within(kin, (12,), where=at_last)[np.arange(kin.n_series), last, 0]
                for a in range(0, kin.n_series, self.chunk):  # classify in blocks: bounded temporaries
                    part = _slice(kin, a, a + self.chunk)
                    rows.append(_rows(part, self.rule, last[a: a + self.chunk], len(fits) - 1, a,
                                      turn[a: a + self.chunk]))
            if on_progress:
                on_progress(k + 1, total)
        for n in numeric.columns:
            if n not in grouped and not any(s.name == n for s in skipped):
                s = numeric[n].dropna()
                skipped.append(Skipped(n, f"{len(s)} observation(s); the filter needs at least "
                                          f"{self.model.min_observations(None)}: discrete arithmetic only.",
                                       discrete_arithmetic(s) if len(s) else None))
        table = pd.concat(rows, ignore_index=True) if rows else _rows_empty()
        order = {r: i for i, r in enumerate(RANK_ORDER)}
        table["_rank"] = table["regime"].map(order)
        table = table.sort_values(["_rank", "p_borrowed_time", "months_in_regime", "name"],
                                  ascending=[True, False, False, True], kind="mergesort")
        table = table.drop(columns="_rank").reset_index(drop=True)
        pos = {n: i for i, n in enumerate(frame.columns)}
        skipped.sort(key=lambda s: pos.get(s.name, len(pos)))
        return ScreenResult(table=table, skipped=tuple(skipped), fits=tuple(fits), spec=self,
                            n_input=frame.shape[1], source=str(frame.attrs.get("source", "")))


def _as_frame(panel) -> pd.DataFrame:
    if isinstance(panel, pd.DataFrame):
        if not isinstance(panel.index, pd.DatetimeIndex):
            raise DataError("screen: expected a DataFrame on a DatetimeIndex (see read_panel).")
        if panel.shape[1] == 0:
            raise DataError("screen: the panel has no series.")
        return panel
    items = list(panel.items()) if isinstance(panel, Mapping) else [(str(s.name), s) for s in panel]
    if not items:
        raise DataError("screen: no series given.")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise DataError(f"screen: two series are named {dup!r}.")
    frame = pd.concat([s.rename(n) for n, s in items], axis=1, join="outer", sort=True)
    return frame


def _slice(kin: KinematicsResult, a: int, b: int) -> KinematicsResult:
    """Series ``a:b`` of a fit, as views."""
    if a == 0 and b >= kin.n_series:
        return kin
    return replace(
        kin, names=kin.names[a:b], filtered=kin.filtered[a:b], filtered_cov=kin.filtered_cov[a:b],
        sigma2=kin.sigma2[a:b], dof=kin.dof[a:b], observed=kin.observed[a:b], log_level=kin.log_level[a:b],
        smoothed=None, smoothed_cov=None, seasonal=None if kin.seasonal is None else kin.seasonal[a:b],
    )


def _last_observed(observed: np.ndarray) -> np.ndarray:
    """Index of each series' last observed date, shape (series,)."""
    n = observed.shape[1]
    return n - 1 - np.argmax(observed[:, ::-1], axis=1)


def _run_start(codes: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Start index of the run of equal values that ends at ``last`` in each row."""
    n_series, n = codes.shape
    cur = codes[np.arange(n_series), last]
    t = np.arange(n)
    differs = (codes != cur[:, None]) & (t[None, :] <= last[:, None])
    any_diff = differs.any(axis=1)
    last_diff = n - 1 - np.argmax(differs[:, ::-1], axis=1)
    return np.where(any_diff, last_diff + 1, 0)


def _rows(kin: KinematicsResult, rule: RegimeRule, last: np.ndarray, fit: int, offset: int,
          p_turn_12m: np.ndarray) -> pd.DataFrame:
    """One row per series at its last date: labels and calls over the whole path (thresholds only), the
    probabilities at the last date alone (the formulas of :meth:`RegimeRule.classify`, on those cells)."""
    i = np.arange(kin.n_series)
    idx = kin.index
    codes, call = rule.labels_and_calls(kin)
    since = _run_start(codes, last)
    p_proj, p_vel = rule.probabilities_at(kin, i, last)
    call_start = _run_start(call.astype(np.int8), last)
    standing = call[i, last]
    last_dates = idx[last]
    since_dates = idx[since]
    months = ((last_dates.year - since_dates.year) * 12 + (last_dates.month - since_dates.month)).to_numpy()
    return pd.DataFrame(
        {
            "name": list(kin.names),
            "regime": np.asarray(LABELS, dtype=object)[codes[i, last]],
            "p_borrowed_time": p_proj,
            "p_growth_positive": p_vel,
            "p_turn_12m": p_turn_12m,
            "since": since_dates,
            "months_in_regime": months,
            "call_since": pd.DatetimeIndex(np.where(standing, idx[call_start].to_numpy(), np.datetime64("NaT"))),
            "last_date": last_dates,
            "observations": kin.observed.sum(axis=1),
            "velocity": kin.filtered[i, last, 1],
            "acceleration": kin.filtered[i, last, 2],
            "frequency": str(kin.frequency),
            "_fit": fit,
            "_row": i + offset,
        }
    )


def _rows_empty() -> pd.DataFrame:
    cols = ["name", "regime", "p_borrowed_time", "p_growth_positive", "p_turn_12m", "since", "months_in_regime",
            "call_since", "last_date", "observations", "velocity", "acceleration", "frequency", "_fit", "_row"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


@dataclass(frozen=True, eq=False, repr=False)
class ScreenResult(Summarised, SummaryRepr):
    """A ranked screen (frozen).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per filtered series, ranked: ``name``, ``regime``,
        ``p_borrowed_time`` (real-time P(S' + H S'' < 0) at the series' last
        date), ``p_growth_positive`` (P(S' > 0)), ``p_turn_12m`` (real-time
        P(YoY growth first goes negative within 12 months), NaN where YoY
        growth is not positive or the data are not monthly, quarterly or
        annual: :func:`borrowedtime.monitor.events.p_turn_within`), ``since`` (first date of the
        current regime), ``months_in_regime``, ``call_since`` (start of the
        standing call, NaT if none), ``last_date``, ``observations``,
        ``velocity`` (per year, log growth), ``acceleration`` (per year^2),
        ``frequency``.
    skipped : tuple of Skipped
        Every input series that was not filtered, with the reason.
    fits : tuple
        ``(KinematicsResult, last observed index per series)`` per frequency group;
        the regimes of one series are recomputed on demand by :meth:`history`.
    spec : Screen
    n_input : int
        Number of input series (``len(table) + len(skipped)``).
    source : str
        The file or folder read, when there was one.
    """

    table: pd.DataFrame
    skipped: tuple[Skipped, ...]
    fits: tuple
    spec: Screen
    n_input: int
    source: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The ranked table without internal columns."""
        return self.table.drop(columns=["_fit", "_row"])

    def counts(self) -> dict[str, int]:
        """Series per regime (every regime present), plus ``skipped``."""
        out = dict.fromkeys(RANK_ORDER, 0)
        for r, n in self.table["regime"].value_counts().items():
            out[r] = int(n)
        out["skipped"] = len(self.skipped)
        return out

    def top(self, n: int | None = None) -> pd.DataFrame:
        """The first ``n`` ranked series; default the borrowed-time group (at least one row)."""
        if n is None:
            n = max(int((self.table["regime"] == "borrowed time").sum()), min(1, len(self.table)))
        return self.to_frame().head(n)

    def history(self, name: str) -> pd.DataFrame:
        """One series' real-time path: ``level`` (observed value), ``velocity`` (per year) with
        ``velocity_sd``, ``p_borrowed_time``, ``call`` and ``regime``, on the dates of its group."""
        hit = self.table.index[self.table["name"] == name]
        if not len(hit):
            raise KeyError(name)
        row = self.table.loc[hit[0]]
        kin, last = self.fits[int(row["_fit"])]
        i = int(row["_row"])
        upto = int(last[i]) + 1
        one = _slice(kin, i, i + 1)
        reg = self.spec.rule.classify(one)
        frame = pd.DataFrame(
            {
                "level": np.where(kin.observed[i], np.exp(kin.log_level[i]), np.nan),
                "velocity": kin.filtered[i, :, 1],
                "velocity_sd": kin.velocity_sd[i],
                "p_borrowed_time": reg.p_projected_negative[0],
                "call": reg.call[0],
                "regime": np.asarray(LABELS, dtype=object)[reg.label_code[0]],
            },
            index=kin.index,
        ).iloc[:upto]
        frame.loc[~kin.ready[i, :upto], ["velocity", "velocity_sd"]] = np.nan
        return frame

    def to_dict(self, top: int | None = None) -> dict:
        """JSON-ready: ``{"series": [...ranked...], "skipped": [{"name", "why"}...], "counts"}``."""
        frame = self.to_frame() if top is None else self.to_frame().head(top)
        series = []
        for r in frame.itertuples(index=False):
            series.append({
                "rank": len(series) + 1,
                "name": r.name,
                "regime": r.regime,
                "p_borrowed_time": _num(r.p_borrowed_time),
                "p_growth_positive": _num(r.p_growth_positive),
                "p_turn_12m": _num(r.p_turn_12m),
                "since": r.since.date().isoformat(),
                "months_in_regime": int(r.months_in_regime),
                "call_since": None if pd.isna(r.call_since) else r.call_since.date().isoformat(),
                "last_date": r.last_date.date().isoformat(),
                "observations": int(r.observations),
                "velocity_per_year": _num(r.velocity),
                "acceleration_per_year2": _num(r.acceleration),
                "frequency": r.frequency,
            })
        rule = self.spec.rule
        return {
            "source": self.source,
            "rule": {"horizon_years": rule.horizon_years, "confidence": rule.confidence},
            "counts": self.counts(),
            "series": series,
            "skipped": [s.to_dict() for s in self.skipped],
        }

    def summary(self) -> str:
        c = self.counts()
        return (f"Screen of {self.n_input} series: {c['borrowed time']} on borrowed time, {c['contraction']} "
                f"contraction, {c['boom']} boom, {c['repair']} repair, {c['undetermined']} undetermined, "
                f"{c['skipped']} skipped")


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None
