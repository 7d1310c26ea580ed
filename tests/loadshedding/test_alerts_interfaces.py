"""Following an area on the API (a resident signed in on the site) and on the site (a
POST form, no JavaScript, back to the area's page): the same service, idempotent, and
problem+json or a page for what is refused."""

import pytest

from imbizo.loadshedding.models import Subscription
from imbizo.web.session import SESSION_KEY

from .alerts import resident

SUBSCRIPTION = "/api/v1/loadshedding/areas/{key}/subscription"


@pytest.fixture
def signed_in(client, areas):
    """A client signed in on the site as Nomsa, CSRF checks on as in production."""
    nomsa = resident("0821000001")
    session = client.session
    session[SESSION_KEY] = nomsa.pk
    session.save()
    return client, nomsa


def test_the_api_session_key_is_the_sites():
    from imbizo.api.loadshedding import RESIDENT_SESSION_KEY
    assert RESIDENT_SESSION_KEY == SESSION_KEY


def test_on_the_api_a_resident_follows_twice_lists_and_stops(signed_in):
    client, nomsa = signed_in
    for _again in range(2):
        answer = client.put(SUBSCRIPTION.format(key="test-area-1"))
        assert answer.status_code == 200
    assert answer.json()["subscribed"] is True
    assert [a["key"] for a in answer.json()["areas"]] == ["test-area-1"]
    listed = client.get("/api/v1/loadshedding/subscriptions").json()
    assert [a["name"] for a in listed["areas"]] == ["Test Area 1"]
    stopped = client.delete(SUBSCRIPTION.format(key="test-area-1"))
    assert stopped.status_code == 200 and stopped.json() == {
        "area": "test-area-1", "subscribed": False, "areas": []}
    assert client.delete(SUBSCRIPTION.format(key="test-area-1")).status_code == 200


def test_on_the_api_an_unknown_area_is_a_problem_and_strangers_are_401(signed_in, db):
    client, _nomsa = signed_in
    unknown = client.put(SUBSCRIPTION.format(key="nowhere"))
    assert unknown.status_code == 404
    assert unknown["Content-Type"].startswith("application/problem+json")
    assert unknown.json()["type"].endswith("unknown_area")
    client.logout()
    stranger = client.put(SUBSCRIPTION.format(key="test-area-1"))
    assert stranger.status_code == 401 and "Sign in on the site" in stranger.json()["detail"]
    assert client.get("/api/v1/loadshedding/subscriptions").status_code == 401


def test_on_the_api_a_write_without_the_csrf_token_is_refused(areas):
    from django.test import Client

    careful = Client(enforce_csrf_checks=True)
    session = careful.session
    session[SESSION_KEY] = resident("0821000002").pk
    session.save()
    refused = careful.put(SUBSCRIPTION.format(key="test-area-1"))
    assert refused.status_code == 403 and refused.json()["type"].endswith("csrf_failed")
    assert not Subscription.objects.exists()
    stranger = Client(enforce_csrf_checks=True).put(SUBSCRIPTION.format(key="test-area-1"))
    assert stranger.status_code == 401  # not signed in: told to sign in, not of CSRF


def test_on_the_site_alert_me_works_without_javascript_and_keeps_you_on_the_page(signed_in):
    client, nomsa = signed_in
    page = client.get("/loadshedding/areas/test-area-1").content.decode()
    assert '<form method="post" action="/loadshedding/areas/test-area-1/follow">' in page
    done = client.post("/loadshedding/areas/test-area-1/follow", follow=True)
    assert done.redirect_chain == [("/loadshedding/areas/test-area-1", 302)]
    shown = done.content.decode()
    assert "You will get alerts for Test Area 1" in shown and "Stop alerts" in shown
    assert Subscription.objects.filter(citizen=nomsa).count() == 1
    mine = client.get("/loadshedding/alerts").content.decode()
    assert "Test Area 1" in mine
    stopped = client.post("/loadshedding/areas/test-area-1/unfollow", follow=True)
    assert "You will get no more alerts for Test Area 1." in stopped.content.decode()
    assert not Subscription.objects.exists()


def test_on_the_site_a_visitor_is_asked_to_sign_in_and_comes_back(client, areas):
    asked = client.post("/loadshedding/areas/test-area-1/follow")
    assert asked.status_code == 302
    assert asked["Location"] == "/signin?next=%2Floadshedding%2Fareas%2Ftest-area-1"
    assert client.get("/loadshedding/alerts").status_code == 302
    assert not Subscription.objects.exists()
