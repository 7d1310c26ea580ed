"""The API's edges: every bad request gets a clear problem+json, never a 500 or a
"CSRF check failed" page."""

import io
import json
import logging
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_create
from imbizo.api.limits import UPLOAD_MARGIN
from imbizo.api.management.commands.create_api_key import KEY_ROLES, Command
from imbizo.cases import lifecycle
from imbizo.cases.limits import IDEMPOTENCY_KEY_MAX_LENGTH, TEXT_MAX_LENGTH
from imbizo.cases.models import Case, CaseUpdate
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import ROLE_PERMISSIONS, system_actor

POTHOLE = {"category": "pothole", "description": "Deep hole outside no. 12",
           "latitude": -29.95, "longitude": 20.05}
TOO_LONG = "x" * (TEXT_MAX_LENGTH + 1)


@pytest.fixture
def key(municipalities):
    aaa, _ = municipalities
    return api_key_create(actor=system_actor("cli"), municipality=aaa, name="CRM",
                          role=Role.MANAGER)[1]


@pytest.fixture
def csrf_client():
    """A client that checks CSRF as a browser's server does (the test client skips it)."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def api(csrf_client, key):
    def call(method: str, path: str, data=None):
        if method == "get":
            return csrf_client.get(f"/api/v1{path}", data or {}, HTTP_X_API_KEY=key)
        return csrf_client.post(f"/api/v1{path}", data, content_type="application/json",
                                HTTP_X_API_KEY=key)
    return call


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def png(size: int = 64) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "blue").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


# --- body size ------------------------------------------------------------------------
def test_a_json_body_over_the_limit_is_a_413_and_nothing_is_logged_as_an_error(
        api, settings, caplog):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    body = problem(api("post", "/cases", {**POTHOLE, "description": "y" * 3000}), 413)
    assert body["type"].endswith("/request_too_large") and "2,000" in body["detail"]
    assert not Case.objects.exists() and errors_logged(caplog) == []


def test_a_multipart_body_over_the_photo_limit_is_a_413_unread(
        api, csrf_client, key, settings, caplog, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1000
    ref = api("post", "/cases", POTHOLE).json()["reference"]
    big = io.BytesIO(b"\xff" * (1000 + UPLOAD_MARGIN + 1))
    big.name = "photo.jpg"
    response = csrf_client.post(f"/api/v1/cases/{ref}/attachments", {"file": big},
                                HTTP_X_API_KEY=key)
    assert problem(response, 413)["type"].endswith("/request_too_large")
    assert errors_logged(caplog) == []


def test_a_photo_within_its_limit_is_taken_though_larger_than_a_json_body_may_be(
        api, csrf_client, key, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ref = api("post", "/cases", POTHOLE).json()["reference"]
    photo = png(256)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(photo.getvalue()) // 2
    response = csrf_client.post(f"/api/v1/cases/{ref}/attachments", {"file": photo},
                                HTTP_X_API_KEY=key)
    assert response.status_code == 201, response.content


# --- who is calling -------------------------------------------------------------------
def test_a_wrong_key_on_a_post_is_a_401_not_a_csrf_failure(csrf_client, municipalities):
    response = csrf_client.post("/api/v1/cases", POTHOLE, content_type="application/json",
                                HTTP_X_API_KEY="imb_wrong")
    body = problem(response, 401)
    assert body["type"].endswith("/unauthenticated") and "API key" in body["detail"]
    assert "CSRF" not in response.content.decode()
    assert response["WWW-Authenticate"]


@pytest.mark.parametrize("header", ["", "   "])
def test_an_empty_key_header_is_a_401(csrf_client, municipalities, header):
    response = csrf_client.post("/api/v1/cases", POTHOLE, content_type="application/json",
                                HTTP_X_API_KEY=header)
    problem(response, 401)


def test_no_key_and_no_session_on_a_post_is_a_401(csrf_client, municipalities):
    response = csrf_client.post("/api/v1/cases", POTHOLE, content_type="application/json")
    assert problem(response, 401)["type"].endswith("/unauthenticated")


def test_a_wrong_key_beside_a_staff_session_is_judged_by_the_key(
        csrf_client, make_staff, municipalities):
    csrf_client.force_login(make_staff({"role": Role.AGENT,
                                        "municipality": municipalities[0]}).user)
    response = csrf_client.get("/api/v1/cases", HTTP_X_API_KEY="imb_wrong")
    problem(response, 401)


def test_a_staff_sessions_write_needs_its_csrf_token(csrf_client, make_staff, municipalities):
    csrf_client.force_login(make_staff({"role": Role.AGENT,
                                        "municipality": municipalities[0]}).user)
    refused = csrf_client.post("/api/v1/cases", POTHOLE, content_type="application/json")
    assert problem(refused, 403)["type"].endswith("/csrf_failed")
    assert csrf_client.get("/api/v1/cases").status_code == 200  # reads need no token
    token = "t" * 32  # the cookie's secret, as the console's pages set it
    csrf_client.cookies["csrftoken"] = token
    created = csrf_client.post("/api/v1/cases", POTHOLE, content_type="application/json",
                               HTTP_X_CSRFTOKEN=token)
    assert created.status_code == 201, created.content


# --- text lengths ---------------------------------------------------------------------
@pytest.fixture
def case_ref(api):
    return api("post", "/cases", POTHOLE).json()["reference"]


@pytest.mark.parametrize("path, payload, field", [
    ("/cases", {**POTHOLE, "description": TOO_LONG}, "description"),
    ("/cases/{ref}/comments", {"text": TOO_LONG}, "text"),
    ("/cases/{ref}/transition", {"action": "hold", "reason": TOO_LONG}, "reason"),
    ("/cases/{ref}/transition", {"action": "resolve", "note": TOO_LONG}, "note"),
])
def test_over_long_text_is_a_400_naming_the_limit(api, case_ref, path, payload, field):
    body = problem(api("post", path.format(ref=case_ref), payload), 400)
    assert f"{field}: at most {TEXT_MAX_LENGTH} characters" in body["detail"]
    assert body["errors"] == [{"field": field, "message": f"at most {TEXT_MAX_LENGTH} characters"}]
    assert Case.objects.count() == 1 and CaseUpdate.objects.count() == 1


def test_text_of_exactly_the_limit_is_taken(api, case_ref):
    created = api("post", "/cases", {**POTHOLE, "description": "d" * TEXT_MAX_LENGTH})
    assert created.status_code == 201
    comment = api("post", f"/cases/{case_ref}/comments", {"text": "c" * TEXT_MAX_LENGTH})
    assert comment.status_code == 201


def test_every_channel_meets_the_same_limit_in_the_services(log_case, case_ref):
    with pytest.raises(ImbizoError) as logged:
        log_case(description=TOO_LONG)
    assert logged.value.code == "text_too_long" and logged.value.status == 400
    assert logged.value.message == f"description: at most {TEXT_MAX_LENGTH} characters."
    case, system = Case.objects.get(reference=case_ref), system_actor("web")
    for step, kwargs, field in [
            (lifecycle.case_comment, {"text": TOO_LONG, "public": True}, "text"),
            (lifecycle.case_hold, {"reason": TOO_LONG}, "reason"),
            (lifecycle.case_cancel, {"note": TOO_LONG}, "note")]:
        with pytest.raises(ImbizoError) as refused:
            step(actor=system, case=case, **kwargs)
        assert refused.value.extra == {"field": field, "max_length": TEXT_MAX_LENGTH}
    assert Case.objects.get(pk=case.pk).status == case.status


def test_an_over_long_idempotency_key_is_a_400_naming_the_limit(csrf_client, key):
    def create(idempotency_key: str):
        return csrf_client.post("/api/v1/cases", POTHOLE, content_type="application/json",
                                HTTP_X_API_KEY=key, HTTP_IDEMPOTENCY_KEY=idempotency_key)

    body = problem(create("k" * (IDEMPOTENCY_KEY_MAX_LENGTH + 1)), 400)
    assert body["detail"] == f"Idempotency-Key: at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."
    assert not Case.objects.exists()
    assert create("k" * IDEMPOTENCY_KEY_MAX_LENGTH).status_code == 201


def test_the_openapi_schema_documents_the_limits(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["CaseIn"]["properties"]["description"]["maxLength"] == TEXT_MAX_LENGTH
    assert schemas["CommentIn"]["properties"]["text"]["maxLength"] == TEXT_MAX_LENGTH
    assert schemas["TransitionIn"]["properties"]["reason"]["maxLength"] == TEXT_MAX_LENGTH


# --- dates and numbers out of range ---------------------------------------------------
@pytest.mark.parametrize("since, until", [
    ("0001-01-01T00:00:00", "2026-01-01T00:00:00"),
    ("2026-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00"),
    ("1899-12-31", "2026-01-01"),
])
def test_compliance_over_far_dates_is_a_400(api, since, until):
    body = problem(api("get", "/sla/compliance", {"municipality": "AAA", "since": since,
                                                  "until": until}), 400)
    assert "must be between 1900-01-01 and 2100-12-31" in body["detail"]


def test_compliance_over_a_backward_period_is_a_400(api):
    body = problem(api("get", "/sla/compliance", {"municipality": "AAA", "since": "2026-02-01",
                                                  "until": "2026-01-01"}), 400)
    assert body["type"].endswith("/invalid_period")


def test_compliance_without_a_municipality_is_a_400(api):
    body = problem(api("get", "/sla/compliance", {"municipality": "", "since": "2026-01-01",
                                                  "until": "2026-02-01"}), 400)
    assert body["type"].endswith("/municipality_required")


def test_compliance_takes_times_without_an_offset_as_local(api):
    response = api("get", "/sla/compliance", {"municipality": "AAA", "since": "2026-01-01",
                                              "until": "2026-02-01T00:00:00"})
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("path, params", [
    ("/cases", {"created_from": "0001-01-01T00:00:00"}),
    ("/cases", {"created_to": "9999-12-31T23:59:59-05:00"}),
    ("/cases/duplicates", {"category": "pothole", "lat": "nan", "lon": "20.05",
                           "municipality": "AAA"}),
    ("/cases/duplicates", {"category": "pothole", "lat": "-29.95", "lon": "inf",
                           "municipality": "AAA"}),
])
def test_queries_out_of_range_are_a_400(api, path, params):
    problem(api("get", path, params), 400)


@pytest.mark.parametrize("change, field", [
    ({"due": "0001-01-01"}, "due"),
    ({"estimate": "1e15"}, "estimate"),
    ({"estimate": "-5"}, "estimate"),
    ({"scope": TOO_LONG}, "scope"),
])
def test_work_orders_out_of_range_are_a_400(api, case_ref, make_staff, municipalities, change,
                                            field):
    contractor = make_staff({"role": Role.CONTRACTOR, "municipality": municipalities[0]})
    payload = {"contractor": contractor.user.pk, "scope": "Patch it", "due": "2099-01-31",
               **change}
    body = problem(api("post", f"/cases/{case_ref}/workorders", payload), 400)
    assert [e["field"] for e in body["errors"]] == [field]


# --- the documentation works offline --------------------------------------------------
def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and not [u for u in urls if "//" in u or not u.startswith("/static/")]
    for url in urls:
        assert finders.find(url.removeprefix("/static/")), url
    swagger = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html,
                                   re.S).group(1))
    assert swagger["url"] == "/api/v1/openapi.json"
    assert swagger["validatorUrl"] is None  # else it asks swagger.io to validate the spec


# --- imbizo create-api-key ------------------------------------------------------------
def test_create_api_key_help_names_the_default_and_what_each_role_may_do():
    text = Command().create_parser("imbizo", "create_api_key").format_help()
    assert "(default: agent)" in text
    for role in KEY_ROLES:
        line = next(line for line in text.splitlines() if line.strip().startswith(role.value))
        assert all(p in line for p in ROLE_PERMISSIONS[role])
    assert "cannot hold municipal_admin or platform_admin" in text


@pytest.mark.parametrize("role", [Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN])
def test_create_api_key_offers_no_administrator_role(municipalities, role):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("create_api_key", "AAA", "--role", role)


def test_create_api_key_takes_every_role_it_offers(municipalities):
    for role in KEY_ROLES:
        out = io.StringIO()
        call_command("create_api_key", "AAA", "--role", role, stdout=out)
        assert out.getvalue().startswith("imb_")


def test_a_method_a_path_does_not_take_is_a_405_problem_naming_the_allowed_ones(client):
    response = client.post("/api/v1/health")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET"
    assert response.json()["detail"] == "POST is not taken here; use GET."


@pytest.mark.parametrize("path, body", [
    ("/api/v1/workorders?state=a%00b", None),
    ("/api/v1/cases", {"category": "pothole", "description": "hole\u0000"}),
])
def test_a_nul_character_is_a_400_problem_not_a_server_error(client, path, body):
    """PostgreSQL refuses NUL in text: it is stopped at the door on every database."""
    if body is None:
        response = client.get(path)
    else:
        response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"].endswith("/nul_character")
