"""Talk to a person: the resident joins their municipality's queue for an agent; an agent
takes the conversation in the console, writes to the resident on the resident's own
channel, and closes it, which gives the conversation back to the bot at the main menu.

While a hand-over waits or is taken, what the resident sends is kept in its transcript
(``HandoverMessage``) for the agent instead of running the flow (``handover_inbound``);
while it waits they are told so, and MENU takes them out of the queue and back to the
bot. A USSD resident, who cannot be written to, just dials again to use the menu."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from imbizo.audit.services import audit_record
from imbizo.cases.limits import text_check
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor, allows
from imbizo.geo.models import Municipality
from imbizo.messaging.plugins import plugin_for, plugin_paths
from imbizo.messaging.screens import numbered_text
from imbizo.messaging.services import message_queue

from .keywords import leaves_person
from .models import ConversationSession, Handover, HandoverMessage

# Agents answer residents where they may log cases for them.
PERMISSION = "case.log"
REPLY_MAX_LENGTH = 1000
State = Handover.State

TAKEN_TEXT = gettext_lazy("A person is here now. Write your message here.")
CLOSED_TEXT = gettext_lazy("The person has ended this chat.")
PHOTO_TEXT = gettext_lazy("(a photo)")
LOCATION_TEXT = gettext_lazy("(a location: %(lat)s, %(lon)s)")
OTHER_TEXT = gettext_lazy("(a message that is not text)")
WAITING_TEXT = gettext_lazy("You are in the queue for a person, who will read this. "
                            "Send MENU to leave the queue.")


@transaction.atomic
def handover_request(*, session: ConversationSession,
                     municipality: Municipality | None) -> Handover:
    """Queue the resident once: asking again while waiting keeps their place."""
    waiting = Handover.objects.filter(channel=session.channel, address=session.sender,
                                      state=Handover.State.QUEUED).first()
    if waiting is not None:
        return waiting
    handover = Handover.objects.create(citizen=session.citizen, channel=session.channel,
                                       address=session.sender, session=session,
                                       municipality=municipality)
    audit_record(actor=f"citizen:{session.citizen.uuid}" if session.citizen else "anonymous",
                 channel=session.channel, action="handover.request", obj=handover,
                 municipality_code=municipality.code if municipality else "", changes={})
    return handover


def may_answer(actor: Actor, handover: Handover) -> bool:
    """The check the console's inbox scopes by, for one hand-over in hand."""
    if handover.municipality_id is None:
        return actor.is_global(PERMISSION)
    return allows(actor, PERMISSION, municipality_id=handover.municipality_id)


def _locked(actor: Actor, handover: Handover) -> Handover:
    if not may_answer(actor, handover):
        raise PermissionDenied()
    return Handover.objects.select_for_update(of=("self",)).select_related(
        "citizen", "session", "municipality").defer("municipality__boundary") \
        .get(pk=handover.pk)


def _held_by(actor: Actor, handover: Handover) -> None:
    if handover.state != State.TAKEN or handover.agent_id != actor.user.pk:
        raise ImbizoError("handover_not_yours",
                          _("Take the conversation first; only the agent who took it "
                            "can write or close it."), status=409)


def _audit(actor: Actor, action: str, handover: Handover, changes: dict | None = None) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=handover,
                 municipality_code=handover.municipality.code if handover.municipality_id
                 else "", changes=changes or {})


def _language(handover: Handover) -> str:
    if handover.session_id and handover.session.language:
        return handover.session.language
    return handover.citizen.language if handover.citizen_id else "en"


def _reach(handover: Handover) -> str:
    """The channel a message reaches the resident on: theirs, except that no one can
    write into a USSD session, so a USSD resident gets SMS."""
    return "sms" if handover.channel == "ussd" else handover.channel


def _send(handover: Handover, body: str, key: str, payload: dict | None = None) -> None:
    message_queue(to=handover.address, channel=_reach(handover), body=body, purpose="service",
                  citizen=handover.citizen, language=_language(handover), payload=payload,
                  municipality=handover.municipality, dedupe_key=f"handover:{handover.pk}:{key}")


@transaction.atomic
def handover_take(*, actor: Actor, handover: Handover) -> Handover:
    """The agent takes a waiting resident (taking it again is a no-op); the resident is
    told a person is there."""
    handover = _locked(actor, handover)
    if handover.state == State.TAKEN and handover.agent_id == actor.user.pk:
        return handover
    if handover.state != State.QUEUED:
        raise ImbizoError("handover_gone", _("Another agent has taken or closed this "
                                             "conversation."), status=409)
    handover.state, handover.agent = State.TAKEN, actor.user
    handover.save(update_fields=["state", "agent", "updated"])
    with override(_language(handover)):
        _send(handover, str(TAKEN_TEXT), "taken")
    _audit(actor, "handover.take", handover)
    return handover


@transaction.atomic
def handover_reply(*, actor: Actor, handover: Handover, text: str) -> HandoverMessage:
    """The agent's words, kept in the transcript and queued to the resident on their
    channel (the outbox applies WhatsApp's window and any fallback)."""
    handover = _locked(actor, handover)
    _held_by(actor, handover)
    text = text.strip()
    if not text:
        raise ImbizoError("text_required", _("Write something first."))
    text_check(_("Message"), text, REPLY_MAX_LENGTH)
    name = actor.user.get_full_name() or actor.user.get_username()
    line = HandoverMessage.objects.create(handover=handover, direction="out", text=text,
                                          author=name)
    _send(handover, text, f"out:{line.pk}")
    _audit(actor, "handover.reply", handover, {"message": line.pk})
    return line


@transaction.atomic
def handover_close(*, actor: Actor, handover: Handover) -> Handover:
    """End the chat: the resident's conversation goes back to the bot, at the main menu,
    and they are shown that menu (on a channel that can be written to)."""
    handover = _locked(actor, handover)
    if handover.state == State.TAKEN:
        _held_by(actor, handover)
    elif handover.state != State.QUEUED:
        return handover
    handover.state = State.CLOSED
    handover.save(update_fields=["state", "updated"])
    _back_to_menu(handover)
    _audit(actor, "handover.close", handover)
    return handover


def _plugin_of(channel: str):
    for slug in plugin_paths():
        plugin = plugin_for(slug)
        if plugin is not None and plugin.channel == channel and not plugin.synchronous:
            return plugin
    return None


def _back_to_menu(handover: Handover) -> None:
    from .engine import engine_begin  # the engine queues residents through this module
    from .turn import Turn

    plugin = _plugin_of(handover.channel)
    with override(_language(handover)):
        if plugin is None or handover.session_id is None:
            if handover.channel != "ussd":  # a USSD resident just dials again
                _send(handover, str(CLOSED_TEXT), "closed")
            return
        session = ConversationSession.objects.select_for_update().get(pk=handover.session_id)
        screen = engine_begin(Turn(session=session, caps=plugin,
                                   idempotency_key=f"handover:{handover.pk}"), str(CLOSED_TEXT))
        session.last_screen = screen.as_payload()
        session.save()
        body = numbered_text(screen) if plugin.choice_style == "numbered" else screen.text
        _send(handover, body, "closed", payload=screen.as_payload())


def handover_inbound(*, session: ConversationSession, kind: str, text: str,
                     latitude: float | None = None,
                     longitude: float | None = None) -> list[str] | None:
    """Keep a resident's message in the transcript of the hand-over waiting or taken for
    this conversation, and say what to answer (nothing while an agent holds it); None
    (the bot answers) when there is none, or when the resident sent MENU, which takes
    them out of the queue or the chat. Called inside the inbound message's transaction,
    with the session locked."""
    if session.channel == "ussd":
        return None
    handover = Handover.objects.filter(session=session, state__in=(
        State.QUEUED, State.TAKEN)).select_related("municipality").only(
        "pk", "state", "municipality__code").first()
    if handover is None:
        return None
    if kind == "text" and leaves_person(text):
        handover.state = State.CLOSED
        handover.save(update_fields=["state", "updated"])
        audit_record(actor=f"citizen:{session.citizen.uuid}" if session.citizen_id
                     else "anonymous", channel=session.channel, action="handover.leave",
                     obj=handover, changes={}, municipality_code=handover.municipality.code
                     if handover.municipality_id else "")
        return None
    if kind == "photo":
        text = str(PHOTO_TEXT)
    elif kind == "location" and latitude is not None:
        text = LOCATION_TEXT % {"lat": f"{latitude:.5f}", "lon": f"{longitude:.5f}"}
    elif not text.strip():
        text = str(OTHER_TEXT)
    HandoverMessage.objects.create(handover=handover, direction="in", text=text)
    return [str(WAITING_TEXT)] if handover.state == State.QUEUED else []
