"""The news console: the list with what became of each item, composing (field errors keep
what was typed; the preview says who it would reach), publishing, scheduling and
cancelling, interest groups, and who may open it."""

import json

import pytest
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.news.models import InterestGroup, NewsItem

from .conftest import MORNING, broadcast, compose

FORM = {"title": "Water off on Tuesday", "body": "Water off on Tuesday 09:00 to 15:00.",
        "short": "Water off Tue 09:00-15:00.", "kind": "broadcast", "target": "wards",
        "wards": ["1"], "group": ""}


@pytest.fixture
def agent(console_client, publisher):
    return console_client(publisher)


@freeze_time(MORNING)
def test_the_list_shows_each_item_with_its_figures(agent, publisher, aaa, make_resident,
                                                   django_assert_max_num_queries):
    make_resident("0821000001")
    broadcast(publisher, aaa, title="Sent to one")
    compose(publisher, aaa, kind="news", title="A draft")
    agent.get("/console/news")
    with django_assert_max_num_queries(12):
        page = agent.get("/console/news").content.decode()
    assert "Sent to one" in page and "A draft" in page
    assert '<td class="num">1</td>' in page  # queued
    assert 'href="/console/news"' in page  # the nav's link


def test_staff_without_news_publish_get_the_forbidden_page(console_client, make_staff, aaa):
    officer = console_client(make_staff({"role": Role.OFFICER, "municipality": aaa}))
    page = officer.get("/console/news")
    assert page.status_code == 403
    assert 'href="/console/news"' not in officer.get("/console/cases").content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, aaa):
    assert client.get("/console/news/new")["Location"].startswith("/console/login")


def test_field_errors_keep_what_was_typed(agent, aaa):
    typed = FORM | {"short": "x" * 170, "title_zu": "Amanzi azovalwa"}
    response = agent.post("/console/news/new", typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "At most 160 characters" in page
    assert "Water off on Tuesday 09:00 to 15:00." in page and "x" * 170 in page
    assert not NewsItem.objects.exists()
    response = agent.post("/console/news/new", FORM | {"title_zu": "Amanzi azovalwa"})
    assert response.status_code == 400  # a version given only in part
    assert "Amanzi azovalwa" in response.content.decode()


def test_the_preview_says_who_it_would_reach_before_saving(agent, aaa, make_resident):
    make_resident("0821000001")
    make_resident("0821000002", consent=False)
    zone = {"type": "Polygon", "coordinates": [[[20.02, -29.98], [20.15, -29.98],
                                                [20.15, -29.92], [20.02, -29.98]]]}
    response = agent.post("/console/news/new", FORM | {"target": "zone",
                                                       "zone": json.dumps(zone),
                                                       "preview": "1"})
    page = response.content.decode()
    assert "A broadcast would be sent to <strong>1</strong> resident" in page
    assert "(of 2 in the target" in page and "Wards: 1, 2" in page
    assert not NewsItem.objects.exists()


@freeze_time(MORNING)
def test_compose_then_send_now(agent, aaa, make_resident):
    make_resident("0821000001")
    response = agent.post("/console/news/new", FORM)
    item = NewsItem.objects.get()
    assert response["Location"] == f"/console/news/{item.pk}"
    page = agent.get(f"/console/news/{item.pk}").content.decode()
    assert "Send now" in page and "<strong>1</strong> resident" in page
    sent = agent.post(f"/console/news/{item.pk}/publish", follow=True).content.decode()
    assert "being sent to 1 residents" in sent
    assert NewsItem.objects.get().status == "sending"


@freeze_time(MORNING)
def test_schedule_move_and_cancel(agent, publisher, aaa, make_resident):
    make_resident("0821000001")
    item = compose(publisher, aaa)
    agent.post(f"/console/news/{item.pk}/schedule", {"send_at": "2026-07-02T09:00"})
    item.refresh_from_db()
    assert item.status == "scheduled" and f"{item.send_at:%H:%M}" == "07:00"  # UTC
    page = agent.post(f"/console/news/{item.pk}/schedule", {"send_at": "2020-01-01T09:00"},
                      follow=True).content.decode()
    assert "That time has passed" in page
    agent.post(f"/console/news/{item.pk}/cancel")
    assert NewsItem.objects.get().status == "cancelled"
    page = agent.post(f"/console/news/{item.pk}/cancel", follow=True).content.decode()
    assert "Only a draft or a scheduled item can be cancelled." in page


def test_an_empty_target_is_said_when_sending(agent, publisher, aaa, make_resident):
    make_resident("0821000001", consent=False)
    item = compose(publisher, aaa)
    page = agent.post(f"/console/news/{item.pk}/publish", follow=True).content.decode()
    assert "Nobody would receive this broadcast" in page
    assert NewsItem.objects.get().status == "draft"


def test_a_draft_is_changed_keeping_its_versions(agent, publisher, aaa):
    item = compose(publisher, aaa, translations={"zu": {"title": "Amanzi", "body": "Amanzi.",
                                                        "short": "Amanzi."}})
    form = agent.get(f"/console/news/{item.pk}/edit").content.decode()
    assert "Amanzi" in form
    agent.post(f"/console/news/{item.pk}/edit", FORM | {"title": "Changed", "title_zu": "Amanzi",
                                                        "body_zu": "Amanzi.",
                                                        "short_zu": "Amanzi."})
    item.refresh_from_db()
    assert item.title == "Changed" and item.translations["zu"]["title"] == "Amanzi"


def test_another_municipalitys_item_is_not_found(agent, places, make_staff):
    other = make_staff({"role": Role.AGENT, "municipality": places[1]})
    theirs = compose(other, places[1])
    assert agent.get(f"/console/news/{theirs.pk}").status_code == 404
    assert agent.post(f"/console/news/{theirs.pk}/cancel").status_code == 404
    assert NewsItem.objects.get().status == "draft"


def test_an_interest_group_is_created_from_the_list(agent, aaa):
    agent.post("/console/news/groups", {"name": "Water outages", "description": "Cuts"})
    assert InterestGroup.objects.get().name == "Water outages"
    page = agent.post("/console/news/groups", {"name": "water outages"},
                      follow=True).content.decode()
    assert "The municipality has a group of that name." in page
