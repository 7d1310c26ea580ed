"""The community pages of the citizen site: meetings for the resident's ward, a meeting's
page with yes/no/maybe buttons that post a form (no JavaScript), the directory's search
with its PDF forms, and the share page."""

import pytest

from imbizo.community.directory import directory_entry_create, directory_form_add
from imbizo.community.directory_models import DirectoryEntry
from imbizo.community.meeting_models import Rsvp
from imbizo.community.meetings import meeting_cancel
from imbizo.community.share import share_code_set
from imbizo.community.share_models import ShareCode
from imbizo.core.permissions import system_actor
from imbizo.demo.community_pdf import form_pdf

SYSTEM = system_actor("cli")


def text(response) -> str:
    return response.content.decode()


def test_the_meetings_page_shows_the_residents_ward_first_in_few_queries(
        announce, register, sign_in_as, django_assert_max_num_queries):
    ward1, _ward2, everyone = announce(wards=[1], title="Ward one"), \
        announce(wards=[2], title="Ward two"), announce(wards=[], title="Everyone")
    client = sign_in_as(register(2).citizen)
    client.get("/meetings")  # the configuration memo filled
    with django_assert_max_num_queries(8):
        page = client.get("/meetings")
    assert "Ward two" in text(page) and "Everyone" in text(page)
    assert "Ward one" not in text(page)
    every = text(client.get("/meetings", {"ward": "all"}))
    assert all(t in every for t in ("Ward one", "Ward two", "Everyone"))
    assert f"/meetings/{ward1.uuid}" in every and f"/meetings/{everyone.uuid}" in every


def test_anyone_picks_a_ward_and_a_ward_with_nothing_says_so(announce, client, aaa):
    announce(wards=[1], title="Ward one")
    assert "Ward one" in text(client.get("/meetings", {"m": "AAA", "ward": "1"}))
    empty = text(client.get("/meetings", {"m": "AAA", "ward": "2"}))
    assert "No meetings coming up for ward 2." in empty


def test_a_signed_in_resident_answers_with_a_button_and_sees_their_answer(announce, register,
                                                                         sign_in_as):
    meeting = announce()
    resident = register().citizen
    client = sign_in_as(resident)
    page = text(client.get(f"/meetings/{meeting.uuid}"))
    assert 'name="answer" value="yes"' in page and "<script" not in page.split("<main")[1]
    done = client.post(f"/meetings/{meeting.uuid}/rsvp", {"answer": "maybe"})
    assert done.status_code == 302 and done["Location"] == f"/meetings/{meeting.uuid}"
    assert Rsvp.objects.get(citizen=resident).channel == "web"
    client.post(f"/meetings/{meeting.uuid}/rsvp", {"answer": "yes"})
    again = text(client.get(f"/meetings/{meeting.uuid}"))
    assert "Your answer:" in again and Rsvp.objects.get().answer == "yes"


def test_a_visitor_is_asked_to_sign_in_and_nothing_is_kept(announce, client):
    meeting = announce()
    assert "Sign in to say whether you will come" in text(client.get(f"/meetings/{meeting.uuid}"))
    response = client.post(f"/meetings/{meeting.uuid}/rsvp", {"answer": "yes"})
    assert response.status_code == 302 and response["Location"].startswith("/signin?next=")
    assert not Rsvp.objects.exists()


def test_an_answer_to_a_cancelled_meeting_says_why(announce, register, sign_in_as, staff):
    meeting = announce()
    client = sign_in_as(register().citizen)
    meeting_cancel(actor=staff["manager"], meeting=meeting, reason="Flooded hall")
    page = client.get(f"/meetings/{meeting.uuid}")
    assert "This meeting is cancelled." in text(page) and 'value="yes"' not in text(page)
    refused = client.post(f"/meetings/{meeting.uuid}/rsvp", {"answer": "yes"})
    assert refused.status_code == 409 and "This meeting was cancelled." in text(refused)
    bad = client.post(f"/meetings/{announce().uuid}/rsvp", {"answer": "perhaps"})
    assert bad.status_code == 400 and "Answer yes, no or maybe." in text(bad)
    assert client.get("/meetings/00000000-0000-4000-8000-000000000000").status_code == 404


@pytest.fixture
def directory(aaa, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = directory_entry_create(actor=SYSTEM, municipality=aaa, name="Water faults",
                                   phone="047 555 0101", hours="24 hours")
    form = directory_form_add(actor=SYSTEM, entry=entry, title="Water connection",
                              content=form_pdf("Water connection", ["Name: ___"]))
    directory_entry_create(actor=SYSTEM, municipality=aaa, name="Library")
    return entry, form


def test_the_directory_page_searches_and_links_the_pdf_forms(directory, client,
                                                             django_assert_max_num_queries):
    _entry, form = directory
    client.get("/directory", {"m": "AAA"})
    with django_assert_max_num_queries(4):
        found = client.get("/directory", {"m": "AAA", "q": "water"})
    page = text(found)
    assert "Water faults" in page and "Library" not in page and 'href="tel:0475550101"' in page
    assert f"/directory/forms/{form.uuid}.pdf" in page
    assert "Library" in text(client.get("/directory", {"m": "AAA"}))  # all, before a search
    assert "Nothing found" in text(client.get("/directory", {"m": "AAA", "q": "zebra"}))


def test_a_bad_search_keeps_what_was_typed_and_says_why(aaa, client):
    typed = "x" * 101
    response = client.get("/directory", {"m": "AAA", "q": typed})
    assert response.status_code == 400
    assert f'value="{typed}"' in text(response) and "at most 100 characters" in text(response)


def test_a_form_is_served_as_a_pdf_and_not_once_its_entry_is_hidden(directory, client):
    entry, form = directory
    response = client.get(f"/directory/forms/{form.uuid}.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert 'filename="water-connection.pdf"' in response["Content-Disposition"]
    DirectoryEntry.objects.filter(pk=entry.pk).update(active=False)
    assert client.get(f"/directory/forms/{form.uuid}.pdf").status_code == 404


def test_the_share_page_gives_the_text_and_counts_it(aaa, client, settings):
    share_code_set(actor=SYSTEM, municipality=aaa, ussd_code="*120*4629#")
    page = text(client.get("/share", {"m": "AAA"}))
    assert f"Report faults to Aaa Local: {settings.SITE_URL}/s/aaa or dial *120*4629#" in page
    assert "https://wa.me/?text=Report%20faults" in page
    assert ShareCode.objects.get().given == 1
