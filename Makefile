# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements-dev.lock | cksum | cut -d' ' -f1)
PORT   ?= 8000

.PHONY: run dev test lint format check-python venv migrate clean messages bench backup

# Waitress with DEBUG off on 127.0.0.1 (HOST=0.0.0.0 to serve the network), and the worker.
run: $(STAMP)
	@PORT=$(PORT) $(BIN)/python -m mobility.embedded

# The same with Django's debug server and debug pages.
dev: $(STAMP)
	@DEBUG=1 PORT=$(PORT) $(BIN)/python -m mobility.embedded

# Fails first, in one line, when Pango, a font or Chromium is missing.
test: $(STAMP) lint
	@$(BIN)/python -m core.system test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# make backup DIR=/path/to/backups/today
backup: $(STAMP)
	$(BIN)/python manage.py backup $(DIR)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Python 3.11 or newer is needed; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Run: make PYTHON=python3.11 ..."; exit 1; }

# The virtual environment is rebuilt whenever the lock file changes.
$(STAMP): requirements-dev.lock | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l es --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
