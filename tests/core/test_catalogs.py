"""Every string the code marks for translation is in every catalog under imbizo/locale/,
and the English one exists. A language's catalog arrives with its channels; from then on
it must be complete too (translated, nothing fuzzy), or the residents who chose that
language get English mixed into their messages.

The strings are extracted as ``make messages`` does (Django's ``makemessages``, so GNU
gettext's xgettext must be installed), from a copy of the package, so that the committed
catalogs are compared and never rewritten.
"""

import ast
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import imbizo

PACKAGE = Path(imbizo.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def read_po(path: Path) -> dict[tuple[str, str], dict]:
    """(msgctxt, msgid) -> the entry's fields (msgstr, msgstr[0]..., fuzzy); obsolete
    entries and the header left out."""
    entries: dict[tuple[str, str], dict] = {}
    entry: dict = {}
    field = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry.get("msgid") and not entry.get("obsolete"):
                entries[(entry.get("msgctxt", ""), entry["msgid"])] = entry
            entry, field = {}, ""
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _space, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    return entries


@pytest.fixture(scope="module")
def wanted(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Every msgid in the code now: makemessages run over a copy of the package."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is not installed (apt-get install gettext): the catalogs "
                    "cannot be checked")
    copy = tmp_path_factory.mktemp("messages") / "imbizo"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    here = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=["en"], keep_pot=True, add_location="file",
                         verbosity=0)
    finally:
        os.chdir(here)
    return read_po(copy / "locale" / "django.pot")


def test_the_english_catalog_exists():
    assert LOCALE / "en" / "LC_MESSAGES" / "django.po" in CATALOGS


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_has_every_string_of_the_code(wanted, catalog):
    assert len(wanted) > 100  # the extraction found the code's strings
    have = read_po(catalog)
    missing = [msgid for (_ctx, msgid) in wanted if (_ctx, msgid) not in have]
    assert not missing, (f"{len(missing)} string(s) missing from {catalog.relative_to(PACKAGE)}"
                         " (run `make messages`, then translate):\n" + "\n".join(missing))


@pytest.mark.parametrize("catalog", [c for c in CATALOGS if c.parts[-3] != "en"],
                         ids=lambda path: path.parts[-3])
def test_every_catalog_but_english_is_translated(wanted, catalog):
    have = read_po(catalog)

    def translated(entry: dict) -> bool:
        return not entry.get("fuzzy") and all(
            value for name, value in entry.items() if name.startswith("msgstr"))

    untranslated = [key[1] for key in wanted if key in have and not translated(have[key])]
    assert not untranslated, (f"{len(untranslated)} string(s) untranslated or fuzzy in "
                              f"{catalog.relative_to(PACKAGE)}:\n" + "\n".join(untranslated))


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-+ #0]*\d*(?:\.\d+)?[a-z]|\{[a-z_]*\}")


def placeholders(text: str) -> list[str]:
    """``%(name)s``-style and ``{name}``-style placeholders, sorted, repeats kept."""
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("catalog", [c for c in CATALOGS if c.parts[-3] != "en"],
                         ids=lambda path: path.parts[-3])
def test_every_translation_keeps_the_placeholders_of_its_msgid(catalog):
    """A dropped or misspelt placeholder is a KeyError (or a lost reference number) when
    the message is sent; msgfmt --check-format misses ``{name}`` and a placeholder the
    translation adds."""
    wrong = []
    for (_ctx, msgid), entry in read_po(catalog).items():
        source = placeholders(entry.get("msgid_plural") or msgid)
        for name, value in entry.items():
            if name.startswith("msgstr") and value and placeholders(value) != source:
                wrong.append(f"{msgid!r}: {name} has {placeholders(value)}, wants {source}")
    assert not wrong, f"{catalog.relative_to(PACKAGE)}:\n" + "\n".join(wrong)


def test_the_placeholder_check_sees_a_dropped_placeholder(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n\n#, python-format\nmsgid "Ward %(ward)s (%(suburb)s)"\n'
                  'msgstr "Iwadi %(ward)s"\n', encoding="utf-8")
    (entry,) = read_po(po).values()
    assert placeholders(entry["msgstr"]) != placeholders(entry["msgid"])
    assert placeholders("%(lat).5f and {name}") == ["%(lat).5f", "{name}"]


def test_the_reader_understands_what_makemessages_writes(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: xx\\n"\n\n'
                  '#: a.py\n#, fuzzy, python-format\nmsgctxt "menu"\nmsgid "Say \\"%(x)s\\""\n'
                  'msgid_plural ""\n"Say them"\nmsgstr[0] "a"\nmsgstr[1] ""\n\n'
                  '#~ msgid "gone"\n#~ msgstr "weg"\n', encoding="utf-8")
    assert read_po(po) == {("menu", 'Say "%(x)s"'): {
        "fuzzy": True, "msgctxt": "menu", "msgid": 'Say "%(x)s"', "msgid_plural": "Say them",
        "msgstr[0]": "a", "msgstr[1]": ""}}


# The names xgettext finds (Django's makemessages adds these to GNU gettext's own).
KNOWN = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
         "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def test_no_module_hides_a_marked_string_behind_an_alias():
    """``gettext_lazy as _lazy`` marks strings that makemessages never sees: they reach no
    catalog, and every language shows them in English."""
    aliased = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                aliased += [f"{path.relative_to(PACKAGE)}: {a.name} as {a.asname}"
                            for a in node.names if a.asname and a.asname not in KNOWN]
    assert not aliased, aliased
