"""The site's "Who represents me": a suburb, a ward or a location (the script's hidden
point) shows the councillor with photo, party and contact, the committee, the PR count and
the traditional council; mistakes are field errors that keep the choice; no photo on the
page ever answers 404."""

import re

import pytest
from django.urls import NoReverseMatch

from imbizo.representatives.models import Representative
from imbizo.web import representatives as views

from .conftest import IN_WARD_2

PAGE = "/representatives"


def images(html: str) -> list[str]:
    return re.findall(r'<img[^>]* src="([^"]+)"', html)


def test_the_page_offers_the_municipalitys_suburbs_and_wards(client, listed):
    html = client.get(PAGE, {"m": "AAA"}).content.decode()
    assert '<option value="Ezinkomeni">Ezinkomeni (ward 2)</option>' in html
    assert '<option value="2">Ward 2</option>' in html
    assert 'id="locate" hidden' in html  # shown by the script only
    assert "Error:" not in html  # nothing chosen yet, nothing wrong


def test_a_suburb_shows_the_councillor_with_photo_party_and_contact(client, listed):
    response = client.get(PAGE, {"m": "AAA", "suburb": "Sizwe"})
    html = response.content.decode()
    assert "Ward 1, Aaa Local" in html and "Cllr Thandi Mokoena" in html
    assert "Independent" in html and '<a href="tel:+27825550101">082 555 0101</a>' in html
    assert "mailto:thandi@aaa.example.org" in html and "Ward office<br>Main Road" in html
    assert "Lerato Botha" in html and "Health" in html
    assert "Aaa Local has 2 proportional-representation councillors" in html
    assert "This place lies in no traditional authority" in html
    assert '<option value="Sizwe" selected>' in html  # the choice is kept
    thandi = Representative.objects.get(name="Thandi Mokoena")
    assert images(html) == [f"/representatives/photos/{thandi.uuid}?v={thandi.photo_sha256[:12]}"]
    assert 'class="portrait initials" aria-hidden="true">LB<' in html  # no photo: initials


def test_a_ward_shows_the_traditional_council_and_its_leader(client, listed):
    html = client.get(PAGE, {"m": "AAA", "ward": "2"}).content.decode()
    assert "Sipho Dlamini" in html and "AmaNgubane Traditional Council" in html
    assert "Great Place, Ezinkomeni" in html and "Inkosi Mandla Ngubane" in html
    assert "Nobuhle Zulu" in html and "047 555 0800" in html


def test_the_browsers_location_shows_the_same(client, listed):
    by_point = client.get(PAGE, {"m": "AAA", **IN_WARD_2}).content.decode()
    assert "Sipho Dlamini" in by_point and "Inkosi Mandla Ngubane" in by_point


@pytest.mark.parametrize("query, error", [
    ({"suburb": "Sizwe", "ward": "2"}, "Choose a suburb or a ward, not both."),
    ({"lat": "-10", "lon": "20.05"}, "is not inside any ward we serve"),
    ({"suburb": "Atlantis"}, "Select a valid choice"),
    ({"suburb": "", "ward": "", "lat": "", "lon": ""}, "Choose your suburb or your ward."),
])
def test_a_mistake_is_said_on_the_form_keeping_what_was_chosen(client, listed, query, error):
    response = client.get(PAGE, {"m": "AAA", **query})
    html = response.content.decode()
    assert response.status_code == 200 and error in html
    assert "Cllr" not in html  # no answer shown
    if query.get("ward"):
        assert '<option value="2" selected>' in html


def test_every_photo_on_the_page_answers_even_when_its_file_is_gone(client, listed):
    thandi = Representative.objects.get(name="Thandi Mokoena")
    thandi.photo.storage.delete(thandi.photo.name)
    html = client.get(PAGE, {"m": "AAA", "ward": "1"}).content.decode()
    for src in images(html):
        photo = client.get(src)
        assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
        assert photo["Cache-Control"] == "public, max-age=86400"
        assert b"".join(photo.streaming_content).startswith(b"\xff\xd8\xff")


def test_a_photo_is_cached_by_its_etag(client, listed):
    thandi = Representative.objects.get(name="Thandi Mokoena")
    first = client.get(f"/representatives/photos/{thandi.uuid}")
    again = client.get(f"/representatives/photos/{thandi.uuid}",
                       HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_an_unknown_or_retired_persons_photo_is_a_404(client, listed, photos):
    assert client.get("/representatives/photos/00000000-0000-4000-8000-000000000000") \
        .status_code == 404
    Representative.objects.filter(name="Thandi Mokoena").update(active=False)
    thandi = Representative.objects.get(name="Thandi Mokoena")
    assert client.get(f"/representatives/photos/{thandi.uuid}").status_code == 404


def test_the_pr_councillors_page_lists_them(client, listed):
    html = client.get("/representatives/pr", {"m": "AAA"}).content.decode()
    assert html.index("Zanele Nkosi") < html.index("Pieter Botha")
    assert "https://aaa.example.org/zanele.jpg" in images(html)


def test_the_councillor_links_to_raising_a_matter_only_where_that_page_exists(
        client, listed, monkeypatch):
    ward_1 = Representative.objects.get(name="Thandi Mokoena").ward

    def no_page(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr(views, "reverse", no_page)
    assert views.matter_address(ward_1) is None
    assert "Raise a matter" not in client.get(PAGE, {"m": "AAA", "ward": "1"}).content.decode()
    monkeypatch.setattr(views, "reverse", lambda name: "/matters/new")
    assert views.matter_address(ward_1) == "/matters/new?ward=90100001"
    html = client.get(PAGE, {"m": "AAA", "ward": "1"}).content.decode()
    assert 'href="/matters/new?ward=90100001"' in html


def test_the_look_up_page_is_a_few_queries(client, listed, settings,
                                           django_assert_max_num_queries):
    client.get(PAGE, {"m": "AAA", "ward": "2"})
    settings.CONFIG_CHECK_SECONDS = 60  # as served: the memo trusted for a while
    with django_assert_max_num_queries(2):  # the ward list; who represents it: the memo
        client.get(PAGE, {"m": "AAA", "ward": "2"})
