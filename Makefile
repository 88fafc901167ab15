# The whole set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

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
	@$(PIP) install -e ".[dev,parquet,distributed]"
	@touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	@$(BIN)/borrowedtime watch --demo
	@$(BIN)/borrowedtime report -o report.html

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -q
	NUMBA_DISABLE_JIT=1 $(BIN)/python -m pytest -q -p no:xdist -p no:cacheprovider tests/test_kernel_twins.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) report.html .pytest_cache
