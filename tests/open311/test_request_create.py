import pytest
from django.http import QueryDict
from django.test import Client

from imbizo.api.keys import api_key_actor
from imbizo.audit.models import AuditEntry
from imbizo.cases.models import Case
from imbizo.cases.services import Contact, Location, case_log
from imbizo.open311.parsing import attributes_parse

from .helpers import BASE, POTHOLE, errors, xml


def test_a_post_answers_with_the_reference_at_once(post):
    response = post(account_id="crm-77", first_name="John", last_name="Smith",
                    phone="082 123 4567", email="john@example.org", device_id="dev-1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    (created,) = response.json()
    case = Case.objects.get()
    assert created["service_request_id"] == case.reference and "token" not in created
    assert created["account_id"] == "crm-77"
    assert created["service_notice"].startswith("Roads will attend to it by ")


def test_a_case_posted_via_open311_is_the_same_as_one_logged_through_case_log(
        post, key, municipalities):
    aaa, _ = municipalities
    reference = post(first_name="John", last_name="Smith", phone="0821234567",
                     email="john@example.org").json()[0]["service_request_id"]
    direct = case_log(actor=api_key_actor(key, channel="api"), category="pothole",
                      description=POTHOLE["description"], municipality=aaa,
                      location=Location(-29.95, 20.05),
                      contact=Contact(name="John Smith", phone="0821234567",
                                      email="john@example.org"))
    via = Case.objects.get(reference=reference)
    same = ("municipality_id", "category_id", "channel", "status", "priority", "department_id",
            "team_id", "ward_id", "public", "latitude", "longitude", "contact_name",
            "contact_phone", "contact_email", "description", "extra")
    assert {f: getattr(via, f) for f in same} == {f: getattr(direct, f) for f in same}
    assert via.channel == "api" and via.department.code == "roads" and via.status == "assigned"
    assert via.resolve_due is not None and via.updates.count() == direct.updates.count() == 1
    audit = AuditEntry.objects.get(action="case.log", object_id=str(via.uuid))
    assert audit.actor.startswith("apikey:") and audit.channel == "api"
    assert audit.changes["reference"] == reference


def test_the_xml_answer_is_a_list_of_one_request(post):
    root = xml(post(fmt="xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("service_request_id") == Case.objects.get().reference
    assert request.findtext("account_id") == ""


def test_attributes_become_the_cases_extra_answers(post):
    response = post(service_code="water-meter", lat=None, long=None,
                    address_string="12 Main Road", **{"attribute[meter_number]": "M-0042"})
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.extra == {"meter_number": "M-0042"} and case.address == "12 Main Road"
    assert case.latitude is None


def test_multivaluelist_attributes_are_read_as_lists():
    data = QueryDict("attribute[a]=1&attribute[b][]=x&attribute[b][]=y&attributes=no&other=1")
    assert attributes_parse(data) == {"a": "1", "b": ["x", "y"]}


def test_media_url_is_kept_and_never_fetched(post):
    assert post(media_url="https://example.org/p.jpg").status_code == 200
    assert Case.objects.get().extra.get("media_url") == "https://example.org/p.jpg"


def test_a_missing_required_attribute_is_named(post):
    (error,) = errors(post(service_code="water-meter"), 400)
    assert error["code"] == 400 and "Meter number" in error["description"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("fields, status, words", [
    ({"service_code": "unicorns"}, 404, "unicorns"),
    ({"jurisdiction_id": "ZZZ"}, 404, "ZZZ"),
    ({"long": "20.35"}, 400, "Bbb Local"),  # a point in the other municipality
    ({"lat": "-34.5", "long": "17.0"}, 400, "not in any municipality"),
    ({"lat": None, "long": None}, 400, "lat and long, or address_string"),
    ({"lat": None, "long": None, "address_id": "545483"}, 400, "address_id is not"),
    ({"long": None}, 400, "both lat and long"),
    ({"lat": "north"}, 400, "lat:"),
    ({"lat": "95"}, 400, "lat:"),
    ({"lat": "nan"}, 400, "lat:"),
    ({"description": ""}, 400, "describe"),
    ({"description": "x" * 4001}, 400, "description:"),
    ({"email": "not-an-address"}, 400, "email:"),
    ({"phone": "12"}, 400, "phone number"),
    ({"service_code": None}, 400, "service_code:"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url:"),
])
def test_bad_input_gets_a_clear_error_and_writes_nothing(post, fields, status, words):
    (error,) = errors(post(**fields), status)
    assert words in error["description"], error
    assert not Case.objects.exists()


def test_several_mistakes_come_back_as_several_errors(post):
    found = errors(post(lat="north", email="nope", fmt="xml"), 400, "xml")
    assert len(found) == 2 and all(e["code"] == 400 for e in found)


@pytest.mark.parametrize("api_key", ["imb_wrong", "", None])
def test_a_wrong_or_missing_api_key_is_403(post, api_key):
    (error,) = errors(post(api_key=api_key), 403)
    assert error["code"] == 403 and "api_key" in error["description"]
    (error,) = errors(post(api_key=api_key, fmt="xml"), 403, "xml")
    assert not Case.objects.exists()


def test_a_key_cannot_log_in_another_municipality(post):
    (error,) = errors(post(jurisdiction_id="BBB", long="20.35"), 403)
    assert not Case.objects.exists()


def test_posting_needs_no_csrf_token(key, municipalities):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{BASE}/requests.json", {"api_key": key, **POTHOLE})
    assert response.status_code == 200 and Case.objects.count() == 1
