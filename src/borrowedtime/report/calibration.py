"""Report section: are the monitor's probabilities honest? (PIT histogram, coverage, reliability)."""

from __future__ import annotations

import html

import pandas as pd

from borrowedtime.report._html import figure_html, table_html

_CASE_SHILLER = "case_shiller_us_national_monthly.csv"


def calibration_html(result, title: str) -> str:
    """HTML for one series' :class:`~borrowedtime.monitor.calibration.CalibrationResult` (no model runs here)."""
    from plotly.subplots import make_subplots

    d = result.to_dict(0)
    hist = d["pit_histogram"]
    k = len(hist)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        "One-step PIT histogram (flat if calibrated)",
        f"Reliability of P(growth over {d['horizon_years']:g} y < 0)"))
    fig.add_bar(x=[(i + 0.5) / k for i in range(k)], y=hist, name="PIT", row=1, col=1)
    fig.add_hline(y=d["n"] / k, line=dict(color="#444", dash="dot"), row=1, col=1)
    rel = d["reliability"]
    if rel:
        fig.add_scatter(x=[b["forecast"] for b in rel], y=[b["observed"] for b in rel], mode="lines+markers",
                        name="observed share", row=1, col=2)
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#999", dash="dash"),
                    name="perfect", row=1, col=2)
    fig.update_layout(height=340, margin=dict(t=40, b=30), showlegend=False)
    fig.update_xaxes(title_text="PIT value (0-1)", row=1, col=1)
    fig.update_yaxes(title_text="forecasts", row=1, col=1)
    fig.update_xaxes(title_text="forecast probability", row=1, col=2)
    fig.update_yaxes(title_text="observed share", row=1, col=2)
    cov = pd.DataFrame({
        "interval": [f"{float(c):.0%}" for c in d["coverage"]],
        "covered": [f"{v:.1%}" for v in d["coverage"].values()],
        "Christoffersen p": [f"{d['christoffersen_pvalue'][c]:.3g}" for c in d["coverage"]],
    })
    return (
        f"<h3>{html.escape(title)}</h3>"
        f"<p class='note'>{d['n']} real-time one-step forecasts. Innovations after the PIT: lag-1 "
        f"autocorrelation {d['innovation_acf1']:+.2f}, sd {d['innovation_sd']:.2f}; Ljung-Box "
        f"({d['ljung_box_lags']} lags) p = {d['ljung_box_pvalue']:.3g}; Berkowitz p = {d['berkowitz_pvalue']:.3g}.</p>"
        + figure_html(fig)
        + table_html(cov)
    )


def render(result) -> str:
    """The section from the calibration of the default monitor on the national index."""
    return (
        "<p>Real-time one-step forecasts of the default filter scored against what followed "
        "(<code>borrowedtime calibrate FILE</code>). A calibrated model has a flat PIT histogram, "
        "50/80/90 % intervals that cover 50/80/90 %, and innovations that are not autocorrelated.</p>"
        + calibration_html(result, "Case-Shiller U.S. National (NSA)")
    )
