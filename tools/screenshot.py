"""Screenshot of a page's first screen in headless Chromium (``make screenshot`` runs it).

Usage: ``python tools/screenshot.py PAGE.html OUT.png [WIDTH HEIGHT]``. Needs Debian's
``chromium`` and ``chromium-driver`` and the ``selenium`` package (dev extra).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path


def driver(profile: Path, width: int = 1280, height: int = 900):
    """A headless Chromium driver with browser console logging on."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        raise SystemExit("headless Chromium not installed (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=opts)


def main(argv: list[str]) -> None:
    page, out = Path(argv[0]).resolve(), Path(argv[1])
    width, height = (int(argv[2]), int(argv[3])) if len(argv) >= 4 else (1280, 900)
    with tempfile.TemporaryDirectory() as tmp:
        d = driver(Path(tmp) / "profile", width, height)
        try:
            d.set_page_load_timeout(120)
            d.get(page.as_uri())
            time.sleep(1.0)
            d.set_window_size(width, height)
            out.parent.mkdir(parents=True, exist_ok=True)
            d.save_screenshot(str(out))
        finally:
            d.quit()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
