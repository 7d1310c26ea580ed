"""The citizen site's home: the resident's municipality and ward, emergency numbers,
report and track, the latest news, the community pages, and the corner for staff and integrators."""

import pytest

from imbizo.accounts.services import citizen_update
from imbizo.core.permissions import system_actor
from imbizo.demo.seed import demo_seed
from imbizo.geo.models import Ward


@pytest.fixture
def demo(db):
    return demo_seed(residents=0, cases=0)


def test_the_demo_municipality_is_shown_with_emergency_numbers_and_the_two_actions(client,
                                                                                   demo):
    page = client.get("/")
    text = page.text
    assert page.status_code == 200 and "<h1>Demo Local Municipality</h1>" in text
    for number in ("10111", "10177", "112"):
        assert f'href="tel:{number}"' in text
    assert 'href="/report?m=DMO"' in text and 'href="/track"' in text
    assert '<ul class="cases news">' in text and 'href="/news?m=DMO"' in text  # demo news
    for link in ("/console/", "/admin/", "/api/v1/docs"):
        assert f'href="{link}"' in text


def test_a_signed_in_resident_sees_their_own_municipality_and_ward(client, resident,
                                                                  municipalities, sign_in_as):
    aaa, bbb = municipalities
    ward = Ward.objects.get(municipality=bbb, number=2)
    citizen_update(actor=system_actor("web"), citizen=resident.citizen, ward=ward)
    text = sign_in_as(resident.citizen).get("/").text
    assert "<h1>Bbb Local</h1>" in text and "Your ward: ward 2" in text
    assert 'href="/report?m=BBB"' in text


def test_with_several_municipalities_and_no_resident_a_picker_is_offered(client,
                                                                        municipalities):
    text = client.get("/").text
    assert "Choose your municipality" in text
    assert 'href="?m=AAA"' in text and 'href="?m=BBB"' in text
    assert "<h1>Aaa Local</h1>" in client.get("/?m=AAA").text


def test_with_nothing_loaded_the_page_still_answers(client, db):
    page = client.get("/")
    assert page.status_code == 200 and "No municipality is served here yet." in page.text


def test_the_home_page_runs_few_queries(client, municipalities, django_assert_max_num_queries):
    client.get("/")
    with django_assert_max_num_queries(4):
        assert client.get("/?m=AAA").status_code == 200
