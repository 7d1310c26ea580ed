"""The site: a signed-in resident raises a matter (field errors keep what was typed), sees
their matters and the timeline, and supports a neighbour's suggestion on the ward's list,
all without JavaScript."""

import pytest

from imbizo.matters.lifecycle import matter_answer
from imbizo.matters.models import Matter, Support
from imbizo.web.session import SESSION_KEY

WARD1, WARD2 = "90100001", "90100002"


@pytest.fixture
def signed_in(client):
    def sign_in(actor):
        session = client.session
        session[SESSION_KEY] = actor.citizen.pk
        session.save()
        return client
    return sign_in


def test_raising_asks_a_visitor_to_sign_in_first(client, wards):
    response = client.get("/matters/new")
    assert response.status_code == 302 and response["Location"].startswith("/signin?next=")
    assert client.get("/matters").status_code == 302


def test_the_form_offers_the_home_ward_first_then_every_suburb(signed_in, people):
    page = signed_in(people["nomsa"]).get("/matters/new").content.decode()
    home = page.index(f'value="{WARD1}" selected')
    assert "My ward: ward 1 (Sizwe, KwaMashu)" in page
    assert page.index("KwaMashu (ward 1)") > home and "Ward 2" in page
    assert 'name="public"' in page and "<script" not in page.split("<main")[1].split("</main>")[0]


def test_a_resident_raises_a_matter_and_sees_it_with_its_timeline(signed_in, people, staff):
    client = signed_in(people["nomsa"])
    response = client.post("/matters/new", {
        "kind": "suggestion", "ward": WARD1, "title": "A library",
        "text": "Please build a library in KwaMashu.", "public": "on"})
    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/matters/{matter.reference}"
    assert (matter.kind, matter.public, matter.channel, matter.ward.code) == (
        "suggestion", True, "web", WARD1)
    matter_answer(actor=staff["councillor"], matter=matter, text="I will table it in council.")
    page = client.get(f"/matters/{matter.reference}").content.decode()
    assert "You raised this." in page and "I will table it in council." in page
    assert "Noluthando Test" in page and "Answered" in page
    mine = client.get("/matters").content.decode()
    assert matter.reference in mine and "A library" in mine
    assert f"/wards/{WARD1}/matters" in mine


@pytest.mark.parametrize(("post", "field", "kept"), [
    ({"kind": "issue", "ward": WARD1, "text": ""}, "text", "A title kept"),
    ({"kind": "issue", "ward": "", "text": "Lights are off on Main Road"}, "ward",
     "Lights are off on Main Road"),
    ({"kind": "issue", "ward": WARD1, "text": "y" * 2001}, "text", "y" * 2001),
])
def test_a_refused_form_says_why_on_the_field_and_keeps_what_was_typed(
        signed_in, people, post, field, kept):
    response = signed_in(people["nomsa"]).post("/matters/new", {**post, "title": "A title kept"})
    assert response.status_code == 400 and not Matter.objects.exists()
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert kept in page


def test_the_service_s_refusal_comes_back_on_the_field(signed_in, people):
    response = signed_in(people["nomsa"]).post("/matters/new", {
        "kind": "issue", "ward": WARD1, "text": "    ", "title": "Only spaces"})
    assert response.status_code == 400 and not Matter.objects.exists()
    assert 'id="id_text_error"' in response.content.decode()


def test_a_neighbour_supports_a_suggestion_from_the_ward_list_once(signed_in, people,
                                                                  raise_matter):
    matter = raise_matter("suggestion", text="A speed bump by the school.")
    client = signed_in(people["thabo"])
    listing = client.get(f"/wards/{WARD1}/matters").content.decode()
    assert "A speed bump by the school." in listing and "I support this" in listing
    assert "Nomsa" not in listing and "0821234567" not in listing
    done = client.post(f"/matters/{matter.reference}/support",
                       {"next": f"/wards/{WARD1}/matters"})
    assert done.status_code == 302 and done["Location"] == f"/wards/{WARD1}/matters"
    again = client.post(f"/matters/{matter.reference}/support",
                        {"next": f"/wards/{WARD1}/matters"}, follow=True)
    assert "You already support" in again.content.decode()
    assert Support.objects.count() == 1
    assert "1 neighbour supports it" in client.get(f"/wards/{WARD1}/matters").content.decode()


def test_a_private_matter_s_words_are_not_on_the_ward_list_nor_its_page(client, raise_matter):
    matter = raise_matter("issue", text="My neighbour at 12 Oak Street steals water.")
    listing = client.get(f"/wards/{WARD1}/matters").content.decode()
    assert matter.reference in listing and "Oak Street" not in listing
    assert client.get(f"/matters/{matter.reference}").status_code == 404


def test_another_resident_cannot_open_a_private_matter(signed_in, people, raise_matter):
    matter = raise_matter("issue")
    assert signed_in(people["thabo"]).get(f"/matters/{matter.reference}").status_code == 404


def test_supporting_asks_a_visitor_to_sign_in(client, raise_matter):
    matter = raise_matter("suggestion")
    response = client.post(f"/matters/{matter.reference}/support")
    assert response.status_code == 302 and response["Location"].startswith("/signin?next=")
    assert not Support.objects.exists()


def test_an_unknown_ward_is_a_404(client, wards):
    assert client.get("/wards/99999999/matters").status_code == 404


def test_a_ward_named_in_the_address_is_chosen_and_kept_through_sign_in(client, signed_in,
                                                                        people):
    asked = client.get(f"/matters/new?ward={WARD2}")
    assert asked["Location"] == "/signin?next=%2Fmatters%2Fnew%3Fward%3D" + WARD2
    page = signed_in(people["nomsa"]).get(f"/matters/new?ward={WARD2}").content.decode()
    assert f'value="{WARD2}" selected' in page and f'value="{WARD1}" selected' not in page
