"""The report's credit section renders computed results (no model run inside report/)."""

from __future__ import annotations

import pytest

from borrowedtime.credit.books import CreditReport, platform_books, wrap_table
from borrowedtime.instruments.payoffs import payoff_table
from borrowedtime.report.credit import payoff_chart, render, verdict


@pytest.fixture(scope="module")
def result():
    books = platform_books(n_paths=5_000, seed=2, sweep_rhos=(0.12, 1.0))
    return CreditReport(books=books, wraps=wrap_table(books.inputs), payoffs=payoff_table(), treadmill=None)


def test_render_has_every_part(result):
    page = render(result)
    for div in ("credit-payoffs", "credit-loss-quantiles", "credit-contributions", "credit-sweep"):
        assert f'id="{div}"' in page
    assert "naked" in page and "oracle" in page
    assert "x its equity" in verdict(result)


def test_payoff_chart_names_every_instrument():
    page = payoff_chart(payoff_table())
    for name in ("Take-or-pay lease", "GPU term loan", "ABS senior", "corporate bond", "equity"):
        assert name in page


def test_section_registered_in_the_report():
    from borrowedtime.report import sections
    from borrowedtime.report.credit import render
    from borrowedtime.reporting import ReportOptions, credit_inputs

    reg = next(s for s in sections() if s.key == "credit")
    assert reg.title == "The loan book" and reg.render is render
    body = render(credit_inputs(ReportOptions(seed=0, quick=True)))
    assert 'id="credit-sweep"' in body
