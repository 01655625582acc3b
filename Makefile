# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev translations migrate demo lint bench clean i18n-extract api-doc

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[offline]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogs (.mo) are build output, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d shop/core/translations 2>&1 | grep -v '^compiling' || true

migrate: translations
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo --if-empty

run: demo
	$(FLASK) search reindex
	$(FLASK) serve --host $(HOST) --port $(PORT)

# Runs the suite on the embedded defaults (SQLite, jobs in-process); when
# SHOP_TEST_DATABASE_URL is set, runs it again on that database (PostgreSQL).
# SHOP_REDIS_URL, when set, makes the worker tests use that real Redis.
test: install-dev
	$(BIN)/pybabel compile --use-fuzzy -d shop/core/translations 2>&1 | grep -v '^compiling' || true
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u SHOP_TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$SHOP_TEST_DATABASE_URL" ]; then \
		echo "== the same suite on $$SHOP_TEST_DATABASE_URL =="; \
		$(BIN)/pytest; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install-dev translations
	$(BIN)/python bench/bench_http.py
	$(BIN)/python bench/bench_csv_import.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_checkout.py
	$(BIN)/python bench/bench_ledger.py

clean:
	rm -rf $(VENV) instance/*.db instance/search

# After changing the API: rewrite the operations table of docs/api.md from the OpenAPI document.
api-doc: install
	$(BIN)/python docs/api_doc.py

# After changing user-facing text: refresh the template and merge it into both catalogs.
i18n-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		-o shop/core/translations/messages.pot shop suppliers orders fulfilment
	$(BIN)/pybabel update --no-fuzzy-matching -i shop/core/translations/messages.pot \
		-d shop/core/translations
