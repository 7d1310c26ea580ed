"""Deliveries whose task was lost are enqueued again by the clock's sweep."""

from datetime import timedelta

from django.utils import timezone

from imbizo.webhooks.models import WebhookDelivery
from imbizo.webhooks.services import webhook_dispatch_due


def test_only_deliveries_overdue_beyond_the_grace_are_enqueued_again(
        subscribe, emit_event, two_municipalities, queued):
    subscribe()
    emit_event("case_logged", two_municipalities[0])
    emit_event("case_logged", two_municipalities[0])
    lost, fresh = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=lost.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=30))
    before = len(queued())
    assert webhook_dispatch_due() == 1
    tasks = queued()
    assert len(tasks) == before + 1
    assert tasks[-1].args_kwargs["args"] == [lost.pk]


def test_delivered_deliveries_are_left_alone(subscribe, emit_event,
                                                       two_municipalities):
    subscribe()
    emit_event("case_logged", two_municipalities[0])
    WebhookDelivery.objects.update(status=WebhookDelivery.Status.SUCCEEDED,
                                   next_attempt_at=timezone.now() - timedelta(hours=2))
    assert webhook_dispatch_due() == 0
