# Pactline — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen
PYTEST_ARGS ?=

.PHONY: install messages migrate demo serve test lint bench bench-smoke format clean

install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

messages: install
	$(RUN) pybabel compile --domain django --directory pactline/locale --statistics 2>&1 | tail -n 2

migrate: install messages
	$(RUN) pactline migrate --no-input

# The demo prints outgoing mail (escalations) to the console unless EMAIL_BACKEND is set.
demo: export EMAIL_BACKEND ?= django.core.mail.backends.console.EmailBackend
demo: migrate
	$(RUN) pactline demo
	$(RUN) pactline serve

serve: migrate
	$(RUN) pactline serve

test: install messages
	$(RUN) pytest $(PYTEST_ARGS)

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy .
	$(RUN) lint-imports
	$(RUN) pactline makemigrations --check --dry-run

format: install
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

# Each benchmark prints its measurement and its ratio against the peer it is compared with.
bench: install messages
	@set -e; for script in bench/[!_]*.py; do echo "== $$script"; $(RUN) python $$script; done

# Every benchmark at a size that runs in seconds: one that no longer runs fails here.
# BENCH_DATABASES (sqlite,postgresql) and BENCH_DATABASE_URL pick the databases.
bench-smoke: install messages
	@set -e; for script in bench/[!_]*.py; do echo "== $$script --smoke"; $(RUN) python $$script --smoke; done

clean:
	rm -rf .venv var
