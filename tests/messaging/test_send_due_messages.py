"""``imbizo send-due-messages`` enqueues again what has waited too long."""

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from .helpers import queue

pytestmark = pytest.mark.django_db


def test_the_command_enqueues_overdue_messages_only(clock):
    overdue = queue()
    clock.advance(minutes=30)
    queue()  # just queued: its own task is on its way
    assert not DBTaskResult.objects.exists()  # commit callbacks do not run in this test
    out = io.StringIO()
    call_command("send_due_messages", stdout=out)
    assert out.getvalue().strip() == "1 overdue message(s) enqueued."
    assert DBTaskResult.objects.get().args_kwargs["args"] == [overdue.pk]
