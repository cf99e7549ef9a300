# One-command set-up: everything installs from nothing into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8765
SEED ?= 7

.PHONY: install test demo dev simulate lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest -q

demo: install
	$(BIN)/integration-assets demo --seed $(SEED)

simulate: install
	$(BIN)/integration-assets simulate --host 127.0.0.1 --port $(PORT) --seed $(SEED)

dev: install
	$(BIN)/integration-assets dev --seed $(SEED)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache
