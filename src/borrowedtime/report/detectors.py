"""Report section: the second-derivative monitor, LPPLS and PSY GSADF on one time axis."""

from __future__ import annotations

import html

import pandas as pd

from borrowedtime.report._html import ReportContext, Section, figure_html, table_html

_NASDAQ = "nasdaq_composite_daily_1994_2000.csv"


def _series(ctx: ReportContext) -> pd.Series | None:
    from borrowedtime.series import load_series

    if ctx.shared_data is not None and (ctx.shared_data / _NASDAQ).exists():
        return load_series(ctx.shared_data / _NASDAQ, column="Adj Close")
    for source, column in ctx.series:
        try:
            return load_series(source, column)
        except Exception:  # noqa: BLE001 - another section reports bad input
            continue
    return None


def build(ctx: ReportContext) -> Section | None:
    """Three real-time bubble signals on one time axis, with the league table."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from borrowedtime.detectors.league import league_table
    from borrowedtime.detectors.lppls import LPPLSModel
    from borrowedtime.detectors.psy import PSYTest

    series = _series(ctx)
    if series is None:
        return None
    if ctx.quick:  # tests and demos: a short stretch, a coarse LPPLS, few replications, no disk cache
        series = series.iloc[-260:]
        lppls = LPPLSModel(window=60, smallest_window=30, inner_increment=10, outer_increment=10,
                           grid=(5, 3, 8), n_starts=1, max_iter=10, seed=ctx.seed)
        psy = PSYTest(reps=40, seed=ctx.seed, sensitivity_lags=(0, 1), cache=False)
    else:
        lppls = LPPLSModel(seed=ctx.seed)
        psy = PSYTest(seed=ctx.seed)
    table = league_table(series, lppls=lppls, psy=psy)
    sig = table.signals

    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.05,
                        subplot_titles=("Log price and warnings", "LPPLS confidence", "PSY BSADF"))
    fig.add_trace(go.Scatter(x=series.index, y=series.to_numpy(), name=str(series.name),
                             line={"color": "#222"}), row=1, col=1)
    colours = {"borrowedtime": "rgba(214,39,40,0.18)", "lppls": "rgba(31,119,180,0.18)",
               "gsadf": "rgba(44,160,44,0.18)"}
    for entry in table.entries:
        for start, end in entry.warnings:
            fig.add_vrect(x0=start, x1=end if end is not None else series.index[-1],
                          fillcolor=colours[entry.name], line_width=0, row=1, col=1)
    if "lppls" in sig:
        frame = sig["lppls"]
        fig.add_trace(go.Scatter(x=frame.index, y=frame["pos_conf"], name="LPPLS positive bubble",
                                 line={"color": "#1f77b4"}), row=2, col=1)
        fig.add_trace(go.Scatter(x=frame.index, y=frame["neg_conf"], name="LPPLS negative bubble",
                                 line={"color": "#ff7f0e"}), row=2, col=1)
    if "gsadf" in sig:
        frame = sig["gsadf"]
        fig.add_trace(go.Scatter(x=frame.index, y=frame["bsadf"], name="BSADF",
                                 line={"color": "#2ca02c"}), row=3, col=1)
        fig.add_trace(go.Scatter(x=frame.index, y=frame["bsadf_cv"], name="95% critical value",
                                 line={"color": "#2ca02c", "dash": "dot"}), row=3, col=1)
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_layout(height=720, margin={"t": 40, "b": 30}, legend={"orientation": "h"})
    frame = table.to_frame()
    note = (
        f"<p class='note'>Series: {html.escape(str(series.name))} ({series.index[0].date()} to "
        f"{series.index[-1].date()}); turn {table.turn.date()} (the maximum). Shaded: warning episodes "
        "(red: second-derivative monitor, blue: LPPLS positive confidence &ge; 0.2, green: PSY "
        "date-stamped episodes). Every signal at a date uses only data up to that date."
        + (" Quick mode: a short stretch and coarse settings." if ctx.quick else "")
        + "</p>"
    )
    return Section("Bubble detectors side by side", note + figure_html(fig) + table_html(frame), "detectors")
