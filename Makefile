# The whole set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint docs bench clean screenshot

PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

# `make demo` prints nothing but the product's own output (commands are not echoed,
# pip is quiet, and the build backend has no deprecation warning to print).
$(BIN)/activate:
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	@$(PIP) install -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	@$(PIP) install -e ".[dev,docs,parquet,distributed]"
	@touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	@$(BIN)/borrowedtime watch --demo
	@$(BIN)/borrowedtime report -o report.html --print-verdict

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -q
	NUMBA_DISABLE_JIT=1 $(BIN)/python -m pytest -q -p no:xdist -p no:cacheprovider tests/test_kernel_twins.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# The documentation site (docs/*.md, API pages from the docstrings) into site/.
docs: $(VENV)/.installed-dev
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) report.html .pytest_cache site

# The README's pictures, regenerated from the product (needs chromium + chromium-driver).
screenshot: $(VENV)/.installed-dev
	mkdir -p build
	$(BIN)/borrowedtime report --quick -o build/report.html
	$(BIN)/python tools/screenshot.py build/report.html docs/report-first-screen.png 1280 900
	$(BIN)/borrowedtime screen ../shared/data/fred_md_107_monthly_1959_2019.csv --top 6 -o build/screen.html > /dev/null
	$(BIN)/python tools/screenshot.py build/screen.html docs/screen-fred-md.png 1280 1100
