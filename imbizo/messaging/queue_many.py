"""Queueing a fan-out: every message of a case's followers, a campaign, a broadcast or a
meeting's announcement, each drafted by its caller with its channel already chosen, written
in one statement a batch (``fanout.messages_insert``) with one send task for the batch."""

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from imbizo.accounts.models import Consent
from imbizo.core.errors import ImbizoError
from imbizo.core.outbox import enqueue_with_change
from imbizo.geo.models import Municipality

from .fanout import Row, messages_insert
from .models import Channel
from .providers import Provider, provider_for
from .reach import AddressBook
from .services import BATCH_SIZE, _address

logger = logging.getLogger(__name__)
E164 = re.compile(r"\+[1-9][0-9]{7,14}")


@dataclass(frozen=True, slots=True)
class Draft:
    """One message of a fan-out (``messages_queue_many``), its channel already chosen."""

    to: str
    channel: str
    body: str
    dedupe_key: str
    citizen_id: int | None = None
    language: str = "en"
    template: dict | None = None


def first_channel_drafts(residents: Iterable, book: AddressBook,
                         text: Callable[[object, str], tuple[str, dict | None]],
                         key_prefix: str) -> tuple[list[Draft], int]:
    """Each resident's message on the first channel that reaches them (``book``), its text
    and template from ``text(resident, channel)``, its dedupe key ``key_prefix`` and the
    resident's id; and how many residents no channel reaches (opted out everywhere, or no
    address a provider takes). Python only, no database."""
    drafts, skipped = [], 0
    for resident in residents:
        reaches = book.reaches(resident)
        if not reaches:
            skipped += 1
            continue
        channel, to = reaches[0]
        body, template = text(resident, channel)
        drafts.append(Draft(to=to, channel=channel, body=body,
                            dedupe_key=f"{key_prefix}{resident.pk}", citizen_id=resident.pk,
                            language=resident.language, template=template))
    return drafts, skipped


def _draft_valid(draft: Draft, providers: dict[str, Provider]) -> bool:
    if draft.channel not in providers:
        try:
            providers[draft.channel] = provider_for(draft.channel)
        except ImbizoError:
            return False
    return (_canonical(draft.channel, draft.to) and bool(draft.body.strip())
            and len(draft.dedupe_key) <= 200
            and len(draft.body) <= providers[draft.channel].max_length)


def _canonical(channel: str, to: str) -> bool:
    """``to`` is in the form the outbox keeps for ``channel``. A phone number is checked
    for its E.164 form only: every number a fan-out reaches was checked whole
    (``normalise_phone``) when it was stored, and parsing it again cost 40 µs a message,
    4 s of a 100,000-message broadcast."""
    if channel in (Channel.SMS, Channel.WHATSAPP):
        return E164.fullmatch(to) is not None and (not to.startswith("+27") or len(to) == 12)
    try:
        return _address(channel, to) == to
    except ImbizoError:
        return False


@transaction.atomic
def _queue_batch(drafts: list[Draft], purpose: str, municipality_id: int | None,
                 providers: dict[str, Provider]) -> int:
    # One statement (fanout.py): a key already queued, a concurrent run's included, is
    # skipped by the database, and the ids back are exactly the messages added here.
    ids = messages_insert([Row(d.citizen_id, d.channel, d.to, d.body, d.language, d.dedupe_key,
                               providers[d.channel].name, d.template) for d in drafts],
                          purpose=purpose, municipality_id=municipality_id)
    if ids:
        from .tasks import send_messages

        enqueue_with_change(send_messages, ids)
    return len(ids)


def messages_queue_many(*, drafts: Sequence[Draft], purpose: str,
                        municipality: Municipality | None) -> int:
    """Queue a fan-out (ten thousand followers of a case, a broadcast to a ward) in two
    statements per ``BATCH_SIZE`` messages: the insert of those not queued yet
    (``fanout.messages_insert``) and one send task for them, in one transaction per
    batch (with tasks in the database, the task commits with its messages).

    Idempotent on each draft's ``dedupe_key``: a re-run queues nothing. The caller has
    checked consent and chosen each channel (``reach.address_book``); a draft no channel
    could send (an address not in its canonical form, a body too long) is left out and
    counted in the log. Returns how many messages were queued."""
    if purpose not in Consent.Purpose.values:
        raise ImbizoError("unknown_purpose", _("Unknown purpose: %(p)s") % {"p": purpose})
    providers: dict[str, Provider] = {}
    valid = [d for d in drafts if _draft_valid(d, providers)]
    if len(valid) < len(drafts):
        logger.warning("%d message(s) of a fan-out left out: not valid for their channel",
                       len(drafts) - len(valid))
    municipality_id = municipality.pk if municipality else None
    return sum(_queue_batch(valid[i:i + BATCH_SIZE], purpose, municipality_id, providers)
               for i in range(0, len(valid), BATCH_SIZE))
