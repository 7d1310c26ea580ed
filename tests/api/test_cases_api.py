import io

import pytest
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_create
from imbizo.cases.models import Case
from imbizo.core.permissions import system_actor


@pytest.fixture
def key(municipalities):
    aaa, _ = municipalities
    return api_key_create(actor=system_actor("cli"), municipality=aaa, name="CRM",
                          role=Role.SUPERVISOR)[1]


@pytest.fixture
def api(client, key):
    def call(method: str, path: str, data=None, **headers):
        kwargs = {"HTTP_X_API_KEY": key, **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
        if method == "get":
            return client.get(f"/api/v1{path}", data or {}, **kwargs)
        return client.post(f"/api/v1{path}", data, content_type="application/json", **kwargs)
    return call


POTHOLE = {"category": "pothole", "description": "Deep hole outside no. 12",
           "latitude": -29.95, "longitude": 20.05}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_create_returns_the_reference_and_routing(api):
    response = api("post", "/cases", POTHOLE)
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("AAA-") and body["status"] == "assigned"
    assert body["department"] == "roads" and body["ward"] == "90100001"
    assert body["updates"][0]["to_status"] == "assigned"
    assert Case.objects.get().channel == "api"


QUERIES_PER_CREATE = 12  # the whole create and its answer: its writes (the case_logged
# event row among them), and no read. After the commit, its relay marks that row (core/events.py).


def test_a_retried_create_with_the_same_idempotency_key_returns_the_same_case(api):
    first = api("post", "/cases", POTHOLE, idempotency_key="k-1").json()
    again = api("post", "/cases", POTHOLE, idempotency_key="k-1").json()
    assert again["reference"] == first["reference"] and Case.objects.count() == 1
    assert again == first  # the replay reads the case back; the first answer was built


def test_the_create_answer_is_the_cases_detail_in_a_fixed_number_of_queries(
        api, django_assert_num_queries, settings):
    api("post", "/cases", POTHOLE)  # this month's reference counter now exists
    settings.CONFIG_CHECK_SECONDS = 3600  # as a server runs: configuration is memoised
    with django_assert_num_queries(QUERIES_PER_CREATE):
        created = api("post", "/cases", POTHOLE).json()
    assert created["updates"] and created["attachments"] == []
    assert api("get", f"/cases/{created['reference']}").json() == created


@pytest.mark.parametrize("payload, status, code", [
    ({**POTHOLE, "category": "unicorns"}, 400, "unknown_category"),
    ({**POTHOLE, "latitude": -34.5, "longitude": 17.0}, 422, "location_not_served"),
    ({**POTHOLE, "longitude": 20.35}, 403, "permission_denied"),
    ({**POTHOLE, "description": ""}, 400, "description_required"),
    ({"category": "water-meter", "description": "x", "municipality": "AAA"}, 400,
     "missing_field"),
    ({"description": "no category"}, 400, "invalid_request"),
    ({**POTHOLE, "latitude": "north"}, 400, "invalid_request"),
])
def test_bad_creates_get_a_problem_and_write_nothing(api, payload, status, code):
    body = problem(api("post", "/cases", payload), status)
    assert body["type"].endswith("/" + code)
    assert not Case.objects.exists()


def test_a_wrong_key_is_401(client, municipalities):
    response = client.post("/api/v1/cases", POTHOLE, content_type="application/json",
                           HTTP_X_API_KEY="imb_wrong")
    assert problem(response, 401)["detail"]


def test_list_filters_and_pages_with_a_cursor(api):
    for _ in range(5):
        api("post", "/cases", POTHOLE)
    api("post", "/cases", {**POTHOLE, "category": "streetlight"})
    page = api("get", "/cases", {"category": "pothole", "limit": 3}).json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    rest = api("get", "/cases", {"category": "pothole", "limit": 3,
                                 "cursor": page["next_cursor"]}).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    seen = [c["reference"] for c in page["items"] + rest["items"]]
    assert len(set(seen)) == 5
    assert api("get", "/cases", {"status": ["assigned"], "department": "roads"}).json()[
        "items"][0]["department"] == "roads"
    assert problem(api("get", "/cases", {"cursor": "nonsense"}), 400)["type"].endswith(
        "invalid_cursor")


def test_the_queue_runs_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(3):
        api("post", "/cases", POTHOLE)
    with django_assert_max_num_queries(4):
        assert len(api("get", "/cases", {"limit": 50}).json()["items"]) == 3
    for _ in range(10):
        api("post", "/cases", POTHOLE)
    with django_assert_max_num_queries(4):
        assert len(api("get", "/cases", {"limit": 50}).json()["items"]) == 13


def test_transitions_with_optimistic_locking(api):
    ref = api("post", "/cases", POTHOLE).json()["reference"]
    started = api("post", f"/cases/{ref}/transition", {"action": "start", "expected_version": 1})
    assert started.json()["status"] == "in_progress" and started.json()["version"] == 2
    stale = api("post", f"/cases/{ref}/transition",
                {"action": "resolve", "note": "done", "expected_version": 1})
    assert "Reload it" in problem(stale, 409)["detail"]
    assert problem(stale, 409)["current_version"] == 2
    invalid = api("post", f"/cases/{ref}/transition", {"action": "close"})
    assert problem(invalid, 409)["type"].endswith("invalid_transition")


def test_another_municipalitys_case_is_a_404(api, log_case):
    other = log_case(lon=20.35)
    assert problem(api("get", f"/cases/{other.reference}"), 404)["type"].endswith(
        "case_not_found")
    mistyped = other.reference[:-1] + str((int(other.reference[-1]) + 1) % 10)
    assert problem(api("get", f"/cases/{mistyped}"), 400)["type"].endswith("invalid_reference")


def test_comments_assignment_merge_and_photo(api, client, key, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    keep = api("post", "/cases", POTHOLE).json()["reference"]
    dup = api("post", "/cases", POTHOLE).json()["reference"]
    note = api("post", f"/cases/{keep}/comments", {"text": "Crew B", "public": False})
    assert note.status_code == 201 and note.json()["kind"] == "internal"
    moved = api("post", f"/cases/{keep}/assign", {"department": "water"}).json()
    assert moved["department"] == "water"
    merged = api("post", f"/cases/{dup}/merge", {"into": keep}).json()
    assert merged["affected_count"] == 2
    buffer = io.BytesIO()
    Image.new("RGB", (50, 40), "blue").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    upload = client.post(f"/api/v1/cases/{keep}/attachments", {"file": buffer},
                         HTTP_X_API_KEY=key)
    assert upload.status_code == 201 and upload.json()["width"] == 50
    text = io.BytesIO(b"just text")
    text.name = "photo.jpg"
    refused = client.post(f"/api/v1/cases/{keep}/attachments", {"file": text},
                          HTTP_X_API_KEY=key)
    assert problem(refused, 415)["type"].endswith("unsupported_image")


def test_duplicate_candidates_and_categories(api, client):
    ref = api("post", "/cases", POTHOLE).json()["reference"]
    found = api("get", "/cases/duplicates", {"category": "pothole", "lat": -29.95001,
                                             "lon": 20.05, "municipality": "AAA"}).json()
    assert [c["reference"] for c in found] == [ref]
    categories = client.get("/api/v1/categories", {"municipality": "AAA"}).json()
    meter = next(c for c in categories if c["code"] == "water-meter")
    assert meter["group"] == "Water & sanitation" and meter["fields"][0]["required"]


def test_work_orders_over_the_api(api, client, make_staff, municipalities):
    aaa, _ = municipalities
    contractor = make_staff({"role": Role.CONTRACTOR, "municipality": aaa})
    ref = api("post", "/cases", POTHOLE).json()["reference"]
    issued = api("post", f"/cases/{ref}/workorders",
                 {"contractor": contractor.user.pk, "scope": "Patch it", "due": "2099-01-31",
                  "estimate": "950.50"})
    assert issued.status_code == 201 and issued.json()["state"] == "issued"
    order_id = issued.json()["id"]
    client.force_login(contractor.user)
    mine = client.get("/api/v1/workorders").json()
    assert [o["id"] for o in mine] == [order_id]
    accepted = client.post(f"/api/v1/workorders/{order_id}", {"action": "accept"},
                           content_type="application/json")
    assert accepted.json()["state"] == "accepted"
    refused = client.post(f"/api/v1/workorders/{order_id}", {"action": "sign_off"},
                          content_type="application/json")
    assert problem(refused, 403)


def test_a_cases_detail_costs_the_same_queries_however_long_its_history(
        api, client, key, settings, tmp_path, django_assert_num_queries):
    settings.MEDIA_ROOT = tmp_path / "media"
    short = api("post", "/cases", POTHOLE).json()["reference"]
    long = api("post", "/cases", POTHOLE).json()["reference"]
    for n in range(4):
        api("post", f"/cases/{long}/comments", {"text": f"Note {n}", "public": n % 2 == 0})
    for colour in ("red", "green"):
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20), colour).save(buffer, "PNG")
        buffer.seek(0)
        buffer.name = "photo.png"
        client.post(f"/api/v1/cases/{long}/attachments", {"file": buffer}, HTTP_X_API_KEY=key)
    settings.CONFIG_CHECK_SECONDS = 3600  # as a server runs: the API key is memoised
    api("get", f"/cases/{short}")
    # The case as the caller may see it, then the case with its relations, its updates
    # and its photos: four reads for any case.
    with django_assert_num_queries(4):
        assert len(api("get", f"/cases/{short}").json()["updates"]) == 1
    with django_assert_num_queries(4):
        detail = api("get", f"/cases/{long}").json()
    assert len(detail["updates"]) == 5 and len(detail["attachments"]) == 2


def test_a_supervisor_who_sends_a_case_to_another_department_gets_its_detail(
        api, client, make_staff, department, municipalities):
    """Their own write answers with the case, although from now on it is out of their
    sight (a 404 on the next read)."""
    aaa, _ = municipalities
    supervisor = make_staff({"role": Role.SUPERVISOR, "municipality": aaa,
                             "department": department("roads")})
    ref = api("post", "/cases", POTHOLE).json()["reference"]
    client.force_login(supervisor.user)
    moved = client.post(f"/api/v1/cases/{ref}/assign", {"department": "water"},
                        content_type="application/json")
    assert moved.status_code == 200 and moved.json()["department"] == "water"
    assert client.get(f"/api/v1/cases/{ref}").status_code == 404
