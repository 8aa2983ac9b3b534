# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install test-tools lint-tools run worker seed test test-fast test-browser lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# axe-core and the Nu HTML checker for the test suite, pinned in tests/browser/package-lock.json.
NODE_TOOLS := tests/browser/node_modules/.package-lock.json
$(NODE_TOOLS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $(NODE_TOOLS); \
	else \
		echo "npm not found: accessibility and HTML validity tests will be skipped"; \
	fi

test-tools: $(NODE_TOOLS)

# eslint, stylelint and prettier for the project's own JavaScript and CSS, pinned in package-lock.json.
LINT_TOOLS := node_modules/.package-lock.json
$(LINT_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(LINT_TOOLS)

lint-tools: $(LINT_TOOLS)

FRONTEND := "static/**/*.js" "static/**/*.css"

## Create the local database, import the sample story and its notes, serve on 127.0.0.1:8000
## (another port: `make run PORT=8001`), with the task worker (search and related lists after
## saves and imports, the seed's included; image renditions; the Import page's jobs; e-mail;
## webhooks) beside the server; Ctrl-C stops both. The site's own 404 and 500 pages show, as
## readers see them; `DJANGO_DEBUG=1 make run` shows Django's debug pages instead.
run: seed
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	@$(BIN)/python manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The task worker alone (what `make run` starts beside the server).
worker: install
	$(BIN)/python manage.py db_worker

# Quiet when nothing changed: re-runs print only the imports' summaries.
seed: install
	@$(BIN)/python manage.py migrate --noinput --verbosity 0
	@$(BIN)/python manage.py import_stories seeds/
	@$(BIN)/python manage.py load_notes seeds/notes/

## The whole suite (browser tests too; they skip with a message where Chromium is missing).
test: install test-tools
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not browser"

test-browser: install test-tools
	$(BIN)/python -m pytest -m browser

## Python (ruff), JavaScript (eslint), CSS (stylelint) and the formatting of all three.
lint: install lint-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	npx --no-install eslint .
	npx --no-install stylelint "static/**/*.css"
	npx --no-install prettier --check $(FRONTEND)

format: install lint-tools
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	npx --no-install stylelint --fix "static/**/*.css"
	npx --no-install prettier --write $(FRONTEND)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .test-media tests/browser/node_modules node_modules
