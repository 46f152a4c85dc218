# Two commands for a newcomer: `make run` and `make test`. Every target is safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST := 127.0.0.1:8000
# Emails, certificates and public links name the address being served, unless SITE_URL is set.
SITE_URL ?= http://$(HOST)

# xstatic-bootstrap's setup.py still imports pkg_resources, which setuptools 82 removed.
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_BUILD_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test lint chromium backup restore bench loadtest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed as '$(PYTHON)' (try: make PYTHON=python3.12 ...)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: install
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=true $(BIN)/python manage.py load_safety_bank
	DJANGO_DEBUG=true $(BIN)/python manage.py create_demo_accounts
	@echo
	@echo "Serving on http://$(HOST)/  (Ctrl+C stops it)"
	@echo
	SITE_URL=$(SITE_URL) DJANGO_DEBUG=true $(BIN)/python manage.py runserver $(HOST)

test: install chromium
	$(BIN)/python -m pytest

# A consistent copy of the database while the site runs, into backups/ (dated).
backup: install
	$(BIN)/python manage.py backup

# Bring one back: make restore FILE=backups/smptraining-20260101-020000.sqlite3
restore: install
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=backups/..."; exit 1; }
	$(BIN)/python manage.py restore "$(FILE)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Trainee pages' requests per second against Django's own bare view; writes BENCHMARKS.md.
bench: install
	$(BIN)/python bench/pages.py

# 200 trainees taking the certification at once on a throwaway PostgreSQL; writes BENCHMARKS.md.
loadtest: install
	.ci/with-postgres $(BIN)/python bench/loadtest.py

# Browser tests drive Debian's Chromium. Install it where we may (root, or password-less sudo).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; \
		else echo "The browser tests need Debian's Chromium at /usr/bin/chromium."; \
			echo "Install it with:  sudo apt-get install --no-install-recommends chromium"; exit 1; fi; \
		command -v apt-get >/dev/null || { echo "Install Chromium at /usr/bin/chromium, then run make test again."; exit 1; }; \
		echo "Installing Debian's Chromium for the browser tests..."; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi
