# Kamrad — the two commands a new user needs are `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
KAMRAD_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: demo serve test test-postgres lint format install chromium messages clean

$(BIN)/python:
	"$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/kamrad demo

serve: install
	$(BIN)/kamrad serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Browser tests need Debian's Chromium; install it when absent and we are allowed to.
chromium:
	@scripts/ensure-chromium

messages: install
	cd kamrad && ../$(BIN)/django-admin makemessages -l ru --no-obsolete --settings=kamrad.settings --pythonpath=..
	cd kamrad && ../$(BIN)/django-admin compilemessages --settings=kamrad.settings --pythonpath=..

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install chromium
	KAMRAD_DATABASE_URL=$(KAMRAD_TEST_DATABASE_URL) $(BIN)/python manage.py makemigrations --check --dry-run
	KAMRAD_DATABASE_URL=$(KAMRAD_TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/static
