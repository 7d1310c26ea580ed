"""Join, confirm, rate, reopen and cancel over the API: a key acts for the resident its
caller names by phone; a signed-in resident acts for themselves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imbizo.accounts.models import Citizen, Consent, Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.api.keys import api_key_actor, api_key_create
from imbizo.audit.models import AuditEntry
from imbizo.cases import lifecycle
from imbizo.cases.duplicates import case_join
from imbizo.cases.models import Case, CaseUpdate, Status, Subscription
from imbizo.cases.services import Contact
from imbizo.cases.transitions import resident_for
from imbizo.core.permissions import system_actor

REPORTER = "+27821234567"  # the ``resident`` fixture, Nomsa, who logs ``log_case``'s cases
CALLER = "0835550001"  # an anonymous reporter who left this number with an API case
NEIGHBOUR = "083 555 0002"


def make_key(municipality, role=Role.AGENT):
    row, key = api_key_create(actor=system_actor("cli"), municipality=municipality,
                              name=f"CRM {role}", role=role)
    return row, key


@pytest.fixture
def keys(municipalities):
    aaa, bbb = municipalities
    return {"aaa": make_key(aaa), "bbb": make_key(bbb)}


@pytest.fixture
def prefix(keys):
    return keys["aaa"][0].prefix


@pytest.fixture
def act(client, keys):
    """POST to a case's resident endpoint with a key (AAA's agent unless told)."""
    def post(reference: str, step: str, key: str | None = None, **body):
        return client.post(f"/api/v1/cases/{reference}/{step}", body,
                           content_type="application/json",
                           HTTP_X_API_KEY=key or keys["aaa"][1])
    return post


@pytest.fixture
def officer(make_staff, municipalities, department):
    aaa, _ = municipalities
    return make_staff({"role": Role.OFFICER, "municipality": aaa,
                       "department": department("roads")})


@pytest.fixture
def resolved(log_case, officer, keys):
    """A pothole Nomsa reported (and the neighbours named joined through AAA's key),
    resolved by the roads officer."""
    def make(*joining: str) -> Case:
        case = log_case()
        for phone in joining:
            case_join(actor=resident_for(actor=api_key_actor(keys["aaa"][1]), case=case,
                                         phone=phone, reporter_only=False), case=case)
        return lifecycle.case_resolve(actor=officer, case=case, note="Patched")
    return make


@pytest.fixture
def anonymous_case(log_case, keys):
    """A case an integrator logged with only the caller's number (no resident signed in)."""
    return log_case(actor=api_key_actor(keys["aaa"][1]), contact=Contact(phone=CALLER))


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def by(prefix: str, citizen: Citizen) -> str:
    return f"apikey:{prefix} for citizen:{citizen.uuid}"


# --- join -----------------------------------------------------------------------------
def test_a_new_number_joins_registers_consents_and_is_counted_once(act, log_case, prefix):
    case = log_case()
    joined = act(case.reference, "join", phone=NEIGHBOUR)
    assert joined.status_code == 200, joined.content
    assert joined.json()["affected_count"] == 2 and joined.json()["reference"] == case.reference
    neighbour = Citizen.objects.get(phone="+27835550002")
    assert neighbour.municipality.code == "AAA"
    assert Subscription.objects.filter(case=case, citizen=neighbour).exists()
    consent = Consent.objects.get(citizen=neighbour)
    assert (consent.purpose, consent.channel) == (Consent.Purpose.SERVICE, "api")
    entry = AuditEntry.objects.get(action="case.join")
    assert (entry.actor, entry.channel) == (by(prefix, neighbour), "api")
    assert AuditEntry.objects.get(action="consent.give").actor == by(prefix, neighbour)
    assert AuditEntry.objects.get(action="citizen.register",
                                  object_id=str(neighbour.uuid)).actor == f"apikey:{prefix}"
    again = act(case.reference, "join", phone="+27 83 555 0002")
    assert again.json()["affected_count"] == 2
    assert AuditEntry.objects.filter(action="case.join").count() == 1


def test_the_reporter_and_followers_joining_again_change_nothing(act, log_case, resident):
    case = log_case()
    assert act(case.reference, "join", phone=REPORTER).json()["affected_count"] == 1
    act(case.reference, "join", phone=NEIGHBOUR)
    assert act(case.reference, "join", phone=NEIGHBOUR).json()["affected_count"] == 2
    assert Subscription.objects.filter(case=case).count() == 2


def test_a_closed_case_cannot_be_joined_and_no_one_is_registered(act, resolved, resident):
    case = lifecycle.case_close(actor=resident, case=resolved())
    body = problem(act(case.reference, "join", phone=NEIGHBOUR), 409)
    assert body["type"].endswith("/case_not_open") and case.reference in body["detail"]
    assert not Citizen.objects.filter(phone="+27835550002").exists()
    assert not Consent.objects.exists()


# --- the reporter's steps -------------------------------------------------------------
def test_the_reporter_by_phone_confirms_and_rates_once(act, resolved, resident, prefix):
    case = resolved()
    confirmed = act(case.reference, "confirm", phone=REPORTER, expected_version=case.version)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "closed" and confirmed.json()["closed"]
    closing = CaseUpdate.objects.get(case=case, to_status=Status.CLOSED)
    assert (closing.actor, closing.author) == (by(prefix, resident.citizen), "Resident")
    assert AuditEntry.objects.get(action="case.closed").actor == by(prefix, resident.citizen)
    rated = act(case.reference, "rate", phone="082 123 4567", rating=4, comment=" Quick ")
    assert rated.json()["rating"] == 4
    assert Case.objects.get(pk=case.pk).feedback == "Quick"
    assert AuditEntry.objects.get(action="case.rate").actor == by(prefix, resident.citizen)
    twice = problem(act(case.reference, "rate", phone=REPORTER, rating=5), 409)
    assert twice["type"].endswith("/already_rated") and "4 out of 5" in twice["detail"]
    assert Case.objects.get(pk=case.pk).rating == 4


def test_the_number_left_with_an_anonymous_case_is_its_reporter(act, anonymous_case, officer,
                                                                prefix):
    case = lifecycle.case_resolve(actor=officer, case=anonymous_case, note="Patched")
    reopened = act(case.reference, "reopen", phone=CALLER, reason="It is back after the rain")
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "reopened"
    caller = Citizen.objects.get(phone="+27835550001")  # registered to be named in the audit
    assert Consent.objects.filter(citizen=caller, purpose="service", channel="api").exists()
    assert Case.objects.get(pk=case.pk).reporter is None  # the case itself is left as it was
    update = CaseUpdate.objects.get(case=case, to_status=Status.REOPENED)
    assert (update.actor, update.text) == (by(prefix, caller), "It is back after the rain")
    assert act(case.reference, "cancel", phone=CALLER, note="Fixed it myself").json()[
        "status"] == "cancelled"


def test_the_reporter_cancels_an_open_case(act, log_case, resident):
    case = log_case()
    cancelled = act(case.reference, "cancel", phone=REPORTER, note="Someone filled it")
    assert cancelled.json()["status"] == "cancelled"
    assert CaseUpdate.objects.get(case=case, to_status="cancelled").text == "Someone filled it"


@pytest.mark.parametrize("step, body", [
    ("confirm", {}), ("rate", {"rating": 5}), ("reopen", {"reason": "Still broken"}),
    ("cancel", {}),
])
@pytest.mark.parametrize("phone", [NEIGHBOUR, "0829999999"])  # a follower; a stranger
def test_only_the_reporter_s_number_may_take_the_reporter_s_steps(act, resolved, resident,
                                                                  step, body, phone):
    case = resolved(NEIGHBOUR)
    if step == "rate":
        lifecycle.case_close(actor=resident, case=case)
    before = Case.objects.get(pk=case.pk)
    answer = problem(act(case.reference, step, phone=phone, **body), 403)
    assert answer["type"].endswith("/permission_denied")
    assert "only the resident who reported it" in answer["detail"]
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.version, after.rating) == (before.status, before.version,
                                                           before.rating)


# --- bad requests ---------------------------------------------------------------------
@pytest.mark.parametrize("phone, code", [
    ("12345", "invalid_phone"), ("082 123", "invalid_phone"), ("not a number", "invalid_phone"),
    ("", "phone_required"),
])
@pytest.mark.parametrize("step", ["join", "cancel"])
def test_a_missing_or_invalid_phone_is_a_400(act, log_case, step, phone, code):
    case = log_case()
    body = problem(act(case.reference, step, phone=phone), 400)
    assert body["type"].endswith("/" + code)
    assert Case.objects.get(pk=case.pk).status == case.status
    assert Subscription.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("step", ["join", "confirm", "rate", "reopen", "cancel"])
def test_another_municipality_s_key_gets_a_404(act, keys, resolved, step):
    case = resolved()
    body = problem(act(case.reference, step, key=keys["bbb"][1], phone=REPORTER, rating=3,
                       reason="x"), 404)
    assert body["type"].endswith("/case_not_found")


def test_a_key_that_cannot_log_cases_may_not_act_for_residents(act, log_case, municipalities):
    _row, councillor = make_key(municipalities[0], Role.COUNCILLOR)  # sees cases, logs none
    case = log_case()
    body = problem(act(case.reference, "join", key=councillor, phone=NEIGHBOUR), 403)
    assert "act for residents" in body["detail"]
    assert not Citizen.objects.filter(phone="+27835550002").exists()


def test_rating_an_open_case_or_out_of_range_is_refused(act, log_case, resolved, resident):
    open_case = log_case()
    body = problem(act(open_case.reference, "rate", phone=REPORTER, rating=5), 409)
    assert body["type"].endswith("/not_closed")
    closed = lifecycle.case_close(actor=resident, case=resolved())
    for rating in (0, 6):
        body = problem(act(closed.reference, "rate", phone=REPORTER, rating=rating), 400)
        assert body["type"].endswith("/invalid_rating")
    assert problem(act(closed.reference, "rate", phone=REPORTER), 400)["type"].endswith(
        "/invalid_request")  # no rating at all
    assert Case.objects.get(pk=closed.pk).rating is None


def test_confirming_a_case_not_yet_resolved_says_so(act, log_case):
    case = log_case()
    body = problem(act(case.reference, "confirm", phone=REPORTER), 409)
    assert body["type"].endswith("/invalid_transition")
    assert "once it is resolved" in body["detail"] and case.reference in body["detail"]
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED


def test_reopening_past_the_window_or_without_a_reason_is_refused(act, resolved, settings):
    case = resolved()
    assert problem(act(case.reference, "reopen", phone=REPORTER, reason=" "), 400)[
        "type"].endswith("/reason_required")
    Case.objects.filter(pk=case.pk).update(
        resolved=timezone.now() - timedelta(days=settings.CASE_REOPEN_DAYS + 1))
    body = problem(act(case.reference, "reopen", phone=REPORTER, reason="Still broken"), 409)
    assert body["type"].endswith("/reopen_window_passed")
    assert f"{settings.CASE_REOPEN_DAYS} days" in body["detail"]
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_a_stale_version_is_a_409_naming_the_current_one(act, resolved):
    case = resolved()
    body = problem(act(case.reference, "reopen", phone=REPORTER, reason="Still broken",
                       expected_version=case.version - 1), 409)
    assert body["type"].endswith("/stale_case") and body["current_version"] == case.version
    body = problem(act(case.reference, "confirm", phone=REPORTER, expected_version=1), 409)
    assert body["current_version"] == case.version


# --- staff, signed-in residents, cost -------------------------------------------------
def test_a_staff_member_acts_for_the_reporter_and_is_named(make_staff, municipalities, resolved,
                                                          resident):
    agent = make_staff({"role": Role.AGENT, "municipality": municipalities[0]})
    case = resolved()
    acting = resident_for(actor=agent, case=case, phone=REPORTER)
    lifecycle.case_reopen(actor=acting, case=case, reason="Still broken")
    assert AuditEntry.objects.get(action="case.reopened").actor == \
        f"user:{agent.user.pk} for citizen:{resident.citizen.uuid}"


def test_a_signed_in_resident_acts_for_themselves_without_a_phone(log_case, officer, resident,
                                                                  municipalities):
    case = log_case()
    neighbour = citizen_actor(citizen_register(actor=system_actor("ussd"), phone="0835550003"),
                              channel="ussd")
    assert resident_for(actor=neighbour, case=case, reporter_only=False) is neighbour
    case_join(actor=resident_for(actor=neighbour, case=case, reporter_only=False), case=case)
    case = lifecycle.case_resolve(actor=officer, case=case, note="Patched")
    me = resident_for(actor=resident, case=case)
    case = lifecycle.case_close(actor=me, case=case)
    case = lifecycle.case_rate(actor=me, case=case, rating=5)
    assert (case.status, case.rating, case.affected_count) == (Status.CLOSED, 5, 2)
    assert AuditEntry.objects.get(action="case.rate").actor == f"citizen:{resident.citizen.uuid}"


# Find the case and the resident (2), lock it (1), its writes with the task, history, audit
# and event (7), the detail answered (4), and the savepoints of the step's transactions (4).
QUERIES_PER_STEP = 18


def test_one_step_runs_a_bounded_number_of_queries(act, client, keys, resolved, settings,
                                                   django_assert_max_num_queries):
    case = resolved(NEIGHBOUR)
    client.get(f"/api/v1/cases/{case.reference}", HTTP_X_API_KEY=keys["aaa"][1])  # key stamped
    settings.CONFIG_CHECK_SECONDS = 3600  # as a server runs: the key is memoised
    with django_assert_max_num_queries(QUERIES_PER_STEP):
        assert act(case.reference, "reopen", phone=REPORTER,
                   reason="Still broken").json()["status"] == "reopened"
