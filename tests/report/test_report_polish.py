"""Issue 20, the report: labels for people, numbers by kind, one house style, axis titles, the screen page."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from borrowedtime.report import _format as F


def test_headers_written_for_people_are_kept():
    """'EL' came out as 'El', 'VaR 99%' as 'Var 99%': a header with a capital or a space is kept as written."""
    for header in ("EL", "VaR 99 %", "ES 99.9 % / equity", "P(default)", "loss median (bn)"):
        assert F.human(header) == header
    assert F.human("expected_loss_usd_bn") == "Expected loss (USD bn)"
    assert F.human("var_999_usd_bn") == "VaR 999 (USD bn)" and F.human("es_999_usd_bn").startswith("ES ")
    assert F.human("pd_obligor") == "PD obligor" and F.human("capex_usd_bn") == "Capex (USD bn)"


def test_dates_never_wrap_at_the_hyphen():
    """A column of dates as text (the backtest's) is kept whole like a number; prose still wraps."""
    frame = pd.DataFrame({"rule": ["monitor", "naive"], "turn": ["1990-11-01", "2007-03-01"],
                          "quarter": ["2027Q3", "—"], "why": ["a b", "c d"]})
    html = F.table(frame)
    cells = re.findall(r"<td class='(\w+)'>([^<]*)</td>", html)
    assert ("num", "1990-11-01") in cells and ("num", "2027Q3") in cells
    assert ("txt", "monitor") in cells and ("txt", "a b") in cells


def test_numbers_by_kind():
    assert F.fmt(9.0, "int") == "9" and F.fmt(3.0, "int") == "3"
    assert F.fmt(pd.Timestamp("2027-08-01"), "quarter") == "2027Q3"
    assert F.fmt(55.5, "usd_bn") == "$55.5 bn" and F.fmt(0.138, "pct") == "13.8%"


def test_the_marks_chart_keeps_its_right_axis_ticks():
    """The log ticks of the marks ($86-852 bn) were applied to the step-up axis too, which then showed none."""
    from borrowedtime.essay_arithmetic import essay_tables
    from borrowedtime.report.essay import marks_figure

    _, val = essay_tables()
    fig = marks_figure(val)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.tickvals
    right = fig.layout.yaxis2
    assert right.type == "linear" and right.tickvals is None and right.showticklabels is not False
    assert right.title.text and fig.layout.yaxis.title.text


def test_credit_verdict_does_not_repeat_the_section_title():
    from types import SimpleNamespace

    from borrowedtime.report import credit

    table = pd.DataFrame({"es_999_over_equity": [0.4, 1.7]}, index=["meta", "oracle"])
    text = credit.verdict(SimpleNamespace(books=SimpleNamespace(table=table)))
    assert text.startswith("oracle's 99.9 % expected shortfall is 1.7x") and "Loan book" not in text


def _figures(page: str) -> list[dict]:
    """Every plotly figure of a page: (data, layout) decoded from its Plotly.newPlot call."""
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', page):
        data, end = dec.raw_decode(page, m.end())
        rest = page[end:].lstrip().lstrip(",").lstrip()
        layout, end2 = dec.raw_decode(rest)
        config, _ = dec.raw_decode(rest[end2:].lstrip().lstrip(",").lstrip())
        out.append({"id": m.group(1), "data": data, "layout": layout, "config": config})
    return out


@pytest.fixture(scope="module")
def quick_page(case_shiller_path):
    from borrowedtime.report import render_page
    from borrowedtime.reporting import ReportOptions, compute_report

    return render_page(compute_report(ReportOptions(shared_data=case_shiller_path.parent, quick=True)))


def test_every_chart_has_the_house_style_and_titled_axes(quick_page):
    """One template for every chart (no section falls back to plotly's grey default); each chart that has
    axes names them (the payoff matrix, the trigger histogram and the tornado had none)."""
    figs = _figures(quick_page)
    assert len(figs) >= 20
    untitled = []
    for f in figs:
        lay = f["layout"]
        assert lay["template"]["layout"]["font"]["family"] == F._FONT["family"], f["id"]
        assert lay["template"]["layout"]["plot_bgcolor"] == "white", f["id"]
        axes = {k: v for k, v in lay.items() if re.fullmatch(r"[xy]axis\d*", k)}
        for letter in "xy":
            shown = [v for k, v in axes.items() if k.startswith(letter) and v.get("visible", True) is not False]
            if not shown and not axes:
                shown = [{}]  # a chart with default axes only: they need titles too
            if shown and not any((a.get("title") or {}).get("text") for a in shown):
                untitled.append((f["id"], letter))
    assert not untitled, untitled


def test_the_page_headers_and_formats(quick_page):
    body = quick_page.split("</script>", 1)[1]
    heads = re.findall(r"<th class='\w+'>([^<]*)</th>", body)
    for bad in ("El", "Var 99%", "Es 99.9%"):
        assert bad not in heads
    assert "EL" in heads and "VaR 99.9 %" in heads and "ES 99.9 %" in heads
    assert "The loan book</a>: Loan book" not in body
    assert body.count("plotly.js v") == 0 and quick_page.count("plotly.js v") == 1  # one shared copy


def test_screen_page_counts_toolbar_and_key(tmp_path):
    """A panel with nothing on borrowed time: the page says it draws the first-ranked series, not 'the
    borrowed-time group'; the small multiples have no toolbar over their titles; the key has no audit badges."""
    from borrowedtime.monitor.screen import Screen
    from borrowedtime.report.screen import render_screen_page

    idx = pd.date_range("1990-01-01", periods=240, freq="MS")
    t = np.arange(240) / 12
    frame = pd.DataFrame({"falling": np.exp(-0.05 * t + 0.002 * np.sin(t)), "rising": np.exp(0.03 * t)}, index=idx)
    result = Screen().run(frame)
    assert result.counts()["borrowed time"] == 0
    page = render_screen_page(result)
    assert "borrowed-time group" not in page and "as no series is on borrowed time (1 series)" in page
    figs = _figures(page)
    assert figs and all(f["config"].get("displayModeBar") is False for f in figs)
    key = page[page.index("class='bt-legend'"):]
    key = key[: key.index("</div>")]
    assert "Audit" not in key and "delinquency" not in key and "year-over-year growth first negative" not in key
    assert "borrowed-time window" in key and "level S" in key
