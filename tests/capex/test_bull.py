"""The three bull cases of essay XII as models: operating leverage, the conglomerate discount, re-leasing."""

from __future__ import annotations

import numpy as np
import pytest

from borrowedtime.capex.bull import (
    ConglomerateDiscount,
    OperatingLeverage,
    ReleasingGlut,
    annuity_payment,
)
from borrowedtime.errors import SpecError


def test_annuity_matches_the_textbook_value():
    # 100 over 10 years at 6 %: annuity factor a(10, 6%) = 7.3601 (standard annuity tables), payment 13.5868
    assert annuity_payment(100.0, 0.06, 10) == pytest.approx(13.5868, abs=1e-4)
    assert annuity_payment(100.0, 0.0, 4) == 25.0


def test_operating_leverage_margin_path():
    case = OperatingLeverage.from_inputs()
    res = case.run()
    f = res.frame
    fixed = 60 / 5.5 + 40 / 17.5 + 4.0 + 0.7 * 100 * 0.06
    assert res.metrics["fixed_cost_usd_bn"] == pytest.approx(fixed)
    # profit recomputed by hand in the default year: revenue 32 x 0.55, 10 % variable
    assert f.loc[1, "pretax_profit_usd_bn"] == pytest.approx(32 * 0.55 * 0.9 - fixed)
    # margins fall much more than revenue: that is operating leverage
    rev_fall = 1 - f.loc[1, "revenue_usd_bn"] / f.loc[0, "revenue_usd_bn"]
    assert f.loc[1, "pretax_margin"] < 0 < f.loc[0, "pretax_margin"]
    profit_fall = 1 - f.loc[1, "pretax_profit_usd_bn"] / f.loc[0, "pretax_profit_usd_bn"]
    assert profit_fall > res.metrics["degree_of_operating_leverage"] * rev_fall * 0.999
    assert res.metrics["breakeven_utilisation"] == pytest.approx(fixed / (32 * 0.9))
    # a longer GPU life (the 6-year end of 5-6) lowers the fixed cost and the break-even
    longer = OperatingLeverage.from_inputs(gpu_life_years=6.0).run()
    assert longer.metrics["breakeven_utilisation"] < res.metrics["breakeven_utilisation"]


def test_conglomerate_roic_and_multiple_migrate():
    res = ConglomerateDiscount.from_inputs().run()
    f = res.frame
    assert f["roic"].iloc[0] == pytest.approx(75 / 300)
    assert f["roic"].is_monotonic_decreasing
    assert f["ev_to_nopat"].iloc[0] == 30 and f["ev_to_nopat"].iloc[-1] == 15
    # with AI capital earning the core's ROIC (from the year after it is spent), ROIC climbs back
    fair = ConglomerateDiscount.from_inputs(ai_return_on_capital=0.25, core_nopat_growth=0.0).run()
    assert fair.frame["roic"].iloc[-1] > 0.20 > res.frame["roic"].iloc[-1]
    assert res.metrics["equity_value_change"] < fair.metrics["equity_value_change"]
    # capital accounting: AI capital = cumulative capex less straight-line depreciation
    capex = np.array([150, 200, 250, 250, 250.0])
    dep_y2 = 150 / 6
    assert f.loc[2, "ai_capital_usd_bn"] == pytest.approx(150 + 200 - dep_y2)
    assert f.loc[5, "ai_capital_usd_bn"] < capex.sum()


def test_releasing_glut_coverage():
    res = ReleasingGlut.from_inputs().run()
    ds = annuity_payment(80.0, 0.065, 15)
    assert res.metrics["debt_service_usd_bn"] == pytest.approx(ds)
    assert res.metrics["dscr_at_origination"] == pytest.approx(11.5 / ds)
    assert res.frame.loc[0.30, "dscr"] == pytest.approx(11.5 * 0.7 / ds)
    # essay XII: the clearing price falls below debt-service coverage at a 30-50 % discount
    assert (res.frame["dscr"] < 1.0).all()
    assert res.metrics["breakeven_discount"] < 0.30
    assert res.frame.loc[0.50, "unfunded_vacancy_months"] == 6


@pytest.mark.parametrize(("cls", "kwargs", "match"), [
    (OperatingLeverage, {"utilisation_after": 1.5}, "utilisation_after"),
    (OperatingLeverage, {"gpu_life_years": 0}, "gpu_life_years"),
    (ConglomerateDiscount, {"roic_growth": 0.05}, "must exceed"),
    (ConglomerateDiscount, {"ai_capex_usd_bn": ()}, "ai_capex_usd_bn"),
    (ReleasingGlut, {"discounts": (1.2,)}, "discounts"),
    (ReleasingGlut, {"haircut": 0.3}, "unknown parameter"),
])
def test_bad_parameters(cls, kwargs, match):
    with pytest.raises(SpecError, match=match):
        cls.from_inputs(**kwargs).run()
