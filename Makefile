# Pasar Lokal Blitar: `make run` serves the demo market, `make test` runs the suite.
# Needs only python3.11 (with its venv module) and make: the first run creates .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Translation keywords besides Babel's defaults (_, gettext, ngettext...). The test
# tests/test_i18n_catalogue.py reads this line, so extraction there matches this target.
BABEL_KEYWORDS := _l lazy_gettext lazy_ngettext:1,2 ngettext:1,2

.PHONY: run test bench translations extract-messages clean-venv help

help:
	@echo "make run              - install, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test             - run the whole test suite (TEST_DATABASE_URL=postgresql://... for PostgreSQL)"
	@echo "make bench            - run the benchmarks in bench/"
	@echo "make extract-messages - collect new strings into translations/*/LC_MESSAGES/messages.po"
	@echo "make translations     - compile the .po catalogues (done by run and test)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "python3.11 not found: install it (with its venv module)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Compiled .mo files are git-ignored: every fresh clone compiles them here.
translations: $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -d translations -D messages

extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg $(addprefix -k ,$(BABEL_KEYWORDS)) -o translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching

run: $(VENV)/.runtime translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) demo-logins
	$(FLASK) run --host $(HOST) --port $(PORT)

# pytest exits 5 when it collected no tests: say so instead of failing without a word.
test: $(VENV)/.dev translations
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit 5); treating that as a failure" >&2; fi; \
	exit $$status

bench: $(VENV)/.dev translations
	$(BIN)/python -m bench $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
