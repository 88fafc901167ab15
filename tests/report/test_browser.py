"""The report in a real browser: headless Chromium runs its scripts and draws every chart.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them).
Where they are absent locally the test says so and skips; CI sets
``BORROWEDTIME_REQUIRE_BROWSER=1`` so there a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def _driver(tmp_path):
    if not (CHROMIUM and DRIVER):
        msg = "headless Chromium not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("BORROWEDTIME_REQUIRE_BROWSER"):
            pytest.fail(msg + " but BORROWEDTIME_REQUIRE_BROWSER is set")
        pytest.skip(msg)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)


def test_report_charts_render_without_script_errors(tmp_path):
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["report", "-o", str(out), "--quick"])
    assert res.exit_code == 0, res.output
    n_divs = out.read_text().count('class="plotly-graph-div"')
    assert n_divs >= 2
    driver = _driver(tmp_path)
    try:
        driver.set_page_load_timeout(120)
        driver.get(out.as_uri())
        deadline = time.time() + 60
        drawn = 0
        while time.time() < deadline:
            drawn = driver.execute_script(
                "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(d => d.querySelector('svg.main-svg') && d.querySelector('g.trace')).length"
            )
            if drawn >= n_divs:
                break
            time.sleep(0.5)
        assert drawn == n_divs, f"{drawn} of {n_divs} charts drawn"
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        assert driver.execute_script("return typeof Plotly") == "object"
    finally:
        driver.quit()
