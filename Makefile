# The handful of commands a newcomer needs. `make run` and `make test` do all set-up.
# `make run` passes HOST and PORT on when given (`make run PORT=8001`); otherwise the settings
# (environment or .env) decide.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-dev install-bench run test lint format bench compile clean

# The stamp files make re-runs instant and re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

install-bench: $(VENV)/.installed-bench

# One process migrates, seeds and serves (`serve --prepare`): a restart pays the imports once,
# and finds in the database, without loading Alembic or the YAML, that both are done.
run: install
	$(BIN)/jinzhong serve --prepare $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

# The whole suite twice, on SQLite and on PostgreSQL (a server at 127.0.0.1:5432, user
# postgres; TEST_POSTGRES_URL to use another), side by side: each run is mostly one core's
# work, so together they take about as long as the slower one alone. The SQLite run prints
# as it goes, the PostgreSQL run's output follows it; either failing fails. Interrupted, the
# PostgreSQL run is stopped too, and tears down what it made (tests/conftest.py). To debug
# one run (`--pdb`, `-s`), run it alone: docs/development.md.
test: install-dev compile
	@postgresql_log=$$(mktemp); \
	trap 'rm -f $$postgresql_log' EXIT; \
	TEST_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS) < /dev/null > $$postgresql_log 2>&1 & \
	postgresql_run=$$!; \
	trap 'kill $$postgresql_run 2>/dev/null; wait $$postgresql_run; exit 130' INT TERM; \
	$(BIN)/python -m pytest $(PYTEST_ARGS); sqlite=$$?; \
	wait $$postgresql_run; postgresql=$$?; \
	trap - INT TERM; \
	echo; echo "=== The PostgreSQL run (alongside the one above) ==="; cat $$postgresql_log; \
	test $$sqlite -eq 0 -a $$postgresql -eq 0

# Load tests against the ceiling of the stack and against Datasette; wrk from Debian's
# packages if installed (apt-get install wrk), else a Python client. See README, Performance.
bench: $(VENV)/.installed-bench compile
	$(BIN)/python -m app.bench

# The app's bytecode, compiled ahead as the image has it (Dockerfile): where Python may not
# write it (PYTHONDONTWRITEBYTECODE), every process would compile the app again (~50 ms), each
# server a test or the bench starts among them.
compile: install
	$(BIN)/python -m compileall -q app migrations

# lint-imports checks the layers of app/ (pyproject.toml, [tool.importlinter]); the suite runs
# it too (tests/test_architecture.py), so CI holds the contract.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
