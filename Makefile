# Pactline — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen
PYTEST_ARGS ?=

.PHONY: install messages migrate demo serve test lint bench format clean

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

bench: install
	@set -e; for script in bench/*.py; do echo "== $$script"; $(RUN) python $$script; done

clean:
	rm -rf .venv var
