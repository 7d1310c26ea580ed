"""News on the citizen site: a municipality's (or a ward's) for anyone, a signed-in
resident's communities, an item's page in the site's language (counted as read), and
joining or leaving groups with plain POST forms."""

import pytest

from imbizo.accounts.permissions import citizen_actor
from imbizo.news.groups import interest_group_create, interest_group_join
from imbizo.news.models import GroupMembership, NewsRead
from imbizo.web.session import SESSION_KEY

from .conftest import broadcast, compose


@pytest.fixture
def news(publisher, aaa):
    group = interest_group_create(actor=publisher, municipality=aaa, name="Youth jobs",
                                  description="Learnerships and job fairs")
    return {
        "whole": broadcast(publisher, aaa, kind="news", title="Budget meeting",
                           translations={"af": {"title": "Begrotingsvergadering",
                                                "body": "Donderdag 18:00 in die stadsaal.",
                                                "short": "Donderdag 18:00."}}),
        "ward2": broadcast(publisher, aaa, kind="news", title="Road closed in ward 2",
                           target="wards", wards=[2]),
        "group": broadcast(publisher, aaa, kind="news", title="Job fair", target="group",
                           group=group.pk),
        "draft": compose(publisher, aaa, kind="news", title="Not yet"),
        "youth": group,
    }


def signed_in(client, citizen):
    session = client.session
    session[SESSION_KEY] = citizen.pk
    session.save()
    return client


def test_anyone_picks_a_municipality_and_a_ward(client, news):
    page = client.get("/news", {"m": "AAA"}).content.decode()
    assert "Budget meeting" in page and "Road closed in ward 2" in page and "Job fair" in page
    assert "Not yet" not in page
    assert '<select name="m"' in page and "Sign in to join a group" in page
    ward1 = client.get("/news", {"m": "AAA", "ward": "1"}).content.decode()
    assert "Budget meeting" in ward1 and "Road closed" not in ward1


def test_a_resident_sees_the_news_of_their_communities(client, news, make_resident):
    citizen = make_resident("0821000001", 1)
    page = signed_in(client, citizen).get("/news").content.decode()
    assert "Budget meeting" in page
    assert "Road closed" not in page and "Job fair" not in page  # not their ward, nor group
    interest_group_join(actor=citizen_actor(citizen, channel="web"), group=news["youth"])
    assert "Job fair" in client.get("/news").content.decode()


def test_an_item_is_shown_in_the_sites_language_and_counted_read_once(client, news,
                                                                      make_resident):
    citizen = make_resident("0821000001")
    item = news["whole"]
    client.get(f"/news/{item.pk}")  # anonymous: not counted
    assert not NewsRead.objects.exists()
    signed_in(client, citizen)
    client.post("/language", {"language": "af", "next": "/news"})
    page = client.get(f"/news/{item.pk}").content.decode()
    assert "Begrotingsvergadering" in page and "Donderdag 18:00 in die stadsaal." in page
    client.get(f"/news/{item.pk}")
    assert NewsRead.objects.get().citizen == citizen


def test_a_draft_or_unknown_item_is_not_found(client, news):
    assert client.get(f"/news/{news['draft'].pk}").status_code == 404
    assert client.get("/news/999999").status_code == 404


def test_a_resident_joins_and_leaves_a_group_by_posting_a_form(client, news, make_resident):
    citizen = make_resident("0821000001", consent=False)
    group = news["youth"]
    signed_in(client, citizen)
    assert f'action="/news/groups/{group.pk}/join"' in client.get("/news").content.decode()
    response = client.post(f"/news/groups/{group.pk}/join", follow=True)
    page = response.content.decode()
    assert "You joined" in page and f'action="/news/groups/{group.pk}/leave"' in page
    assert GroupMembership.objects.get(citizen=citizen).left is None
    client.post(f"/news/groups/{group.pk}/leave")
    assert GroupMembership.objects.get(citizen=citizen).left is not None


def test_joining_asks_an_anonymous_visitor_to_sign_in_and_changes_nothing(client, news):
    response = client.post(f"/news/groups/{news['youth'].pk}/join")
    assert response.status_code == 302 and response["Location"].startswith("/signin")
    assert client.get(f"/news/groups/{news['youth'].pk}/join").status_code == 405
    assert not GroupMembership.objects.exists()


def test_the_news_page_keeps_to_a_few_queries(client, news, make_resident,
                                              django_assert_max_num_queries):
    signed_in(client, make_resident("0821000001"))
    client.get("/news")  # the served municipalities memo, the session
    with django_assert_max_num_queries(8):
        assert client.get("/news").status_code == 200


def test_the_home_page_shows_the_latest_news_and_links_every_community_page(client, news):
    page = client.get("/", {"m": "AAA"}).content.decode()
    assert "Budget meeting" in page and "Not yet" not in page
    assert 'href="/news?m=AAA"' in page and "No news from your municipality yet." not in page
    for link in ("/representatives", "/matters/new", "/loadshedding", "/facilities",
                 "/meetings?m=AAA", "/directory?m=AAA", "/share?m=AAA"):
        assert f'href="{link}"' in page
    assert 'href="/#community-h"' in page and 'href="/news"' in page  # the top navigation


def test_a_resident_home_page_shows_the_news_of_their_communities(client, news,
                                                                  make_resident):
    citizen = make_resident("0821000001", 1)
    page = signed_in(client, citizen).get("/").content.decode()
    assert "Budget meeting" in page and "Road closed" not in page and "Job fair" not in page
    assert 'href="/news"' in page and 'href="/news?m=AAA"' not in page
