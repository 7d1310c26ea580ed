"""Two workers holding the same message send it once."""

import threading

import pytest
from django.db import connection

from imbizo.messaging.models import Status
from imbizo.messaging.providers import Provider, SendResult
from imbizo.messaging.services import message_send

from .helpers import queue


class SlowGateway(Provider):
    """Holds its first send until told to finish."""

    name = "slow"
    channels = frozenset({"sms"})
    max_length = 918
    entered = threading.Event()
    release = threading.Event()
    sent: list[int] = []

    def send(self, message):
        self.entered.set()
        assert self.release.wait(timeout=10)
        self.sent.append(message.pk)
        return SendResult(provider_message_id=f"slow-{message.pk}")


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_leaves_a_message_in_flight_alone(use_providers):
    use_providers(sms=f"{__name__}.SlowGateway")
    SlowGateway.entered.clear()
    SlowGateway.release.clear()
    SlowGateway.sent = []
    message = queue()
    results = {}

    def first_worker():
        try:
            results["first"] = message_send(message_id=message.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert SlowGateway.entered.wait(timeout=10)
        second = message_send(message_id=message.pk)  # e.g. a duplicate task
        assert (second.status, second.attempts) == (Status.QUEUED, 1)
    finally:
        SlowGateway.release.set()
        worker.join(timeout=10)
    assert results["first"].status == Status.SENT
    assert SlowGateway.sent == [message.pk]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
