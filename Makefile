# From a fresh clone, `make run` or `make test` is all it takes: each builds
# .venv with a Python >= 3.12 (bin/find-python) and installs the pinned
# requirements, again only when a requirements file changes.

PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist), one per core of the 2-core machines; 0: this process alone.
# Each takes the tests in pytest-django's order (a transactional test empties the tables the
# migrations filled, so it runs after every other database test of its process): --dist load.
PYTEST_WORKERS ?= 2

VENV := .venv
PY := $(VENV)/bin/python
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check --quiet
RUNTIME_STAMP := $(VENV)/.installed-requirements
TEST_STAMP := $(VENV)/.installed-requirements-test

# Development values for `make run` only; whatever the environment already sets wins.
DEV_ENV := export \
	DJANGO_DEBUG="$${DJANGO_DEBUG:-1}" \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-django-insecure-development-only-never-deploy}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	DJANGO_SECURE_COOKIES="$${DJANGO_SECURE_COOKIES:-0}"

# A .venv made by hand with an older Python would fail later, and less clearly.
CHECK_VENV := $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	echo "$(VENV) runs $$($(PY) -V 2>&1); this project needs Python 3.12 or newer. Run 'make clean' and try again." >&2; \
	exit 1; }

.DEFAULT_GOAL := help
.PHONY: help run test lint check bench bench-api bench-import bench-load clean

help:
	@echo "make run     serve the admin on http://127.0.0.1:$(PORT)/ with demo data and a dev login (PORT=...)"
	@echo "make test    the test suite on DATABASE_URL (default: SQLite in memory), in 2 processes (PYTEST_WORKERS=0: one); PYTEST_ARGS=... goes to pytest"
	@echo "make lint    ruff (lint and format) and import-linter's layer contracts"
	@echo "make check   migrations in step with the models, and Django's system checks"
	@echo "make bench   margins of a generated 5,000-variant catalogue and the admin screens, against the demo;"
	@echo "             publishing 20 products over 5,000 variants, and one product's config at 1 and 20 products"
	@echo "make bench-api  the API under gunicorn on PostgreSQL with wrk, against a bare view (needs wrk)"
	@echo "make bench-import  a 20,000-row provider-cost sheet: the project's import against django-import-export's default"
	@echo "make bench-load  config and quote requests on 2 gunicorn workers while releases are published (PostgreSQL)"
	@echo "make clean   remove .venv and caches (never the database or .dev-credentials)"

run: $(RUNTIME_STAMP)
	@$(DEV_ENV); set -e; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py load_demo --if-empty; \
	$(PY) manage.py demo_releases; \
	$(PY) manage.py ensure_dev_admin --url=http://127.0.0.1:$(PORT)/admin/; \
	echo "Admin on http://127.0.0.1:$(PORT)/admin/ (Ctrl-C stops)"; \
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(TEST_STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check: $(RUNTIME_STAMP)
	$(PY) manage.py makemigrations --check --dry-run --noinput
	$(PY) manage.py check

bench: $(RUNTIME_STAMP)
	$(PY) bench/margins.py
	$(PY) bench/products.py

bench-api: $(RUNTIME_STAMP)
	$(PY) bench/api.py

bench-import: $(RUNTIME_STAMP)
	$(PY) bench/imports.py

bench-load: $(RUNTIME_STAMP)
	$(PY) bench/load_publish.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

$(PY):
	@python="$$(sh bin/find-python)" && echo "Creating $(VENV) with $$python" && \
	{ "$$python" -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; }

$(RUNTIME_STAMP): requirements.txt | $(PY)
	@$(CHECK_VENV)
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

$(TEST_STAMP): requirements.txt requirements-test.txt | $(PY)
	@$(CHECK_VENV)
	$(PIP_INSTALL) -r requirements-test.txt
	@touch $@
