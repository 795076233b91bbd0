# Agora: `make run` starts the site with demo data; `make test` runs the test suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

# Python 3.13: pyenv's shim (reads .python-version) or python3.13 on the PATH.
PYTHON313 := $(shell for p in python3.13 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; then \
	command -v $$p; break; fi; done)

.PHONY: run test install install-prod lint messages bench clean
.DEFAULT_GOAL := run

$(PY):
	@if [ -z "$(PYTHON313)" ]; then \
		echo "Agora needs Python 3.13: install it (e.g. 'pyenv install 3.13' or 'apt install python3.13') and run make again." >&2; \
		exit 1; fi
	$(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet ".[postgres,redis,s3,wsgi]" --group test
	@touch $@

install: $(VENV)/.installed

# Production (docs/DEPLOY.md): the application with PostgreSQL, Redis and gunicorn, and
# none of the test tools; `make install-prod EXTRAS=s3` adds the bucket storage for photos.
EXTRAS ?=
comma := ,
install-prod: | $(PY)
	$(PY) -m pip install --quiet ".[postgres,redis,wsgi$(if $(EXTRAS),$(comma)$(EXTRAS))]"

# A private .env for development: DEBUG on and a random SECRET_KEY, never committed.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')" > $@
	@echo "Wrote .env (DEBUG=true and a fresh SECRET_KEY)."

run: install .env
	@$(PY) -m config.startup check-port $(HOST) $(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Agora on http://$(HOST):$(PORT)/  (demo login: alice / agora-demo; admin: admin / agora-demo)"
	$(VENV)/bin/daphne -e tcp:port=$(PORT):interface=$(HOST):backlog=1024 config.asgi:application

test: install
	@.ci/system-packages
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: install
	$(PY) manage.py makemessages --locale ru --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(PY) manage.py compilemessages --locale ru --ignore '.venv/*'

# Benchmarks (docs/PERFORMANCE.md): `make bench`, or `make bench SIZES=1000,5000 BENCH_ARGS="--only http"`.
SIZES ?=
BENCH_ARGS ?=

$(VENV)/.bench-installed: pyproject.toml | $(VENV)/.installed
	$(PY) -m pip install --quiet --group bench
	@touch $@

bench: install $(VENV)/.bench-installed
	@for tool in wrk pushpin redis-server; do command -v $$tool >/dev/null || \
		{ echo "$$tool is needed for make bench: apt-get install $$tool" >&2; exit 1; }; done
	$(PY) -m bench.run $(if $(SIZES),--sizes $(SIZES)) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
