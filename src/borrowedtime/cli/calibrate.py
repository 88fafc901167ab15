"""``calibrate``: are the monitor's real-time probabilities honest on this series?"""

from __future__ import annotations

from typing import Annotated

import typer

from borrowedtime.cli._app import app, error_boundary, fit_table, stdout, write_json
from borrowedtime.cli.watch import ColumnOpt, CutoffOpt, JsonOpt, SeasonalOpt, _seasonal, _source


@app.command()
def calibrate(
    source: Annotated[str | None, typer.Argument(help="CSV/Parquet FILE, fred:SERIES_ID, sec:TICKER:CONCEPT or filings:COMPANY:CONCEPT.")] = None,
    column: ColumnOpt = None,
    seasonal: SeasonalOpt = "auto",
    cutoff: CutoffOpt = 1.5,
    horizon: Annotated[float, typer.Option(help="Horizon (years) of the growth whose sign is forecast.")] = 2.0,
    averaging: Annotated[int, typer.Option(
        help="The series is a moving average of this many observations plus sampling error "
             "(3 for Case-Shiller); 1: none.")] = 1,
    momentum: Annotated[str, typer.Option(help="Short-run component: none or ar1 (an AR(1) cycle).")] = "none",
    predictive: Annotated[str, typer.Option(
        help="One-step predictive shape: t, fitted-t or empirical (from past standardised innovations).")] = "t",
    as_json: JsonOpt = False,
) -> None:
    """One-step PIT, 50/80/90 % coverage, Christoffersen, Ljung-Box, Berkowitz, reliability of P(growth < 0)."""
    from borrowedtime.errors import SpecError
    from borrowedtime.monitor.calibration import Calibration
    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.series import load_series

    with error_boundary():
        if source is None:
            raise SpecError("give a FILE (or fred:SERIES_ID) to calibrate on.")
        if not 1 <= averaging <= 24:
            raise SpecError(f"--averaging must be an integer from 1 to 24 (observations averaged); got {averaging}.")
        if momentum not in ("none", "ar1"):
            raise SpecError(f"--momentum must be 'none' or 'ar1'; got {momentum!r}.")
        if predictive not in ("t", "fitted-t", "empirical"):
            raise SpecError(f"--predictive must be 't', 'fitted-t' or 'empirical'; got {predictive!r}.")
        series = load_series(_source(source), column)
        model = KinematicsModel(cutoff_years=cutoff, seasonal=_seasonal(seasonal), averaging=averaging,
                                momentum=momentum, predictive=predictive)  # type: ignore[arg-type]
        spec = Calibration(model=model, horizon_years=horizon)
        try:
            result = spec.fit(series)
        except SpecError as exc:
            if averaging > 1 and str(exc).startswith(f"averaging={averaging}"):
                raise SpecError(f"--averaging {averaging}: {exc}") from None
            raise
    d = result.to_dict(0)
    if as_json:
        write_json(d)
        return
    t, _ = fit_table(
        f"One-step calibration of the real-time monitor: {d['series']} ({d['n']} forecasts)",
        [("interval", "num"), ("nominal", "num"), ("covered", "num"), ("Christoffersen p (cond. coverage)", "num")],
        [[f"{float(level):.0%}", f"{float(level):.0%}", f"{share:.1%}", f"{d['christoffersen_pvalue'][level]:.3g}"]
         for level, share in d["coverage"].items()])
    stdout.print(t)
    m = d["model"]
    stdout.print(f"model: cutoff {m['cutoff_years']:g} y, seasonal {m['seasonal']}, averaging {m['averaging']}, "
                 f"momentum {m['momentum']}, predictive {m['predictive']}")
    stdout.print(f"innovations (PIT -> normal): lag-1 autocorrelation {d['innovation_acf1']:+.2f}, sd "
                 f"{d['innovation_sd']:.2f}; Ljung-Box({d['ljung_box_lags']}) p = {d['ljung_box_pvalue']:.3g}; "
                 f"Berkowitz p = {d['berkowitz_pvalue']:.3g}; KS on PIT p = {d['pit_ks_pvalue']:.3g}")
    hist = d["pit_histogram"]
    top = max(hist) or 1
    stdout.print("PIT histogram (flat if calibrated):")
    for k, c in enumerate(hist):
        lo = k / len(hist)
        stdout.print(f"  {lo:.1f}-{lo + 1 / len(hist):.1f} {'#' * round(30 * c / top)} {c}")
    if d["reliability"]:
        r, _ = fit_table(
            f"Reliability of P(growth over {d['horizon_years']:g} y < 0) (Brier {d['brier']:.3f})",
            [("forecast bin", "num"), ("mean forecast", "num"), ("observed share", "num"), ("count", "num")],
            [[f"{b['bin'][0]:.1f}-{b['bin'][1]:.1f}", f"{b['forecast']:.2f}", f"{b['observed']:.2f}", str(b["count"])]
             for b in d["reliability"]])
        stdout.print(r)
