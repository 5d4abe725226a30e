# roils: two commands on a fresh machine.
#   make run   -> virtualenv, install, assets, migrate both databases, demo data, server on :8000
#   make test  -> the whole suite (PostgreSQL + Redis + headless Chromium)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Links in e-mails point at the address the server runs on (PORT=8101 make run mails :8101 links).
SITE_URL ?= http://$(HOST):$(PORT)

VENDOR := static/vendor

.PHONY: run test install install-test assets migrate seed lint worker beat bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed assets
install-test: $(VENV)/.installed-test assets

# Front-end assets come from the npm registry at setup time and are copied into an ignored folder.
assets: $(VENDOR)/.stamp
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/chartjs $(VENDOR)/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map $(VENDOR)/chartjs/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	touch $@

# The embedded default: no DATABASE_URL/REDIS_URL -> SQLite files under var/, Celery in-process.
# `make run` serves the product as it will be seen: DEBUG off, static files through whitenoise, the product's own
# error pages, and a random secret key made once and kept in var/secret_key. `DEBUG=1 make run` for development.
# Plain HTTP on this machine: no HTTPS redirect or secure-only cookies (SECURE=0); e-mails go to the console.
run: export DEBUG ?= 0
run: export SECRET_KEY_FILE ?= var/secret_key
run: export SECURE ?= 0
run: export EMAIL_URL ?= consolemail://
run: export ALLOWED_HOSTS ?= $(HOST),localhost,127.0.0.1,[::1]
run: export SITE_URL := $(SITE_URL)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py migrate --database pso --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo --force
	@echo "roils is starting on http://$(HOST):$(PORT)/  (Ctrl-C to stop; DEBUG=$$DEBUG)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Tests need the real services; these are the local ones unless the environment names others.
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/roils
test: export PSO_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/roils_pso
test: export REDIS_URL ?= redis://127.0.0.1:6379/0
test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

worker:
	$(BIN)/celery -A roils worker --loglevel=info
beat:
	$(BIN)/celery -A roils beat --loglevel=info

bench: install-test
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/*.sqlite3
