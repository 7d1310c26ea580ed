"""Domain events: written in the transaction of the change (a transactional outbox),
relayed to their subscribers once it commits.

A service calls ``emit("case_logged", municipality_id=..., case_id=...)`` inside its
transaction, which writes a ``DomainEvent`` row: the change and its event commit
together or not at all. After the commit the same process relays the event at once:
each subscriber is called with the payload plus ``event_id`` and ``event_created``,
then the row is marked relayed. A process that dies between the commit and that mark,
or a subscriber that fails, leaves the row unrelayed, and the clock's
``events_relay_due`` relays it again. So no event is lost, but one may reach a
subscriber twice: every subscriber is idempotent on ``event_id``.

``subscribe(name, durable=False)`` registers a hook of this process only (a memo to
refresh): it runs after the commit in the process that emitted, and is never written.
"""

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import DomainEvent

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)  # durable: relayed from the outbox
_local: dict[str, list[Handler]] = defaultdict(list)  # this process, after commit

RELAY_GRACE = timedelta(seconds=30)  # unrelayed this long after its write: stranded
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
RETENTION = timedelta(days=7)  # relayed events are kept this long, to look into


def subscribe(event: str, *, durable: bool = True) -> Callable[[Handler], Handler]:
    registry = _subscribers if durable else _local

    def register(handler: Handler) -> Handler:
        if handler not in registry[event]:
            registry[event].append(handler)
        return handler

    return register


def emit(event: str, **payload: Any) -> None:
    """Write the event in the caller's transaction (outside one: at once) and relay it
    after the commit. An event no durable subscriber listens to is not written."""
    for hook in _local[event]:
        transaction.on_commit(partial(hook, **payload), robust=True)
    if not _subscribers[event]:
        return
    # Subscribers get what the relay would read back from the row, on either path.
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    row = DomainEvent.objects.create(name=event, payload=payload,
                                     municipality_id=payload.get("municipality_id"))
    transaction.on_commit(partial(_relay, row), robust=True)


def _name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def _relay(event: DomainEvent, *, isolate: bool = False) -> bool:
    """Call every subscriber this event has not reached yet, then mark it: relayed, or
    failed with the errors, the subscribers it did reach (not called again) and when to
    try again. ``isolate``: inside the relay's transaction, each subscriber runs in a
    savepoint, so that one failing undoes only its own writes. True if relayed."""
    reached = list(event.relayed_to)
    errors = []
    for handler in list(_subscribers[event.name]):
        name = _name(handler)
        if name in reached:
            continue
        try:
            with transaction.atomic() if isolate else nullcontext():
                handler(event_id=event.pk, event_created=event.created, **event.payload)
        except Exception as exc:
            logger.exception("Event %s %s: subscriber %s failed", event.name, event.pk, name)
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            reached.append(name)
    now = timezone.now()
    if errors:
        wait = min(RETRY_BASE * 2 ** event.attempts, RETRY_CAP)
        fields = {"relayed_to": reached, "last_error": "\n".join(errors)[:2000],
                  "next_attempt_at": now + wait}
    else:
        fields = {"relayed_at": now}
    # Only while unrelayed: a relay that raced this one and finished first has the word.
    DomainEvent.objects.filter(pk=event.pk, relayed_at__isnull=True).update(
        attempts=F("attempts") + 1, **fields)
    return not errors


def events_relay_due(*, grace: timedelta = RELAY_GRACE, limit: int = 500) -> int:
    """Relay, oldest first, every event still unrelayed ``grace`` after its write (its
    process died first, or a subscriber failed and its retry is due). Each event in a
    transaction of its own that locks its row (skipped if another relay holds it), so
    that two clocks never relay it at once and what its subscribers write commits with
    its mark. Returns how many were relayed."""
    now = timezone.now()
    due = list(DomainEvent.objects
               .filter(relayed_at__isnull=True, created__lte=now - grace)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .order_by("created").values_list("pk", flat=True)[:limit])
    relayed = 0
    for pk in due:
        with transaction.atomic():
            event = (DomainEvent.objects.select_for_update(skip_locked=True)
                     .filter(pk=pk, relayed_at__isnull=True).first())
            if event is not None:
                relayed += _relay(event, isolate=True)
    if due:
        logger.warning("%d of %d stranded events relayed", relayed, len(due))
    return relayed


def events_prune(*, keep: timedelta = RETENTION) -> int:
    """Delete the events relayed and older than ``keep``; unrelayed ones stay, however
    old. Returns how many."""
    deleted, _ = DomainEvent.objects.filter(created__lt=timezone.now() - keep,
                                            relayed_at__isnull=False).delete()
    return deleted
