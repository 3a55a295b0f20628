# Every target that needs Python bootstraps .venv from requirements/dev.lock first, so a fresh
# clone needs nothing but python3 (>= 3.11) and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SOURCES := $(wildcard overlay tests tools bench)

.PHONY: all generate check-generated lint format typecheck pytest docs test demo bench mutation spec-drift lock clean

all: test

$(STAMP): requirements/dev.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

generate: $(STAMP)
	$(PY) tools/generate.py

check-generated: $(STAMP)
	$(PY) tools/generate.py --check

lint: $(STAMP)
	$(VENV)/bin/ruff check $(SOURCES)
	$(VENV)/bin/ruff format --check $(SOURCES)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix $(SOURCES)
	$(VENV)/bin/ruff format $(SOURCES)

typecheck: $(STAMP)
	$(VENV)/bin/mypy overlay/together_batches tests
	$(VENV)/bin/mypy generated/together_batches_api

pytest: $(STAMP)
	$(VENV)/bin/pytest

# The docs site (mkdocs.yml, docs/) into site/, git-ignored. --strict: a broken link, a page
# missing from the nav or a docstring griffe cannot read fails the build. Offline: nothing in
# mkdocs.yml fetches at build time.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir site

test: check-generated lint typecheck pytest docs

demo: $(STAMP)
	$(VENV)/bin/together-batches demo

bench: $(STAMP)
	$(PY) bench/run.py

# Mutation testing (mutmut) of the pure modules against their fast unit tests; prints the
# score per module and fails under 95 %. Not part of `make test`. See tests/MUTATION.md.
mutation: $(STAMP)
	$(PY) tools/mutation.py

# Compare a newer copy of Together's published spec with the pinned extract: each change is
# printed as known (ours matches it, or spec/differences.yaml lists it) or new (exit 1).
spec-drift: $(STAMP)
	@test -n "$(UPSTREAM)" || { echo "usage: make spec-drift UPSTREAM=path/to/openapi.yaml"; exit 64; }
	$(PY) tools/spec_drift.py "$(UPSTREAM)"

# Re-pin requirements/dev.lock from pyproject.toml's dev extras in a scratch environment.
lock:
	rm -rf /tmp/together-batches-lock && $(PYTHON) -m venv /tmp/together-batches-lock
	/tmp/together-batches-lock/bin/pip install --quiet '.[dev]' hatchling
	{ sed -n '1,2p' requirements/dev.lock; /tmp/together-batches-lock/bin/pip freeze --exclude-editable | grep -v '^together-batches'; } > requirements/dev.lock.new
	mv requirements/dev.lock.new requirements/dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache build dist site
