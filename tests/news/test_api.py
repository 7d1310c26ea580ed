"""News over the API: published news for anyone (no personal data, in the language asked
for), and composing, publishing, scheduling and cancelling with a key that holds
``news.publish``; bad input is problem+json."""

import json

import pytest
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.api.keys import api_key_create
from imbizo.core.permissions import system_actor
from imbizo.news.groups import interest_group_create, interest_group_join
from imbizo.news.models import NewsItem

from .conftest import MORNING, broadcast, compose

ZULU = {"zu": {"title": "Umgwaqo uvaliwe", "body": "Umgwaqo uvaliwe kuze kube uLwesihlanu.",
               "short": "Umgwaqo uvaliwe kuze kube uLwesihlanu."}}


@pytest.fixture
def published(publisher, aaa, make_resident):
    """Whole AAA, ward 2 (Hilltop), a group's, and a draft; a resident in ward 1."""
    citizen = make_resident("0821000001")
    group = interest_group_create(actor=publisher, municipality=aaa, name="Youth jobs")
    interest_group_join(actor=citizen_actor(citizen, channel="web"), group=group)
    return {
        "whole": broadcast(publisher, aaa, kind="news", title="Budget meeting",
                           translations=ZULU),
        "hilltop": broadcast(publisher, aaa, kind="news", title="Road closed",
                             target="suburbs", suburbs=["Hilltop"]),
        "group": broadcast(publisher, aaa, kind="news", title="Job fair", target="group",
                           group=group.pk),
        "draft": compose(publisher, aaa, kind="news", title="Not yet"),
        "group_id": group.pk,
    }


def key_for(municipality, role: str = Role.AGENT) -> str:
    return api_key_create(actor=system_actor("cli"), municipality=municipality, name=role,
                          role=role)[1]


def code(response) -> str:
    """A problem's code: the end of its type."""
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["type"].rsplit("/", 1)[1]


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [n["title"] for n in response.json()]


def test_anyone_lists_a_municipalitys_published_news_newest_first(
        client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/news", {"municipality": "AAA"})
    assert titles(response) == ["Job fair", "Road closed", "Budget meeting"]
    first = response.json()[1]
    assert set(first) == {"id", "municipality", "title", "short", "language", "published",
                          "target", "wards", "group", "urgent"}
    assert (first["target"], first["wards"]) == ("suburbs", [2])
    assert "+2782" not in response.content.decode()  # nobody's number


def test_a_ward_gets_the_whole_municipalitys_and_its_own_and_a_group_its_own(client,
                                                                             published):
    assert titles(client.get("/api/v1/news", {"municipality": "AAA", "ward": 1})) == [
        "Budget meeting"]
    assert titles(client.get("/api/v1/news", {"municipality": "AAA", "ward": 2})) == [
        "Road closed", "Budget meeting"]
    assert titles(client.get("/api/v1/news", {"municipality": "AAA",
                                              "group": published["group_id"]})) == ["Job fair"]
    assert titles(client.get("/api/v1/news", {"municipality": "BBB"})) == []


def test_an_item_is_in_the_language_asked_for_when_written_in_it(client, published,
                                                                 django_assert_max_num_queries):
    whole = published["whole"]
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/v1/news/{whole.pk}", {"language": "zu"})
    body = response.json()
    assert (body["title"], body["language"], body["body"]) == (
        "Umgwaqo uvaliwe", "zu", "Umgwaqo uvaliwe kuze kube uLwesihlanu.")
    english = client.get(f"/api/v1/news/{whole.pk}", {"language": "xh"}).json()
    assert (english["title"], english["language"]) == ("Budget meeting", "en")


@pytest.mark.parametrize("query, status, expected", [
    ({"municipality": "NOPE"}, 404, "unknown_municipality"),
    ({"municipality": "AAA", "ward": 9}, 404, "unknown_ward"),
    ({"municipality": "AAA", "ward": "one"}, 400, "invalid_request"),
    ({"municipality": "AAA", "language": "fr"}, 400, "invalid_request"),
    ({"municipality": "AAA", "limit": 0}, 400, "invalid_request"),
    ({}, 400, "invalid_request"),
])
def test_bad_queries_are_problem_json(client, published, query, status, expected):
    response = client.get("/api/v1/news", query)
    assert response.status_code == status and code(response) == expected


def test_a_draft_is_not_found_by_anyone(client, published):
    response = client.get(f"/api/v1/news/{published['draft'].pk}")
    assert response.status_code == 404 and code(response) == "news_not_found"


# --- staff ----------------------------------------------------------------------------
def post(client, path: str, key: str, body: dict | None = None):
    return client.post(path, json.dumps(body or {}), content_type="application/json",
                       HTTP_X_API_KEY=key)


NEW = {"title": "Water off", "body": "Water off on Tuesday 09:00-15:00.",
       "short": "Water off Tue 09:00-15:00.", "kind": "broadcast", "target": "wards",
       "wards": [1]}


@freeze_time(MORNING)
def test_a_key_holding_news_publish_composes_and_publishes_saying_its_reach(
        client, aaa, make_resident):
    make_resident("0821000001")
    make_resident("0821000002", consent=False)
    key = key_for(aaa)
    composed = post(client, "/api/v1/news", key, NEW)
    assert composed.status_code == 201, composed.content
    body = composed.json()
    assert (body["status"], body["municipality"], body["reach"]) == (
        "draft", "AAA", {"residents": 2, "consenting": 1, "wards": [1]})
    sent = post(client, f"/api/v1/news/{body['id']}/publish", key)
    assert sent.status_code == 200 and sent.json()["status"] == "sending"


@freeze_time(MORNING)
def test_a_key_schedules_and_cancels(client, aaa, make_resident):
    make_resident("0821000001")
    key = key_for(aaa, Role.MANAGER)
    item = post(client, "/api/v1/news", key, NEW).json()
    late = post(client, f"/api/v1/news/{item['id']}/schedule", key,
                {"send_at": "2026-07-01T09:00:00+02:00"})
    assert late.status_code == 400 and code(late) == "send_at_past"
    scheduled = post(client, f"/api/v1/news/{item['id']}/schedule", key,
                     {"send_at": "2026-07-02T09:00:00+02:00"})
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["send_at"] == "2026-07-02T09:00:00+02:00"
    assert post(client, f"/api/v1/news/{item['id']}/cancel", key).json()["status"] == \
        "cancelled"
    again = post(client, f"/api/v1/news/{item['id']}/cancel", key)
    assert again.status_code == 409


@pytest.mark.parametrize("change, status, field", [
    ({"target": "zone", "zone": {"type": "Point", "coordinates": [20, -30]}}, 400, "zone"),
    ({"wards": [7]}, 400, "wards"),
    ({"short": "x" * 161}, 400, "short"),
    ({"translations": {"zu": {"title": "Amanzi"}}}, 400, "body_zu"),
    ({"kind": "rumour"}, 400, "kind"),
])
def test_bad_input_is_problem_json_naming_the_field(client, aaa, change, status, field):
    response = post(client, "/api/v1/news", key_for(aaa), NEW | change)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert field in (problem.get("field"), *[e.get("field") for e in problem.get("errors", [])])
    assert not NewsItem.objects.exists()


@freeze_time(MORNING)
def test_a_broadcast_to_an_empty_target_is_refused_with_the_count(client, aaa,
                                                                  make_resident):
    make_resident("0821000003", 2, consent=False)
    key = key_for(aaa)
    item = post(client, "/api/v1/news", key, NEW | {"wards": [2]}).json()
    refused = post(client, f"/api/v1/news/{item['id']}/publish", key)
    assert refused.status_code == 422
    assert (code(refused), refused.json()["residents"]) == ("empty_target", 1)


def test_keys_without_news_publish_or_of_another_municipality_are_refused(client, aaa,
                                                                          places, publisher):
    item = compose(publisher, aaa)
    assert post(client, "/api/v1/news", key_for(aaa, Role.OFFICER), NEW).status_code == 403
    other = key_for(places[1])
    assert post(client, "/api/v1/news", other, NEW | {"municipality": "AAA"}).status_code == 403
    assert post(client, f"/api/v1/news/{item.pk}/publish", other).status_code == 404
    assert post(client, "/api/v1/news", "", NEW).status_code == 401
    assert NewsItem.objects.get().status == "draft"
