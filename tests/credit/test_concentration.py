"""Name concentration: HHI, top-N shares, granularity adjustment against the exact finite pool."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.credit import finite_pool_tail
from borrowedtime.credit.concentration import (
    effective_names,
    granularity_adjustment,
    herfindahl,
    top_shares,
)
from borrowedtime.errors import SpecError


def test_herfindahl_and_top_shares():
    assert herfindahl([1, 1, 1, 1]) == pytest.approx(0.25)
    assert effective_names([1, 1, 1, 1]) == pytest.approx(4.0)
    assert herfindahl([5.0]) == 1.0
    assert herfindahl([3, 1]) == pytest.approx(0.625)
    assert top_shares([1, 5, 2, 2], n=(1, 2, 10)) == pytest.approx({1: 0.5, 2: 0.7, 10: 1.0})
    with pytest.raises(SpecError, match="exposures"):
        herfindahl([1, -1])


def _exact_quantile(n, p, rho, q=0.999):
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if finite_pool_tail(n, p, rho, mid + 1) <= 1 - q:
            hi = mid
        else:
            lo = mid + 1
    return lo


@pytest.mark.parametrize(("n", "p", "rho"), [(100, 0.05, 0.05), (100, 0.01, 0.2), (50, 0.02, 0.12), (400, 0.01, 0.2)])
def test_granularity_adjustment_closes_the_gap_to_the_exact_finite_pool(n, p, rho):
    # The exact 99.9 % quantile of the number of defaults (quadrature, an integer) against the ASRF value
    # and ASRF + GA: the adjusted value lies within one default of it (the quantile of a count is an
    # integer), and is closer than the ASRF value alone.
    exact = _exact_quantile(n, p, rho)
    g = granularity_adjustment(np.ones(n), p, 1.0, rho)
    assert abs(g["var_usd_bn"] - exact) <= 1.0
    assert abs(g["var_usd_bn"] - exact) < abs(g["asrf_var_usd_bn"] - exact)
    assert g["herfindahl"] == pytest.approx(1.0 / n)


def test_granularity_adjustment_shrinks_like_the_herfindahl_index():
    small = granularity_adjustment(np.ones(50), 0.01, 0.45, 0.2)
    large = granularity_adjustment(np.ones(5000), 0.01, 0.45, 0.2)
    # per unit of exposure the add-on falls in proportion to 1/n
    assert (large["ga_usd_bn"] / 5000) / (small["ga_usd_bn"] / 50) == pytest.approx(50 / 5000, rel=1e-9)
