"""The pump hands received messages to the workers: each once while its lease runs, each
resident's in one task and in order, again when a worker died or a retry is due."""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imbizo.conversations.pump import TASK_SIZE, inbound_pump
from imbizo.conversations.services import inbound_handle
from imbizo.messaging.inbound import Incoming
from imbizo.messaging.models import InboundMessage, OutboundMessage
from imbizo.messaging.services import inbound_record

from .conftest import PHONE


def received(sender: str = PHONE, n: int = 1, text: str = "hi") -> list[int]:
    start = InboundMessage.objects.count()
    return [inbound_record(Incoming(provider="africastalking", channel="sms",
                                    message_id=f"m{start + i}", sender=sender, text=text))
            for i in range(n)]


def tasks() -> list[list[int]]:
    return [t.args_kwargs["args"][0] for t in DBTaskResult.objects.order_by("enqueued_at")
            if t.task_path.endswith("handle_inbound")]


def test_a_received_message_is_handed_out_once_while_its_lease_runs(citizen):
    [pk] = received()
    assert inbound_pump() == 1
    assert tasks() == [[pk]]
    lease = InboundMessage.objects.get(pk=pk).next_attempt_at
    assert lease - timezone.now() > timedelta(seconds=50)
    assert inbound_pump() == 0 and len(tasks()) == 1


def test_each_residents_messages_go_in_one_task_in_the_order_they_came(citizen):
    first = received("+27821110001", 2)
    other = received("+27821110002", 1)
    later = received("+27821110001", 1)
    assert inbound_pump() == 4
    assert tasks() == [first + later + other]


def test_a_large_backlog_is_shared_out_in_tasks_of_a_few_residents(citizen):
    ids = [received(f"+2782111{n:04d}")[0] for n in range(TASK_SIZE * 2 + 5)]
    assert inbound_pump() == len(ids)
    handed = tasks()
    assert [len(t) for t in handed] == [TASK_SIZE, TASK_SIZE, 5]
    assert sorted(pk for t in handed for pk in t) == sorted(ids)


def test_a_message_whose_worker_died_is_handed_out_again_when_its_lease_runs_out(citizen):
    [pk] = received()
    inbound_pump()
    InboundMessage.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    assert inbound_pump() == 1 and tasks() == [[pk], [pk]]
    inbound_handle(inbound_id=pk)
    inbound_handle(inbound_id=pk)  # the second copy finds it handled and does nothing
    assert InboundMessage.objects.get(pk=pk).state == "handled"
    assert OutboundMessage.objects.filter(to=PHONE).count() == 1


def test_a_failed_message_waits_for_its_retry_time(citizen, settings):
    settings.CHANNEL_PLUGINS = {**settings.CHANNEL_PLUGINS}
    pk = inbound_record(Incoming(provider="gone", channel="sms", message_id="x1",
                                 sender=PHONE, text="hi"))
    inbound_pump()
    inbound_handle(inbound_id=pk)  # no plugin of that name: fails, retried with backoff
    assert inbound_pump() == 0
    InboundMessage.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    assert inbound_pump() == 1


def test_handled_messages_are_not_handed_out(citizen):
    [pk] = received()
    inbound_handle(inbound_id=pk)
    assert inbound_pump() == 0 and tasks() == []


def test_a_webhook_message_is_answered_by_the_worker_the_pump_feeds(citizen, client,
                                                                    run_worker):
    response = client.post("/channels/sms/africastalking", {
        "from": PHONE, "to": "40404", "text": "hi", "id": "sms-1",
        "date": "2026-12-07 10:15:30", "linkId": "l1"})
    assert response.status_code == 200
    assert not OutboundMessage.objects.exists()
    assert inbound_pump() == 1
    run_worker()
    inbound = InboundMessage.objects.get()
    assert inbound.state == "handled"
    assert OutboundMessage.objects.filter(to=PHONE).exists()
