# Imbizo: two commands. `make demo` serves a demo municipality; `make test` runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install clean bench drill messages

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

test: $(STAMP) $(MO)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/imbizo makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python bench/geo_lookup.py
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/channels.py

drill: $(STAMP)
	$(BIN)/python bench/drill.py

clean:
	rm -rf $(VENV) var
