"""Many messages at once: a fan-out is queued in batches and sent by batch tasks, with a
bounded number of statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from imbizo.messaging.models import OutboundMessage, Status
from imbizo.messaging.queue_many import Draft, messages_queue_many
from imbizo.messaging.services import BATCH_SIZE, CLAIM_SIZE, messages_send

pytestmark = pytest.mark.django_db


def drafts(n: int, start: int = 0, **extra) -> list[Draft]:
    return [Draft(to=f"+277240{i:05d}", channel="sms", body="Imbizo: news.",
                  dedupe_key=f"fan:{i}", **extra) for i in range(start, start + n)]


def test_a_fan_out_is_written_in_batches_each_with_one_send_task():
    with CaptureQueriesContext(connection) as run:
        assert messages_queue_many(drafts=drafts(BATCH_SIZE * 2 + 1), purpose="service",
                                   municipality=None) == BATCH_SIZE * 2 + 1
    # Per batch: its savepoint and release, the task; and the inserts, which skip the keys
    # held and return the new ids, as many as the database's limit on parameters asks for
    # (SQLite takes 58 rows a statement, PostgreSQL the whole batch).
    statements = [q["sql"] for q in run.captured_queries]
    inserts = [q for q in statements
               if q.startswith("INSERT") and '"messaging_outboundmessage"' in q.split("(")[0]]
    assert inserts and len(statements) - len(inserts) <= 5 * 3
    tasks = DBTaskResult.objects.filter(task_path__endswith="send_messages")
    assert sorted(len(t.args_kwargs["args"][0]) for t in tasks) == [1, BATCH_SIZE, BATCH_SIZE]


def test_queuing_the_same_fan_out_again_queues_only_what_is_new():
    messages_queue_many(drafts=drafts(3), purpose="service", municipality=None)
    assert messages_queue_many(drafts=drafts(5), purpose="service", municipality=None) == 2
    assert OutboundMessage.objects.count() == 5
    tasks = DBTaskResult.objects.filter(task_path__endswith="send_messages")
    assert sorted(len(t.args_kwargs["args"][0]) for t in tasks) == [2, 3]


def test_a_draft_no_channel_could_send_is_left_out(caplog):
    bad = [Draft(to="0724000001", channel="sms", body="Not E.164", dedupe_key="bad:1"),
           Draft(to="+27724000002", channel="sms", body="x" * 919, dedupe_key="bad:2"),
           Draft(to="+27724000003", channel="ussd", body="Cannot push", dedupe_key="bad:3"),
           Draft(to="+27724000004", channel="sms", body="  ", dedupe_key="bad:4")]
    assert messages_queue_many(drafts=drafts(1) + bad, purpose="service",
                               municipality=None) == 1
    assert "4 message(s) of a fan-out left out" in caplog.text
    assert "+2772400000" not in caplog.text  # no number in the log


def test_a_batch_task_claims_and_records_many_messages_in_one_transaction(
        django_assert_num_queries, django_capture_on_commit_callbacks):
    messages_queue_many(drafts=drafts(50), purpose="service", municipality=None)
    ids = list(OutboundMessage.objects.values_list("pk", flat=True))
    chunks = -(-50 // CLAIM_SIZE)
    # The batch and its opt-outs; per chunk its claim (lock, update) and the transaction
    # recording its outcomes (each a savepoint here); per message its outcome.
    with django_assert_num_queries(2 + chunks * (4 + 2) + 50):
        messages_send(message_ids=ids)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {Status.DELIVERED}
    assert set(OutboundMessage.objects.values_list("attempts", flat=True)) == {1}


def test_a_batch_hands_what_it_has_not_reached_to_a_new_task(
        monkeypatch, django_capture_on_commit_callbacks):
    from imbizo.messaging import services

    monkeypatch.setattr(services, "BATCH_SECONDS", -1.0)  # out of time before the first
    messages_queue_many(drafts=drafts(3), purpose="service", municipality=None)
    ids = list(OutboundMessage.objects.values_list("pk", flat=True))
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        messages_send(message_ids=ids)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert [t.args_kwargs["args"][0] for t in DBTaskResult.objects.all()] == [ids]
