"""Putting a message in the outbox: validation, dedupe, tenancy, cost."""

import pytest
from django_tasks_db.models import DBTaskResult

from imbizo.core.errors import ImbizoError
from imbizo.messaging.models import OutboundMessage, Status

from .helpers import queue

pytestmark = pytest.mark.django_db


def test_a_message_is_queued_with_its_number_in_e164_and_a_send_task(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(to="082 123 4567", language="zu", purpose="notifications")
    message = OutboundMessage.objects.get(pk=message.pk)
    assert (message.to, message.channel, message.language, message.purpose) == (
        "+27821234567", "sms", "zu", "notifications")
    assert (message.status, message.attempts, message.provider) == (Status.QUEUED, 0, "dev")
    assert message.next_attempt_at is not None and message.dedupe_key is None
    assert DBTaskResult.objects.get().args_kwargs["args"] == [message.pk]


def test_the_same_dedupe_key_queues_nothing_the_second_time(django_capture_on_commit_callbacks):
    key = "case:5c1e6e0a:status:2:citizen:7"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue(dedupe_key=key)
        second = queue(dedupe_key=key, body="A different text")
    assert second.pk == first.pk and second.body == first.body
    assert OutboundMessage.objects.count() == 1
    assert len(callbacks) == 1 and DBTaskResult.objects.count() == 1


def test_messages_without_a_dedupe_key_are_all_queued():
    queue()
    queue()
    assert OutboundMessage.objects.filter(dedupe_key__isnull=True).count() == 2


def test_queuing_costs_a_fixed_number_of_queries(django_assert_num_queries,
                                                 django_capture_on_commit_callbacks):
    queue()  # warm the provider registry and the task backend
    # savepoint, savepoint, insert, release, release; then the task row on commit
    with django_assert_num_queries(6), django_capture_on_commit_callbacks(execute=True):
        queue()
    # + the dedupe look-up
    with django_assert_num_queries(7), django_capture_on_commit_callbacks(execute=True):
        queue(dedupe_key="k1")
    # a repeat is one look-up inside the transaction, and nothing to enqueue
    with django_assert_num_queries(3), django_capture_on_commit_callbacks(execute=True):
        queue(dedupe_key="k1")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"to": "082 12"}, "invalid_phone"),
    ({"channel": "email", "to": "not-an-address"}, "invalid_email"),
    ({"body": "   "}, "empty_message"),
    ({"body": "x" * 919}, "message_too_long"),
    ({"channel": "ussd"}, "channel_unavailable"),  # USSD cannot push
    ({"channel": "fax"}, "channel_unavailable"),  # no such channel
    ({"purpose": "marketing"}, "invalid_message"),
    ({"language": "fr"}, "invalid_message"),
])
def test_bad_input_gets_a_clear_error_and_queues_nothing(kwargs, code):
    with pytest.raises(ImbizoError) as err:
        queue(**kwargs)
    assert err.value.code == code and err.value.status == 400
    assert not OutboundMessage.objects.exists()


def test_918_characters_fit_the_dev_provider():
    assert len(queue(body="x" * 918).body) == 918


def test_a_residents_message_belongs_to_their_municipality(make_resident, two_municipalities):
    aaa, bbb = two_municipalities
    citizen = make_resident(municipality=aaa)
    assert queue(citizen=citizen).municipality_id == aaa.pk
    assert queue(citizen=citizen, municipality=bbb).municipality_id == bbb.pk
    assert queue().municipality_id is None
