"""The site's nearest-facility page: a kind and a suburb (or a plus code, or the browser's
location), the nearest with distance, directions, phone and the data's attribution;
without JavaScript; refusals said on the form, keeping what was chosen."""

import pytest

from imbizo.core.permissions import system_actor
from imbizo.geo.services import ward_suburbs_set

PAGE = "/facilities"


@pytest.fixture
def town(load, municipalities):
    aaa = municipalities[0]
    ward_suburbs_set(actor=system_actor("cli"), municipality=aaa,
                     suburbs={1: ["Sizwe", "KwaMashu"], 2: ["Hilltop"]})
    load("police", [["Sizwe Police", "20.05", "-29.95", "040 555 0199"],
                    ["Hilltop Police", "20.15", "-29.95", ""]],
         header=("Name", "Longitude", "Latitude", "Phone"))
    return aaa


def test_the_page_offers_kinds_and_the_municipalitys_suburbs(client, town):
    response = client.get(PAGE, {"m": "AAA"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="police">Police station</option>' in html
    assert '<option value="1:Sizwe">Sizwe (Ward 1)</option>' in html
    assert 'id="use-here"' in html and "facilities.js" in html  # offered by the script
    assert "Sizwe Police" not in html


def test_a_suburb_finds_the_nearest_with_phone_and_attribution(client, town):
    response = client.get(PAGE, {"m": "AAA", "kind": "police", "suburb": "2:Hilltop"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nearest Police station to Hilltop" in html
    assert html.index("Hilltop Police") < html.index("Sizwe Police")
    assert "west, in Aaa Local ward 1" in html
    assert 'href="tel:0405550199"' in html
    assert "Clinics made up by the test suite." in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener"' in html
    assert '<option value="2:Hilltop" selected>' in html  # what was chosen is kept


def test_the_browsers_location_finds_the_nearest(client, town):
    response = client.get(PAGE, {"m": "AAA", "kind": "police", "lat": "-29.95",
                                 "lon": "20.151"})
    html = response.content.decode()
    assert "Nearest Police station to you" in html and "100 m west" in html


def test_a_plus_code_finds_the_nearest(client, town):
    from openlocationcode import openlocationcode as olc
    code = olc.encode(-29.95, 20.049)
    response = client.get(PAGE, {"m": "AAA", "kind": "police", "pluscode": code})
    assert "Sizwe Police" in response.content.decode() and response.status_code == 200


def test_a_kind_without_facilities_says_so(client, town):
    response = client.get(PAGE, {"m": "AAA", "kind": "library", "suburb": "1:Sizwe"})
    assert response.status_code == 200
    assert "Library: none known near there yet." in response.content.decode()


def test_an_unknown_kind_is_a_field_error_listing_the_kinds(client, town):
    response = client.get(PAGE, {"m": "AAA", "kind": "spaceport", "suburb": "1:Sizwe"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is no kind of facility called &#x27;spaceport&#x27;" in html
    assert '<option value="1:Sizwe" selected>' in html


def test_no_place_asks_for_one(client, town):
    response = client.get(PAGE, {"m": "AAA", "kind": "police"})
    assert response.status_code == 400
    assert "Say where you are" in response.content.decode()


def test_a_point_outside_south_africa_is_said(client, town):
    response = client.get(PAGE, {"m": "AAA", "kind": "police", "lat": "51.5", "lon": "-0.12"})
    assert response.status_code == 400
    assert "outside South Africa" in response.content.decode()


def test_a_bad_plus_code_is_a_field_error(client, town):
    response = client.get(PAGE, {"m": "AAA", "kind": "police", "pluscode": "NOPE"})
    assert response.status_code == 400
    assert "That is not a plus code." in response.content.decode()


def test_without_a_municipality_the_page_offers_them(client, town):
    html = client.get(PAGE).content.decode()
    assert 'href="/facilities?m=AAA"' in html and 'href="/facilities?m=BBB"' in html
    assert 'name="suburb"' not in html
    response = client.get(PAGE, {"kind": "police", "lat": "-29.95", "lon": "20.151"})
    assert "Hilltop Police" in response.content.decode()
