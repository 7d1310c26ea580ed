"""The directory: entries written through the services by the staff who may (a department's
staff their department's), every value checked on its field; a search by words over the
name, description, keywords and department that answers the same on SQLite and
PostgreSQL (case, accents, LIKE's own wildcards); PDF forms checked from their bytes."""

import pytest
from django.core.files.storage import default_storage

from imbizo.audit.models import AuditEntry
from imbizo.community.directory import (
    directory_entry_create,
    directory_entry_update,
    directory_form_add,
    directory_form_remove,
)
from imbizo.community.directory_models import DirectoryForm
from imbizo.community.directory_selectors import directory_list_staff, directory_search
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import system_actor
from imbizo.demo.community_pdf import form_pdf

SYSTEM = system_actor("cli")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def entries(aaa, bbb, department):
    def add(name, municipality=aaa, **values):
        return directory_entry_create(actor=SYSTEM, municipality=municipality, name=name,
                                      **values)
    return {
        "water": add("Water faults", department=department("water"), phone="047 555 0101",
                     description="Burst pipes and leaks", keywords="sewer meter"),
        "clinic": add("Sizwe Clinic", description="Médical care, 100% free", hours="08:00-16:00"),
        "rates": add("Rates office", description="Water and rates accounts", phone="047 555 0103"),
        "closed": add("Old water depot", active=False),
        "elsewhere": add("Water faults", municipality=bbb, phone="048 000 0000"),
    }


def names(found) -> list[str]:
    return [e.name for e in found]


def test_a_search_finds_every_word_in_any_field_names_first(entries, aaa):
    assert names(directory_search(municipality=aaa, q="water")) == ["Water faults",
                                                                   "Rates office"]
    assert names(directory_search(municipality=aaa, q="WATER accounts")) == ["Rates office"]
    assert names(directory_search(municipality=aaa, q="sewer")) == ["Water faults"]  # keyword


def test_a_search_reads_the_department_and_ignores_case_and_accents(entries, aaa):
    assert names(directory_search(municipality=aaa, q="Water")) == \
        names(directory_search(municipality=aaa, q="wAtEr"))
    assert names(directory_search(municipality=aaa, q="medical")) == ["Sizwe Clinic"]
    assert names(directory_search(municipality=aaa, q="MÉDICAL")) == ["Sizwe Clinic"]
    assert names(directory_search(municipality=aaa, q="water faults")) == ["Water faults"]


def test_like_wildcards_in_a_search_are_plain_characters(entries, aaa):
    assert names(directory_search(municipality=aaa, q="100%")) == ["Sizwe Clinic"]
    assert names(directory_search(municipality=aaa, q="%")) == ["Sizwe Clinic"]  # the one %
    assert directory_search(municipality=aaa, q="_") == []


@pytest.mark.parametrize(("q", "code"), [("", "query_empty"), ("   ", "query_empty"),
                                         ("x" * 101, "query_too_long")])
def test_an_empty_or_long_search_is_refused(aaa, q, code):
    with pytest.raises(ImbizoError) as refused:
        directory_search(municipality=aaa, q=q)
    assert refused.value.code == code and refused.value.extra["field"] == "q"


def test_inactive_entries_and_other_municipalities_are_not_found(entries, aaa):
    found = directory_search(municipality=aaa, q="water")
    assert entries["closed"] not in found and entries["elsewhere"] not in found


def test_a_department_manager_writes_only_their_departments_entries(staff, aaa, department,
                                                                    entries):
    water = staff["water"]
    mine = directory_entry_create(actor=water, municipality=aaa, name="Meter readings",
                                  department=department("water"))
    assert mine.department.code == "water"
    for values in ({"department": department("roads")}, {}):
        with pytest.raises(PermissionDenied):
            directory_entry_create(actor=water, municipality=aaa, name="Roads", **values)
    with pytest.raises(PermissionDenied):
        directory_entry_update(actor=water, entry=entries["clinic"], phone="047 1")
    with pytest.raises(PermissionDenied):
        directory_entry_update(actor=water, entry=mine, department=None)
    assert set(directory_list_staff(actor=water)) == {mine, entries["water"]}
    for who in ("councillor", "agent", "other"):
        with pytest.raises(PermissionDenied):
            directory_entry_create(actor=staff[who], municipality=aaa, name="Anything")


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"name": ""}, "name", "required"),
    ({"name": "n" * 121}, "name", "too_long"),
    ({"phone": "call us"}, "phone", "invalid_phone"),
    ({"email": "not-an-address"}, "email", "invalid_email"),
    ({"url": "javascript:alert(1)"}, "url", "invalid_url"),
    ({"description": "d" * 1001}, "description", "too_long"),
])
def test_each_bad_value_is_refused_on_its_field(aaa, values, field, code):
    with pytest.raises(ImbizoError) as refused:
        directory_entry_create(actor=SYSTEM, municipality=aaa, **{"name": "Office", **values})
    assert (refused.value.code, refused.value.extra["field"]) == (code, field)


def test_a_department_of_another_municipality_is_refused(aaa, department):
    with pytest.raises(ImbizoError) as refused:
        directory_entry_create(actor=SYSTEM, municipality=aaa, name="Roads",
                               department=department("roads", "BBB"))
    assert refused.value.extra["field"] == "department"


def test_an_update_changes_the_search_and_is_audited_by_field(entries, aaa):
    directory_entry_update(actor=SYSTEM, entry=entries["clinic"], keywords="nurse")
    assert names(directory_search(municipality=aaa, q="nurse")) == ["Sizwe Clinic"]
    entry = AuditEntry.objects.filter(action="community.directory_update").get()
    assert entry.changes == {"fields": ["keywords"]}


def test_a_pdf_form_is_kept_and_taken_down(entries):
    content = form_pdf("Application", ["Name: ____"])
    form = directory_form_add(actor=SYSTEM, entry=entries["water"], title="Application",
                              content=content)
    assert form.size == len(content) and form.file.name.endswith(f"{form.uuid}.pdf")
    with default_storage.open(form.file.name, "rb") as stored:
        assert stored.read() == content
    name = form.file.name
    directory_form_remove(actor=SYSTEM, form=form)
    assert not DirectoryForm.objects.exists() and not default_storage.exists(name)


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not_a_pdf"),
    (form_pdf("Cut short", [])[:200], "not_a_pdf"),  # no %%EOF: an incomplete upload
    (b"<html>%PDF-1.4</html>", "not_a_pdf"),
])
def test_anything_but_a_whole_pdf_is_refused(entries, content, code):
    with pytest.raises(ImbizoError) as refused:
        directory_form_add(actor=SYSTEM, entry=entries["water"], title="Form", content=content)
    assert (refused.value.code, refused.value.extra["field"]) == (code, "file")
    assert not DirectoryForm.objects.exists()


def test_a_pdf_larger_than_the_limit_is_refused(entries, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    content = form_pdf("Big", ["x" * 80] * 20000)
    with pytest.raises(ImbizoError) as refused:
        directory_form_add(actor=SYSTEM, entry=entries["water"], title="Big", content=content)
    assert refused.value.code == "file_too_large"
