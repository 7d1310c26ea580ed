"""API v1: Community (docs/community.md): meetings coming up and answering them, the
organiser's numbers, the municipality's directory, and the text a resident shares.

The lists are public, without anyone's name or answer. Answering a meeting for a resident
takes a key or staff session that acts for residents where the meeting is (``case.log``),
the resident named by ``phone``; the numbers are the organisers' (``community.manage``).
"""

from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from imbizo.community.directory_selectors import directory_search
from imbizo.community.meeting_models import Meeting
from imbizo.community.meeting_selectors import meeting_numbers, meeting_public, meetings_upcoming
from imbizo.community.rsvp import rsvp_give, rsvp_resident
from imbizo.community.share import share_code_for, share_given, share_link, share_text
from imbizo.core.errors import NotFound
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.selectors import municipality_by_code

from .auth import api_auth

router = Router(tags=["community"])
CODE = {"min_length": 1, "max_length": 32, "description": "The municipality's code."}


class MeetingOut(Schema):
    uuid: UUID
    municipality: str
    title: str
    wards: list[int] = Field(description="Ward numbers; empty for the whole municipality.")
    whole_municipality: bool
    zone: dict | None
    venue: str
    latitude: float | None
    longitude: float | None
    starts: datetime
    ends: datetime
    agenda: str
    status: str
    cancel_reason: str
    url: str = Field(description="The meeting's page on the site, where residents answer.")


def meeting_out(meeting: Meeting) -> dict:
    return {"uuid": meeting.uuid, "municipality": meeting.municipality.code,
            "title": meeting.title, "wards": [w.number for w in meeting.ward_list],
            "whole_municipality": meeting.whole_municipality, "zone": meeting.zone,
            "venue": meeting.venue, "latitude": meeting.latitude,
            "longitude": meeting.longitude, "starts": meeting.starts, "ends": meeting.ends,
            "agenda": meeting.agenda, "status": meeting.status,
            "cancel_reason": meeting.cancel_reason,
            "url": settings.SITE_URL + reverse("web:meeting", args=[meeting.uuid])}


def _ward(municipality: Municipality, number: int | None) -> Ward | None:
    if number is None:
        return None
    ward = Ward.objects.filter(municipality=municipality, number=number).defer(
        "boundary").first()
    if ward is None:
        raise NotFound("unknown_ward", _("%(municipality)s has no ward %(n)s.")
                       % {"municipality": municipality.name, "n": number}, field="ward")
    return ward


@router.get("/meetings", response=list[MeetingOut], auth=None,
            summary="Meetings coming up in a municipality, or reaching one ward")
def meetings(request, municipality: str = Query(..., **CODE),
             ward: int | None = Query(None, ge=1, le=999)):
    """Announced meetings not over yet, soonest first: those of the whole municipality and,
    with ``ward``, those reaching that ward (else all of the municipality's)."""
    place = municipality_by_code(municipality)
    found = _ward(place, ward)
    return [meeting_out(m) for m in meetings_upcoming(
        municipality=place, ward_id=found.pk if found else None)]


@router.get("/meetings/{key}", response=MeetingOut, auth=None, summary="One meeting")
def meeting(request, key: UUID):
    return meeting_out(meeting_public(key))


class RsvpIn(Schema):
    answer: str = Field(description="yes, no or maybe", max_length=10)
    phone: str = Field("", max_length=32,
                       description="The resident's number; a new number registers them.")


class RsvpOut(Schema):
    meeting: UUID
    answer: str
    channel: str


@router.post("/meetings/{key}/rsvp", response=RsvpOut, auth=api_auth,
             summary="A resident's answer to a meeting (yes, no or maybe)")
def rsvp(request, key: UUID, payload: RsvpIn):
    """The answer replaces the resident's earlier one, until the meeting starts; a meeting
    that has started, is over or was cancelled is a 409."""
    found = meeting_public(key)
    with transaction.atomic():  # a resident registered for an answer refused is not kept
        resident = rsvp_resident(actor=request.auth, meeting=found, phone=payload.phone)
        given = rsvp_give(actor=resident, meeting=found, answer=payload.answer)
    return {"meeting": found.uuid, "answer": given.answer, "channel": given.channel}


class NumbersOut(Schema):
    yes: int
    no: int
    maybe: int
    total: int
    by_channel: dict[str, dict[str, int]]


@router.get("/meetings/{key}/numbers", response=NumbersOut, auth=api_auth,
            summary="How many answered yes, no and maybe, by channel (organisers)")
def numbers(request, key: UUID):
    found = meeting_numbers(actor=request.auth, meeting=meeting_public(key))
    return {"yes": found.yes, "no": found.no, "maybe": found.maybe, "total": found.total,
            "by_channel": found.by_channel}


class FormOut(Schema):
    title: str
    size: int
    url: str


class EntryOut(Schema):
    uuid: UUID
    name: str
    department: str | None
    description: str
    phone: str
    email: str
    hours: str
    url: str
    forms: list[FormOut]


def entry_out(entry) -> dict:
    return {"uuid": entry.uuid, "name": entry.name,
            "department": entry.department.name if entry.department_id else None,
            "description": entry.description, "phone": entry.phone, "email": entry.email,
            "hours": entry.hours, "url": entry.url,
            "forms": [{"title": f.title, "size": f.size,
                       "url": settings.SITE_URL + reverse("web:directory_form", args=[f.uuid])}
                      for f in entry.form_list]}


@router.get("/directory", response=list[EntryOut], auth=None,
            summary="Search a municipality's directory: contacts, hours, forms, links")
def directory(request, municipality: str = Query(..., **CODE),
              q: str = Query(..., max_length=100)):
    """Entries holding every word of ``q`` in their name, description, keywords or
    department, names matching first (at most 20)."""
    return [entry_out(e) for e in directory_search(
        municipality=municipality_by_code(municipality), q=q)]


class ShareOut(Schema):
    code: str
    link: str
    ussd_code: str
    text: str = Field(description="What to forward, in the language asked for.")


@router.get("/share", response=ShareOut, auth=None,
            summary="The short link, USSD code and text a resident forwards")
def share(request, municipality: str = Query(..., **CODE)):
    place = municipality_by_code(municipality)
    found = share_code_for(place)
    share_given(found)
    return {"code": found.code, "link": share_link(found), "ussd_code": found.ussd_code,
            "text": share_text(found, place)}
