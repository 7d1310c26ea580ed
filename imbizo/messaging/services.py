"""Every write to the outbox: queue a message, attempt it, record receipts, notify a resident.

Nothing reaches a resident except through ``message_queue``: the row is written in the
caller's transaction and the send task is enqueued once it commits. ``message_send``
makes one attempt outside any transaction (a provider call must not hold database
locks), claiming it with a conditional update so that two workers never send the same
attempt. Logs name a message by its uuid only: never a body, number or address.
"""

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen, Consent
from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.outbox import enqueue_overdue, redrive_grace
from imbizo.geo.models import Municipality

from .models import Channel, OutboundMessage, Status
from .privacy import ERASED
from .providers import PermanentProviderError, provider_for, provider_paths

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = timedelta(seconds=60)  # wait after attempt n: BACKOFF * 2**(n-1)
# How long an attempt in flight keeps others off: longer than any provider call takes
# (e-mail gives up after EMAIL_TIMEOUT, 20 s), short enough that a message whose worker
# died is sent within a minute, not ten.
SEND_LEASE = timedelta(seconds=30)
# Receipts only move a message forward along this order.
STATUS_RANK = {Status.QUEUED: 0, Status.SENT: 1, Status.DELIVERED: 2, Status.UNDELIVERABLE: 2,
               Status.FAILED: 2}
RECEIPT_STATUSES = {Status.SENT, Status.DELIVERED, Status.UNDELIVERABLE}


def _enqueue_send(message_id: int, run_after: datetime | None = None) -> None:
    from .tasks import send_message  # the task module imports this one

    (send_message.using(run_after=run_after) if run_after else send_message).enqueue(message_id)


def _enqueue_send_on_commit(message_id: int, run_after: datetime | None = None) -> None:
    """Enqueue once the data is durable. A failure to enqueue is logged, not raised: the
    message stays queued and ``message_dispatch_due`` finds it."""
    def enqueue_send() -> None:
        _enqueue_send(message_id, run_after)

    transaction.on_commit(enqueue_send, robust=True)


def _address(channel: str, to: str) -> str:
    if channel != Channel.EMAIL:
        return normalise_phone(to)
    try:
        validate_email(to.strip())
    except ValidationError:
        raise ImbizoError("invalid_email", _("That is not an e-mail address.")) from None
    return to.strip()


@transaction.atomic
def message_queue(*, to: str, channel: str, body: str, purpose: str,
                  citizen: Citizen | None = None, municipality: Municipality | None = None,
                  language: str = "en", dedupe_key: str | None = None) -> OutboundMessage:
    """Put one message in the outbox; it is sent once the caller's transaction commits.

    Idempotent on ``dedupe_key``: queuing a key again returns the first message and
    sends nothing more. Without a municipality, a resident's message belongs to theirs.
    """
    if dedupe_key and (existing := OutboundMessage.objects.filter(dedupe_key=dedupe_key).first()):
        return existing
    provider = provider_for(channel)
    if not body.strip():
        raise ImbizoError("empty_message", _("The message is empty."))
    if len(body) > provider.max_length:
        raise ImbizoError("message_too_long",
                          _("The message has %(n)s characters; %(channel)s allows %(max)s.")
                          % {"n": len(body), "channel": channel, "max": provider.max_length})
    if municipality is None and citizen is not None:
        municipality_id = citizen.municipality_id  # a resident's messages are their home's
    else:
        municipality_id = municipality.pk if municipality else None
    message = OutboundMessage(
        municipality_id=municipality_id, citizen=citizen, channel=channel, to=_address(channel, to),
        body=body, language=language, purpose=purpose, dedupe_key=dedupe_key or None,
        provider=provider.name, next_attempt_at=timezone.now())
    try:
        message.full_clean(exclude=["citizen", "municipality"], validate_unique=False,
                           validate_constraints=False)
    except ValidationError as exc:
        raise ImbizoError("invalid_message", "; ".join(exc.messages),
                          fields=sorted(exc.message_dict)) from None
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # Another transaction queued the same key between our look-up and insert.
        existing = dedupe_key and OutboundMessage.objects.filter(dedupe_key=dedupe_key).first()
        if not existing:
            raise
        return existing
    _enqueue_send_on_commit(message.pk)
    logger.info("message %s queued for %s", message.uuid, channel)
    return message


def _update(message: OutboundMessage, seen_attempts: int, /, **fields: Any) -> bool:
    """Write the outcome of an attempt unless another worker has taken the message since."""
    fields["updated"] = timezone.now()
    done = OutboundMessage.objects.filter(pk=message.pk, status=Status.QUEUED,
                                          attempts=seen_attempts).update(**fields)
    if done:
        for name, value in fields.items():
            setattr(message, name, value)
    else:
        logger.warning("message %s was changed by another worker", message.uuid)
    return bool(done)


def _attempt_failed(message: OutboundMessage, exc: Exception, *,
                    permanent: bool) -> OutboundMessage:
    # The error text may quote the number: it goes to the row, only its type to the log.
    error = f"{type(exc).__name__}: {exc}"[:500]
    if permanent or message.attempts >= MAX_ATTEMPTS:
        _update(message, message.attempts, status=Status.FAILED, next_attempt_at=None,
                last_error=error)
        logger.warning("message %s failed after %d attempt(s) (%s)", message.uuid,
                       message.attempts, type(exc).__name__)
        return message
    retry_at = timezone.now() + BACKOFF * 2 ** (message.attempts - 1)
    if _update(message, message.attempts, next_attempt_at=retry_at, last_error=error):
        _enqueue_send_on_commit(message.pk, retry_at)
        logger.info("message %s: attempt %d failed (%s), next at %s", message.uuid,
                    message.attempts, type(exc).__name__, retry_at.isoformat())
    return message


def message_send(*, message_id: int) -> OutboundMessage | None:
    """Make one attempt to hand a queued message to its channel's provider.

    A transient error schedules the next attempt after 60 s, 120 s, 240 s, ... up to
    ``MAX_ATTEMPTS``; a permanent error, or the last attempt failing, marks it failed.
    A message that is no longer queued, or not yet due, is left alone, so running the
    task twice sends once.
    """
    message = OutboundMessage.objects.select_related("citizen").filter(pk=message_id).first()
    now = timezone.now()
    if message is None or message.status != Status.QUEUED or (
            message.next_attempt_at and message.next_attempt_at > now):
        return message
    if message.citizen and message.citizen.erased:
        _update(message, message.attempts, status=Status.FAILED, next_attempt_at=None,
                last_error=ERASED)
        logger.info("message %s not sent: its resident was erased", message.uuid)
        return message
    try:
        provider = provider_for(message.channel)
    except ImbizoError as exc:  # the channel was unconfigured since the message was queued
        return _attempt_failed(message, exc, permanent=True)
    attempts = message.attempts
    if not _update(message, attempts, attempts=attempts + 1, provider=provider.name,
                   next_attempt_at=now + SEND_LEASE):
        return message  # another worker claimed this attempt
    try:
        if len(message.body) > provider.max_length:
            raise PermanentProviderError(f"longer than the {provider.max_length} characters "
                                         f"{provider.name} accepts")
        result = provider.send(message)
    except PermanentProviderError as exc:
        return _attempt_failed(message, exc, permanent=True)
    except Exception as exc:  # TransientProviderError, or anything unforeseen: try again later
        return _attempt_failed(message, exc, permanent=False)
    _update(message, message.attempts, status=Status.SENT, sent_at=timezone.now(),
            provider_message_id=result.provider_message_id, next_attempt_at=None, last_error="")
    logger.info("message %s sent by %s on attempt %d", message.uuid, provider.name,
                message.attempts)
    if result.receipt:
        return message_receipt(provider=provider.name, status=result.receipt,
                               provider_message_id=result.provider_message_id)
    return message


def message_receipt(*, provider: str, provider_message_id: str, status: str,
                    at: datetime | None = None) -> OutboundMessage:
    """Record a provider's report on a message it accepted ("sent", "delivered",
    "undeliverable").

    Idempotent and monotonic: a repeated or late receipt ("sent" after "delivered")
    changes nothing. An id this platform never sent through ``provider`` raises
    ``NotFound`` (404): the webhook answers with an error, so the provider retries, which
    also covers a receipt that overtakes the recording of its send.
    """
    if status not in RECEIPT_STATUSES:
        raise ImbizoError("unknown_receipt_status",
                          _("Unknown delivery status: %(s)s") % {"s": status})
    message = OutboundMessage.objects.filter(provider=provider,
                                             provider_message_id=provider_message_id).first()
    if message is None:
        raise NotFound("message_not_found", _("No message %(id)s was sent through %(p)s.")
                       % {"id": provider_message_id, "p": provider})
    behind = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    if message.status not in behind:
        return message
    fields: dict[str, Any] = {"status": status, "updated": timezone.now()}
    if status == Status.DELIVERED:
        fields["delivered_at"] = at or fields["updated"]
    if OutboundMessage.objects.filter(pk=message.pk, status__in=behind).update(**fields):
        for name, value in fields.items():
            setattr(message, name, value)
        logger.info("message %s %s", message.uuid, status)
    else:
        message.refresh_from_db()  # another receipt moved it on meanwhile
    return message


def message_dispatch_due(*, grace: timedelta | None = None, limit: int = 1000) -> int:
    """Enqueue again every queued message whose attempt is overdue by ``grace``
    (``REDRIVE_GRACE_SECONDS``, 30 s) beyond the task queue's lag; a duplicate task
    is harmless. Returns how many."""
    return enqueue_overdue(OutboundMessage.objects.filter(status=Status.QUEUED), _enqueue_send,
                           grace=grace or redrive_grace(), limit=limit, what="message(s)")


def _reach(citizen: Citizen) -> tuple[str, str]:
    """The channel and address for a resident: USSD cannot push, so it (and anything
    unconfigured, or e-mail without an address) becomes SMS."""
    channel = citizen.preferred_channel
    if channel == Channel.EMAIL and citizen.email:
        channel_address = (Channel.EMAIL, citizen.email)
    elif channel == Channel.WHATSAPP:
        channel_address = (Channel.WHATSAPP, citizen.phone)
    else:
        channel_address = (Channel.SMS, citizen.phone)
    if channel_address[0] not in provider_paths():
        return Channel.SMS, citizen.phone
    return channel_address


def _may_send(citizen: Citizen, purpose: str) -> bool:
    """POPIA: an active consent for the purpose; "service" is implied by the resident's
    own request. An erased resident is sent nothing."""
    if citizen.erased:
        return False
    if purpose == Consent.Purpose.SERVICE:
        return True
    return Consent.objects.filter(citizen=citizen, purpose=purpose,
                                  withdrawn__isnull=True).exists()


def citizen_notify(*, citizen: Citizen, purpose: str,
                   text_for_language: Callable[[], str] | str,
                   params: Mapping[str, Any] | None = None,
                   municipality: Municipality | None = None,
                   dedupe_key: str | None = None) -> OutboundMessage | None:
    """Queue a message to a resident on their channel, in their language, if allowed.

    ``text_for_language`` is a callable taking no argument, or a lazy translatable
    string (``gettext_lazy``) formatted with ``params``; either is rendered under the
    resident's language. Returns None when the resident may not be sent this purpose.
    """
    if purpose not in Consent.Purpose.values:
        raise ImbizoError("unknown_purpose", _("Unknown purpose: %(p)s") % {"p": purpose})
    if not _may_send(citizen, purpose):
        return None
    channel, to = _reach(citizen)
    with translation.override(citizen.language):
        text = text_for_language() if callable(text_for_language) else str(text_for_language)
        if params:
            text = text % params
    return message_queue(to=to, channel=channel, body=text, purpose=purpose, citizen=citizen,
                         municipality=municipality, language=citizen.language,
                         dedupe_key=dedupe_key)
