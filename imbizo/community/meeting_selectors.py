"""Reads of meetings: the public list of those coming up (no one's name or answer in
it), one meeting's page, the organiser's numbers and the console's list."""

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.core.errors import NotFound, PermissionDenied
from imbizo.core.permissions import Actor, scope
from imbizo.geo.models import Municipality, Ward

from .meeting_models import Meeting, MeetingWard, Rsvp
from .meetings import MANAGE, may_organise_meeting, ward_grants

LISTED = 50


def _with_wards(queryset: QuerySet) -> QuerySet:
    wards = Ward.objects.defer("boundary").only("pk", "number", "municipality_id")
    return queryset.select_related("municipality").defer("municipality__boundary") \
        .prefetch_related(Prefetch("wards", queryset=wards.order_by("number"),
                                   to_attr="ward_list"))


def for_ward(queryset: QuerySet, ward_id: int) -> QuerySet:
    """Meetings of the whole municipality and those reaching the ward."""
    reaching = MeetingWard.objects.filter(ward_id=ward_id).values("meeting_id")
    return queryset.filter(Q(whole_municipality=True) | Q(pk__in=reaching))


def meetings_upcoming(*, municipality: Municipality, ward_id: int | None = None,
                      limit: int = LISTED) -> list[Meeting]:
    """Announced meetings not over yet, soonest first (with ``ward_id``, those of the whole
    municipality and those reaching the ward): two queries."""
    found = Meeting.objects.filter(municipality=municipality, status=Meeting.Status.ANNOUNCED,
                                   ends__gt=timezone.now())
    if ward_id is not None:
        found = for_ward(found, ward_id)
    return list(_with_wards(found).order_by("starts", "pk")[:limit])


def meeting_when(meeting: Meeting) -> str:
    """``14/07/2026 18:00-20:00`` in South African time: digits, read in every language,
    for messages and conversations."""
    starts, ends = timezone.localtime(meeting.starts), timezone.localtime(meeting.ends)
    if starts.date() == ends.date():
        return f"{starts:%d/%m/%Y %H:%M}-{ends:%H:%M}"
    return f"{starts:%d/%m/%Y %H:%M} - {ends:%d/%m/%Y %H:%M}"


def _key(key) -> UUID:
    try:
        return key if isinstance(key, UUID) else UUID(str(key))
    except ValueError:
        raise NotFound("meeting_not_found", _("No such meeting.")) from None


def meeting_public(key) -> Meeting:
    """A meeting by its uuid, as anyone may see it (cancelled ones say so)."""
    meeting = _with_wards(Meeting.objects.filter(uuid=_key(key))).first()
    if meeting is None:
        raise NotFound("meeting_not_found", _("No such meeting."))
    return meeting


def rsvp_answer(*, citizen, meeting: Meeting) -> str | None:
    if citizen is None:
        return None
    return Rsvp.objects.filter(meeting=meeting, citizen=citizen).values_list(
        "answer", flat=True).first()


def meeting_list_staff(*, actor: Actor) -> QuerySet[Meeting]:
    """The meetings the actor may organise: their municipalities', and for a councillor
    those reaching their ward(s)."""
    if actor.is_global(MANAGE):
        return _with_wards(Meeting.objects.all())
    found = scope(actor, Meeting.objects.all(), MANAGE)  # memberships of whole municipalities
    for grant in ward_grants(actor):
        found = found | for_ward(Meeting.objects.filter(
            municipality_id=grant.municipality_id, whole_municipality=False), grant.ward_id)
    return _with_wards(found.distinct())


def access_meeting(*, actor: Actor, key) -> Meeting:
    """A meeting the actor may organise; any other is as unknown (404)."""
    meeting = _with_wards(Meeting.objects.filter(uuid=_key(key))).first()
    if meeting is None or not may_organise_meeting(actor, meeting):
        raise NotFound("meeting_not_found", _("No such meeting."))
    return meeting


@dataclass
class Numbers:
    """The answers to a meeting: in all, and by the channel each was last given on."""

    yes: int = 0
    no: int = 0
    maybe: int = 0
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.yes + self.no + self.maybe


def meeting_numbers(*, actor: Actor, meeting: Meeting) -> Numbers:
    """For its organisers only: one query."""
    if not may_organise_meeting(actor, meeting):
        raise PermissionDenied(_("Only the meeting's organisers see its numbers."))
    numbers = Numbers()
    rows = Rsvp.objects.filter(meeting=meeting).order_by().values("answer", "channel") \
        .annotate(n=Count("pk"))
    for row in rows:
        answer, channel, n = row["answer"], row["channel"], row["n"]
        setattr(numbers, answer, getattr(numbers, answer) + n)
        counts = numbers.by_channel.setdefault(channel, {a: 0 for a in Rsvp.Answer.values})
        counts[answer] += n
    numbers.by_channel = dict(sorted(numbers.by_channel.items()))
    return numbers
