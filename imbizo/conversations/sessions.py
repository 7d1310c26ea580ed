"""Finding a resident's conversation and deciding where it picks up: go on, offer to go
on (a USSD session that dropped, dialled again within the plugin's ``resume_window``),
or say that it timed out and start at the main menu."""

from __future__ import annotations

import functools

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from imbizo.accounts.models import ChannelAddress, Citizen
from imbizo.core.inserts import insert_unless_present
from imbizo.messaging.screens import Screen

from .engine import engine_begin, engine_resume_offer, flow_get
from .models import ConversationSession
from .texts import SAY
from .turn import PHONE_CHANNELS, Turn

State = ConversationSession.State


def session_locked(channel: str, sender: str) -> ConversationSession:
    """The resident's conversation on this channel, its row locked until the commit;
    made on first contact. One indexed read (plus the insert the first time)."""
    rows = ConversationSession.objects.select_for_update(of=("self",)).select_related("citizen")
    session = rows.filter(channel=channel, sender=sender).first()
    if session is not None:
        return session
    try:
        with transaction.atomic():
            return ConversationSession.objects.create(channel=channel, sender=sender, flow="",
                                                      node="", updated=timezone.now())
    except IntegrityError:  # the same resident's other request made it a moment ago
        return rows.get(channel=channel, sender=sender)


# A USSD hop reads its session and writes it back, two statements that run more often
# than any other in Imbizo (ten hops a month for each of millions of residents). Their
# SQL is written once rather than compiled by the ORM on every hop, which took about
# 1 ms of a 2.5 ms hop (docs/performance.md, "Channels"); the resident is loaded only
# when a hop needs them, and a first session is made by ``core.inserts``.
SAVED_FIELDS = ("citizen", "flow", "node", "answers", "page", "language", "gateway_session_id",
                "last_cumulative", "last_screen", "state", "updated")


@functools.cache
def _select_sql() -> str:
    meta, quote = ConversationSession._meta, connection.ops.quote_name
    return (f"SELECT * FROM {quote(meta.db_table)} "
            f"WHERE {quote('channel')} = %s AND {quote('sender')} = %s")


@functools.cache
def _saved_fields() -> tuple:
    return tuple(ConversationSession._meta.get_field(name) for name in SAVED_FIELDS)


@functools.cache
def _update_sql() -> str:
    meta, quote = ConversationSession._meta, connection.ops.quote_name
    version = quote(meta.get_field("version").column)
    columns = ", ".join(f"{quote(f.column)} = %s" for f in _saved_fields())
    return (f"UPDATE {quote(meta.db_table)} SET {version} = {version} + 1, {columns} "
            f"WHERE {quote(meta.pk.column)} = %s AND {version} = %s")


def _read(channel: str, sender: str) -> ConversationSession | None:
    found = list(ConversationSession.objects.raw(_select_sql(), [channel, sender]))
    return found[0] if found else None


def session_current(channel: str, sender: str) -> ConversationSession:
    """The resident's conversation on this channel, unlocked (a USSD hop: saved back with
    ``session_save``); made on first contact, by an insert that leaves the row another
    request of the same resident made a moment before (no transaction, no savepoint)."""
    session = _read(channel, sender)
    if session is not None:
        return session
    now = timezone.now()
    insert_unless_present(ConversationSession(channel=channel, sender=sender, flow="", node="",
                                              created=now, updated=now),
                          conflict=("channel", "sender"))
    return _read(channel, sender)


def session_save(session: ConversationSession) -> bool:
    """Write the session back, one UPDATE, if no other request saved it since it was read
    (a gateway repeating a hop still in progress); False if one did."""
    params = [f.get_db_prep_save(getattr(session, f.attname), connection)
              for f in _saved_fields()]
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(), [*params, session.pk, session.version])
        saved = cursor.rowcount == 1
    if saved:
        session.version += 1
    return saved


def citizen_find(channel: str, sender: str) -> Citizen | None:
    """The resident behind a number (the same on USSD, SMS and WhatsApp), or behind a
    linked user id (Telegram)."""
    if channel in PHONE_CHANNELS:
        return Citizen.objects.filter(phone=sender, erased__isnull=True).first()
    address = ChannelAddress.objects.select_related("citizen").filter(
        channel=channel, address=sender).first()
    return address.citizen if address else None


def session_resident_load(session: ConversationSession) -> None:
    """At the start of a conversation: who it is, and the language they chose."""
    if session.citizen is None:
        session.citizen = citizen_find(session.channel, session.sender)
    if session.citizen is not None:
        session.language = session.citizen.language


def _mid_flow(session: ConversationSession) -> bool:
    if session.state == State.DONE or not session.flow or session.answers.get("_offer"):
        return False
    try:
        start = flow_get(session.flow, session.answers.get("municipality")).start
    except KeyError:  # a flow that is no longer shipped
        return False
    return not (session.flow == "main" and session.node == start)


def session_open(turn: Turn) -> Screen:
    """A new USSD dial: offer to go on within the window, else start afresh (saying so
    if a conversation was cut off)."""
    session = turn.session
    if _mid_flow(session):
        if timezone.now() - session.updated <= turn.caps.resume_window:
            session.state = State.ACTIVE
            return engine_resume_offer(turn)
        return engine_begin(turn, str(SAY["timed_out"]))
    return engine_begin(turn)


def session_expired(turn: Turn) -> bool:
    """A message-channel conversation left mid-flow longer than the channel's window."""
    session = turn.session
    return _mid_flow(session) and \
        timezone.now() - session.updated > turn.caps.resume_window
