# Imbizo: two commands. `make demo` serves a demo municipality; `make test` runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install clean bench drill messages screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

# Translations: the .po catalogs are committed; their .mo files are compiled here from
# them (GNU gettext's msgfmt) and never committed. `make messages` brings every catalog
# up to date with the strings in the code (tests/core/test_catalogs.py checks it).
PO := $(wildcard imbizo/locale/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

%.mo: %.po
	msgfmt --check-format -o $@ $<

messages: $(STAMP)
	cd imbizo && ../$(BIN)/imbizo makemessages --all --add-location=file --no-obsolete

install: $(STAMP) $(MO)

demo: $(STAMP) $(MO)
	$(BIN)/imbizo demo

# The browser tests (tests/browser) drive Debian's Chromium. CI runs as root and installs
# it here; elsewhere, without root, the browser tests are skipped and say why.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else echo "$(CHROMIUM) is missing; as root: apt-get install chromium" \
	  "(until then the browser tests are skipped)"; fi

# Tests run on every core (pytest-xdist); PYTEST_ARGS= runs them in one process.
PYTEST_ARGS ?= -n auto --dist loadscope

test: $(STAMP) $(MO) $(CHROMIUM)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# PNGs of the main pages, served from a fresh demo database, into docs/screenshots/.
screenshots: $(STAMP) $(MO) $(CHROMIUM)
	$(BIN)/python tools/screenshots.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/imbizo makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python bench/geo_lookup.py
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/channels.py
	$(BIN)/python bench/console.py

drill: $(STAMP)
	$(BIN)/python bench/drill.py

clean:
	rm -rf $(VENV) var
