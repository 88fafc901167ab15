"""The report and the screen page in a real browser: every chart drew, no console error, nothing overflows.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them).
Where they are absent locally the test says so and skips; CI sets
``BORROWEDTIME_REQUIRE_BROWSER=1`` so there a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from borrowedtime.cli import app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FRED_MD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fred_md_107_monthly_1959_2019.csv"

#: Elements sticking out of the page body, scroll boxes that need scrolling, chart texts outside their chart.
_OVERFLOW_JS = """
const out = [];
const body = document.body.getBoundingClientRect();
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
  (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('.js-plotly-plot') || el.closest('#js-plotly-tester')) continue;
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right > body.right + 1 || r.left < body.left - 1) out.push('outside the page: ' + name(el));
}
for (const s of document.querySelectorAll('.bt-scroll')) {
  if (s.getBoundingClientRect().width > 0 && s.scrollWidth > s.clientWidth + 1)
    out.push('table wider than the page: ' + (s.querySelector('th') || s).textContent.slice(0, 40));
}
for (const g of document.querySelectorAll('.js-plotly-plot')) {
  const gr = g.getBoundingClientRect();
  if (gr.right > body.right + 1) out.push('chart wider than the page: ' + g.id);
  for (const t of g.querySelectorAll('svg text')) {
    const r = t.getBoundingClientRect();
    if (r.width === 0 || !t.textContent.trim()) continue;
    if (r.left < gr.left - 1 || r.right > gr.right + 1 || r.top < gr.top - 1 || r.bottom > gr.bottom + 1)
      out.push('label clipped in ' + g.id + ': ' + t.textContent.slice(0, 40));
  }
}
return out;
"""


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
        "--disable-dev-shm-usage", "--window-size=1280,900", f"--user-data-dir={tmp_path / 'profile'}",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)


def _check_page(driver, page: Path) -> int:
    n_divs = page.read_text().count('class="plotly-graph-div"')
    driver.get(page.as_uri())
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
    assert drawn == n_divs, f"{page.name}: {drawn} of {n_divs} charts drawn"
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    # open every collapsed table, then nothing may stick out of the page or its chart
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    time.sleep(0.3)
    problems = driver.execute_script(_OVERFLOW_JS)
    assert not problems, f"{page.name}: {problems[:10]}"
    return n_divs


def test_report_and_screen_page_render_without_errors_or_overflow(tmp_path):
    report = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["report", "-o", str(report), "--quick"])
    assert res.exit_code == 0, res.output
    screen = tmp_path / "screen.html"
    res = CliRunner().invoke(app, ["screen", str(FRED_MD), "--top", "6", "-o", str(screen)])
    assert res.exit_code == 0, res.output
    driver = _driver(tmp_path)
    try:
        driver.set_page_load_timeout(120)
        assert _check_page(driver, report) >= 8
        assert driver.execute_script("return typeof Plotly") == "object"
        # the first screen: the verdict (issue 21: the report's first section) is in view without scrolling
        top = driver.execute_script("return document.querySelector('ul.verdict').getBoundingClientRect().top")
        assert top < 700
        assert _check_page(driver, screen) == 6
    finally:
        driver.quit()
