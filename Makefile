# Lantern. `make help` lists the targets; `make run` and `make test` do all the setup on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
RUN := $(UV) run --frozen
LOCALES := $(wildcard locales/*/LC_MESSAGES/messages.po)

.PHONY: help install catalogs extract update-catalogs check-strings run test test-fast test-postgres test-e2e lint browser bench lighthouse vendor clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@command -v python3 >/dev/null || { echo "Python 3.11 or newer is needed"; exit 1; }
	python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv
	@test -x $(UV) || { echo "uv was installed but not found at $(UV); add it to PATH"; exit 1; }

install: $(UV) ## Install Python and its packages (uv, from the committed uv.lock)
	$(UV) sync --frozen --quiet

catalogs: install ## Compile the translation catalogs (.po -> .mo)
	$(RUN) pybabel compile --domain=messages --directory=locales --use-fuzzy --statistics 2>&1 | grep -v '^$$' || true
	@test -f locales/en/LC_MESSAGES/messages.mo

extract: install ## Extract every translatable string into locales/messages.pot
	$(RUN) pybabel extract --mapping-file=locales/babel.cfg --keywords=N_ --add-comments=Translators: \
		--sort-by-file --omit-header --project=Lantern --output-file=locales/messages.pot .

update-catalogs: extract ## Merge new strings from the .pot into every language's .po
	$(RUN) pybabel update --domain=messages --input-file=locales/messages.pot --output-dir=locales --no-fuzzy-matching

check-strings: install ## How complete each language is (public pages and staff console)
	$(RUN) python scripts/check_strings.py

run: catalogs ## Serve the demo district on http://127.0.0.1:8000 (embedded SQLite under ./var)
	$(RUN) lantern serve --demo

browser: ## Make sure a Chromium is there for the browser tests
	@bash scripts/ensure-chromium.sh

lint: install ## Ruff (with gettext and bandit rules) and mypy
	$(RUN) ruff check web tests bench scripts
	$(RUN) ruff format --check web tests bench scripts
	$(RUN) mypy web

test: catalogs browser lint ## Everything: lint, unit and integration tests (SQLite, then PostgreSQL), browser stories
	$(RUN) pytest -m "not e2e" -q
	bash scripts/with-postgres.sh bash scripts/with-redis.sh $(RUN) pytest -m "not e2e" -q
	$(RUN) pytest -m e2e -q

test-postgres: catalogs ## Unit and integration tests on throwaway PostgreSQL and Redis servers
	bash scripts/with-postgres.sh bash scripts/with-redis.sh $(RUN) pytest -m "not e2e" -q

test-fast: catalogs ## Unit and integration tests only
	$(RUN) pytest -m "not e2e" -q

test-e2e: catalogs browser ## Browser stories only
	$(RUN) pytest -m e2e -q

bench: catalogs browser ## Every benchmark against its budget, side by side with a baseline (writes bench/results.md)
	@# Each script prints its figures and exits non-zero when over budget; all of them run, then a summary.
	-$(RUN) python bench/load.py
	-bash scripts/with-postgres.sh $(RUN) python bench/load.py --postgres
	-$(RUN) python bench/pages.py
	-$(RUN) python bench/queue_latency.py
	-$(RUN) python bench/sustained_load.py
	-$(RUN) python bench/push_latency.py
	-$(RUN) python bench/offline.py
	-$(RUN) python bench/dashboard.py
	-$(RUN) python bench/search.py
	-$(RUN) python bench/guessing.py
	@echo "--- over budget (from bench/results.md):"; grep -nE "OVER|MISSED|BELOW" bench/results.md || echo "none"

lighthouse: catalogs browser ## Lighthouse scores (pinned npm package, system Chromium) for the public pages
	cd bench/lighthouse && npm ci --no-audit --no-fund --silent
	$(RUN) python bench/lighthouse.py

vendor: ## Re-fetch the pinned front-end files from npm (see static/vendor/package.json)
	bash scripts/vendor.sh

clean: ## Remove the local database and compiled catalogs
	rm -rf var locales/*/LC_MESSAGES/*.mo
