import pytest

from imbizo.accounts.models import Consent
from imbizo.accounts.services import citizen_register, consent_give, consent_withdraw
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward


@pytest.fixture
def ussd():
    return system_actor("ussd")


def test_one_phone_is_one_resident_however_it_is_written(db, ussd):
    first = citizen_register(actor=ussd, phone="082 123 4567", name="Nomsa")
    again = citizen_register(actor=ussd, phone="27821234567")
    assert again.pk == first.pk
    assert first.phone == "+27821234567"
    assert first.preferred_channel == "ussd"
    assert AuditEntry.objects.filter(action="citizen.register").count() == 1


def test_an_invalid_id_number_is_refused_and_nothing_is_saved(db, ussd):
    with pytest.raises(ImbizoError, match="last digit does not match"):
        citizen_register(actor=ussd, phone="0821234567", id_number="8001015009086")
    assert not AuditEntry.objects.exists()
    from imbizo.accounts.models import Citizen
    assert not Citizen.objects.exists()


def test_a_valid_id_number_is_stored_without_spaces(db, ussd):
    citizen = citizen_register(actor=ussd, phone="0821234567", id_number="800101 5009 087")
    assert citizen.id_number == "8001015009087"


def test_home_municipality_follows_the_ward(two_municipalities, ussd):
    ward = Ward.objects.get(code="90200002")
    citizen = citizen_register(actor=ussd, phone="0721234567", ward=ward)
    assert citizen.municipality.code == "BBB"


def test_a_ward_outside_the_municipality_is_refused(two_municipalities, ussd):
    aaa, _ = two_municipalities
    with pytest.raises(ImbizoError, match="is not in Aaa Local"):
        citizen_register(actor=ussd, phone="0721234567", municipality=aaa,
                         ward=Ward.objects.get(code="90200002"))


def test_consent_is_recorded_once_and_can_be_withdrawn_and_given_again(db, ussd):
    citizen = citizen_register(actor=ussd, phone="0821234567")
    first = consent_give(actor=ussd, citizen=citizen, purpose="notifications")
    assert consent_give(actor=ussd, citizen=citizen, purpose="notifications").pk == first.pk
    assert first.channel == "ussd" and first.withdrawn is None
    assert consent_withdraw(actor=ussd, citizen=citizen, purpose="notifications") == 1
    assert consent_withdraw(actor=ussd, citizen=citizen, purpose="notifications") == 0
    consent_give(actor=ussd, citizen=citizen, purpose="notifications")
    history = Consent.objects.filter(citizen=citizen, purpose="notifications")
    assert history.count() == 2
    assert history.filter(withdrawn__isnull=True).count() == 1


def test_an_unknown_consent_purpose_is_refused(db, ussd):
    citizen = citizen_register(actor=ussd, phone="0821234567")
    with pytest.raises(ImbizoError, match="Unknown purpose"):
        consent_give(actor=ussd, citizen=citizen, purpose="marketing")
