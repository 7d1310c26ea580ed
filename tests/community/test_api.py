"""The community API: the public lists (meetings, the directory, the share text) with no
one's name or answer in them, answering a meeting for a resident named by phone, the
organisers' numbers; every bad input a problem+json naming what was wrong."""

import pytest
from freezegun import freeze_time

from imbizo.accounts.models import Citizen
from imbizo.api.keys import api_key_create
from imbizo.community.directory import directory_entry_create, directory_form_add
from imbizo.community.meeting_models import Rsvp
from imbizo.community.meetings import meeting_cancel
from imbizo.community.rsvp import rsvp_give
from imbizo.core.permissions import system_actor
from imbizo.demo.community_pdf import form_pdf

from .conftest import local

PROBLEM = "application/problem+json"


@pytest.fixture
def key(aaa, bbb):
    def make(role: str, municipality=aaa) -> dict:
        _row, secret = api_key_create(actor=system_actor("cli"), municipality=municipality,
                                      name=f"{role} key", role=role)
        return {"HTTP_X_API_KEY": secret}
    return make


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"].endswith("/" + code), body
    return body


def test_the_public_list_shows_upcoming_meetings_for_a_ward_in_few_queries(
        announce, register, client, django_assert_max_num_queries):
    ward1, ward2, everyone = announce(wards=[1]), announce(wards=[2], day=8), \
        announce(wards=[], day=9)
    rsvp_give(actor=register(), meeting=ward1, answer="yes")
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/meetings", {"municipality": "AAA", "ward": 2})
    assert response.status_code == 200
    found = response.json()
    assert [m["uuid"] for m in found] == [str(ward2.uuid), str(everyone.uuid)]
    assert found[0]["wards"] == [2] and found[0]["venue"] == "Sizwe Hall"
    assert found[0]["url"].endswith(f"/meetings/{ward2.uuid}")
    everything = client.get("/api/v1/meetings", {"municipality": "AAA"}).json()
    assert len(everything) == 3 and "+2782" not in str(everything)
    assert client.get(f"/api/v1/meetings/{ward1.uuid}").json()["title"] == "Ward meeting"


@pytest.mark.parametrize(("query", "status", "code"), [
    ({}, 400, "invalid_request"),
    ({"municipality": "ZZZ"}, 404, "unknown_municipality"),
    ({"municipality": "AAA", "ward": 9}, 404, "unknown_ward"),
    ({"municipality": "AAA", "ward": "two"}, 400, "invalid_request"),
    ({"municipality": "AAA", "ward": 0}, 400, "invalid_request"),
])
def test_a_bad_meetings_query_is_a_problem(aaa, client, query, status, code):
    problem(client.get("/api/v1/meetings", query), status, code)


def test_an_unknown_meeting_is_a_problem(aaa, client):
    problem(client.get("/api/v1/meetings/00000000-0000-4000-8000-000000000000"), 404,
            "meeting_not_found")
    problem(client.get("/api/v1/meetings/not-a-uuid"), 400, "invalid_request")


def rsvp(client, meeting, headers, **body):
    return client.post(f"/api/v1/meetings/{meeting.uuid}/rsvp", body,
                       content_type="application/json", **headers)


def test_a_key_that_logs_cases_answers_for_a_resident_by_phone(announce, client, key):
    meeting, agent = announce(), key("agent")
    first = rsvp(client, meeting, agent, phone="0827770001", answer="maybe")
    assert first.status_code == 200, first.content
    assert first.json() == {"meeting": str(meeting.uuid), "answer": "maybe", "channel": "api"}
    assert rsvp(client, meeting, agent, phone="+27827770001", answer="yes").json()["answer"] \
        == "yes"
    resident = Citizen.objects.get(phone="+27827770001")
    assert resident.municipality.code == "AAA"
    assert Rsvp.objects.get().citizen == resident and Rsvp.objects.get().answer == "yes"


def test_an_answer_to_a_past_or_cancelled_meeting_is_a_problem_and_registers_no_one(
        announce, client, key, staff):
    meeting, agent = announce(), key("agent")
    with freeze_time(local(8, 9)):
        body = problem(rsvp(client, meeting, agent, phone="0827770002", answer="yes"), 409,
                       "meeting_over")
    assert "over" in body["detail"]
    meeting_cancel(actor=staff["manager"], meeting=meeting)
    problem(rsvp(client, meeting, agent, phone="0827770002", answer="yes"), 409,
            "meeting_cancelled")
    assert not Citizen.objects.filter(phone="+27827770002").exists()


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"phone": "0827770003", "answer": "perhaps"}, 400, "invalid_answer"),
    ({"answer": "yes"}, 400, "phone_required"),
    ({"phone": "12", "answer": "yes"}, 400, "invalid_phone"),
    ({"phone": "0827770003"}, 400, "invalid_request"),
])
def test_a_bad_answer_is_a_problem(announce, client, key, body, status, code):
    problem(client.post(f"/api/v1/meetings/{announce().uuid}/rsvp", body,
                        content_type="application/json", **key("agent")), status, code)


def test_answering_needs_a_key_that_acts_for_residents_where_the_meeting_is(announce, client,
                                                                           key, bbb):
    meeting = announce()
    problem(rsvp(client, meeting, {}, phone="0827770004", answer="yes"), 401,
            "unauthenticated")
    problem(rsvp(client, meeting, key("analyst"), phone="0827770004", answer="yes"), 403,
            "permission_denied")
    problem(rsvp(client, meeting, key("agent", bbb), phone="0827770004", answer="yes"), 403,
            "permission_denied")
    assert not Rsvp.objects.exists()


def test_the_numbers_are_for_the_organisers(announce, register, client, key):
    meeting = announce()
    rsvp_give(actor=register(), meeting=meeting, answer="yes")
    rsvp_give(actor=register(channel="whatsapp"), meeting=meeting, answer="no")
    found = client.get(f"/api/v1/meetings/{meeting.uuid}/numbers", **key("manager"))
    assert found.json() == {"yes": 1, "no": 1, "maybe": 0, "total": 2, "by_channel": {
        "ussd": {"yes": 1, "no": 0, "maybe": 0}, "whatsapp": {"yes": 0, "no": 1, "maybe": 0}}}
    problem(client.get(f"/api/v1/meetings/{meeting.uuid}/numbers", **key("agent")), 403,
            "permission_denied")
    problem(client.get(f"/api/v1/meetings/{meeting.uuid}/numbers"), 401, "unauthenticated")


def test_the_directory_search_lists_numbers_and_forms_in_few_queries(
        aaa, client, settings, tmp_path, django_assert_max_num_queries):
    settings.MEDIA_ROOT = tmp_path
    system = system_actor("cli")
    for n in range(5):
        entry = directory_entry_create(actor=system, municipality=aaa, name=f"Water office {n}",
                                       phone="047 555 0101")
        directory_form_add(actor=system, entry=entry, title="Application",
                           content=form_pdf("Application", []))
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/directory", {"municipality": "AAA", "q": "water"})
    found = response.json()
    assert [e["name"] for e in found] == [f"Water office {n}" for n in range(5)]
    assert found[0]["phone"] == "047 555 0101" and found[0]["forms"][0]["title"] == \
        "Application"
    pdf = client.get(found[0]["forms"][0]["url"].removeprefix(settings.SITE_URL))
    assert pdf["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("query", "status", "code"), [
    ({"municipality": "AAA"}, 400, "invalid_request"),
    ({"municipality": "AAA", "q": " "}, 400, "query_empty"),
    ({"municipality": "AAA", "q": "x" * 101}, 400, "invalid_request"),
    ({"municipality": "ZZZ", "q": "water"}, 404, "unknown_municipality"),
])
def test_a_bad_directory_query_is_a_problem(aaa, client, query, status, code):
    problem(client.get("/api/v1/directory", query), status, code)


def test_the_share_text_is_public_and_counted(aaa, client, settings):
    found = client.get("/api/v1/share", {"municipality": "AAA"}).json()
    assert found["link"] == f"{settings.SITE_URL}/s/aaa" and found["code"] == "aaa"
    assert found["text"] == f"Report faults to Aaa Local: {settings.SITE_URL}/s/aaa"
    problem(client.get("/api/v1/share", {"municipality": "ZZZ"}), 404, "unknown_municipality")
