"""Announcing and cancelling community meetings (docs/community.md, "Meetings").

Staff holding ``community.manage`` organise meetings in their municipality; a councillor,
whose membership is narrowed to a ward, only for their own ward(s): a meeting of the
whole municipality, or one reaching another ward, is refused. Each write is audited and
emits an event that ``notifications/community.py`` turns into messages to residents:
``meeting_announced`` (the residents of the wards, and the reminder the day before to those
who said they would come) and ``meeting_cancelled`` (those who said they would come).
The batches of messages are ``MeetingNotice`` rows written here with the change.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import ROLE_PERMISSIONS, Actor, require
from imbizo.geo.index import ward_index
from imbizo.geo.models import Municipality, Ward

from .meeting_models import (
    AGENDA_MAX,
    REASON_MAX,
    TITLE_MAX,
    VENUE_MAX,
    Meeting,
    MeetingNotice,
    MeetingWard,
)
from .zones import zone_parse, zone_wards

MANAGE = "community.manage"
FURTHEST = timedelta(days=366)  # announced at most a year ahead
LONGEST = timedelta(hours=12)


def _grants(actor: Actor, municipality_id: int) -> list:
    return [m for m in actor.grants if MANAGE in ROLE_PERMISSIONS.get(m.role, ())
            and m.municipality_id == municipality_id]


def ward_grants(actor: Actor) -> list:
    """The actor's memberships holding ``community.manage`` narrowed to a ward."""
    return [m for m in actor.grants if MANAGE in ROLE_PERMISSIONS.get(m.role, ()) and m.ward_id]


def may_organise(actor: Actor, municipality_id: int, ward_ids: Iterable[int] | None) -> bool:
    """``community.manage`` in the municipality; from a membership narrowed to wards, only
    for a meeting whose every ward is one of them (``None``: the whole municipality)."""
    if actor.is_global(MANAGE):
        return True
    grants = _grants(actor, municipality_id)
    if any(not m.ward_id for m in grants):
        return True
    own = {m.ward_id for m in grants}
    wards = set(ward_ids or ())
    return bool(wards) and wards <= own


def may_organise_meeting(actor: Actor, meeting: Meeting) -> bool:
    """As ``may_organise``, for a meeting already announced (its wards read at most
    once; not at all when prefetched as ``ward_list``)."""
    if actor.is_global(MANAGE) or any(not m.ward_id for m in _grants(actor,
                                                                      meeting.municipality_id)):
        return True
    if meeting.whole_municipality:
        return False
    wards = [w.pk for w in meeting.ward_list] if hasattr(meeting, "ward_list") else list(
        MeetingWard.objects.filter(meeting=meeting).values_list("ward_id", flat=True))
    return may_organise(actor, meeting.municipality_id, wards)


def _audit(actor: Actor, action: str, meeting: Meeting, municipality: Municipality,
           **changes) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=meeting,
                 municipality_code=municipality.code, changes=changes)


def _text(value, field: str, longest: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if field != "agenda" else str(value or "").strip()
    if required and not text:
        raise ImbizoError("required", _("This is needed."), field=field)
    if len(text) > longest:
        raise ImbizoError("too_long", _("At most %(n)s characters.") % {"n": longest},
                          field=field)
    return text


def _times(starts: datetime, ends: datetime) -> tuple[datetime, datetime]:
    now = timezone.now()
    for name, value in (("starts", starts), ("ends", ends)):
        if not isinstance(value, datetime):
            raise ImbizoError("invalid_time", _("Give a date and a time."), field=name)
    starts = starts if timezone.is_aware(starts) else timezone.make_aware(starts)
    ends = ends if timezone.is_aware(ends) else timezone.make_aware(ends)
    if starts <= now:
        raise ImbizoError("meeting_in_past", _("A meeting must start in the future."),
                          field="starts")
    if starts > now + FURTHEST:
        raise ImbizoError("meeting_too_far", _("Announce a meeting at most a year ahead."),
                          field="starts")
    if ends <= starts:
        raise ImbizoError("meeting_ends_first", _("The meeting must end after it starts."),
                          field="ends")
    if ends - starts > LONGEST:
        raise ImbizoError("meeting_too_long", _("A meeting lasts at most 12 hours."),
                          field="ends")
    return starts, ends


def _wards(municipality: Municipality, numbers: Iterable) -> list[Ward]:
    try:
        wanted = sorted({int(str(n).strip()) for n in numbers or () if str(n).strip()})
    except ValueError:
        raise ImbizoError("unknown_ward", _("Give ward numbers, like 3 or 3, 4."),
                          field="wards") from None
    found = list(Ward.objects.filter(municipality=municipality, number__in=wanted)
                 .defer("boundary").order_by("number"))
    missing = sorted(set(wanted) - {w.number for w in found})
    if missing:
        raise ImbizoError("unknown_ward", _("%(municipality)s has no ward %(numbers)s.") % {
            "municipality": municipality.name, "numbers": ", ".join(map(str, missing))},
            field="wards")
    return found


def _point(municipality: Municipality, latitude, longitude) -> tuple[float | None, float | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ImbizoError("invalid_point", _("Give both the latitude and the longitude, or "
                                             "neither."), field="latitude") from None
    place = ward_index.locate(lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None
    if place is None or place.municipality["code"] != municipality.code:
        raise ImbizoError("point_outside", _("That point is not in %(municipality)s.")
                          % {"municipality": municipality.name}, field="latitude")
    return lat, lon


@transaction.atomic
def meeting_announce(*, actor: Actor, municipality: Municipality, title: str, venue: str,
                     starts: datetime, ends: datetime, agenda: str = "",
                     wards: Iterable = (), zone=None, latitude=None,
                     longitude=None) -> Meeting:
    """Announce a meeting to the residents of ``wards`` (numbers), of the wards ``zone``
    touches, or, with neither, of the whole municipality. Each bad value is refused with
    its field."""
    require(actor, MANAGE, municipality.pk)
    title = _text(title, "title", TITLE_MAX)
    venue = _text(venue, "venue", VENUE_MAX)
    agenda = _text(agenda, "agenda", AGENDA_MAX, required=False)
    starts, ends = _times(starts, ends)
    targets = _wards(municipality, wards)
    zone = zone_parse(zone)
    if zone is not None:
        targets = sorted({w.pk: w for w in [*targets, *zone_wards(zone, municipality)]}
                         .values(), key=lambda w: w.number)
    if not may_organise(actor, municipality.pk, [w.pk for w in targets] if targets else None):
        raise PermissionDenied(_("You may announce meetings only for your own ward(s)."),
                               field="wards")
    latitude, longitude = _point(municipality, latitude, longitude)
    meeting = Meeting.objects.create(
        municipality=municipality, title=title, venue=venue, agenda=agenda, starts=starts,
        ends=ends, whole_municipality=not targets, zone=zone, latitude=latitude,
        longitude=longitude, organiser=actor.user if actor.kind == "staff" else None)
    MeetingWard.objects.bulk_create([MeetingWard(meeting=meeting, ward=w) for w in targets])
    notice = MeetingNotice.objects.create(meeting=meeting, kind=MeetingNotice.Kind.ANNOUNCE)
    emit("meeting_announced", municipality_id=municipality.pk, meeting_id=meeting.pk,
         notice_id=notice.pk, starts=starts)
    _audit(actor, "community.meeting_announce", meeting, municipality, title=title,
           wards=[w.number for w in targets], whole_municipality=not targets,
           zone=zone is not None, starts=starts, ends=ends)
    return meeting


def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a meeting that is not over; those who said yes or maybe are told (with the
    reason). Cancelling twice is refused."""
    require(actor, MANAGE, meeting.municipality_id)
    if not may_organise_meeting(actor, meeting):
        raise PermissionDenied(_("You may cancel meetings only of your own ward(s)."))
    reason = _text(reason, "reason", REASON_MAX, required=False)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("municipality") \
            .defer("municipality__boundary").get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CANCELLED:
            raise ImbizoError("meeting_cancelled", _("This meeting is already cancelled."),
                              status=409)
        if meeting.ends <= timezone.now():
            raise ImbizoError("meeting_over", _("This meeting is over."), status=409)
        meeting.status, meeting.cancelled = Meeting.Status.CANCELLED, timezone.now()
        meeting.cancel_reason = reason
        meeting.save(update_fields=["status", "cancelled", "cancel_reason", "updated"])
        notice = MeetingNotice.objects.create(meeting=meeting, kind=MeetingNotice.Kind.CANCEL)
        emit("meeting_cancelled", municipality_id=meeting.municipality_id,
             meeting_id=meeting.pk, notice_id=notice.pk)
        _audit(actor, "community.meeting_cancel", meeting, meeting.municipality,
               reason=bool(reason))
    return meeting
