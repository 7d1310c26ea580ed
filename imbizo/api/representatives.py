"""API v1: Representatives (docs/representatives.md). Public: what municipalities publish
about their councillors, ward committees and traditional councils, nothing more."""

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from imbizo.representatives.models import Representative
from imbizo.representatives.photos import photo_address
from imbizo.representatives.selectors import (
    Representation,
    municipality_find,
    pr_councillors,
    representatives_for,
)

router = Router(tags=["representatives"])
WARD_NUMBER_DIGITS = 3  # a ward's number; its code has 8 digits


class PersonOut(Schema):
    id: UUID
    kind: str
    title: str
    name: str
    position: str
    party: str
    phone: str
    email: str
    office: str
    hours: str
    photo: str | None
    ward: int | None
    term_start: dt.date | None
    term_end: dt.date | None


class Area(Schema):
    code: str
    name: str


class WardOut(Area):
    number: int
    suburbs: list[str]


class PrOut(Schema):
    count: int
    url: str


class CouncilOut(Schema):
    name: str
    phone: str
    email: str
    office: str
    hours: str
    leader: PersonOut | None
    members: list[PersonOut]


class AuthorityOut(Area):
    council: CouncilOut | None


class RepresentationOut(Schema):
    ward: WardOut
    municipality: Area
    councillor: PersonOut | None
    committee: list[PersonOut]
    pr_councillors: PrOut
    traditional_authority: AuthorityOut | None


def person_out(request: HttpRequest, person: Representative, ward_number: int | None) -> dict:
    photo = photo_address(person)
    if photo and photo.startswith("/"):
        photo = request.build_absolute_uri(photo)
    return {"id": person.uuid, "kind": person.kind, "title": person.title, "name": person.name,
            "position": person.position, "party": person.party, "phone": person.phone,
            "email": person.email, "office": person.office, "hours": person.hours,
            "photo": photo, "ward": ward_number, "term_start": person.term_start,
            "term_end": person.term_end}


def representation_out(request: HttpRequest, found: Representation) -> dict:
    ward, municipality = found.ward, found.municipality
    authority = None
    if found.authority:
        council = found.council
        authority = {**found.authority, "council": council and {
            "name": council.display_name, "phone": council.phone, "email": council.email,
            "office": council.office, "hours": council.hours,
            "leader": found.leader and person_out(request, found.leader, None),
            "members": [person_out(request, p, None) for p in found.council_members]}}
    pr_url = reverse("api-v1:representatives_pr") + f"?municipality={municipality.code}"
    return {
        "ward": {"code": ward.code, "number": ward.number, "name": ward.name,
                 "suburbs": [s.strip() for s in ward.suburbs.splitlines() if s.strip()]},
        "municipality": {"code": municipality.code, "name": municipality.name},
        "councillor": found.councillor and person_out(request, found.councillor, ward.number),
        "committee": [person_out(request, p, ward.number) for p in found.committee],
        "pr_councillors": {"count": found.pr_count,
                           "url": request.build_absolute_uri(pr_url)},
        "traditional_authority": authority,
    }


@router.get("/representatives", response=RepresentationOut, auth=None,
            summary="Who represents me: at a point, in a ward or in a suburb")
def representatives(request, lat: float | None = None, lon: float | None = None,
                    ward: str | None = None, municipality: str | None = None,
                    suburb: str | None = None):
    """One of: ``lat`` and ``lon``; ``ward`` (its 8-digit code, or its number with
    ``municipality``); ``suburb`` with ``municipality``."""
    if ward and ward.strip().isdigit() and len(ward.strip()) <= WARD_NUMBER_DIGITS \
            and municipality:
        ward = int(ward)
    found = representatives_for(lat=lat, lon=lon, ward=ward, suburb=suburb,
                                municipality=municipality)
    return representation_out(request, found)


@router.get("/representatives/pr-councillors", response=list[PersonOut], auth=None,
            url_name="representatives_pr", summary="A municipality's PR councillors")
def pr(request, municipality: str):
    found = municipality_find(municipality)
    return [person_out(request, p, None) for p in pr_councillors(municipality=found)]
