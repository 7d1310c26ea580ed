"""The acknowledgement check: a task enqueued for the target time marks a matter nobody
acknowledged overdue, once, and tells the councillor and the municipality's manager."""

from datetime import timedelta

from django_tasks_db.models import DBTaskResult

from imbizo.core.models import DomainEvent
from imbizo.matters.lifecycle import matter_acknowledge, matter_close
from imbizo.matters.models import MatterUpdate
from imbizo.matters.tasks import matter_ack_check
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.matters import notify_councillor


def check(matter) -> str:
    return matter_ack_check.call(matter.pk, matter.ack_due.isoformat())


def test_an_unacknowledged_matter_is_marked_overdue_once(raise_matter):
    matter = raise_matter()
    assert check(matter) == "overdue"
    assert check(matter) == "already marked"  # the task run again after its worker died
    matter.refresh_from_db()
    assert matter.ack_overdue and matter.status == "received"
    overdue = MatterUpdate.objects.get(matter=matter, kind="overdue")
    assert overdue.text == "Not acknowledged within 3 working days." and not overdue.public
    assert DomainEvent.objects.filter(name="matter_ack_overdue").count() == 1


def test_an_acknowledged_or_closed_matter_is_left_alone(raise_matter, staff, people):
    acknowledged = matter_acknowledge(actor=staff["councillor"], matter=raise_matter())
    withdrawn = matter_close(actor=people["nomsa"], matter=raise_matter())
    assert check(acknowledged) == "acknowledged" and check(withdrawn) == "acknowledged"
    assert not DomainEvent.objects.filter(name="matter_ack_overdue").exists()


def test_a_check_for_another_time_is_stale(raise_matter):
    matter = raise_matter()
    assert matter_ack_check.call(matter.pk, (matter.ack_due - timedelta(hours=2)).isoformat()) \
        == "stale"


def test_the_check_is_a_task_due_at_the_target_not_a_poll(raise_matter):
    matter = raise_matter()
    tasks = DBTaskResult.objects.filter(task_path__endswith="matter_ack_check")
    assert [t.run_after for t in tasks] == [matter.ack_due]


def test_the_councillor_and_the_manager_are_told_once(raise_matter, staff):
    matter = raise_matter()
    check(matter)
    assert notify_councillor.call(matter.pk, "overdue") == 2
    assert notify_councillor.call(matter.pk, "overdue") == 0
    mails = OutboundMessage.objects.filter(channel="email", dedupe_key__contains=":overdue:")
    assert sorted(mails.values_list("to", flat=True)) == ["cllr1@example.org",
                                                          "manager@example.org"]
    body = mails.first().body
    assert matter.reference in body and "was not acknowledged by" in body
    assert f"/console/matters/{matter.reference}" in body
