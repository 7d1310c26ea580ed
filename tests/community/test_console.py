"""The community console: announcing a meeting (a refusal keeps what was typed, on its
field), the organiser's numbers, cancelling; the directory's entries with PDF uploads; the
share settings. Each page only for the staff whose work it is."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imbizo.community.directory import directory_entry_create
from imbizo.community.directory_models import DirectoryEntry, DirectoryForm
from imbizo.community.meeting_models import Meeting
from imbizo.community.rsvp import rsvp_give
from imbizo.community.share_models import ShareCode
from imbizo.demo.community_pdf import form_pdf

from .conftest import local


def text(response) -> str:
    return response.content.decode()


def when(day: int, hour: int) -> str:
    return f"{local(day, hour):%Y-%m-%dT%H:%M}"


MEETING = {"title": "Water in Sizwe", "wards": "1", "venue": "Sizwe Hall", "zone": "",
           "starts": when(5, 18), "ends": when(5, 20), "agenda": "Water", "latitude": "",
           "longitude": ""}


def test_a_councillor_announces_for_their_ward_and_sees_the_numbers(console_client, staff,
                                                                    register):
    client = console_client(staff["councillor"])
    form = text(client.get("/console/community/meetings/new"))
    assert 'value="1"' in form  # their ward, to start with
    response = client.post("/console/community/meetings/new", MEETING)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and str(meeting.uuid) in response["Location"]
    rsvp_give(actor=register(channel="whatsapp"), meeting=meeting, answer="yes")
    page = text(client.get(f"/console/community/meetings/{meeting.uuid}"))
    assert "Water in Sizwe" in page and "whatsapp" in page
    assert "Cancel the meeting" in page
    assert "Water in Sizwe" in text(client.get("/console/community/meetings"))


def test_a_refused_meeting_keeps_what_was_typed_with_the_reason_on_the_field(console_client,
                                                                            staff):
    client = console_client(staff["councillor"])
    typed = {**MEETING, "wards": "2", "agenda": "Keep these words"}
    response = client.post("/console/community/meetings/new", typed)
    page = text(response)
    assert response.status_code == 400 and "only for your own ward" in page
    assert "Keep these words" in page and 'value="Sizwe Hall"' in page
    past = client.post("/console/community/meetings/new", {**MEETING, "starts": when(-2, 18),
                                                            "ends": when(-2, 20)})
    assert past.status_code == 400 and "must start in the future" in text(past)
    assert not Meeting.objects.exists()


def test_cancelling_from_the_console(console_client, staff, announce):
    meeting = announce()
    client = console_client(staff["manager"])
    response = client.post(f"/console/community/meetings/{meeting.uuid}/cancel",
                           {"reason": "Flooded"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Flooded"
    again = console_client(staff["manager"]).post(
        f"/console/community/meetings/{meeting.uuid}/cancel", {"reason": ""}, follow=True)
    assert "already cancelled" in text(again)


def test_another_wards_or_municipalitys_meeting_is_not_found(console_client, staff,
                                                              announce):
    meeting = announce(wards=[2])
    assert console_client(staff["councillor"]).get(
        f"/console/community/meetings/{meeting.uuid}").status_code == 404
    assert console_client(staff["other"]).get(
        f"/console/community/meetings/{meeting.uuid}").status_code == 404


@pytest.mark.parametrize("who", ["agent", "officer"])
def test_staff_without_community_work_get_the_forbidden_page(console_client, staff, who):
    client = console_client(staff[who])
    for path in ("/console/community/meetings", "/console/community/directory",
                 "/console/community/share"):
        assert client.get(path).status_code == 403


def test_a_councillor_does_not_keep_the_directory(console_client, staff):
    client = console_client(staff["councillor"])
    assert client.get("/console/community/directory").status_code == 403
    assert client.get("/console/community/share").status_code == 403


ENTRY = {"name": "Water faults", "department": "", "description": "Leaks", "keywords": "",
         "phone": "047 555 0101", "email": "", "hours": "24 hours", "url": "", "active": "on"}


def test_an_entry_is_added_edited_and_given_a_pdf_form(console_client, staff, settings,
                                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = console_client(staff["manager"])
    added = client.post("/console/community/directory/new", ENTRY)
    entry = DirectoryEntry.objects.get()
    assert added.status_code == 302 and entry.phone == "047 555 0101"
    edited = client.post(f"/console/community/directory/{entry.uuid}",
                         {**ENTRY, "hours": "Mon-Fri 08:00-16:00"})
    assert edited.status_code == 302
    entry.refresh_from_db()
    assert entry.hours == "Mon-Fri 08:00-16:00"
    pdf = SimpleUploadedFile("form.pdf", form_pdf("Form", ["x"]), "application/pdf")
    uploaded = client.post(f"/console/community/directory/{entry.uuid}/forms",
                           {"title": "Connection", "file": pdf})
    assert uploaded.status_code == 302
    form = DirectoryForm.objects.get()
    page = text(client.get(f"/console/community/directory/{entry.uuid}"))
    assert "Connection" in page and f"/directory/forms/{form.uuid}.pdf" in page
    client.post(f"/console/community/directory/forms/{form.uuid}/remove")
    assert not DirectoryForm.objects.exists()
    assert "Water faults" in text(client.get("/console/community/directory"))


def test_a_file_that_is_no_pdf_is_refused_on_its_field(console_client, staff, aaa):
    entry = directory_entry_create(actor=staff["manager"], municipality=aaa, name="Office")
    client = console_client(staff["manager"])
    fake = SimpleUploadedFile("form.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "application/pdf")
    response = client.post(f"/console/community/directory/{entry.uuid}/forms",
                           {"title": "Typed title", "file": fake})
    assert response.status_code == 400 and "is not a PDF" in text(response)
    assert 'value="Typed title"' in text(response) and not DirectoryForm.objects.exists()


def test_a_bad_entry_value_keeps_what_was_typed(console_client, staff):
    client = console_client(staff["manager"])
    response = client.post("/console/community/directory/new", {**ENTRY, "phone": "call us"})
    assert response.status_code == 400 and "phone number in digits" in text(response)
    assert 'value="Water faults"' in text(response) and not DirectoryEntry.objects.exists()


def test_a_department_manager_sees_and_files_under_their_department_only(console_client, staff,
                                                                         aaa, department):
    directory_entry_create(actor=staff["manager"], municipality=aaa, name="Switchboard")
    client = console_client(staff["water"])
    assert "Switchboard" not in text(client.get("/console/community/directory"))
    form = text(client.get("/console/community/directory/new"))
    assert "Water" in form and "Roads" not in form
    response = client.post("/console/community/directory/new",
                           {**ENTRY, "department": str(department("water").pk)})
    assert response.status_code == 302
    refused = client.post("/console/community/directory/new", ENTRY)  # the whole municipality
    assert refused.status_code == 400 and "your own department" in text(refused)


def test_the_share_page_sets_the_ussd_code_and_shows_the_counts(console_client, staff):
    client = console_client(staff["manager"])
    page = text(client.get("/console/community/share"))
    assert "Link opened" in page
    saved = client.post("/console/community/share", {"ussd_code": "*120*4629#", "code": "aaa"})
    assert saved.status_code == 302 and ShareCode.objects.get().ussd_code == "*120*4629#"
    refused = client.post("/console/community/share", {"ussd_code": "4629", "code": "aaa"})
    assert refused.status_code == 400 and "*120*1234#" in text(refused)
