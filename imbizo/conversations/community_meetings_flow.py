"""Meetings in conversations (flows/meetings.yaml): the meetings coming up in the resident's
ward (all of the municipality's when their ward is not known), one meeting in one screen,
and the answer (yes, no, maybe) through ``community.rsvp.rsvp_give``, as on the API and
the site. A meeting cancelled or started meanwhile is said, and nothing is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.services import citizen_update
from imbizo.community.meeting_selectors import meeting_public, meeting_when, meetings_upcoming
from imbizo.community.meeting_selectors import rsvp_answer as current_answer
from imbizo.community.rsvp import meeting_open_check, rsvp_give
from imbizo.core.errors import ImbizoError, NotFound

from .registry import action, source
from .texts import TEXTS

if TYPE_CHECKING:
    from .turn import Turn

LISTED = 20
ANSWERS = (("yes", "rsvp_yes"), ("no", "rsvp_no"), ("maybe", "rsvp_maybe"))


def _ward_id(turn: Turn) -> int | None:
    """The resident's ward, when it is in the municipality asked about."""
    citizen, municipality = turn.citizen, turn.answers.get("municipality")
    if citizen is None or citizen.municipality_id != municipality:
        return None
    return citizen.ward_id


@action("meetings_find")
def meetings_find(turn: Turn):
    """The meetings to list, kept with the conversation so that paging reads nothing."""
    municipality = turn.municipality()
    found = meetings_upcoming(municipality=municipality, ward_id=_ward_id(turn),
                              limit=LISTED) if municipality else []
    turn.answers["meeting_options"] = [
        [str(m.uuid), f"{timezone.localtime(m.starts):%d/%m %H:%M} {m.title}"] for m in found]
    return ("some" if found else "none"), {}


@source("upcoming_meetings")
def upcoming_meetings(turn: Turn) -> list[tuple[str, str]]:
    return [(key, label) for key, label in turn.answers.get("meeting_options") or []]


def _meeting(turn: Turn):
    try:
        return meeting_public(turn.answers.get("meeting", ""))
    except NotFound:
        raise ImbizoError("meeting_not_found", _("That meeting is no longer listed.")) from None


def _room(turn: Turn) -> int:
    """The characters the summary may take: a numbered screen keeps a third for options."""
    caps = turn.caps
    room = caps.screen_chars * 2 // 3 if caps.choice_style == "numbered" else caps.screen_chars
    return room - len(str(TEXTS["meeting_details"]) % {"meeting_summary": ""})


def meeting_summary(meeting, answer_label: str, room: int) -> str:
    """Title, time and venue, then the agenda and the resident's answer as they fit."""
    said = _("You said: %(answer)s.") % {"answer": answer_label} if answer_label else ""
    head = f"{meeting.title}, {meeting_when(meeting)}, {meeting.venue}."
    agenda = " ".join(meeting.agenda.split())
    for text in (" ".join(filter(None, [head, agenda, said])), " ".join(filter(None, [head,
                                                                                      said]))):
        if len(text) <= room:
            return text
    tail = f" {said}" if said else ""
    return head[:max(room - len(tail) - 1, 1)].rstrip() + "…" + tail


@action("meeting_show")
def meeting_show(turn: Turn):
    meeting = _meeting(turn)
    meeting_open_check(meeting)
    answer = current_answer(citizen=turn.citizen, meeting=meeting)
    label = str(TEXTS[dict(ANSWERS)[answer]]) if answer else ""
    return "shown", {"meeting_summary": meeting_summary(meeting, label, _room(turn))}


@source("rsvp_answers")
def rsvp_answers(turn: Turn) -> list[tuple[str, str]]:
    return [(value, str(TEXTS[key])) for value, key in ANSWERS]


@action("meeting_rsvp")
def meeting_rsvp(turn: Turn):
    """The answer, as the resident (registered now if new; a resident with no home
    municipality yet gets the meeting's)."""
    meeting = _meeting(turn)
    citizen = turn.resident()
    if citizen.municipality_id is None:
        citizen_update(actor=turn.actor(), citizen=citizen, municipality=meeting.municipality)
    rsvp_give(actor=turn.actor(), meeting=meeting, answer=turn.answers.get("answer", ""))
    return "saved", {}
