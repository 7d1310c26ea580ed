"""Every write to webhooks: subscriptions, deliveries, attempts and replays.

A delivery is created when its domain event is relayed, after the event's transaction
commits (again, idempotently, if that relay was cut short), and sent by the
``deliver_webhook`` task: one POST per attempt, retried with exponential backoff on a
5xx, 408, 425, 429 or a network failure, given up on any other 3xx/4xx or after
``MAX_ATTEMPTS``.
"""

import json
import logging
import secrets
import time
import uuid
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.core.outbox import enqueue_overdue, redrive_grace
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .signing import webhook_signature
from .transport import PostResult, webhook_post
from .validation import (
    url_for_the_record,
    webhook_events_check,
    webhook_secret_check,
    webhook_url_check,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# How long an attempt in flight keeps other workers off the delivery: well beyond the
# POST's 10 s timeout, short enough that a delivery whose worker died goes on soon.
ATTEMPT_LEASE = timedelta(seconds=30)
RETRY_STATUSES = frozenset({408, 409, 425, 429})
Status = WebhookDelivery.Status


def _audit(actor: Actor, action: str, subscription: WebhookSubscription, changes: dict) -> None:
    """Never pass the secret here: the audit log is permanent and widely readable."""
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=subscription,
                 municipality_code=subscription.municipality.code, changes=changes)


# --- Subscriptions ------------------------------------------------------------------


@transaction.atomic
def webhook_subscription_create(*, actor: Actor, municipality: Municipality, url: str,
                                events: list[str], description: str = "",
                                secret: str | None = None) -> WebhookSubscription:
    """Subscribe a receiver. The returned object carries the secret: show it to the
    creator once; nothing else ever displays it."""
    require(actor, "webhook.manage", municipality.pk)
    subscription = WebhookSubscription(
        municipality=municipality, url=webhook_url_check(url),
        events=webhook_events_check(events), description=description.strip(),
        secret=webhook_secret_check(secret) if secret else secrets.token_urlsafe(32),
    )
    subscription.full_clean()
    subscription.save()
    _audit(actor, "webhook_subscription.create", subscription, {
        "url": url_for_the_record(subscription.url), "events": subscription.events,
        "description": subscription.description, "active": subscription.active})
    return subscription


@transaction.atomic
def webhook_subscription_update(*, actor: Actor, subscription: WebhookSubscription,
                                url: str | None = None, events: list[str] | None = None,
                                description: str | None = None,
                                active: bool | None = None) -> WebhookSubscription:
    """Change what is given (None leaves a field as it is); the secret is not changed."""
    require(actor, "webhook.manage", subscription.municipality_id)
    wanted = {
        "url": None if url is None else webhook_url_check(url),
        "events": None if events is None else webhook_events_check(events),
        "description": None if description is None else description.strip(),
        "active": None if active is None else bool(active),
    }
    changed = [name for name, value in wanted.items()
               if value is not None and getattr(subscription, name) != value]
    if not changed:
        return subscription
    for name in changed:
        setattr(subscription, name, wanted[name])
    subscription.full_clean()
    subscription.save(update_fields=[*changed, "updated"])
    record = {name: wanted[name] for name in changed}
    if "url" in record:
        record["url"] = url_for_the_record(record["url"])
    _audit(actor, "webhook_subscription.update", subscription, record)
    return subscription


def webhook_subscription_deactivate(*, actor: Actor,
                                    subscription: WebhookSubscription) -> WebhookSubscription:
    """Stop sending to a receiver; deliveries still pending are not sent either."""
    return webhook_subscription_update(actor=actor, subscription=subscription, active=False)


# --- Deliveries -----------------------------------------------------------------------


def webhook_payload(*, event_id: uuid.UUID, event: str, created: datetime,
                    municipality_code: str, data: dict) -> str:
    """The request body, serialised once: compact, keys sorted, ASCII only."""
    return json.dumps(
        {"id": str(event_id), "event": event, "created": created.isoformat(),
         "municipality": municipality_code, "data": data},
        cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"),
    )


def webhook_subscriptions_active(municipality_id: int) -> list[WebhookSubscription]:
    """From the configuration memo: every event of every case reads them."""
    return config_cache.get(("webhook_subscriptions", municipality_id), lambda: list(
        WebhookSubscription.objects.filter(municipality_id=municipality_id, active=True)
        .select_related("municipality").defer("municipality__boundary").order_by("pk")))


def webhook_deliveries_create(*, event: str, municipality_id: int, data: dict,
                              event_id: uuid.UUID | None = None,
                              created: datetime | None = None) -> list[WebhookDelivery]:
    """One delivery per active subscription of the municipality that lists ``event``,
    all sharing the event's id (the domain event's; a new one if None) and body, each
    sent by its own task after commit. Idempotent on ``event_id``: called again, it adds
    only the deliveries still missing. With no subscription (the usual case) it costs no
    query once the subscriptions are memoised, and no transaction."""
    webhook_events_check([event])
    subscriptions = [s for s in webhook_subscriptions_active(municipality_id)
                     if event in s.events]
    if not subscriptions:
        return []
    return _deliveries_write(event, subscriptions, data, event_id or uuid.uuid4(),
                             created or timezone.now())


@transaction.atomic
def _deliveries_write(event: str, subscriptions: list[WebhookSubscription], data: dict,
                      event_id: uuid.UUID, created: datetime) -> list[WebhookDelivery]:
    now = timezone.now()
    payload = webhook_payload(event_id=event_id, event=event, created=created,
                              municipality_code=subscriptions[0].municipality.code, data=data)
    wanted = [WebhookDelivery(subscription=s, event=event, event_id=event_id, payload=payload,
                              next_attempt_at=now) for s in subscriptions]
    try:
        with transaction.atomic():
            deliveries = WebhookDelivery.objects.bulk_create(wanted)
    except IntegrityError:  # the event relayed again: the deliveries made then stand
        made = set(WebhookDelivery.objects.filter(event_id=event_id)
                   .values_list("subscription_id", flat=True))
        deliveries = WebhookDelivery.objects.bulk_create(
            [d for d in wanted if d.subscription_id not in made])
    ids = [d.pk for d in deliveries]

    def enqueue_all() -> None:
        for pk in ids:
            _enqueue(pk)

    transaction.on_commit(enqueue_all)
    logger.info("Webhook event %s %s: %d deliveries", event, event_id, len(ids))
    return deliveries


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    from .tasks import deliver_webhook

    task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    task.enqueue(delivery_id)


def webhook_dispatch_due(*, grace: timedelta | None = None, limit: int = 1000) -> int:
    """Enqueue again every pending delivery whose attempt is overdue by ``grace``
    (``REDRIVE_GRACE_SECONDS``, 30 s) beyond the task queue's lag. A duplicate task
    is harmless: an attempt is claimed before it is sent. Returns how many."""
    return enqueue_overdue(WebhookDelivery.objects.filter(status=Status.PENDING), _enqueue,
                           grace=grace or redrive_grace(), limit=limit,
                           what="webhook deliveries")


def webhook_retry_delay(attempt: int) -> timedelta:
    """Wait after failed attempt number ``attempt`` (1-based): 30 s, 1 min, 2 min, ..."""
    return min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP)


def _should_retry(status: int | None) -> bool:
    """No answer, a 5xx or a 4xx meaning "later": yes. Any other 3xx/4xx is a refusal."""
    return status is None or status >= 500 or status in RETRY_STATUSES


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Send one pending delivery once, record the attempt and decide what comes next.

    Returns None when there was nothing to send: unknown, no longer pending, not due yet
    (a copy of its task came early: the clock's re-drive, a reclaimed task) or being
    attempted by another worker. No transaction is held open during the HTTP request.
    """
    now = timezone.now()
    delivery = (WebhookDelivery.objects.select_related("subscription")
                .filter(pk=delivery_id, status=Status.PENDING).first())
    if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
        return None
    subscription = delivery.subscription
    if not subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.PENDING).update(
            status=Status.FAILED, next_attempt_at=None)
        logger.info("Webhook delivery %s dropped: subscription %s is inactive",
                    delivery.pk, subscription.pk)
        return None
    # Claim this attempt: one conditional UPDATE locks the row, checks that it is still
    # due and at the attempt read above, and keeps other workers off it for the lease. A
    # second copy of the task, here at the same moment, matches no row and sends nothing.
    number = delivery.attempts + 1
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery.pk, status=Status.PENDING, attempts=delivery.attempts,
    ).update(attempts=number, next_attempt_at=now + ATTEMPT_LEASE)
    if not claimed:
        return None
    delivery.attempts = number

    started = timezone.now()
    timestamp = str(int(time.time()))
    body = delivery.payload.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "X-Imbizo-Event": delivery.event,
        "X-Imbizo-Delivery": str(delivery.event_id),
        "X-Imbizo-Timestamp": timestamp,
        "X-Imbizo-Signature": webhook_signature(subscription.secret, timestamp, body),
    }
    try:
        result = webhook_post(subscription.url, body, headers)
    except Exception as exc:  # the attempt is claimed: record it rather than strand it
        logger.exception("Webhook delivery %s: unexpected error while sending", delivery.pk)
        result = PostResult(None, "", f"{type(exc).__name__}: {exc}"[:1000], 0)
    return _attempt_record(delivery, started, result)


@transaction.atomic
def _attempt_record(delivery: WebhookDelivery, started: datetime,
                    result: PostResult) -> WebhookDelivery:
    """Log the attempt and, if the delivery is still this attempt's (its lease did not
    run out and let another worker take it on), set what comes next: the one retry task
    of the chain is enqueued only here."""
    WebhookAttempt.objects.create(
        delivery=delivery, at=started, response_status=result.status,
        response_body=result.body_excerpt, error=result.error, duration_ms=result.duration_ms)
    now = timezone.now()
    retry = False
    if result.status is not None and 200 <= result.status < 300:
        outcome = {"status": Status.SUCCEEDED, "delivered_at": now, "next_attempt_at": None}
    elif _should_retry(result.status) and delivery.attempts < MAX_ATTEMPTS:
        outcome = {"next_attempt_at": now + webhook_retry_delay(delivery.attempts)}
        retry = True
    else:
        outcome = {"status": Status.FAILED, "next_attempt_at": None}
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.PENDING,
                                          attempts=delivery.attempts).update(**outcome)
    if not mine:
        logger.warning("Webhook delivery %s attempt %d: taken on by another worker meanwhile",
                       delivery.pk, delivery.attempts)
        delivery.refresh_from_db()
        return delivery
    for name, value in outcome.items():
        setattr(delivery, name, value)
    if retry:
        run_after = delivery.next_attempt_at
        transaction.on_commit(lambda: _enqueue(delivery.pk, run_after))
    logger.info("Webhook delivery %s attempt %d: %s -> %s", delivery.pk, delivery.attempts,
                result.status or result.error.split(":")[0], delivery.status)
    return delivery


@transaction.atomic
def webhook_delivery_replay(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a finished delivery again, with the same event id and body and a fresh set
    of attempts. A delivery still pending is already on its way and is refused."""
    subscription = delivery.subscription
    require(actor, "webhook.manage", subscription.municipality_id)
    if not subscription.active:
        raise ImbizoError("webhook_subscription_inactive",
                          _("This subscription is inactive: activate it before replaying."))
    now = timezone.now()
    reopened = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[Status.SUCCEEDED, Status.FAILED],
    ).update(status=Status.PENDING, attempts=0, replays=F("replays") + 1, next_attempt_at=now,
             delivered_at=None)
    if not reopened:
        raise ImbizoError("webhook_delivery_pending",
                          _("This delivery is still being sent; it can be replayed once it "
                            "has succeeded or failed."), status=409)
    previous = delivery.status
    delivery.refresh_from_db()
    audit_record(actor=actor.label, channel=actor.channel, action="webhook_delivery.replay",
                 obj=delivery,
                 municipality_code=subscription.municipality.code,
                 changes={"event": delivery.event, "event_id": str(delivery.event_id),
                          "previous_status": previous, "subscription": str(subscription.uuid)})
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery
