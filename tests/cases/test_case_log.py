import pytest

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.cases.models import Case, CaseUpdate, Status, Subscription
from imbizo.cases.reference import reference_parse
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward


def test_a_pothole_gets_a_reference_and_goes_to_roads_at_once(log_case, resident):
    case = log_case("pothole")
    assert reference_parse(case.reference) == case.reference
    assert case.reference.startswith("AAA-")
    assert case.status == Status.ASSIGNED
    assert case.department.code == "roads"
    assert case.ward.code == "90100001" and case.municipality.code == "AAA"
    assert case.channel == "ussd" and case.reporter == resident.citizen
    assert Subscription.objects.filter(case=case, citizen=resident.citizen).exists()
    assert CaseUpdate.objects.get(case=case).to_status == Status.ASSIGNED
    assert AuditEntry.objects.filter(action="case.log", object_id=str(case.uuid)).exists()


def test_references_count_up_within_the_month(log_case):
    first, second = log_case(), log_case()
    assert int(second.reference.split("-")[2]) == int(first.reference.split("-")[2]) + 1


def test_the_location_picks_the_municipality(log_case):
    case = log_case("no-water", lon=20.35)
    assert case.municipality.code == "BBB" and case.department.municipality.code == "BBB"


def test_a_ward_picked_from_a_list_is_enough(log_case):
    ward = Ward.objects.get(code="90200002")
    case = log_case("streetlight", location=Location(ward=ward))
    assert (case.municipality.code, case.ward, case.latitude) == ("BBB", ward, None)


def test_a_point_outside_every_municipality_is_refused_clearly(log_case):
    with pytest.raises(ImbizoError) as err:
        log_case(lat=-34.5, lon=17.0)
    assert err.value.code == "location_not_served" and err.value.status == 422
    assert not Case.objects.exists()


def test_a_point_in_another_municipality_than_the_one_named_is_refused(log_case,
                                                                         municipalities):
    aaa, _ = municipalities
    with pytest.raises(ImbizoError) as err:
        log_case(lon=20.35, municipality=aaa)
    assert err.value.code == "location_outside_municipality"
    assert "Bbb Local" in err.value.message


def test_an_unknown_category_is_refused(log_case):
    with pytest.raises(ImbizoError, match="is not something Aaa Local takes reports about"):
        log_case("unicorn-sighting")
    with pytest.raises(ImbizoError):
        log_case("water")  # a group, not a category one can report under


def test_a_missing_required_field_is_named_and_nothing_is_written(log_case):
    with pytest.raises(ImbizoError) as err:
        log_case("water-meter", extra={})
    assert err.value.code == "missing_field" and err.value.extra["fields"] == ["Meter number"]
    assert not Case.objects.exists() and not AuditEntry.objects.filter(action="case.log")
    case = log_case("water-meter", extra={"meter_number": "WM-1234", "colour": "red"})
    assert case.extra == {"meter_number": "WM-1234"}


def test_an_empty_description_is_refused(log_case):
    with pytest.raises(ImbizoError, match="describe the problem"):
        log_case(description="   ")


def test_a_retried_create_returns_the_same_case(log_case):
    first = log_case(idempotency_key="abc-123")
    again = log_case(idempotency_key="abc-123", description="different text")
    assert again.pk == first.pk and Case.objects.count() == 1
    assert log_case(idempotency_key="other").pk != first.pk


def test_anonymous_reports_keep_an_optional_normalised_contact(municipalities):
    case = case_log(actor=system_actor("web"), category="illegal-dumping",
                    description="Rubble on the corner",
                    location=Location(latitude=-29.95, longitude=20.15),
                    contact=Contact(name="A neighbour", phone="083 555 1234"))
    assert case.reporter is None and case.contact_phone == "+27835551234"
    with pytest.raises(ImbizoError, match="not a valid phone number"):
        case_log(actor=system_actor("web"), category="illegal-dumping", description="x",
                 location=Location(latitude=-29.95, longitude=20.15),
                 contact=Contact(phone="12"))


def test_an_agent_logs_only_in_their_own_municipality(log_case, make_staff, municipalities):
    aaa, _ = municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    agent.channel = "phone"
    assert log_case(actor=agent).channel == "phone"
    with pytest.raises(ImbizoError) as err:
        log_case(actor=agent, lon=20.35)
    assert err.value.status == 403


def test_logging_runs_a_fixed_number_of_queries(log_case, django_assert_num_queries,
                                                settings):
    log_case()
    settings.CONFIG_CHECK_SECONDS = 3600  # as a server runs: configuration is memoised
    # The reference in a (nested) transaction of its own: savepoint, number, release; then
    # savepoint, case, history, follower, first SLA task, the case_logged event, audit (3),
    # release. Writes only.
    with django_assert_num_queries(13):
        log_case()


def test_an_overlong_field_is_a_clear_error_not_a_crash(log_case):
    with pytest.raises(ImbizoError) as err:
        log_case(location=Location(latitude=-29.95, longitude=20.05, address="x" * 300))
    assert err.value.code == "invalid_field" and err.value.extra["fields"] == ["address"]
    assert not Case.objects.exists()
