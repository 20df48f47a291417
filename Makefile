# Set-up and everyday commands. Needs only Python 3.11 (and, for the browser
# tests, Debian's chromium at /usr/bin/chromium).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres lint bench bench-admin bench-load

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## Set everything up and serve on http://127.0.0.1:5000 with a local mail sink.
run: $(VENV)/.installed
	$(BIN)/python -m pamong.devtools.serve

## The whole suite on SQLite, then again on PostgreSQL.
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed
	$(BIN)/pytest -q

test-postgres: $(VENV)/.installed
	PAMONG_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/pdf_hostile.py

bench-admin: $(VENV)/.installed
	$(BIN)/python bench/admin_queue.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

## 200 registrations by 50 phones at once through gunicorn, on PostgreSQL + Redis.
bench-load: $(VENV)/.installed
	$(BIN)/python bench/load.py
