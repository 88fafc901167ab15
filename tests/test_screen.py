"""``screen``: a panel ranked by state, every input series either ranked or skipped with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app
from borrowedtime.errors import DataError
from borrowedtime.monitor.screen import RANK_ORDER, Screen, discrete_arithmetic, read_panel

FRED_MD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fred_md_107_monthly_1959_2019.csv"
runner = CliRunner()


def _synthetic(n_months: int = 240, seed: int = 0) -> pd.DataFrame:
    """Three kinds of monthly series: steady growth, growth rolling over (borrowed time), steady decline."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_months) / 12.0
    dates = pd.date_range("2000-01-01", periods=n_months, freq="MS")
    T = t[-1]
    cols = {}
    for k in range(3):
        cols[f"steady{k}"] = 0.05 * t
        # growth 40% a year, then falling 12 points a year over the last 3 years: still +4% at the end
        g = np.where(t < T - 3, 0.40, 0.40 - 0.12 * (t - (T - 3)))
        cols[f"rolling{k}"] = np.cumsum(g) / 12
        cols[f"falling{k}"] = -0.08 * t
    return pd.DataFrame({n: 100 * np.exp(v + 0.002 * rng.standard_normal(n_months)) for n, v in cols.items()},
                        index=dates)


def test_borrowed_time_first_then_by_regime():
    res = Screen().run(_synthetic())
    t = res.table
    assert len(t) == 9 and not res.skipped
    assert set(t["name"].head(3)) == {"rolling0", "rolling1", "rolling2"}
    assert (t["regime"].head(3) == "borrowed time").all()
    assert set(t.loc[t["name"].str.startswith("steady"), "regime"]) == {"boom"}
    assert set(t.loc[t["name"].str.startswith("falling"), "regime"]) <= {"contraction", "repair"}
    ranks = t["regime"].map(RANK_ORDER.index).to_numpy()
    assert (np.diff(ranks) >= 0).all()
    top = t.head(3)
    assert (np.diff(top["p_borrowed_time"].to_numpy()) <= 0).all()
    assert top["call_since"].notna().all() and (top["since"] <= top["last_date"]).all()
    h = res.history("rolling0")
    assert h["call"].iloc[-1] and h.index[-1] == top["last_date"].iloc[0]
    assert res.top().shape[0] == 3  # the borrowed-time group


def test_every_series_is_ranked_or_skipped_with_a_reason(tmp_path):
    frame = _synthetic().iloc[:, :3].astype(object)
    frame["text"] = ["1.0"] * 100 + ["n/a?"] + ["1.0"] * 139
    frame["negative"] = -1.0
    frame["short"] = np.nan
    frame.iloc[-8:, frame.columns.get_loc("short")] = [10, 11, 12, 13, 14, 16, 18, 20]
    frame["empty"] = ""
    res = Screen().run(frame)
    names = list(res.table["name"]) + [s.name for s in res.skipped]
    assert sorted(names) == sorted(frame.columns)
    why = {s.name: s.why for s in res.skipped}
    assert "not a number at 2008-05-01: 'n/a?'" in why["text"]
    assert "non-positive value -1" in why["negative"]
    assert "8 monthly observations" in why["short"] and "70 (5 per state)" in why["short"]
    assert "no values" in why["empty"]
    short = next(s for s in res.skipped if s.name == "short")
    assert short.arithmetic["step_up"] == pytest.approx(20 / 18) and short.arithmetic["observations"] == 8


def test_discrete_arithmetic_matches_the_essay():
    """Essay, sections V and VII: capex growth +77% then +52%, a roll-over of -25 points (725 -> 1,100)."""
    from borrowedtime.essay import essay_series

    a = discrete_arithmetic(essay_series("hyperscaler_capex"))
    assert round(a["growth"] * 100) == 52 and round(a["previous_growth"] * 100) == 77
    assert round(a["acceleration_pp"]) == -25 and a["regular"]
    m = discrete_arithmetic(essay_series("openai_valuation"))
    assert m["step_up"] == pytest.approx(1048 / 852) and m["previous_step_up"] == pytest.approx(852 / 500)
    assert not m["regular"]


def test_folder_of_files_and_bad_dates(tmp_path):
    panel = _synthetic()
    (tmp_path / "p").mkdir()
    panel.iloc[:, :2].to_csv(tmp_path / "p" / "two.csv", index_label="date")
    panel.iloc[:, [4]].to_csv(tmp_path / "p" / "one.csv", index_label="date")
    frame = read_panel(tmp_path / "p")
    assert list(frame.columns) == ["one", "two:steady0", "two:rolling0"]
    bad = tmp_path / "bad.csv"
    bad.write_text("date,a\n2020-01-01,1\nnot a date,2\n")
    with pytest.raises(DataError, match=r"bad.csv, row 3, column 'date': not a date"):
        read_panel(bad)
    with pytest.raises(DataError, match="no such file"):
        read_panel(tmp_path / "nope.csv")


@pytest.mark.skipif(not FRED_MD.exists(), reason="needs ../shared/data")
def test_cli_ranks_fred_md_and_names_the_skipped(tmp_path):
    out = tmp_path / "screen.html"
    res = runner.invoke(app, ["screen", str(FRED_MD), "--json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    names = [s["name"] for s in data["series"]] + [s["name"] for s in data["skipped"]]
    assert sorted(names) == sorted(f"T{i}" for i in range(1, 108))
    assert len(data["series"]) == 98 and len(data["skipped"]) == 9  # the 9 not strictly positive
    assert all("non-positive" in s["why"] for s in data["skipped"])
    order = [RANK_ORDER.index(s["regime"]) for s in data["series"]]
    assert order == sorted(order)
    page = out.read_text()
    assert page.count('class="plotly-graph-div"') >= 1 and "Every series, ranked (98 rows)" in page
    top = runner.invoke(app, ["screen", str(FRED_MD), "--json", "--top", "5"])
    assert [s["rank"] for s in json.loads(top.stdout)["series"]] == [1, 2, 3, 4, 5]
    assert json.loads(top.stdout)["series"][0]["name"] == data["series"][0]["name"]


def test_cli_bad_input_is_one_line(tmp_path):
    res = runner.invoke(app, ["screen", str(tmp_path / "missing.csv")])
    assert res.exit_code == 2 and "no such file" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["screen", str(tmp_path), "--top", "0"])
    assert res.exit_code == 2 and "--top" in res.output


def test_classification_blocks_do_not_change_the_result():
    panel = _synthetic()
    a = Screen().run(panel).to_frame()
    b = Screen(chunk=2).run(panel).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert Screen(chunk=4).run(panel).history("rolling1").equals(Screen().run(panel).history("rolling1"))


@pytest.mark.parametrize("source", ["fred_md", "synthetic"])
def test_threshold_labels_and_last_probabilities_equal_classify(source):
    """The screen's labels and calls (t statistics against t quantiles, the CDF only near them) and its
    probabilities at the last date equal RegimeRule.classify's, which evaluates the CDF everywhere:
    bit for bit, on FRED-MD (many missing patterns: per-cell quantiles) and on a panel with one pattern
    (one quantile per date); also with a rule whose thresholds sit where many readings are."""
    from scipy import stats

    from borrowedtime.monitor.model import KinematicsModel
    from borrowedtime.monitor.regimes import RegimeRule, _t_cdf_compare

    if source == "fred_md":
        frame = pd.read_csv(FRED_MD, index_col=0, parse_dates=True).apply(pd.to_numeric, errors="coerce")
        frame = frame.loc[:, ~(frame <= 0).any()]
    else:
        frame = _synthetic()
    kin = KinematicsModel().fit(frame)
    for rule in (RegimeRule(), RegimeRule(horizon_years=0.5, confidence=0.6, release=0.55, persistence_years=0)):
        reg = rule.classify(kin)
        label, call = rule.labels_and_calls(kin)
        np.testing.assert_array_equal(label, reg.label_code)
        np.testing.assert_array_equal(call, reg.call)
        i = np.arange(kin.n_series)
        last = kin.observed.shape[1] - 1 - np.argmax(kin.observed[:, ::-1], axis=1)
        p_proj, p_vel = rule.probabilities_at(kin, i, last)
        np.testing.assert_array_equal(p_proj, reg.p_projected_negative[i, last])
        np.testing.assert_array_equal(p_vel, reg.p_velocity_positive[i, last])
    # the comparison itself, against scipy.stats.t.cdf on a grid that crosses the quantile
    df = np.broadcast_to(np.linspace(1.0, 80.0, 50), (400, 50))
    q = stats.t.ppf(0.9, df[0])
    x = q[None, :] + np.linspace(-1e-6, 1e-6, 400)[:, None] * (1 + np.abs(q))[None, :]
    x[::7] = np.nextafter(np.broadcast_to(q, x.shape)[::7], np.inf)  # right at the quantile
    for strict in (False, True):
        want = stats.t.cdf(x, df) > 0.9 if strict else stats.t.cdf(x, df) >= 0.9
        np.testing.assert_array_equal(_t_cdf_compare(x, df, 0.9, strict=strict), want)
        np.testing.assert_array_equal(_t_cdf_compare(x, np.ascontiguousarray(df), 0.9, strict=strict), want)
