"""League table, the ``detectors`` command and the report section."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from borrowedtime.detectors import league
from borrowedtime.detectors.lppls import LPPLSModel
from borrowedtime.detectors.psy import PSYTest
from borrowedtime.errors import DataError, SpecError

FAST_LPPLS = LPPLSModel(window=40, smallest_window=20, inner_increment=10, outer_increment=5,
                        grid=(5, 3, 8), n_starts=1, max_iter=10)


def _boom(n: int = 200) -> pd.Series:
    rng = np.random.default_rng(2)
    x = np.cumsum(rng.normal(0.0, 0.01, n))
    x[120:170] += 0.0008 * np.arange(50) ** 2  # accelerating run-up, then flat
    x[170:] += x[169] - x[170] - 0.003 * np.arange(n - 170)
    return pd.Series(np.exp(4 + x), index=pd.bdate_range("2001-01-01", periods=n), name="boom")


@pytest.fixture
def fake_monitor(monkeypatch):
    def signal(series):
        on = np.zeros(len(series), dtype=bool)
        on[100:175] = True
        on[20:50] = True
        return pd.Series(on, index=series.index)

    monkeypatch.setattr(league, "_monitor_signal", signal)


def test_league_scores_each_detector(fake_monitor, tmp_path):
    series = _boom()
    table = league.league_table(series, horizon_days=60, lppls=FAST_LPPLS,
                                psy=PSYTest(reps=40, cache=tmp_path))
    names = [e.name for e in table.entries]
    assert names == ["borrowedtime", "lppls", "gsadf", "baseline", "naive"] == list(league.DETECTORS)
    assert table.turn == series.idxmax()
    bt = table.entries[0]
    # one rule for all: the signal from index 100 holds 28 days (20 business days) at index 120
    assert bt.first_warning == series.index[120]
    assert bt.lead_days == (table.turn - series.index[120]).days
    assert bt.false_alarms == 1  # the episode confirmed at index 40 ended (50) long before the horizon
    # standing 30 days before; not 90 (confirmed too late); 180: the early episode (40..50) stood then
    assert bt.hits == {30: True, 90: False, 180: True, 365: False}
    assert bt.move_to_turn == pytest.approx(series.loc[table.turn] / series.iloc[120] - 1)
    payload = table.to_dict()
    for entry in payload["detectors"]:
        assert set(entry) >= {"name", "first_warning", "lead_days", "warnings", "seconds"}
    assert "gsadf_by_lag" in payload["detectors"][2]
    assert "Detector league" in table.summary()
    assert list(table.to_frame()["detector"]) == names


def test_league_without_the_monitor_says_so(monkeypatch, tmp_path):
    def missing(series):
        raise ImportError("no backtest")

    monkeypatch.setattr(league, "_monitor_signal", missing)
    table = league.league_table(_boom(), lppls=FAST_LPPLS, psy=PSYTest(reps=40, cache=tmp_path))
    assert "not available" in table.entries[0].note
    assert table.entries[0].first_warning is None


def test_a_series_at_its_high_is_live_nothing_scored(monkeypatch, tmp_path):
    """No turn in the sample: which warnings stand on the last date; no lead, hits or false alarms."""
    series = _boom().iloc[:165]  # cut inside the run-up: the maximum is the last date
    assert series.idxmax() == series.index[-1]

    def signal(s):
        on = np.zeros(len(s), dtype=bool)
        on[20:50] = True  # an early episode, over
        on[130:] = True  # on to the end: standing now, confirmed 20 business days later
        return pd.Series(on, index=s.index)

    monkeypatch.setattr(league, "_monitor_signal", signal)
    table = league.league_table(series, lppls=FAST_LPPLS, psy=PSYTest(reps=40, cache=tmp_path))
    assert table.live and table.turn is None and table.as_of == series.index[-1]
    bt = table.entries[0]
    assert bt.standing_since == series.index[150]
    assert len(bt.warnings) == 2
    assert bt.first_warning is None and bt.lead_days is None and bt.false_alarms is None and bt.hits == {}
    for e in table.entries:  # every detector ran (or says why not), none is scored
        assert e.false_alarms is None and e.lead_days is None
        assert (e.standing_since is None) == all(end is not None for _, end in e.warnings)
    payload = table.to_dict()
    assert payload["live"] is True and payload["turn"] is None
    assert payload["detectors"][0]["standing_now"] is True
    assert payload["detectors"][0]["standing_since"] == series.index[150].date().isoformat()
    assert "live" in table.summary() and "warning standing since" in table.summary()
    # the same series with a turn given is scored, not live
    scored = league.league_table(series, turn=series.index[140], lppls=FAST_LPPLS,
                                 psy=PSYTest(reps=40, cache=tmp_path))
    assert not scored.live and scored.entries[0].false_alarms is not None


def test_turn_outside_the_series_is_an_error(fake_monitor):
    with pytest.raises(DataError, match="outside the series"):
        league.league_table(_boom(), turn="1990-01-01")


def _csv(tmp_path, series: pd.Series) -> str:
    path = tmp_path / "boom.csv"
    series.rename("close").to_frame().rename_axis("date").to_csv(path)
    return str(path)


def test_cli_json(fake_monitor, tmp_path, monkeypatch):
    from borrowedtime.cli import app

    monkeypatch.setenv("BORROWEDTIME_CACHE", str(tmp_path / "cache"))
    series = _boom()
    result = CliRunner().invoke(app, ["detectors", _csv(tmp_path, series), "--reps", "40", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [d["name"] for d in payload["detectors"]] == list(league.DETECTORS)
    assert payload["release_lag_obs"] == 0
    assert payload["detectors"][0]["warnings"] == [
        series.index[40].date().isoformat(), series.index[120].date().isoformat()
    ]
    assert set(payload["detectors"][0]["hits"]) == {"30", "90", "180", "365"}
    assert "28 days" in payload["episode_rule"]
    for entry in payload["detectors"]:
        assert isinstance(entry["seconds"], float)


def test_cli_bad_input_exits_2(tmp_path):
    from borrowedtime.cli import app

    path = tmp_path / "bad.csv"
    path.write_text("date,close\n2020-01-01,1\n2020-01-02,-3\n2020-01-03,2\n")
    result = CliRunner().invoke(app, ["detectors", str(path)])
    assert result.exit_code == 2
    assert "non-positive" in result.output


def test_report_section_quick(case_shiller_path):
    from borrowedtime.report.detectors import render
    from borrowedtime.reporting import ReportOptions, detectors_inputs

    body = render(detectors_inputs(ReportOptions(shared_data=case_shiller_path.parent, quick=True)))
    assert "BSADF" in body and "LPPLS" in body


def test_every_public_name_exists():
    import borrowedtime.detectors as detectors

    for name in detectors.__all__:
        assert hasattr(detectors, name), name


def test_one_episode_rule_for_every_detector():
    idx = pd.date_range("2020-01-01", periods=12, freq="MS")
    sig = pd.Series([0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1], index=idx).astype(bool)
    eps = league.EpisodeRule().episodes(sig)  # monthly: two observations a month apart
    assert eps == [(idx[2], idx[4]), (idx[8], idx[9]), (idx[11], None)]
    daily = pd.Series(True, index=pd.bdate_range("2020-01-01", periods=30))
    assert league.EpisodeRule().episodes(daily)[0][0] == pd.Timestamp("2020-01-29")  # four weeks later


def test_lppls_tc_bounds_in_observations_on_monthly_data():
    monthly = pd.Series(1.0, index=pd.date_range("2000-01-01", periods=50, freq="MS"))
    daily = pd.Series(1.0, index=pd.bdate_range("2000-01-01", periods=50))
    f = league._lppls_for(monthly).filters
    assert f.tc_min_days == pytest.approx(60 * 365.25 / 12, rel=0.05)
    assert league._lppls_for(daily).filters.tc_min_days == 60.0  # the package's values on daily data
    given = league._lppls_for(monthly, LPPLSModel(seed=3))  # a model passed in is scaled too
    assert given.seed == 3 and given.filters.tc_max_days == pytest.approx(252 * 365.25 / 12, rel=0.05)


def _monthly_boom() -> pd.Series:
    """20 years of monthly data: steady growth, a boom whose growth rolls over, then a fall."""
    idx = pd.date_range("1990-01-01", periods=240, freq="MS")
    g = np.r_[np.full(120, 0.004), np.linspace(0.004, 0.015, 48), np.linspace(0.015, -0.01, 72)]
    rng = np.random.default_rng(7)
    return pd.Series(np.exp(np.cumsum(g + rng.normal(0, 0.002, idx.size))), index=idx, name="monthly boom")


def test_baseline_and_naive_rows_use_the_same_rule_and_release_lag(fake_monitor, tmp_path):
    from borrowedtime.monitor.backtest import baseline_signal, naive_calls, year_over_year

    series = _monthly_boom()
    kw = dict(lppls=FAST_LPPLS, psy=PSYTest(reps=40, cache=tmp_path, sensitivity_lags=()))
    table = league.league_table(series, **kw)
    rows = {e.name: e for e in table.entries}
    yoy = year_over_year(series)
    rule = league.EpisodeRule()
    # the baseline's raw condition (three years of monthly observations before z is trusted), one episode rule
    expected = rule.episodes(baseline_signal(yoy, min_obs=36).reindex(series.index, fill_value=False))
    assert rows["baseline"].warnings == expected and expected
    assert rows["naive"].warnings == rule.episodes(naive_calls(yoy, 1).reindex(series.index, fill_value=False))
    assert set(rows["baseline"].hits) == set(league.HORIZONS_DAYS)
    # a release lag of two observations dates every warning two months later
    lagged = {e.name: e for e in league.league_table(series, release_lag=2, **kw).entries}
    for name in ("borrowedtime", "baseline", "naive", "gsadf"):
        before = [s for s, _ in rows[name].warnings]
        after = [s for s, _ in lagged[name].warnings]
        assert after == [series.index[series.index.get_loc(s) + 2] for s in before], name
    with pytest.raises(SpecError, match="release_lag"):
        league.league_table(series, release_lag=-1, **kw)


def test_gsadf_in_the_league_uses_the_real_time_window(fake_monitor, tmp_path):
    table = league.league_table(_monthly_boom(), lppls=FAST_LPPLS,
                                psy=PSYTest(reps=40, cache=tmp_path, sensitivity_lags=()))
    note = table.entries[2].note
    assert "min window 20 rows (real time" in note  # a decade of monthly data, not the hindsight 30 of 240


@pytest.mark.parametrize("args, message", [
    (["--psy-window", "full"], "--psy-window"),
    (["--release-lag", "-1"], "--release-lag"),
])
def test_cli_new_flags_are_checked(tmp_path, args, message):
    from borrowedtime.cli import app

    result = CliRunner().invoke(app, ["detectors", _csv(tmp_path, _boom()), *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_cli_hindsight_window_and_release_lag_reach_the_table(fake_monitor, tmp_path, monkeypatch):
    from borrowedtime.cli import app

    monkeypatch.setenv("BORROWEDTIME_CACHE", str(tmp_path / "cache"))
    path = _csv(tmp_path, _monthly_boom())
    result = CliRunner().invoke(app, ["detectors", path, "--reps", "40", "--psy-window", "hindsight",
                                      "--release-lag", "2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["release_lag_obs"] == 2 and "release lag" in payload["episode_rule"]
    assert "min window 30 rows (hindsight" in payload["detectors"][2]["note"]  # PSY's rule at n = 240
