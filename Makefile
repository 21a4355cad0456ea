# Resettle: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers: the machines have two cores.
PYTEST_ARGS ?= -n 2
# Coverage makes a run about 45% longer, so `make test` leaves it out and `make coverage`
# measures it (COVERAGE="--cov --cov-report=" does it in any run).
COVERAGE ?=
# People of scale data `make bench` generates (bench/README.md documents the 1M run).
BENCH_PEOPLE ?= 2000

.PHONY: run test coverage lint typecheck format install install-dev frontend chromium migrate demo bench load clean

$(UV):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.installed-run: requirements.lock | $(UV)
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	@rm -f $(VENV)/.installed-dev
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(UV)
	$(UV) pip sync --quiet --python $(PY) requirements-dev.lock
	@rm -f $(VENV)/.installed-run
	@touch $@

# The dev lock is a superset of the run lock, so either satisfies `make run`.
install:
	@if [ -f $(VENV)/.installed-dev ] && [ $(VENV)/.installed-dev -nt requirements-dev.lock ]; then :; \
	else $(MAKE) --no-print-directory $(VENV)/.installed-run; fi

install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend/dist/.built: node_modules/.installed $(shell find frontend/src -type f 2>/dev/null)
	npm run --silent build
	@touch $@

frontend: frontend/dist/.built

chromium:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

migrate: install frontend
	RESETTLE_ENV=development $(PY) manage.py migrate --no-input

run: migrate
	RESETTLE_ENV=development $(PY) manage.py demo_start --address http://$(HOST):$(PORT)/
	@trap 'kill 0' EXIT; \
	RESETTLE_ENV=development $(PY) manage.py worker & \
	RESETTLE_ENV=development $(PY) manage.py runserver $(HOST):$(PORT)

# Style, then types (mypy with the django-stubs plugin, which loads the settings).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	RESETTLE_ENV=test $(VENV)/bin/mypy

# The type check alone.
typecheck: install-dev
	RESETTLE_ENV=test $(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install-dev frontend chromium lint
	RESETTLE_ENV=test $(PY) manage.py makemigrations --check --dry-run
	RESETTLE_ENV=test $(VENV)/bin/pytest $(PYTEST_ARGS) --durations=20 $(COVERAGE)
	$(if $(COVERAGE),$(PY) tools/coverage_by_app.py)

# The whole suite with line coverage, printed per app.
coverage:
	$(MAKE) test COVERAGE="--cov --cov-report="

# The benchmark (bench/README.md): pyarrow and DuckDB from the bench extra, wrk from Debian.
# A fresh SQLite database under bench/.data/, or DATABASE_URL's database.
bench: install-dev frontend
	@$(PY) -c "import gunicorn, pyarrow, duckdb" 2>/dev/null || \
		$(UV) pip install --quiet --python $(PY) -r requirements-bench.lock
	@command -v wrk >/dev/null || { \
		echo "Installing Debian's wrk for the load generator"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py --people $(BENCH_PEOPLE)
	$(PY) bench/report_speed.py --people $(BENCH_PEOPLE)
	$(PY) bench/linkage.py --people $(BENCH_PEOPLE)

# A load test of a Resettle already running (`make run` in another terminal; bench/README.md):
# LOAD_USERS signed-in demo users for LOAD_MINUTES against http://HOST:PORT.
LOAD_USERS ?= 50
LOAD_MINUTES ?= 10
load: install-dev
	$(PY) bench/load.py --url http://$(HOST):$(PORT) --users $(LOAD_USERS) --minutes $(LOAD_MINUTES)

clean:
	rm -rf $(VENV) node_modules frontend/dist staticfiles
