"""Reads of representatives: who represents a resident at a point, in a ward or in a
suburb (``representatives_for``), a municipality's PR councillors and the councillor of a
ward. All of it is what municipalities publish, so nothing is scoped to an actor.

A warm look-up reads nothing from the database: the ward, its suburbs and who represents
it come from the configuration memo (which every change to a representative drops), the
traditional authority from the in-memory index (geo/index.py); a cold one is a handful of
indexed queries whatever the ward holds.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Membership, Role
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.index import ward_index
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.selectors import locate, municipality_by_code, ward_by_code

from .models import Kind, Representative, TraditionalCouncil


@dataclass(frozen=True)
class Representation:
    ward: Ward  # its municipality loaded
    councillor: Representative | None
    committee: list[Representative]
    pr_count: int  # the municipality's sitting PR councillors (listed by pr_councillors)
    authority: dict | None  # {"code", "name"} of the traditional authority, if any
    council: TraditionalCouncil | None
    leader: Representative | None
    council_members: list[Representative]

    @property
    def municipality(self) -> Municipality:
        return self.ward.municipality


def sitting() -> Q:
    """Listed in the latest import, with no term that has ended."""
    return Q(active=True) & (Q(term_end__isnull=True) | Q(term_end__gte=timezone.localdate()))


def representatives_for(*, lat: float | None = None, lon: float | None = None,
                        ward: Ward | str | int | None = None, suburb: str | None = None,
                        municipality: Municipality | str | None = None) -> Representation:
    """Who represents the place given by one of: a point (``lat`` and ``lon``); a ward (a
    ``Ward``, its 8-digit code, or its number in ``municipality``); a ``suburb`` of
    ``municipality``. For a ward or suburb, the traditional authority is the one at a
    point inside the ward (a ward several authorities share: give a point)."""
    has_point = lat is not None or lon is not None
    given = [has_point, ward not in (None, ""), bool(suburb)]
    if not any(given):
        raise ImbizoError("place_required", _("Give a point (lat and lon), a ward or a suburb."))
    if sum(given) > 1:
        raise ImbizoError("place_ambiguous",
                          _("Give a point, a ward or a suburb: one of them, not several."))
    chosen = municipality_find(municipality) if municipality else None
    if has_point:
        if lat is None or lon is None:
            raise ImbizoError("place_required", _("Give both lat and lon."))
        place = locate(lat=lat, lon=lon)
        found, authority = ward_by_code(place.ward["code"]), place.traditional_authority
    else:
        found = _ward(ward, chosen) if given[1] else _suburb_ward(suburb, chosen)
        authority = _authority_of(found)
    if chosen is not None and found.municipality_id != chosen.pk:
        raise ImbizoError("place_outside_municipality", _("That place is not in %(name)s.")
                          % {"name": chosen.name})
    return _representation(found, authority)


def municipality_find(municipality: Municipality | str) -> Municipality:
    """A municipality by code (from the configuration memo), or a 404 naming it."""
    if isinstance(municipality, Municipality):
        return municipality
    return config_cache.get(("municipality_code", municipality.upper()),
                            lambda: municipality_by_code(municipality.upper()))


def _ward(ward: Ward | str | int, municipality: Municipality | None) -> Ward:
    if isinstance(ward, Ward):
        return ward
    if isinstance(ward, int):
        if municipality is None:
            raise ImbizoError("place_required", _("Name the municipality of ward %(n)s.")
                              % {"n": ward})
        found = ward_by_number(municipality, ward)
    else:
        found = ward_by_code(ward.strip())
    if found is None:
        raise NotFound("unknown_ward", _("There is no ward %(ward)s.") % {"ward": ward})
    return found


def ward_by_number(municipality: Municipality, number: int) -> Ward | None:
    """A ward of the municipality with its municipality, from the configuration memo."""
    def load() -> Ward | None:
        return Ward.objects.select_related("municipality").defer(
            "boundary", "municipality__boundary").filter(
            municipality=municipality, number=number).first()
    return config_cache.get(("ward_number", municipality.pk, number), load,
                            keep=lambda found: found is not None)


def suburb_wards(municipality: Municipality) -> list[tuple[str, int]]:
    """(suburb, ward number) for every suburb the municipality's wards list, by name."""
    def load() -> list[tuple[str, int]]:
        rows = Ward.objects.filter(municipality=municipality).order_by().values_list(
            "number", "suburbs")
        return sorted(((name.strip(), number) for number, suburbs in rows
                       for name in suburbs.splitlines() if name.strip()),
                      key=lambda pair: (pair[0].casefold(), pair[1]))
    return config_cache.get(("representatives_suburbs", municipality.pk), load)


def _suburb_ward(suburb: str, municipality: Municipality | None) -> Ward:
    if municipality is None:
        raise ImbizoError("place_required", _("Name the municipality of the suburb."))
    wanted = " ".join(suburb.split()).casefold()
    number = next((n for name, n in suburb_wards(municipality) if name.casefold() == wanted),
                  None)
    found = ward_by_number(municipality, number) if number else None
    if found is None:
        raise NotFound("unknown_suburb", _("%(municipality)s lists no suburb %(suburb)s.")
                       % {"municipality": municipality.name, "suburb": repr(suburb)})
    return found


def _authority_of(ward: Ward) -> dict | None:
    """The traditional authority at a point inside the ward (memoised per ward)."""
    def load() -> tuple[float, float] | None:
        boundary = Ward.objects.filter(pk=ward.pk).order_by().values_list(
            "boundary", flat=True).first()
        if not boundary:
            return None
        point = Ward(boundary=boundary).geometry.representative_point()
        return point.y, point.x
    inside = config_cache.get(("ward_inside", ward.pk), load)
    return ward_index.authority_at(*inside) if inside else None


@dataclass(frozen=True)
class _Published:
    """What the memo keeps for a ward and its authority: everyone listed (terms are
    checked on each look-up, so a term that ends today needs no change to the memo)."""

    people: tuple[Representative, ...]
    council: TraditionalCouncil | None
    pr_term_ends: tuple[dt.date | None, ...]  # of the municipality's PR councillors


def _published(ward: Ward, authority: dict | None) -> _Published:
    """From the configuration memo, which every change to a representative or council
    drops: a warm look-up reads nothing from the database."""
    code = authority["code"] if authority else None

    def load() -> _Published:
        where = Q(ward=ward) | Q(council__authority__code=code) if code else Q(ward=ward)
        people = Representative.objects.filter(where, active=True).order_by("name")
        council = TraditionalCouncil.objects.select_related("authority").filter(
            authority__code=code).first() if code else None
        pr = Representative.objects.filter(active=True, municipality_id=ward.municipality_id,
                                           kind=Kind.PR_COUNCILLOR)
        return _Published(tuple(people), council, tuple(pr.values_list("term_end", flat=True)))
    return config_cache.get(("representatives", ward.pk, code), load)


def _representation(ward: Ward, authority: dict | None) -> Representation:
    published, today = _published(ward, authority), timezone.localdate()
    by_kind: dict[str, list[Representative]] = {}
    for person in published.people:
        if person.term_end is None or person.term_end >= today:
            by_kind.setdefault(person.kind, []).append(person)
    return Representation(
        ward=ward, councillor=next(iter(by_kind.get(Kind.WARD_COUNCILLOR, [])), None),
        committee=by_kind.get(Kind.COMMITTEE_MEMBER, []),
        pr_count=sum(1 for end in published.pr_term_ends if end is None or end >= today),
        authority=authority, council=published.council,
        leader=next(iter(by_kind.get(Kind.TRADITIONAL_LEADER, [])), None),
        council_members=by_kind.get(Kind.TRADITIONAL_MEMBER, []))


def pr_councillors(*, municipality: Municipality) -> list[Representative]:
    """The municipality's sitting PR councillors, by party and name."""
    return list(Representative.objects.filter(
        sitting(), municipality=municipality, kind=Kind.PR_COUNCILLOR).order_by("party", "name"))


def ward_councillor(*, ward: Ward) -> Representative | None:
    return Representative.objects.filter(sitting(), ward=ward,
                                         kind=Kind.WARD_COUNCILLOR).first()


def councillor_user(*, ward: Ward):
    """The staff login of the ward's councillor: the one linked to the sitting ward
    councillor's record, else one holding an active councillor membership of the ward."""
    record = Representative.objects.filter(sitting(), ward=ward, kind=Kind.WARD_COUNCILLOR,
                                           user__is_active=True).select_related("user").first()
    if record is not None:
        return record.user
    membership = Membership.objects.filter(role=Role.COUNCILLOR, ward=ward, active=True,
                                           user__is_active=True).select_related("user").first()
    return membership.user if membership else None
