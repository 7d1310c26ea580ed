"""Reads of webhook subscriptions and the delivery log, scoped to the actor."""

from django.db.models import QuerySet

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor, scope

from .models import WebhookDelivery, WebhookSubscription


def webhook_subscription_list(*, actor: Actor) -> QuerySet[WebhookSubscription]:
    qs = WebhookSubscription.objects.select_related("municipality")
    return scope(actor, qs, "webhook.manage")


def access_webhook_subscription(actor: Actor, uuid) -> WebhookSubscription:
    subscription = webhook_subscription_list(actor=actor).filter(uuid=uuid).first()
    if subscription is None:
        raise NotFound("webhook_subscription_not_found", "No such webhook subscription.")
    return subscription


def webhook_delivery_list(*, actor: Actor, subscription: WebhookSubscription | None = None,
                          status: str | None = None) -> QuerySet[WebhookDelivery]:
    """The delivery log, newest first, optionally for one subscription or status."""
    qs = WebhookDelivery.objects.select_related("subscription__municipality")
    qs = scope(actor, qs, "webhook.manage", municipality_field="subscription__municipality")
    if subscription is not None:
        qs = qs.filter(subscription=subscription)
    if status:
        qs = qs.filter(status=status)
    return qs


def access_webhook_delivery(actor: Actor, pk: int) -> WebhookDelivery:
    delivery = webhook_delivery_list(actor=actor).filter(pk=pk).first()
    if delivery is None:
        raise NotFound("webhook_delivery_not_found", "No such webhook delivery.")
    return delivery
