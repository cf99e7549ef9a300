# One-command set-up: everything installs from nothing into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := constraints.txt
PORT ?= 8765
SEED ?= 7

.PHONY: install lock test demo dev simulate bench bench-30 bench-ingest lint format clean

install: $(STAMP)

# The lock (constraints.txt) pins every package to the versions the tests passed with.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

# Re-resolve pyproject.toml's ranges in a fresh venv and pin the result (then run `make test`).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Pinned versions the test suite passed with; \`make install\` installs with them (-c), \`make lock\` re-resolves."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable; } > $(LOCK)
	rm -rf .venv-lock

# One worker per core (pytest-xdist); a test file stays on one worker, so its module fixtures (the
# simulated worlds and their runs) are built once. Every test uses its own tmp dirs, ports and
# Postgres database, so workers share nothing.
test: install
	$(BIN)/python -m pytest -q -n auto --dist loadfile

# The demo merchant (800 orders a day) is on Shopify Plus: 1,000 points/s. At the standard plan's
# 100/s (`--plan standard`) the orders' follow-up reads wait out the bucket for about six minutes more.
demo: install
	$(BIN)/integration-assets demo --seed $(SEED) --plan plus

# The Black-Friday benchmark: 100k orders/day, 6 locations, 20k SKUs; prints the JSON report.
bench: install
	$(BIN)/integration-assets bench --json

bench-30: install
	$(BIN)/integration-assets bench --days 30 --json

bench-ingest: install
	$(BIN)/integration-assets bench --ingest --json

simulate: install
	$(BIN)/integration-assets simulate --host 127.0.0.1 --port $(PORT) --seed $(SEED)

dev: install
	$(BIN)/integration-assets dev --seed $(SEED)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .venv-lock data .pytest_cache
