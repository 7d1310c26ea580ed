from datetime import timedelta

import pytest
from django.utils import timezone

from imbizo.accounts.models import Role
from imbizo.cases.attachments import attachment_add
from imbizo.cases.lifecycle import case_comment, case_resolve
from imbizo.cases.models import Case

from .helpers import errors, photo, xml

FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
          "description", "agency_responsible", "service_notice", "requested_datetime",
          "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
          "long", "media_url"]
AAA = {"jurisdiction_id": "AAA"}


@pytest.fixture
def officer(make_staff, municipalities):
    return make_staff({"role": Role.OFFICER, "municipality": municipalities[0]})


def refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def test_a_public_case_is_listed_with_every_spec_field_and_no_personal_data(o311, log_case):
    case = log_case(description="Hole at the corner", contact=None)
    response = o311("requests.json", AAA)
    (request,) = response.json()
    assert list(request) == FIELDS
    assert request["service_request_id"] == case.reference
    assert request["status"] == "open" and request["status_notes"] == "Roads"
    assert (request["service_code"], request["service_name"]) == ("pothole", "Pothole")
    assert request["agency_responsible"] == "Roads"
    assert request["description"] == "Hole at the corner"
    assert request["requested_datetime"].endswith("+02:00")
    assert request["expected_datetime"] == timezone.localtime(case.resolve_due).isoformat(
        timespec="seconds")
    assert (request["lat"], request["long"]) == (-29.95, 20.05)
    assert request["address_id"] is None and request["zipcode"] is None
    assert request["media_url"] is None
    body = response.content.decode()
    assert "Nomsa" not in body and "0821234567" not in body and "+2782" not in body


def test_the_reporters_contact_never_appears(o311, post):
    post(first_name="Thandi", last_name="Mokoena", phone="0831234567",
         email="thandi@example.org", device_id="dev-9", account_id="acc-9")
    for fmt in ("json", "xml"):
        body = o311(f"requests.{fmt}", AAA).content.decode()
        assert all(word not in body for word in (
            "Thandi", "Mokoena", "0831234567", "+27831234567", "thandi@", "dev-9", "acc-9"))


def test_the_xml_list_has_one_request_element_per_case(o311, log_case):
    log_case()
    log_case("streetlight")
    root = xml(o311("requests.xml", AAA))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 2
    assert [child.tag for child in requests[0]] == FIELDS
    assert requests[0].findtext("address_id") == "" and requests[0].findtext("lat") == "-29.95"


def test_private_categories_and_private_cases_are_never_listed(o311, log_case):
    shown = log_case()
    hidden = [log_case("fire"), log_case("illegal-connection"), log_case(public=False)]
    assert refs(o311("requests.json", AAA)) == [shown.reference]
    ids = ",".join(c.reference for c in hidden)
    assert refs(o311("requests.json", {**AAA, "service_request_id": ids})) == []
    for case in hidden:
        assert errors(o311(f"requests/{case.reference}.json", AAA), 404)


def test_statuses_map_to_open_and_closed_with_the_latest_public_note(o311, log_case, officer):
    fixed, waiting = log_case(), log_case()
    case_comment(actor=officer, case=waiting, text="Crew booked for Tuesday", public=True)
    case_comment(actor=officer, case=waiting, text="Internal: overtime needed", public=False)
    case_resolve(actor=officer, case=fixed, note="Filled with tar")
    by_ref = {r["service_request_id"]: r for r in o311("requests.json", AAA).json()}
    assert by_ref[fixed.reference]["status"] == "closed"
    assert by_ref[fixed.reference]["status_notes"] == "Filled with tar"
    assert by_ref[fixed.reference]["service_notice"] is None
    fixed.refresh_from_db()
    assert by_ref[fixed.reference]["updated_datetime"] == timezone.localtime(
        fixed.resolved).isoformat(timespec="seconds")
    assert by_ref[waiting.reference]["status_notes"] == "Crew booked for Tuesday"
    assert refs(o311("requests.json", {**AAA, "status": "closed"})) == [fixed.reference]
    assert refs(o311("requests.json", {**AAA, "status": "open"})) == [waiting.reference]
    assert len(refs(o311("requests.json", {**AAA, "status": "open,closed"}))) == 2


def test_filters_by_service_code_and_by_reference(o311, log_case):
    pothole, light, drain = log_case(), log_case("streetlight"), log_case("blocked-drain")
    assert set(refs(o311("requests.json", {**AAA, "service_code": "pothole,streetlight"}))) == {
        pothole.reference, light.reference}
    # service_request_id overrides every other argument
    asked = {**AAA, "service_request_id": f"{drain.reference}, {pothole.reference}",
             "service_code": "streetlight", "status": "closed"}
    assert set(refs(o311("requests.json", asked))) == {drain.reference, pothole.reference}


def test_dates_default_to_the_last_90_days_and_filter_on_requested_datetime(o311, log_case):
    recent, old = log_case(), log_case()
    # Time travel for the test only: the case was logged 100 days ago.
    Case.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=100))
    assert refs(o311("requests.json", AAA)) == [recent.reference]
    then = timezone.now() - timedelta(days=100)
    window = {"start_date": (then - timedelta(days=1)).isoformat(),
              "end_date": (then + timedelta(days=1)).isoformat()}
    assert refs(o311("requests.json", {**AAA, **window})) == [old.reference]
    assert refs(o311("requests.json", {**AAA, "start_date": "2001-01-01T00:00:00Z"})) == []
    day = timezone.localdate().isoformat()
    assert refs(o311("requests.json", {**AAA, "start_date": day})) == [recent.reference]


def test_an_unencoded_plus_in_an_offset_is_understood(client, log_case):
    case = log_case()
    start = timezone.localtime() - timedelta(hours=1)
    url = (f"/open311/v2/requests.json?jurisdiction_id=AAA&start_date="
           f"{start.strftime('%Y-%m-%dT%H:%M:%S')}+02:00")
    assert refs(client.get(url)) == [case.reference]


@pytest.mark.parametrize("params, words", [
    ({"start_date": "yesterday"}, "start_date must be a W3C date-time"),
    ({"end_date": "2024-13-45T00:00:00Z"}, "end_date must be"),
    ({"start_date": "2024-02-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}, "before"),
    ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}, "90 days"),
    ({"status": "pending"}, "open or closed"),
    ({"service_request_id": "12345"}, "not a reference"),
])
def test_bad_filters_are_400(o311, municipalities, params, words):
    (error,) = errors(o311("requests.json", {**AAA, **params}), 400)
    assert error["code"] == 400 and words in error["description"], error


def test_at_most_the_limit_is_returned_newest_first(o311, log_case, monkeypatch):
    monkeypatch.setattr("imbizo.open311.selectors.MAX_RESULTS", 2)
    cases = [log_case() for _ in range(3)]
    assert refs(o311("requests.json", AAA)) == [c.reference for c in cases[:0:-1]]


def test_the_first_public_photo_is_the_media_url(o311, log_case, resident):
    case = log_case()
    attachment_add(actor=resident, case=case, data=photo("blue"), public=False)
    first = attachment_add(actor=resident, case=case, data=photo("red"))
    (request,) = o311("requests.json", AAA).json()
    assert request["media_url"] == f"http://testserver/photos/{first.uuid}"


def test_listing_runs_a_fixed_number_of_queries(o311, log_case, officer, resident,
                                                django_assert_max_num_queries):
    def logged(n: int):
        for i in range(n):
            case = log_case()
            if i % 5 == 0:
                case_comment(actor=officer, case=case, text=f"Note {i}", public=True)
                attachment_add(actor=resident, case=case, data=photo(size=(20 + i, 20)))
    logged(5)
    with django_assert_max_num_queries(3):
        assert len(o311("requests.json", AAA).json()) == 5
    logged(45)
    with django_assert_max_num_queries(3):
        requests = o311("requests.json", AAA).json()
    assert len(requests) == 50
    assert sum(1 for r in requests if r["media_url"]) == 10
    assert sum(1 for r in requests if (r["status_notes"] or "").startswith("Note")) == 10


def test_one_request_is_still_a_list(o311, log_case):
    case = log_case()
    (request,) = o311(f"requests/{case.reference}.json", AAA).json()
    assert request["service_request_id"] == case.reference and list(request) == FIELDS
    root = xml(o311(f"requests/{case.reference}.xml", AAA))
    assert root.tag == "service_requests"
    assert root.find("request").findtext("service_request_id") == case.reference


def test_an_unknown_or_foreign_request_is_404(o311, log_case):
    theirs = log_case(lon=20.35)  # in BBB
    for ref in (theirs.reference, "AAA-2501-0001-0", "nonsense"):
        (error,) = errors(o311(f"requests/{ref}.json", AAA), 404)
        assert error["code"] == 404
    assert errors(o311(f"requests/{theirs.reference}.xml", AAA), 404, "xml")


def test_tokens_are_never_issued_so_every_token_is_404(o311, municipalities):
    (error,) = errors(o311("tokens/12345.json", AAA), 404)
    assert "issues no tokens" in error["description"]
    assert errors(o311("tokens/12345.xml", AAA), 404, "xml")
    assert errors(o311("tokens/12345.json", {"jurisdiction_id": "ZZZ"}), 404)
