from datetime import timedelta

import pytest
from django.utils import timezone

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.cases.lifecycle import (
    case_assign,
    case_cancel,
    case_close,
    case_comment,
    case_hold,
    case_rate,
    case_reject,
    case_reopen,
    case_resolve,
    case_resume,
    case_start,
)
from imbizo.cases.models import Case, CaseUpdate, Status
from imbizo.core.errors import ImbizoError


@pytest.fixture
def officer(make_staff, municipalities, department):
    aaa, _ = municipalities
    actor = make_staff({"role": Role.OFFICER, "municipality": aaa,
                        "department": department("roads")})
    actor.user.first_name = "Sipho"
    return actor


def test_the_whole_road_from_logged_to_closed_and_rated(log_case, officer, resident):
    case = log_case()
    case = case_start(actor=officer, case=case)
    assert case.status == Status.IN_PROGRESS and case.acknowledged is not None
    case = case_resolve(actor=officer, case=case, note="Filled with asphalt")
    case = case_close(actor=resident, case=case)
    case = case_rate(actor=resident, case=case, rating=4, comment="Quick, thanks")
    assert (case.status, case.rating, case.version) == (Status.CLOSED, 4, 4)
    history = list(CaseUpdate.objects.filter(case=case, kind="status")
                   .values_list("from_status", "to_status"))
    assert history == [("", "assigned"), ("assigned", "in_progress"),
                       ("in_progress", "resolved"), ("resolved", "closed")]
    actions = set(AuditEntry.objects.filter(object_id=str(case.uuid))
                  .values_list("action", flat=True))
    assert {"case.log", "case.in_progress", "case.resolved", "case.closed",
            "case.rate"} <= actions


def test_an_invalid_transition_is_refused_and_changes_nothing(log_case, officer, resident):
    case = case_resolve(actor=officer, case=log_case(), note="Done")
    with pytest.raises(ImbizoError) as err:
        case_start(actor=officer, case=case)
    assert err.value.code == "invalid_transition" and err.value.status == 409
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
    with pytest.raises(ImbizoError, match="once it is closed"):
        case_rate(actor=resident, case=case, rating=5)


def test_a_stale_update_gets_409_with_the_current_version(log_case, officer):
    case = log_case()
    case_start(actor=officer, case=case, expected_version=1)
    with pytest.raises(ImbizoError) as err:
        case_hold(actor=officer, case=case, reason="Waiting for parts", expected_version=1)
    assert err.value.status == 409 and err.value.extra["current_version"] == 2
    assert "Reload it" in err.value.message


def test_on_hold_pauses_the_clock_and_resume_moves_the_deadline(log_case, make_staff,
                                                                municipalities, department):
    aaa, _ = municipalities
    plumber = make_staff({"role": Role.OFFICER, "municipality": aaa,
                          "department": department("water")})
    case = log_case("burst-pipe")  # calendar time: 24 h to resolve
    due = case.resolve_due
    case = case_start(actor=plumber, case=case)
    case = case_hold(actor=plumber, case=case, reason="Waiting for a valve")
    Case.objects.filter(pk=case.pk).update(paused=timezone.now() - timedelta(hours=5))
    case = case_resume(actor=plumber, case=case)
    assert case.paused is None and case.status == Status.IN_PROGRESS
    moved = (case.resolve_due - due).total_seconds()
    assert abs(moved - 5 * 3600) < 5


def test_an_officer_of_another_department_may_not_touch_the_case(log_case, officer):
    case = log_case("burst-pipe")
    with pytest.raises(ImbizoError) as err:
        case_start(actor=officer, case=case)
    assert err.value.status == 403


def test_the_resident_may_reopen_within_the_window_only(log_case, officer, resident, settings):
    case = case_resolve(actor=officer, case=log_case(), note="Patched")
    case = case_reopen(actor=resident, case=case, reason="It is back after the rain")
    assert case.status == Status.REOPENED and case.resolved is None
    case = case_resolve(actor=officer, case=case, note="Patched properly")
    Case.objects.filter(pk=case.pk).update(
        resolved=timezone.now() - timedelta(days=settings.CASE_REOPEN_DAYS + 1))
    with pytest.raises(ImbizoError) as err:
        case_reopen(actor=resident, case=case, reason="Still broken")
    assert err.value.code == "reopen_window_passed"


def test_rejection_needs_a_known_reason_and_a_new_case(log_case, officer):
    case = log_case()
    with pytest.raises(ImbizoError, match="Reject for one of"):
        case_reject(actor=officer, case=case, reason="boring")
    case = case_reject(actor=officer, case=case, reason="not_municipal",
                       note="Provincial road: reported to the province.")
    assert case.status == Status.REJECTED and case.rejection_reason == "not_municipal"
    started = case_start(actor=officer, case=log_case())
    with pytest.raises(ImbizoError, match="Only a new case can be rejected"):
        case_reject(actor=officer, case=started, reason="invalid")


def test_only_the_reporter_cancels(log_case, resident, make_staff, municipalities):
    from imbizo.accounts.permissions import citizen_actor
    from imbizo.accounts.services import citizen_register
    from imbizo.core.permissions import system_actor
    case = log_case()
    stranger = citizen_actor(citizen_register(actor=system_actor("sms"), phone="0729998888"),
                             channel="sms")
    with pytest.raises(ImbizoError):
        case_cancel(actor=stranger, case=case)
    assert case_cancel(actor=resident, case=case, note="Fixed by a neighbour").status == \
        Status.CANCELLED


def test_internal_notes_stay_internal_and_public_updates_acknowledge(log_case, officer,
                                                                     resident):
    case = log_case()
    case_comment(actor=officer, case=case, text="Crew B tomorrow", public=False)
    assert Case.objects.get(pk=case.pk).acknowledged is None
    case_comment(actor=officer, case=case, text="We will fix it tomorrow", public=True)
    assert Case.objects.get(pk=case.pk).acknowledged is not None
    with pytest.raises(ImbizoError):
        case_comment(actor=resident, case=case, text="psst", public=False)
    kinds = list(CaseUpdate.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["status", "internal", "public"]


def test_reassignment_stays_within_the_municipality(log_case, make_staff, municipalities,
                                                   department):
    aaa, _ = municipalities
    supervisor = make_staff({"role": Role.SUPERVISOR, "municipality": aaa})
    case = case_assign(actor=supervisor, case=log_case(), department=department("water"))
    assert case.department.code == "water" and case.version == 2
    with pytest.raises(ImbizoError, match="of this municipality"):
        case_assign(actor=supervisor, case=case, department=department("water", "BBB"))


def test_a_silent_resident_s_resolved_case_closes_by_itself(log_case, officer, settings,
                                                             run_worker):
    from django_tasks_db.models import DBTaskResult
    case = case_resolve(actor=officer, case=log_case(), note="Patched")
    task = DBTaskResult.objects.get(task_path__endswith="case_autoclose")
    expected = case.resolved + timedelta(days=settings.CASE_AUTOCLOSE_DAYS)
    assert abs((task.run_after - expected).total_seconds()) < 1
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
    DBTaskResult.objects.exclude(pk=task.pk).delete()
    run_worker()
    task.refresh_from_db()
    assert task.return_value == "closed"
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
