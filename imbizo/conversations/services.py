"""The conversation engine's entry points: a USSD hop answered inside its request, and
a message from any other channel handled in a task and answered through the outbox."""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import override

from imbizo.accounts.models import ChannelAddress
from imbizo.accounts.services import (
    channel_address_link,
    channel_address_seen,
    channel_opt_in,
    channel_opt_out,
)
from imbizo.cases.images import image_prepare, unsupported_image
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.messaging.inbound import Incoming
from imbizo.messaging.models import InboundMessage
from imbizo.messaging.plugins import plugin_named
from imbizo.messaging.providers import PermanentProviderError
from imbizo.messaging.screens import Screen, numbered_text
from imbizo.messaging.services import message_queue

from .engine import Event, engine_answer, engine_begin, engine_show
from .handover import handover_inbound
from .keywords import keyword
from .loadshedding_flow import loadshedding_alerts_stop
from .models import ConversationSession
from .sessions import (
    session_current,
    session_expired,
    session_locked,
    session_open,
    session_resident_load,
    session_save,
)
from .texts import SAY
from .turn import Turn

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
HOP_ATTEMPTS = 3  # a USSD hop that finds its session saved meanwhile goes again
RETRY_BASE = timedelta(seconds=30)
State = ConversationSession.State


def _event(incoming: Incoming, text: str | None = None) -> Event:
    return Event(kind=incoming.kind if incoming.kind in
                 ("choice", "location", "photo", "contact", "unsupported") else "text",
                 text=incoming.text if text is None else text,
                 latitude=incoming.latitude, longitude=incoming.longitude)


def _inputs_mark(inputs: list[str]) -> str:
    """How many of a cumulative text's inputs were consumed, and a keyed digest of them:
    the session keeps this, never the inputs (an ID number or a PIN typed on USSD)."""
    digest = salted_hmac("conversations.ussd-inputs", "*".join(inputs)).hexdigest()
    return f"{len(inputs)}:{digest}"


def _hop_key(incoming: Incoming) -> str:
    """What identifies a hop within its session: the mark of all the inputs so far (a
    cumulative gateway), or the gateway's own hop id (one that sends only the latest)."""
    if not incoming.cumulative:
        key = f"id:{incoming.message_id}"
        return key if len(key) <= 500 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return _inputs_mark(incoming.text.split("*") if incoming.text else [])


def _latest(incoming: Incoming, seen: str) -> str:
    """The part of a cumulative text after the inputs the session already consumed (when
    the text starts with them), else its last input."""
    if not incoming.cumulative or not seen:
        return incoming.text
    inputs = incoming.text.split("*")
    count = seen.partition(":")[0]
    consumed = int(count) if count.isdigit() else 0
    if consumed < len(inputs) and _inputs_mark(inputs[:consumed]) == seen:
        return "*".join(inputs[consumed:])
    return inputs[-1]


def conversation_hop(*, plugin, incoming: Incoming) -> Screen:
    """One USSD hop: the next screen, within the request. A hop the gateway sends again
    (same session, same text) gets the stored screen and acts on nothing.

    No transaction spans the hop: the session is read, the engine runs (a case it logs
    commits in its own short transactions, so the municipality's reference counter and
    the audit chain are held for that write only) and the session is written back if no
    other request for this resident saved it meanwhile; if one did (the gateway sent the
    hop again while it ran), the hop is answered afresh from what that one left. Whatever
    an action wrote is keyed to the gateway's session, so it is not written twice."""
    for _attempt in range(HOP_ATTEMPTS):
        session = session_current(incoming.channel, incoming.sender)
        screen = _hop(session, plugin, incoming)
        if screen is None or session_save(session):
            return screen or Screen.from_payload(session.last_screen)
    return Screen.from_payload(session_current(incoming.channel, incoming.sender).last_screen)


def _hop(session: ConversationSession, plugin, incoming: Incoming) -> Screen | None:
    """The hop's screen, the session changed to match; None when the stored screen is the
    answer and nothing needs saving."""
    same = bool(session.gateway_session_id) and session.gateway_session_id == incoming.session_id
    if incoming.kind == "close":
        if same and session.state == State.ACTIVE:
            session.state = State.DROPPED
        return Screen(text="", expects="none", end=True)
    if same and session.last_screen and (session.last_cumulative == _hop_key(incoming)
                                         or session.state == State.DONE):
        return None
    turn = Turn(session=session, caps=plugin,
                idempotency_key=f"{incoming.provider}:{incoming.session_id}")
    if not same:
        session_resident_load(session)
    with override(session.language):
        if same:
            screen = engine_answer(turn, _event(incoming, _latest(
                incoming, session.last_cumulative)))
        else:
            screen = session_open(turn)
            for text in (incoming.text.split("*") if incoming.text else []):
                if screen.end:
                    break
                screen = engine_answer(turn, Event(text=text))  # the dial string's inputs
    session.gateway_session_id = incoming.session_id
    session.last_cumulative = _hop_key(incoming)
    session.last_screen = screen.as_payload()
    session.updated = timezone.now()
    return screen


# --- every other channel: a stored inbound message, handled in a task ------------------
def inbound_handle(*, inbound_id: int) -> None:
    """Answer one stored message. Its photo is fetched first, outside any transaction;
    then the session is locked, the engine runs, the replies are queued and the message
    marked handled, all in one transaction: run twice, it does nothing the second time.
    A failure is retried with backoff; after five the resident gets an apology."""
    inbound = InboundMessage.objects.filter(pk=inbound_id).first()
    if inbound is None or inbound.state != InboundMessage.State.RECEIVED:
        return
    incoming = Incoming.from_dict(inbound.payload)
    plugin = plugin_named(inbound.provider)
    try:
        if plugin is None:
            raise RuntimeError(f"no channel plugin named {inbound.provider}")
        photo, photo_error = _photo_store(plugin, incoming)
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().filter(
                pk=inbound_id, state=InboundMessage.State.RECEIVED).first()
            if locked is None:
                return
            _handle(locked, incoming, plugin, photo, photo_error)
    except Exception as exc:
        # The type only: an exception's text may quote what the resident sent.
        logger.warning("inbound %s: handling failed (%s)", inbound_id, type(exc).__name__)
        _inbound_failed(inbound_id, exc)


def _photo_store(plugin, incoming: Incoming) -> tuple[str, str]:
    """Fetch, check and keep a photo until the case is logged (the flow goes on first).
    A photo the provider will not hand over (not an image, too large) or that is no
    usable image is said to the resident, in their language, at once; only a provider
    that is down makes the message wait for another attempt."""
    if incoming.kind != "photo" or not incoming.media_id:
        return "", ""
    language = ConversationSession.objects.filter(
        channel=incoming.channel, sender=incoming.sender).values_list(
        "language", flat=True).first() or settings.LANGUAGE_CODE
    with override(language):
        try:
            data, _content_type = plugin.fetch_media(incoming.media_id)
            image_prepare(data, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        except PermanentProviderError:
            return "", unsupported_image().message
        except ImbizoError as exc:
            return "", exc.message
    return default_storage.save(f"conversations/pending/{uuid.uuid4()}", ContentFile(data)), ""


def _handle(inbound: InboundMessage, incoming: Incoming, plugin, photo: str,
            photo_error: str) -> None:
    session = session_locked(incoming.channel, incoming.sender)
    if session.citizen is None or session.state != State.ACTIVE:
        session_resident_load(session)
    screens = _screens(Turn(session=session, caps=plugin, photo=photo,
                            idempotency_key=f"{incoming.provider}:{incoming.message_id}"),
                       incoming, photo_error)
    now = timezone.now()
    for n, (screen, dedupe_prefix) in enumerate(screens):
        _reply(inbound, incoming, session, plugin, screen, f"{dedupe_prefix}{inbound.pk}:{n}")
    if screens:
        session.last_screen = screens[-1][0].as_payload()
    session.updated = now
    session.save()
    if incoming.channel != "ussd":
        channel_address_seen(incoming.channel, incoming.sender, citizen=session.citizen)
    InboundMessage.objects.filter(pk=inbound.pk).update(
        state=InboundMessage.State.HANDLED, handled_at=now, citizen=session.citizen)


def _screens(turn: Turn, incoming: Incoming, photo_error: str) -> list[tuple[Screen, str]]:
    """What to answer, each with its dedupe key's prefix; keywords first."""
    session = turn.session
    word = keyword(incoming.text) if incoming.kind == "text" else ""
    with override(session.language):
        if incoming.channel == "sms" and word == "stop":
            done = channel_opt_out("sms", incoming.sender)
            return [(Screen(str(SAY["opted_out"]), expects="none"), "optout:")] if done else []
        if incoming.channel == "sms" and word == "start":
            channel_opt_in("sms", incoming.sender)
            return [(Screen(str(SAY["opted_in"]), expects="none"), "reply:"),
                    (engine_begin(turn), "reply:")]
        if incoming.channel == "sms" and _opted_out(incoming.sender):
            return []  # they said STOP: nothing until START
        if word == "stop_alerts":
            return [(Screen(loadshedding_alerts_stop(turn), expects="none"), "reply:")]
        kept = handover_inbound(session=session, kind=incoming.kind, text=incoming.text,
                                latitude=incoming.latitude, longitude=incoming.longitude)
        if kept is not None:  # a person has, or will have, the conversation
            return [(Screen(line, expects="none"), "reply:") for line in kept]
        if session.citizen is None and turn.caps.shares_contact and \
                incoming.channel not in ("ussd", "sms", "whatsapp"):
            return [(_link(turn, incoming), "reply:")]
        if word == "menu" or session.state != State.ACTIVE or not session.flow:
            return [(engine_begin(turn), "reply:")]
        if session_expired(turn):
            return [(engine_begin(turn, str(SAY["timed_out"])), "reply:")]
        if photo_error:
            return [(engine_show(turn, photo_error), "reply:")]
        return [(engine_answer(turn, _event(incoming)), "reply:")]


def _opted_out(address: str) -> bool:
    return ChannelAddress.objects.filter(channel="sms", address=address,
                                         opted_out__isnull=False).exists()


def _link(turn: Turn, incoming: Incoming) -> Screen:
    """A Telegram user not yet linked shares their phone number first."""
    session = turn.session
    if incoming.kind == "contact" and incoming.contact_phone:
        try:
            session.citizen = channel_address_link(
                actor=system_actor(incoming.channel), channel=incoming.channel,
                address=incoming.sender, phone=incoming.contact_phone)
        except ImbizoError as exc:
            return Screen(f"{exc.message}\n{SAY['share_phone']}", expects="contact")
        session.language = session.citizen.language
        with override(session.language):
            return engine_begin(turn)
    return Screen(str(SAY["share_phone"]), expects="contact")


def _reply(inbound: InboundMessage, incoming: Incoming, session: ConversationSession, plugin,
           screen: Screen, dedupe_key: str) -> None:
    body = numbered_text(screen) if plugin.choice_style == "numbered" else screen.text
    message_queue(to=incoming.reply_to or incoming.sender, channel=incoming.channel, body=body,
                  purpose="service", citizen=session.citizen, language=session.language,
                  payload=screen.as_payload(), dedupe_key=dedupe_key)


def _inbound_failed(inbound_id: int, exc: Exception) -> None:
    """Leave the message to be tried again later, or give up after five attempts and
    say sorry to the resident."""
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().filter(
            pk=inbound_id, state=InboundMessage.State.RECEIVED).first()
        if inbound is None:
            return
        inbound.attempts += 1
        inbound.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if inbound.attempts >= MAX_ATTEMPTS:
            inbound.state = InboundMessage.State.FAILED
            inbound.save(update_fields=["attempts", "last_error", "state"])
            _apologise(inbound)
            return
        # The pump hands it out again when this time comes (conversations/pump.py).
        inbound.next_attempt_at = timezone.now() + RETRY_BASE * 2 ** inbound.attempts
        inbound.save(update_fields=["attempts", "last_error", "next_attempt_at"])


def _apologise(inbound: InboundMessage) -> None:
    incoming = Incoming.from_dict(inbound.payload)
    session = ConversationSession.objects.filter(channel=inbound.channel,
                                                 sender=inbound.sender).first()
    language = session.language if session else "en"
    with override(language):
        text = str(SAY["apology"])
    try:
        message_queue(to=incoming.reply_to or incoming.sender, channel=inbound.channel,
                      body=text, purpose="service", language=language,
                      citizen=session.citizen if session else None,
                      dedupe_key=f"reply:{inbound.pk}:apology")
    except ImbizoError:
        logger.warning("inbound %s: could not queue the apology", inbound.pk)
