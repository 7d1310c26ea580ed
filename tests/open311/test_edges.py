"""Open311's edges: every error's HTTP status is the code in its body, a body past its
limit is a 413 in the spec's format, and a request kept out of the public register can
still be followed by the key that posted it."""

import io
import logging
from urllib.parse import urlencode

import pytest
from django.test import Client

from imbizo.api.keys import api_key_create
from imbizo.api.limits import UPLOAD_MARGIN
from imbizo.cases.limits import TEXT_MAX_LENGTH
from imbizo.cases.models import Case
from imbizo.core.permissions import system_actor

from .helpers import BASE, POTHOLE, errors

FIRE = {**POTHOLE, "service_code": "fire", "description": "Shack fire, spreading"}


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


# Every way Open311 says no, and the status it says it with (body code and HTTP alike).
ERROR_CASES = [
    ("get", "requests.txt", {}, 404),  # unknown format
    ("get", "nowhere.json", {}, 404),  # unknown path
    ("delete", "requests.{fmt}", {}, 405),
    ("get", "services.{fmt}", {"jurisdiction_id": "ZZZ"}, 404),
    ("get", "services.{fmt}", {}, 400),  # two municipalities: jurisdiction_id required
    ("get", "services/unicorns.{fmt}", {"jurisdiction_id": "AAA"}, 404),
    ("get", "requests.{fmt}", {"jurisdiction_id": "AAA", "status": "pending"}, 400),
    ("get", "requests.{fmt}", {"jurisdiction_id": "AAA", "start_date": "soon"}, 400),
    ("get", "requests.{fmt}", {"jurisdiction_id": "AAA", "start_date": "2020-01-01",
                               "end_date": "2021-01-01"}, 400),
    ("get", "requests/AAA-2501-0001-0.{fmt}", {"jurisdiction_id": "AAA"}, 404),
    ("get", "tokens/abc.{fmt}", {"jurisdiction_id": "AAA"}, 404),
    ("post", "requests.{fmt}", {**POTHOLE, "api_key": "imb_wrong"}, 403),
    ("post", "requests.{fmt}", {"api_key": "{key}", **POTHOLE, "jurisdiction_id": "BBB",
                                "long": "20.35"}, 403),
    ("post", "requests.{fmt}", {"api_key": "{key}", **POTHOLE, "long": "20.35"}, 400),
    ("post", "requests.{fmt}", {"api_key": "{key}", **POTHOLE,
                                "description": "x" * (TEXT_MAX_LENGTH + 1)}, 400),
    ("post", "requests.{fmt}", {"api_key": "{key}", **POTHOLE,
                                "description": "y" * 7000}, 413),  # the limit is 6000
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("method, path, params, status", ERROR_CASES)
def test_every_errors_http_status_is_the_code_in_its_body(
        client, key, settings, caplog, method, path, params, status, fmt):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 6000
    params = {k: v.replace("{key}", key) for k, v in params.items()}
    url = f"{BASE}/{path.format(fmt=fmt)}"
    if method == "post":  # form-encoded, as the spec sends it
        response = client.post(url, urlencode(params),
                               content_type="application/x-www-form-urlencoded")
    else:
        response = getattr(client, method)(url, params)
    answered_in = fmt if "{fmt}" in path else "json"
    errors(response, status, answered_in)  # asserts every code == the HTTP status
    assert not Case.objects.exists() and errors_logged(caplog) == []


def test_an_over_long_description_names_the_limit(post):
    (error,) = errors(post(description="x" * (TEXT_MAX_LENGTH + 1)), 400)
    assert "description:" in error["description"] and f"{TEXT_MAX_LENGTH}" in error["description"]


def test_multipart_fields_over_the_form_limit_are_a_413(post, settings, caplog):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    (error,) = errors(post(description="y" * 3000), 413)
    assert "fields" in error["description"] and "2,000" in error["description"]
    assert not Case.objects.exists() and errors_logged(caplog) == []


def test_a_multipart_body_over_the_photo_limit_is_a_413(client, key, settings, caplog):
    settings.ATTACHMENT_MAX_BYTES = 1000
    big = io.BytesIO(b"\xff" * (1000 + UPLOAD_MARGIN + 1))
    big.name = "photo.jpg"
    response = client.post(f"{BASE}/requests.xml", {"api_key": key, **POTHOLE, "media": big})
    (error,) = errors(response, 413, "xml")
    assert "bytes" in error["description"]
    assert not Case.objects.exists() and errors_logged(caplog) == []


def test_a_body_within_its_limit_is_taken(post, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    assert post(description="z" * 1000).status_code == 200


# --- following a request kept out of the public register ------------------------------
@pytest.fixture
def fire(post):
    (created,) = post(FIRE).json()
    return created["service_request_id"]


def test_a_fire_stays_out_of_the_public_register(o311, fire):
    listed = o311("requests.json", {"jurisdiction_id": "AAA"}).json()
    assert fire not in [r["service_request_id"] for r in listed]
    listed = o311("requests.json", {"jurisdiction_id": "AAA", "service_request_id": fire})
    assert listed.json() == []
    errors(o311(f"requests/{fire}.json", {"jurisdiction_id": "AAA"}), 404)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_key_that_posted_it_can_follow_it(client, key, fire, fmt):
    response = client.get(f"{BASE}/requests/{fire}.{fmt}", {"jurisdiction_id": "AAA"},
                          HTTP_X_API_KEY=key)
    assert response.status_code == 200, response.content
    if fmt == "json":
        (request,) = response.json()
        assert request["service_request_id"] == fire and request["service_code"] == "fire"
        assert request["status"] == "open"
    else:
        assert f"<service_request_id>{fire}</service_request_id>".encode() in response.content


def test_a_case_logged_as_private_over_the_api_is_followed_by_its_key_too(client, key):
    created = client.post("/api/v1/cases", {"category": "pothole", "description": "Hole",
                                            "latitude": -29.95, "longitude": 20.05,
                                            "public": False},
                          content_type="application/json", HTTP_X_API_KEY=key).json()
    ref = created["reference"]
    errors(client.get(f"{BASE}/requests/{ref}.json", {"jurisdiction_id": "AAA"}), 404)
    followed = client.get(f"{BASE}/requests/{ref}.json", {"jurisdiction_id": "AAA"},
                          HTTP_X_API_KEY=key)
    assert followed.json()[0]["service_request_id"] == ref


def test_another_key_of_the_same_municipality_gets_a_404(client, municipalities, fire):
    other = api_key_create(actor=system_actor("cli"), municipality=municipalities[0],
                           name="Another CRM")[1]
    response = client.get(f"{BASE}/requests/{fire}.json", {"jurisdiction_id": "AAA"},
                          HTTP_X_API_KEY=other)
    errors(response, 404)


@pytest.mark.parametrize("header", ["imb_wrong", ""])
def test_a_wrong_key_in_the_header_is_a_403(client, fire, header):
    response = client.get(f"{BASE}/requests/{fire}.json", {"jurisdiction_id": "AAA"},
                          HTTP_X_API_KEY=header)
    errors(response, 403)


def test_following_needs_no_csrf_token_and_sets_no_session(key, fire):
    browserless = Client(enforce_csrf_checks=True)
    response = browserless.get(f"{BASE}/requests/{fire}.json", {"jurisdiction_id": "AAA"},
                               HTTP_X_API_KEY=key)
    assert response.status_code == 200 and not response.cookies
