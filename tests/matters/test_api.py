"""The matters API: a key raises and supports for the resident it names, reads back what
it raised; the ward's list is public and holds no personal data; bad input is a
problem+json answer."""

import pytest

from imbizo.accounts.models import Citizen, Role
from imbizo.api.keys import api_key_create
from imbizo.audit.models import AuditEntry
from imbizo.core.permissions import system_actor
from imbizo.matters.lifecycle import matter_answer
from imbizo.matters.models import Matter, Support

from .conftest import NEIGHBOUR, OUTSIDER, RESIDENT

WARD1 = "90100001"


@pytest.fixture
def keys(wards):
    aaa, bbb = wards["1"].municipality, wards["bbb"].municipality
    return {name: api_key_create(actor=system_actor("cli"), municipality=m, name=name,
                                 role=role)[1]
            for name, m, role in (("agent", aaa, Role.AGENT), ("bbb", bbb, Role.AGENT),
                                  ("manager", aaa, Role.MANAGER),
                                  ("analyst", aaa, Role.ANALYST))}


@pytest.fixture
def api(client, keys):
    def call(method: str, path: str, key: str | None = "agent", **body):
        headers = {"HTTP_X_API_KEY": keys[key]} if key else {}
        if method == "GET":
            return client.get(f"/api/v1{path}", body, **headers)
        return client.post(f"/api/v1{path}", body, content_type="application/json", **headers)
    return call


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/" + code), body
    return body


def raise_body(**changes) -> dict:
    return {"phone": "0821234567", "kind": "suggestion", "ward": WARD1,
            "text": "A speed bump outside Sizwe primary school.", **changes}


def test_a_key_raises_a_matter_for_the_resident_it_names(api, people):
    response = api("POST", "/matters", **raise_body())
    assert response.status_code == 201, response.content
    body = response.json()
    matter = Matter.objects.get()
    assert body["reference"] == matter.reference and matter.citizen == people["nomsa"].citizen
    assert (body["kind"], body["status"], body["public"], body["ward"]) == (
        "suggestion", "received", True, {"code": WARD1, "number": 1})
    assert body["timeline"][0]["status"] == "received" and body["supports"] == 0
    assert matter.channel == "api" and matter.raised_via.startswith("apikey:")
    assert "Nomsa" not in response.content.decode() and RESIDENT not in response.content.decode()
    again = api("GET", f"/matters/{matter.reference.lower()}")  # read back, typed any way
    assert again.status_code == 200 and again.json()["reference"] == matter.reference


def test_a_new_number_becomes_a_resident_of_the_ward(api):
    response = api("POST", "/matters", **raise_body(phone="0839990000", kind="issue"))
    assert response.status_code == 201
    citizen = Citizen.objects.get(phone="+27839990000")
    assert citizen.ward.code == WARD1 and not response.json()["public"]


def test_a_retry_with_the_same_idempotency_key_raises_one_matter(client, keys, people):
    for _ in range(2):
        response = client.post("/api/v1/matters", raise_body(), content_type="application/json",
                               HTTP_X_API_KEY=keys["agent"], HTTP_IDEMPOTENCY_KEY="crm-1")
        assert response.status_code == 201
    assert Matter.objects.count() == 1


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"ward": "99999999"}, 400, "unknown_ward"),
    ({"text": "  "}, 400, "text_required"),
    ({"text": "x" * 2001}, 400, "text_too_long"),
    ({"kind": "complaint"}, 400, "invalid_kind"),
    ({"phone": ""}, 400, "phone_required"),
    ({"phone": "12"}, 400, "invalid_phone"),
])
def test_bad_input_is_a_problem_and_writes_nothing(api, people, changes, status, code):
    before = Citizen.objects.count()
    problem(api("POST", "/matters", **raise_body(**changes)), status, code)
    assert not Matter.objects.exists() and Citizen.objects.count() == before
    assert not AuditEntry.objects.filter(action="matter.raise").exists()


def test_a_missing_field_is_a_problem(api, people):
    body = raise_body()
    del body["text"]
    problem(api("POST", "/matters", **body), 400, "invalid_request")


@pytest.mark.parametrize("key", ["bbb", "analyst"])
def test_a_key_that_does_not_log_cases_here_raises_nothing(api, people, key):
    problem(api("POST", "/matters", key=key, **raise_body()), 403, "permission_denied")
    assert not Matter.objects.exists()


def test_a_matter_is_read_by_whoever_raised_it_or_may_see_it_and_by_no_one_else(
        api, raise_matter):
    matter = raise_matter()  # raised by Nomsa herself, on USSD
    assert api("GET", f"/matters/{matter.reference}", key="manager").status_code == 200
    for key in ("agent", "bbb", "analyst"):
        problem(api("GET", f"/matters/{matter.reference}", key=key), 404, "matter_not_found")
    problem(api("GET", f"/matters/{matter.reference}", key=None), 401, "unauthenticated")
    problem(api("GET", "/matters/AAA-M2601-001-0", key="manager"), 400, "invalid_reference")


def test_a_neighbour_supports_through_the_key_once(api, raise_matter):
    matter = raise_matter("suggestion")
    response = api("POST", f"/matters/{matter.reference}/support", phone=NEIGHBOUR)
    assert response.status_code == 200 and response.json() == {
        "reference": matter.reference, "supports": 1}
    problem(api("POST", f"/matters/{matter.reference}/support", phone=NEIGHBOUR), 409,
            "already_supported")
    assert Support.objects.count() == 1


@pytest.mark.parametrize(("setup", "phone", "status", "code"), [
    ({"kind": "suggestion", "public": False}, NEIGHBOUR, 409, "matter_not_public"),
    ({"kind": "suggestion"}, RESIDENT, 403, "own_matter"),
    ({"kind": "suggestion"}, OUTSIDER, 403, "not_ward_resident"),
    ({"kind": "suggestion"}, "0839990000", 403, "not_ward_resident"),  # nobody's number
])
def test_support_refusals_are_problems(api, raise_matter, setup, phone, status, code):
    matter = raise_matter(setup.pop("kind"), **setup)
    problem(api("POST", f"/matters/{matter.reference}/support", phone=phone), status, code)
    assert not Support.objects.exists()


def test_support_of_an_unknown_matter_is_a_404(api, people):
    problem(api("POST", "/matters/AAA-M2601-999-3/support", phone=NEIGHBOUR), 404,
            "matter_not_found")


def test_the_ward_list_is_public_and_holds_no_personal_data(client, raise_matter, staff,
                                                            people, django_assert_max_num_queries):
    public = raise_matter("suggestion", text="Build a library in KwaMashu.")
    private = raise_matter("issue", text="My neighbour Sipho dumps rubbish at 12 Oak St.")
    matter_answer(actor=staff["councillor"], matter=private, text="I will speak to Sipho.")
    matter_answer(actor=staff["councillor"], matter=public, text="I will table it.")
    raise_matter("issue", ward="2", text="Ward 2 only")
    client.get(f"/api/v1/wards/{WARD1}/matters")  # the ward in the memo, as in service
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/v1/wards/{WARD1}/matters")
    assert response.status_code == 200
    body = response.json()
    text = response.content.decode()
    assert [m["reference"] for m in body["matters"]] == [private.reference, public.reference]
    assert body["matters"][1]["text"] == "Build a library in KwaMashu."
    assert body["matters"][1]["answer"] == "I will table it." and body["matters"][1]["supportable"]
    assert body["matters"][0]["text"] == "" and body["matters"][0]["answer"] == ""
    for secret in ("Sipho", "Oak St", "Nomsa", "Dube", RESIDENT, "0821234567",
                   str(people["nomsa"].citizen.uuid), "Ward 2 only"):
        assert secret not in text


def test_the_ward_list_pages_and_refuses_bad_input(client, raise_matter):
    made = [raise_matter("suggestion", text=f"Idea {n}") for n in range(3)]
    first = client.get(f"/api/v1/wards/{WARD1}/matters", {"limit": 2}).json()
    assert [m["reference"] for m in first["matters"]] == [made[2].reference, made[1].reference]
    rest = client.get(f"/api/v1/wards/{WARD1}/matters",
                      {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [m["reference"] for m in rest["matters"]] == [made[0].reference]
    assert rest["next_cursor"] is None
    problem(client.get("/api/v1/wards/99999999/matters"), 404, "unknown_ward")
    problem(client.get(f"/api/v1/wards/{WARD1}/matters", {"limit": 0}), 400, "invalid_limit")
    problem(client.get(f"/api/v1/wards/{WARD1}/matters", {"cursor": "nonsense"}), 400,
            "invalid_cursor")


def test_reading_a_matter_takes_a_bounded_number_of_queries(api, raise_matter, staff,
                                                            django_assert_max_num_queries):
    matter = raise_matter()
    for text in ("One", "Two", "Three"):
        matter = matter_answer(actor=staff["councillor"], matter=matter, text=text)
    api("GET", f"/matters/{matter.reference}", key="manager")  # the key in the memo
    with django_assert_max_num_queries(3):
        response = api("GET", f"/matters/{matter.reference}", key="manager")
    assert [u["text"] for u in response.json()["timeline"]] == ["", "One", "Two", "Three"]
