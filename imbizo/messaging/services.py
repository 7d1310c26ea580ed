"""Every write to the outbox: queue a message, attempt it, record receipts, notify a resident.

Nothing reaches a resident except through ``message_queue`` (or ``messages_queue_many``
for a fan-out): the row is written in the caller's transaction and the send task is
enqueued once it commits. ``messages_send`` makes one attempt at each message outside any
transaction (a provider call must not hold database locks), claiming it with a
conditional update so that two workers never send the same attempt. A message its
channel cannot deliver is queued again on the resident's next channel (``_fall_back``),
in the transaction that fails it. Logs name a message by its uuid only: never a body,
number or address.
"""

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from imbizo.accounts.models import ChannelAddress, Citizen, Consent
from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.inserts import insert_unless_present
from imbizo.core.outbox import enqueue_overdue, redrive_grace
from imbizo.geo.models import Municipality

from .inbound import Incoming
from .models import Channel, InboundMessage, OutboundMessage, Status
from .privacy import ERASED
from .providers import ChannelClosed, PermanentProviderError, Provider, SendResult, provider_for
from .ratelimit import rate_wait
from .reach import address_book

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
# A batch task hands what it has not reached to a new task after this long: well within
# TASK_LEASE_SECONDS (40), after which a task still running is taken for dead and run again.
BATCH_SECONDS = 10.0
BATCH_SIZE = 500  # messages a fan-out writes, and a send task carries, at once
# Attempts claimed, and successes recorded, in one transaction each: a commit costs more
# than a loopback provider call, so one a message would halve the throughput.
CLAIM_SIZE = 20
# The one message a resident who opted out of a channel is still sent on it: the
# confirmation of the opt-out (the conversation engine's dedupe key starts with this).
OPT_OUT_KEY = "optout:"


def _enqueue_send(message_id: int, run_after: datetime | None = None) -> None:
    from .tasks import send_message  # the task module imports this one

    (send_message.using(run_after=run_after) if run_after else send_message).enqueue(message_id)


def _enqueue_batch(message_ids: list[int], run_after: datetime | None = None) -> None:
    from .tasks import send_messages

    (send_messages.using(run_after=run_after) if run_after else send_messages).enqueue(
        message_ids)


def _enqueue_send_on_commit(message_id: int, run_after: datetime | None = None) -> None:
    """Enqueue once the data is durable. A failure to enqueue is logged, not raised: the
    message stays queued and ``message_dispatch_due`` finds it."""
    def enqueue_send() -> None:
        _enqueue_send(message_id, run_after)

    transaction.on_commit(enqueue_send, robust=True)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def _address(channel: str, to: str) -> str:
    if channel == Channel.TELEGRAM:  # a chat id: Telegram has no phone numbers to send to
        if not to.strip().lstrip("-").isdigit():
            raise ImbizoError("invalid_chat", _("That is not a Telegram chat."))
        return to.strip()
    if channel == Channel.WEB:  # the resident's uuid: the web chat has no number either
        if not _is_uuid(to.strip()):
            raise ImbizoError("invalid_chat", _("That is not a web chat."))
        return to.strip().lower()
    if channel == Channel.WEBPUSH:  # the resident's uuid; their browsers are read at send
        try:
            return str(uuid.UUID(to.strip()))
        except ValueError:
            raise ImbizoError("invalid_push_address",
                              _("That is not a resident's push address.")) from None
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
                  language: str = "en", dedupe_key: str | None = None,
                  payload: dict | None = None, template: dict | None = None,
                  fallback_of: OutboundMessage | None = None) -> OutboundMessage:
    """Put one message in the outbox; it is sent once the caller's transaction commits.

    ``payload`` is a conversation screen's options (``Screen.as_payload()``), rendered by
    the channel; ``template`` the approved template that may carry the message where the
    channel allows no free text (WhatsApp outside its 24-hour window); ``fallback_of``
    the message this one carries again on another channel.
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
        provider=provider.name, next_attempt_at=timezone.now(), payload=payload,
        template=template, fallback_of=fallback_of)
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


def _error_text(exc: Exception) -> str:
    # The error text may quote the number: it goes to the row, only its type to the log.
    return f"{type(exc).__name__}: {exc}"[:500]


def _fallback_key(message: OutboundMessage, channel: str) -> str:
    """Derived from the original's key, so that failing it again (a re-run, a crash
    before the commit) finds the fallback already queued instead of queuing another."""
    key = f"{message.dedupe_key or f'message:{message.uuid}'}>{channel}"
    return key if len(key) <= 200 else f"fallback:{sha256(key.encode()).hexdigest()}"


def _channels_tried(message: OutboundMessage) -> set[str]:
    tried, current = {message.channel}, message
    while current.fallback_of_id:
        current = OutboundMessage.objects.only("channel", "fallback_of").get(
            pk=current.fallback_of_id)
        tried.add(current.channel)
    return tried


def _fall_back(message: OutboundMessage) -> OutboundMessage | None:
    """Queue ``message`` again on the resident's next channel that has not been tried for
    it, in the caller's transaction (the one that fails the original). A message with no
    resident has no other channel; a conversation's screen stays on the channel the
    conversation is on; a resident erased or no longer consenting is sent nothing."""
    citizen = message.citizen
    if citizen is None or message.payload is not None or not _may_send(citizen,
                                                                       message.purpose):
        return None
    tried = _channels_tried(message)
    for channel, to in address_book([citizen]).reaches(citizen):
        if channel in tried or len(message.body) > provider_for(channel).max_length:
            continue
        try:
            return message_queue(
                to=to, channel=channel, body=message.body, purpose=message.purpose,
                citizen=citizen, municipality=message.municipality, language=message.language,
                dedupe_key=_fallback_key(message, channel), template=message.template,
                fallback_of=message)
        except ImbizoError:  # an address the channel refuses (a malformed e-mail): next
            continue
    return None


def _give_up(message: OutboundMessage, exc: Exception) -> None:
    """Fail ``message`` on its channel and queue its fallback, both or neither: a crash
    before the commit leaves it claimed, and the next attempt after the lease decides
    again."""
    with transaction.atomic():
        if not _update(message, message.attempts, status=Status.FAILED, next_attempt_at=None,
                       last_error=_error_text(exc)):
            return
        fallback = _fall_back(message)
    logger.warning("message %s failed after %d attempt(s) (%s)%s", message.uuid,
                   message.attempts, type(exc).__name__,
                   f"; queued again as {fallback.uuid} on {fallback.channel}" if fallback else "")


def _attempt_failed(message: OutboundMessage, exc: Exception) -> None:
    """A transient failure: the next attempt after 60 s, 120 s, ...; the last one gives up."""
    if message.attempts >= MAX_ATTEMPTS:
        _give_up(message, exc)
        return
    retry_at = timezone.now() + BACKOFF * 2 ** (message.attempts - 1)
    if _update(message, message.attempts, next_attempt_at=retry_at,
               last_error=_error_text(exc)):
        _enqueue_send_on_commit(message.pk, retry_at)
        logger.info("message %s: attempt %d failed (%s), next at %s", message.uuid,
                    message.attempts, type(exc).__name__, retry_at.isoformat())


def _opted_out_of(message: OutboundMessage, opted_out: set[tuple[str, str]]) -> bool:
    """The resident opted out of this channel since the message was queued. Still sent:
    the confirmation of the opt-out, and a reply in a conversation the resident is
    having on the channel (a screen), except on SMS after STOP."""
    if (message.channel, message.to) not in opted_out:
        return False
    if message.purpose != Consent.Purpose.SERVICE:
        return True
    if (message.dedupe_key or "").startswith(OPT_OUT_KEY):
        return False
    return message.channel == Channel.SMS or message.payload is None


def _opt_outs(messages: list[OutboundMessage]) -> set[tuple[str, str]]:
    waiting = [m for m in messages if m.status == Status.QUEUED]
    if not waiting:
        return set()
    return set(ChannelAddress.objects.filter(
        channel__in={m.channel for m in waiting}, address__in={m.to for m in waiting},
        opted_out__isnull=False).values_list("channel", "address"))


def _sent(message: OutboundMessage, provider: Provider, result: SendResult) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"status": Status.SENT, "sent_at": now, "next_attempt_at": None,
                              "provider_message_id": result.provider_message_id,
                              "last_error": ""}
    if result.receipt == Status.DELIVERED:  # known at once (the dev provider): one write
        fields.update(status=Status.DELIVERED, delivered_at=now)
    if _update(message, message.attempts, **fields):
        logger.info("message %s %s by %s on attempt %d", message.uuid, message.status,
                    provider.name, message.attempts)
    if result.receipt == Status.UNDELIVERABLE:
        message_receipt(provider=provider.name, status=result.receipt,
                        provider_message_id=result.provider_message_id)


def _ready(message: OutboundMessage, opted_out: set[tuple[str, str]],
           held: dict[datetime, list[int]]) -> Provider | None:
    """The provider to try ``message`` on now, or None: not queued or not due, failed
    without an attempt (erased resident, channel gone, opted out), or held back by the
    provider's rate limit (not an attempt: nothing is counted; ``held`` says till when)."""
    now = timezone.now()
    if message.status != Status.QUEUED or (message.next_attempt_at
                                           and message.next_attempt_at > now):
        return None
    if message.citizen and message.citizen.erased:
        _update(message, message.attempts, status=Status.FAILED, next_attempt_at=None,
                last_error=ERASED)
        logger.info("message %s not sent: its resident was erased", message.uuid)
        return None
    try:
        provider = provider_for(message.channel)
    except ImbizoError as exc:  # the channel was unconfigured since the message was queued
        _give_up(message, exc)
        return None
    if _opted_out_of(message, opted_out):
        _give_up(message, ChannelClosed("The resident opted out of this channel."))
        return None
    if (wait := rate_wait(provider)) is not None:
        if _update(message, message.attempts, next_attempt_at=wait):
            held[wait].append(message.pk)
        return None
    return provider


@transaction.atomic
def _claim(ready: list[tuple[OutboundMessage, Provider]]) -> list[tuple[OutboundMessage,
                                                                         Provider]]:
    """Claim the next attempt at each message, in one transaction: those still queued,
    due and at the attempt this worker read (another worker has taken any other)."""
    now = timezone.now()
    seen = Q(pk__in=[])
    for message, _provider in ready:
        seen |= Q(pk=message.pk, attempts=message.attempts)
    free = set(OutboundMessage.objects.select_for_update(skip_locked=True).filter(
        seen, Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        status=Status.QUEUED).values_list("pk", flat=True))
    claimed = [(m, p) for m, p in ready if m.pk in free]
    for name in {p.name for _m, p in claimed}:
        OutboundMessage.objects.filter(pk__in=[m.pk for m, p in claimed if p.name == name]).update(
            attempts=F("attempts") + 1, provider=name, next_attempt_at=now + SEND_LEASE,
            updated=now)
    for message, provider in claimed:
        message.attempts, message.provider = message.attempts + 1, provider.name
        message.next_attempt_at = now + SEND_LEASE
    return claimed


def _hand_over(claimed: list[tuple[OutboundMessage, Provider]]) -> list[int]:
    """Give back claimed attempts not made (time ran out), for a new task to make."""
    for message, _provider in claimed:
        _update(message, message.attempts, attempts=message.attempts - 1,
                next_attempt_at=timezone.now())
    return [m.pk for m, _p in claimed]


def _send_claimed(claimed: list[tuple[OutboundMessage, Provider]]) -> list[int]:
    """Hand each claimed message to its provider; the successes are recorded together,
    in one transaction (one commit, not one a message). Returns the messages left
    unsent because the lease would run out first."""
    done: list[tuple[OutboundMessage, Provider, SendResult]] = []
    started = time.monotonic()
    left: list[int] = []
    for index, (message, provider) in enumerate(claimed):
        if time.monotonic() - started > SEND_LEASE.total_seconds() / 2:
            left = _hand_over(claimed[index:])
            break
        try:
            if len(message.body) > provider.max_length:
                raise PermanentProviderError(f"longer than the {provider.max_length} "
                                             f"characters {provider.name} accepts")
            done.append((message, provider, provider.send(message)))
        except PermanentProviderError as exc:  # ChannelClosed included: the next channel
            _give_up(message, exc)
        except Exception as exc:  # TransientProviderError, or anything unforeseen: later
            _attempt_failed(message, exc)
    if done:
        with transaction.atomic():
            for message, provider, result in done:
                _sent(message, provider, result)
    return left


def messages_send(*, message_ids: Sequence[int]) -> list[OutboundMessage]:
    """Make one attempt at each queued, due message of ``message_ids``: what a send task
    runs, for one message or a fan-out's batch (read in one query, claimed and recorded
    ``CLAIM_SIZE`` at a time).

    A transient error schedules the next attempt after 60 s, 120 s, 240 s, ... up to
    ``MAX_ATTEMPTS``; a permanent error, or the last attempt failing, fails the message
    and queues it on the resident's next channel. A message over its provider's rate
    limit is moved to the second that has room, its attempts unchanged. A message no
    longer queued, or not yet due, is left alone, so running a task twice sends once.
    After ``BATCH_SECONDS`` the rest goes to a new task."""
    messages = list(OutboundMessage.objects.select_related("citizen")
                    .filter(pk__in=message_ids).order_by("pk"))
    opted_out = _opt_outs(messages)
    started = time.monotonic()
    held: dict[datetime, list[int]] = defaultdict(list)
    left: list[int] = []
    for start in range(0, len(messages), CLAIM_SIZE):
        if time.monotonic() - started > BATCH_SECONDS:
            left = [m.pk for m in messages[start:]]
            break
        chunk = messages[start:start + CLAIM_SIZE]
        ready = [(m, p) for m in chunk if (p := _ready(m, opted_out, held)) is not None]
        if ready and (left := _send_claimed(_claim(ready))):
            left += [m.pk for m in messages[start + CLAIM_SIZE:]]
            break
    if left:
        transaction.on_commit(lambda: _enqueue_batch(left), robust=True)
        logger.info("send batch: %d message(s) handed to a new task", len(left))
    for wait, ids in held.items():
        transaction.on_commit(lambda ids=ids, wait=wait: _enqueue_batch(ids, wait), robust=True)
    return messages


def message_send(*, message_id: int) -> OutboundMessage | None:
    """One attempt at one message (``messages_send``); the message as it now stands."""
    sent = messages_send(message_ids=[message_id])
    return sent[0] if sent else None


def message_receipt(*, provider: str, provider_message_id: str, status: str,
                    at: datetime | None = None, error: str = "") -> OutboundMessage:
    """Record a provider's report on a message it accepted ("sent", "delivered",
    "undeliverable"); an undeliverable one is queued on the resident's next channel, in
    the same transaction.

    Idempotent and monotonic: a repeated or late receipt ("sent" after "delivered")
    changes nothing. An id this platform never sent through ``provider`` raises
    ``NotFound`` (404): the webhook answers with an error, so the provider retries, which
    also covers a receipt that overtakes the recording of its send.
    """
    if status not in RECEIPT_STATUSES:
        raise ImbizoError("unknown_receipt_status",
                          _("Unknown delivery status: %(s)s") % {"s": status})
    message = OutboundMessage.objects.select_related("citizen").filter(
        provider=provider, provider_message_id=provider_message_id).first()
    if message is None:
        raise NotFound("message_not_found", _("No message %(id)s was sent through %(p)s.")
                       % {"id": provider_message_id, "p": provider})
    behind = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    if message.status not in behind:
        return message
    fields: dict[str, Any] = {"status": status, "updated": timezone.now()}
    if status == Status.DELIVERED:
        fields["delivered_at"] = at or fields["updated"]
    if error:
        fields["last_error"] = error[:500]
    # Undeliverable: the status and the fallback commit together or not at all.
    with transaction.atomic() if status == Status.UNDELIVERABLE else nullcontext():
        if not OutboundMessage.objects.filter(pk=message.pk, status__in=behind).update(**fields):
            message.refresh_from_db()  # another receipt moved it on meanwhile
            return message
        for name, value in fields.items():
            setattr(message, name, value)
        fallback = _fall_back(message) if status == Status.UNDELIVERABLE else None
    logger.info("message %s %s%s", message.uuid, status,
                f"; queued again as {fallback.uuid} on {fallback.channel}" if fallback else "")
    return message


def message_dispatch_due(*, grace: timedelta | None = None, limit: int = 1000) -> int:
    """Enqueue again every queued message whose attempt is overdue by ``grace``
    (``REDRIVE_GRACE_SECONDS``, 30 s) beyond the task queue's lag; a duplicate task
    is harmless. Returns how many."""
    return enqueue_overdue(OutboundMessage.objects.filter(status=Status.QUEUED), _enqueue_send,
                           grace=grace or redrive_grace(), limit=limit, what="message(s)")


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
                   dedupe_key: str | None = None,
                   template: dict | None = None,
                   prefer: str = "") -> OutboundMessage | None:
    """Queue a message to a resident on their channel, in their language, if allowed.

    ``text_for_language`` is a callable taking no argument, or a lazy translatable
    string (``gettext_lazy``) formatted with ``params``; either is rendered under the
    resident's language. The channel is ``prefer`` (the one they were using, say) if it
    reaches them, else the first that does (``reach.py``: never one they opted out of).
    Returns None when the resident may not be sent this purpose,
    or no channel reaches them.
    """
    if purpose not in Consent.Purpose.values:
        raise ImbizoError("unknown_purpose", _("Unknown purpose: %(p)s") % {"p": purpose})
    if not _may_send(citizen, purpose):
        return None
    reaches = address_book([citizen]).reaches(citizen)
    if not reaches:
        logger.info("resident %s has no channel to be sent a message on", citizen.uuid)
        return None
    channel, to = next((reach for reach in reaches if reach[0] == prefer), reaches[0])
    with translation.override(citizen.language):
        text = text_for_language() if callable(text_for_language) else str(text_for_language)
        if params:
            text = text % params
    return message_queue(to=to, channel=channel, body=text, purpose=purpose, citizen=citizen,
                         municipality=municipality, language=citizen.language,
                         dedupe_key=dedupe_key, template=template)


def inbound_record(incoming: Incoming) -> int | None:
    """Store what a resident sent before anything acts on it, and return its id; None
    when the provider sent this message id before (a retried webhook), so nothing acts
    twice. One statement, ``INSERT ... ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL,
    SQLite 3.35+), committed on its own: no savepoint, no second look-up, no task (the
    clock's inbound pump hands it out), as this runs for every message every resident
    sends."""
    now = timezone.now()
    return insert_unless_present(InboundMessage(
        provider=incoming.provider, provider_message_id=incoming.message_id,
        channel=incoming.channel, sender=incoming.sender, payload=incoming.as_dict(),
        state=InboundMessage.State.RECEIVED, attempts=0, next_attempt_at=now, created=now),
        conflict=("provider", "provider_message_id"))
