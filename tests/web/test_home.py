"""The landing page: its links answer on the installation they are shown on."""

import html
import re

import pytest
from shapely.geometry import Point

from imbizo.cases.services import Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.demo.geography import generate_geography
from imbizo.demo.seed import demo_seed


@pytest.fixture
def demo(db, settings):
    """DMO's wards, departments, staff and categories, without residents or case history
    (under a second)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_seed(residents=0, cases=0)


def links(page) -> dict[str, str]:
    """The page's links by their text."""
    found = re.findall(r'<a href="([^"]+)">([^<]+)</a>', page.content.decode())
    return {html.unescape(text): html.unescape(href) for href, text in found}


def link(page, starting: str) -> str:
    return next(href for text, href in links(page).items() if text.startswith(starting))


def test_the_look_up_link_is_a_point_in_the_demo_s_ward_1(client, demo):
    href = link(client.get("/"), "Find the ward at a point")
    place = client.get(href).json()
    assert place["ward"]["code"] == "29901001" and place["municipality"]["code"] == "DMO"
    lat, lon = (float(v) for v in re.findall(r"(?:lat|lon)=(-?[\d.]+)", href))
    ward1 = next(w for w in generate_geography().wards if w.number == 1)
    assert ward1.polygon.contains(Point(lon, lat))


def test_every_link_to_try_answers(client, demo):
    page = client.get("/")
    assert "One public case" not in page.content.decode()  # none logged yet
    lat, lon = (float(v) for v in re.findall(r"(?:lat|lon)=(-?[\d.]+)",
                                             link(page, "Find the ward")))
    case = case_log(actor=system_actor("web"), category="pothole", description="Deep hole",
                    location=Location(latitude=lat, longitude=lon))
    page = client.get("/")
    categories = client.get(link(page, "What DMO takes reports about"))
    assert "pothole" in {c["code"] for c in categories.json()}
    register = client.get(link(page, "The public register"))
    assert [r["service_request_id"] for r in register.json()] == [case.reference]
    one = client.get(link(page, f"One public case: {case.reference}"))
    assert one.status_code == 200 and one.json()[0]["service_request_id"] == case.reference
    assert client.get(link(page, "API documentation")).status_code == 200
    assert client.get(link(page, "Administration"), follow=True).status_code == 200
    text = page.content.decode()
    assert "imbizo create-api-key DMO --role agent" in text
    assert "demo logins: see docs/demo.md" in text and "imbizo-demo-" not in text


def test_a_private_case_is_never_the_one_shown(client, demo):
    lat, lon = (float(v) for v in re.findall(r"(?:lat|lon)=(-?[\d.]+)",
                                             link(client.get("/"), "Find the ward")))
    case_log(actor=system_actor("web"), category="pothole", description="Private",
             location=Location(latitude=lat, longitude=lon), public=False)
    assert "One public case" not in client.get("/").content.decode()


def test_the_page_stays_small_without_script_in_three_queries(client, demo,
                                                              django_assert_num_queries):
    with django_assert_num_queries(3):  # municipalities, the first ward, the newest case
        page = client.get("/")
    assert page.status_code == 200 and len(page.content) < 10_000
    assert b"<script" not in page.content


def test_with_nothing_loaded_only_the_general_links_show(client, db):
    page = client.get("/")
    text = page.content.decode()
    assert "None loaded yet." in text
    assert set(links(page)) == {"Administration", "API documentation"}
    assert "create-api-key" not in text and "demo logins" not in text


def test_without_the_demo_the_first_municipality_served_is_tried(client, two_municipalities):
    page = client.get("/")
    place = client.get(link(page, "Find the ward at a point")).json()
    assert place["ward"]["code"] == "90100001"  # AAA's ward 1; AAA is listed first
    assert link(page, "What AAA takes reports about") == "/api/v1/categories?municipality=AAA"
    assert "demo logins" not in page.content.decode()
