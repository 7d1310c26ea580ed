"""A merged duplicate's followers follow the surviving case: they are told their report
was joined to it, then hear its progress to the end."""

import pytest

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.cases.duplicates import case_merge
from imbizo.cases.lifecycle import case_close, case_resolve, case_start
from imbizo.cases.models import Subscription
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage

CALLER = "+27835551234"


@pytest.fixture
def neighbour(municipalities):
    citizen = citizen_register(actor=system_actor("whatsapp"), phone="0724445555")
    return citizen_actor(citizen, channel="whatsapp")


@pytest.fixture
def supervisor(make_staff, municipalities):
    return make_staff({"role": Role.SUPERVISOR, "municipality": municipalities[0]})


def by_caller(log_case):
    """A pothole reported by someone who left only a number (an agent logged it)."""
    return case_log(actor=system_actor("web"), category="pothole", description="Hole",
                    location=Location(latitude=-29.95, longitude=20.05),
                    contact=Contact(phone="083 555 1234"))


def bodies(to: str) -> list[str]:
    return list(OutboundMessage.objects.filter(to=to).order_by("pk")
                .values_list("body", flat=True))


def test_a_duplicate_s_reporters_are_told_of_the_merge_then_hear_the_case_to_its_end(
        log_case, resident, neighbour, supervisor, run_worker):
    keep = log_case()
    theirs = log_case(actor=neighbour)
    callers = by_caller(log_case)
    run_worker()
    keep = case_merge(actor=supervisor, duplicate=theirs, into=keep)
    keep = case_merge(actor=supervisor, duplicate=callers, into=keep)
    run_worker()
    system = system_actor("web")
    keep = case_resolve(actor=system, case=case_start(actor=system, case=keep),
                        note="Patched the hole")
    case_close(actor=system, case=keep)
    run_worker()

    for phone, report in ((neighbour.citizen.phone, theirs), (CALLER, callers)):
        logged, merged, started, resolved, closed = bodies(phone)
        assert logged.startswith(f"Imbizo: we received your report {report.reference}")
        assert merged == (f"Imbizo: your report {report.reference} was joined to "
                          f"{keep.reference}, the same problem reported by others, which is "
                          f"being handled: Assigned.")
        assert started == (f"Imbizo {keep.reference}: In progress. "
                           "We have started work on it.")
        assert resolved.startswith(f"Imbizo {keep.reference}: Resolved. It has been fixed: "
                                   "Patched the hole. It closes in 7 days unless the person "
                                   "who reported it says it is not fixed.")
        assert closed == (f"Imbizo {keep.reference}: Closed. It is closed. Thank you for "
                          "reporting it.")
        assert not any("Rejected" in body for body in bodies(phone))
    # The surviving case's reporter alone is sent the links to reopen and to rate it.
    *_, resolved, closed = bodies(resident.citizen.phone)
    assert "/r/" in resolved and "Rate it from 1 to 5: http://127.0.0.1:8000/r/" in closed
    assert Subscription.objects.filter(case=keep).count() == 2


def test_a_duplicate_s_reporter_follows_once_even_without_a_subscription(
        log_case, resident, neighbour, supervisor):
    keep, theirs = log_case(), log_case(actor=neighbour)
    Subscription.objects.filter(case=theirs).delete()
    case_merge(actor=supervisor, duplicate=theirs, into=keep)
    case_merge(actor=supervisor, duplicate=log_case(actor=neighbour), into=keep)
    assert sorted(Subscription.objects.filter(case=keep).values_list("citizen_id", flat=True)) \
        == sorted([resident.citizen.pk, neighbour.citizen.pk])


def test_a_number_left_with_a_report_follows_it_through_two_merges(
        log_case, supervisor, run_worker):
    first, middle, last = by_caller(log_case), log_case(), log_case()
    case_merge(actor=supervisor, duplicate=first, into=middle)
    case_merge(actor=supervisor, duplicate=middle, into=last)
    run_worker()
    system = system_actor("web")
    case_start(actor=system, case=last, note="On site")
    run_worker()
    told = bodies(CALLER)
    assert any(f"your report {first.reference} was joined to {middle.reference}" in body
               for body in told)
    assert told[-1] == f"Imbizo {last.reference}: In progress. We have started work on it: On site."
