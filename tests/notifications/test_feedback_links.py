"""The reporter's feedback link proves who it was sent to, and nothing else."""

import pytest

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_erase, citizen_register
from imbizo.cases.models import Case
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.notifications.links import feedback_read, feedback_token, feedback_url


@pytest.fixture
def by_caller(municipalities):
    return case_log(actor=system_actor("web"), category="pothole", description="Hole",
                    location=Location(latitude=-29.95, longitude=20.05),
                    contact=Contact(phone="083 555 1234"))


def test_a_reporter_s_link_names_the_case_and_the_reporter(log_case, resident, settings):
    settings.SITE_URL = "https://imbizo.example.gov.za"
    case = log_case()
    url = feedback_url(case, resident.citizen)
    assert url.startswith(f"https://imbizo.example.gov.za/r/{case.pk}.{resident.citizen.pk}:")
    found = feedback_read(url.rsplit("/", 1)[1])
    assert (found.case, found.citizen) == (case, resident.citizen)


def test_a_number_s_link_carries_no_number_and_dies_with_it(by_caller):
    token = feedback_token(by_caller)
    assert "555" not in token and "1234" not in token
    found = feedback_read(token)
    assert (found.case, found.citizen, found.phone) == (by_caller, None, "+27835551234")
    Case.objects.filter(pk=by_caller.pk).update(contact_phone="+27830000000")
    assert feedback_read(token) is None


def test_an_altered_link_is_refused(log_case, resident, by_caller):
    case = log_case()
    token = feedback_token(case, resident.citizen)
    other = citizen_register(actor=system_actor("sms"), phone="0724445555")
    value, signature = token.split(":")
    assert feedback_read(f"{case.pk}.{other.pk}:{signature}") is None
    assert feedback_read(f"{by_caller.pk}.{resident.citizen.pk}:{signature}") is None
    assert feedback_read(f"{by_caller.pk}:{signature}") is None
    assert feedback_read(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


@pytest.mark.parametrize("garbage", ["", ":", "abc", "1", "1:x", "1.2", "1.x:y", "-1:a",
                                     "99999999:abc", "1..2:abc", "x" * 300])
def test_garbage_is_refused(municipalities, garbage):
    assert feedback_read(garbage) is None


def test_a_link_made_for_someone_else_than_the_reporter_is_refused(log_case):
    case = log_case()
    other = citizen_register(actor=system_actor("sms"), phone="0724445555")
    assert feedback_read(feedback_token(case, other)) is None


def test_an_erased_reporter_s_link_stops_working(log_case, resident):
    case = log_case()
    token = feedback_token(case, resident.citizen)
    citizen_erase(actor=citizen_actor(resident.citizen, channel="web"),
                  citizen=resident.citizen)
    assert feedback_read(token) is None
