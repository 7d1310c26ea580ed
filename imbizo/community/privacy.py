"""A resident's answers to meetings in their export (POPIA s23) and erasure (s24).

An erasure detaches the resident from their answers: the organiser's numbers still count
them, no longer whose they were.
"""

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .meeting_models import Rsvp


def rsvps_export(citizen: Citizen, within: set[int] | None) -> dict:
    answers = Rsvp.objects.filter(citizen=citizen)
    if within is not None:
        answers = answers.filter(meeting__municipality__in=within)
    answers = answers.select_related("meeting", "meeting__municipality") \
        .defer("meeting__municipality__boundary").order_by("created", "pk")
    return {"meeting_answers": [{
        "municipality": a.meeting.municipality.code, "meeting": str(a.meeting.uuid),
        "title": a.meeting.title, "starts": a.meeting.starts.isoformat(), "answer": a.answer,
        "channel": a.channel, "given": a.created.isoformat(), "changed": a.updated.isoformat(),
    } for a in answers]}


def rsvps_erase(citizen: Citizen) -> int:
    return Rsvp.objects.filter(citizen=citizen).update(citizen=None)


personal_data("community_meetings", export=rsvps_export, erase=rsvps_erase)
