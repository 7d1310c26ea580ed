from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imbizo.accounts.models import Role
from imbizo.cases.calendar import SAST, WorkingHours
from imbizo.cases.escalation import sla_checkpoint_run, sla_escalate_run
from imbizo.cases.lifecycle import case_hold, case_start
from imbizo.cases.models import Case, CaseUpdate
from imbizo.cases.sla import warning_time

HOURS = WorkingHours()


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SAST)


def test_working_time_skips_nights_weekends_and_public_holidays():
    # Friday 2026-12-11 15:30 + 2 working hours: 1 h on Friday, then Monday 14 Dec 07:30
    # + 1 h. (16 December, the Day of Reconciliation, is a holiday.)
    assert HOURS.add(local(2026, 12, 11, 15, 30), 2 * 3600) == local(2026, 12, 14, 8, 30)
    assert HOURS.add(local(2026, 12, 15, 16, 0), 3600) == local(2026, 12, 17, 8, 0)
    assert HOURS.between(local(2026, 12, 11, 15, 30), local(2026, 12, 14, 8, 30)) == 7200


def test_working_time_counts_back_as_it_counts_forward():
    # Monday 14 Dec 08:30 less 2 working hours: 1 h on Monday, the weekend skipped, then
    # Friday 11 Dec 15:30.
    assert HOURS.subtract(local(2026, 12, 14, 8, 30), 2 * 3600) == local(2026, 12, 11, 15, 30)
    # Over the Day of Reconciliation (Wednesday 16 December) to Tuesday afternoon.
    assert HOURS.subtract(local(2026, 12, 17, 8, 0), 3600) == local(2026, 12, 15, 16, 0)
    # From the middle of a night, counting starts at the evening's close.
    assert HOURS.subtract(local(2026, 12, 15, 23, 0), 1800) == local(2026, 12, 15, 16, 0)
    start = local(2026, 11, 2, 9, 17)
    for hours in (0.5, 7, 9, 30, 200):
        later = HOURS.add(start, hours * 3600)
        assert HOURS.subtract(later, hours * 3600) == start
        assert HOURS.between(HOURS.subtract(later, 3600), later) == 3600


def test_a_case_logged_after_hours_starts_its_clock_next_morning():
    assert HOURS.add(local(2026, 11, 24, 20, 0), 3600) == local(2026, 11, 25, 8, 30)
    assert not HOURS.is_open(local(2026, 11, 24, 20, 0))
    assert HOURS.is_open(local(2026, 11, 24, 9, 0))


def test_emergencies_run_on_calendar_time(log_case):
    fire = log_case("fire")
    assert abs((fire.resolve_due - fire.created).total_seconds() - 4 * 3600) < 2


def checkpoint_tasks() -> list[tuple]:
    return [(t.args_kwargs["args"][1], t.run_after, t.args_kwargs["args"][3])
            for t in DBTaskResult.objects.filter(task_path__endswith="sla_checkpoint")
            .order_by("enqueued_at")]


def run_checkpoint(case: Case, kind: str, due: datetime, chain: datetime) -> str:
    return sla_checkpoint_run(case_id=case.pk, kind=kind, due=due, chain=chain)


def test_logging_schedules_the_first_checkpoint_and_each_schedules_the_next(
        log_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = log_case("burst-pipe")
    chain = case.resolve_due
    assert checkpoint_tasks() == [("ack", case.ack_due, chain.isoformat())]
    with django_capture_on_commit_callbacks(execute=True):
        assert run_checkpoint(case, "ack", case.ack_due, chain) == "ack breached"
    assert checkpoint_tasks()[-1] == ("warning", warning_time(case), chain.isoformat())
    # Burst pipes run on calendar time: the warning falls at 18 of 24 hours.
    assert abs((case.resolve_due - warning_time(case)).total_seconds() - 6 * 3600) < 2
    with django_capture_on_commit_callbacks(execute=True):
        assert run_checkpoint(case, "warning", warning_time(case), chain) == "warned"
    assert checkpoint_tasks()[-1] == ("breach", case.resolve_due, chain.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        assert run_checkpoint(case, "breach", case.resolve_due, chain) == "escalated to level 1"
    assert len(checkpoint_tasks()) == 3  # the ladder goes on with sla_escalate tasks


def test_an_acknowledged_case_skips_its_ack_checkpoint_but_keeps_the_chain(
        log_case, django_capture_on_commit_callbacks):
    case = log_case("burst-pipe")
    Case.objects.filter(pk=case.pk).update(acknowledged=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert run_checkpoint(case, "ack", case.ack_due, case.resolve_due) == "stale"
    assert not Case.objects.get(pk=case.pk).ack_breached
    assert [kind for kind, _, _ in checkpoint_tasks()] == ["ack", "warning"]


def test_a_chain_whose_clock_moved_stops(log_case, django_capture_on_commit_callbacks):
    case = log_case("burst-pipe")
    old_chain = case.resolve_due
    Case.objects.filter(pk=case.pk).update(resolve_due=old_chain + timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_checkpoint(case, "ack", case.ack_due, old_chain) == "stale"
    assert checkpoint_tasks() == [("ack", case.ack_due, old_chain.isoformat())]  # logging's
    assert not Case.objects.get(pk=case.pk).ack_breached


def test_a_resumed_case_starts_a_new_chain(log_case, django_capture_on_commit_callbacks):
    from imbizo.cases.lifecycle import case_resume
    from imbizo.core.permissions import system_actor
    system = system_actor("web")
    case = case_hold(actor=system, case=case_start(actor=system, case=log_case("pothole")),
                     reason="Waiting for the contractor")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_resume(actor=system, case=case)
    kind, run_after, chain = checkpoint_tasks()[-1]
    assert chain == case.resolve_due.isoformat()
    assert (kind, run_after) in {(k, at) for k, at in
                                 [("ack", case.ack_due), ("warning", warning_time(case))]}


def test_a_breach_escalates_to_the_departments_supervisor_and_climbs(log_case, make_staff,
                                                                     municipalities,
                                                                     department):
    aaa, _ = municipalities
    supervisor = make_staff({"role": Role.SUPERVISOR, "municipality": aaa,
                             "department": department("roads")})
    make_staff({"role": Role.SUPERVISOR, "municipality": aaa,
                "department": department("water")})
    case = log_case("pothole")
    assert sla_checkpoint_run(case_id=case.pk, kind="breach", due=case.resolve_due) == \
        "escalated to level 1"
    case.refresh_from_db()
    assert case.resolve_breached and case.escalation_level == 1
    update = CaseUpdate.objects.filter(case=case, kind="escalation").last()
    assert "Supervisor" in update.text
    from imbizo.audit.models import AuditEntry
    entry = AuditEntry.objects.get(action="case.sla.escalated")
    assert entry.changes["users"] == [supervisor.user.pk]
    assert sla_escalate_run(case_id=case.pk, level=2, due=case.resolve_due) == \
        "escalated to level 2"
    assert sla_escalate_run(case_id=case.pk, level=2, due=case.resolve_due) == "stale"


def test_a_checkpoint_whose_deadline_moved_does_nothing(log_case):
    case = log_case("pothole")
    old_due = case.resolve_due
    Case.objects.filter(pk=case.pk).update(resolve_due=old_due + timedelta(hours=3))
    assert sla_checkpoint_run(case_id=case.pk, kind="breach", due=old_due) == "stale"
    assert not Case.objects.get(pk=case.pk).resolve_breached


def test_a_case_on_hold_or_closed_is_not_escalated(log_case):
    from imbizo.core.permissions import system_actor
    system = system_actor("web")
    case = case_hold(actor=system, case=case_start(actor=system, case=log_case()),
                     reason="Waiting for the contractor")
    assert sla_checkpoint_run(case_id=case.pk, kind="breach", due=case.resolve_due) == \
        "not open"


def test_an_unacknowledged_case_is_flagged_by_the_real_task_queue(log_case, run_worker):
    case = log_case("fire")  # acknowledge within 15 minutes
    DBTaskResult.objects.filter(task_path__endswith="sla_checkpoint").exclude(
        args_kwargs__args__1="ack").delete()
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    run_worker()
    result = DBTaskResult.objects.get(task_path__endswith="sla_checkpoint",
                                      args_kwargs__args__1="ack")
    assert result.status == "SUCCESSFUL", result.traceback
    assert result.return_value == "ack breached"
    assert Case.objects.get(pk=case.pk).ack_breached
    following = DBTaskResult.objects.get(task_path__endswith="sla_checkpoint",
                                         args_kwargs__args__1="warning")
    assert following.status == "READY" and following.run_after == warning_time(case)


def test_the_escalated_supervisor_gets_an_email(log_case, make_staff, municipalities, department,
                                                run_worker):
    from imbizo.messaging.models import OutboundMessage
    aaa, _ = municipalities
    supervisor = make_staff({"role": Role.SUPERVISOR, "municipality": aaa,
                             "department": department("roads")})
    supervisor.user.email = "roads.supervisor@aaa.example"
    supervisor.user.save(update_fields=["email"])
    case = log_case("pothole")
    sla_checkpoint_run(case_id=case.pk, kind="breach", due=case.resolve_due)
    DBTaskResult.objects.filter(task_path__endswith="sla_checkpoint").delete()
    run_worker()
    email = OutboundMessage.objects.get(channel="email")
    assert email.to == "roads.supervisor@aaa.example"
    assert case.reference in email.body and "escalated" in email.body


def test_a_checkpoint_task_commits_with_its_case_or_not_at_all(log_case):
    from django.db import transaction
    try:
        with transaction.atomic():
            log_case("burst-pipe")
            assert len(checkpoint_tasks()) == 1  # written in the case's own transaction
            raise RuntimeError("the request failed after logging")
    except RuntimeError:
        pass
    assert checkpoint_tasks() == [] and not Case.objects.exists()


def test_a_breach_reaches_the_municipalitys_webhooks(log_case, municipalities,
                                                     django_capture_on_commit_callbacks):
    import json

    from imbizo.core.permissions import system_actor
    from imbizo.webhooks.models import WebhookDelivery
    from imbizo.webhooks.services import webhook_subscription_create
    webhook_subscription_create(actor=system_actor("cli"), municipality=municipalities[0],
                                url="https://crm.aaa.example/imbizo", events=["case_sla"])
    case = log_case("pothole")
    with django_capture_on_commit_callbacks(execute=True):
        sla_checkpoint_run(case_id=case.pk, kind="breach", due=case.resolve_due)
    delivery = WebhookDelivery.objects.get(event="case_sla")
    body = json.loads(delivery.payload)
    assert body["data"]["reference"] == case.reference
    assert body["data"]["sla"] == {"what": "escalated", "level": 1}


def test_a_checkpoint_run_again_after_its_commit_acts_once(log_case,
                                                         django_capture_on_commit_callbacks):
    """Its worker died between the commit and marking the task done, and the task was
    reclaimed: the second run neither records nor escalates again, nor forks the chain."""
    case = log_case("burst-pipe")
    # Every checkpoint of the chain already due, as when its tasks run for real.
    shift = case.resolve_due - timezone.now() + timedelta(minutes=1)
    Case.objects.filter(pk=case.pk).update(ack_due=case.ack_due - shift,
                                           resolve_due=case.resolve_due - shift,
                                           created=case.created - shift)
    case.refresh_from_db()
    chain = case.resolve_due
    for kind, due, outcome in (("ack", case.ack_due, "ack breached"),
                               ("warning", warning_time(case), "warned"),
                               ("breach", case.resolve_due, "escalated to level 1")):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_checkpoint(case, kind, due, chain) == outcome
            assert run_checkpoint(case, kind, due, chain) == "done already"
    assert [kind for kind, _, _ in checkpoint_tasks()] == ["ack", "warning", "breach"]
    assert CaseUpdate.objects.filter(case=case, kind="escalation").count() == 3
    assert Case.objects.get(pk=case.pk).escalation_level == 1
