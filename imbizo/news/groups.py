"""Interest groups: staff create them; residents join and leave them; and what residents
read (the "read" figure).

Joining a group is a resident's consent to be sent its news: the membership records when
and on which channel, and joining also gives the ``broadcasts`` consent (accounts'
Consent: "News, outages and alerts for my area") if the resident had not given it, since
every broadcast is sent under that purpose; the join button says so. Leaving a group ends
the membership (kept, with when) and withdraws nothing else: the resident stops all
broadcasts by withdrawing that consent on their profile.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Consent
from imbizo.accounts.services import consent_give
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .models import GroupMembership, InterestGroup, NewsItem, NewsRead


def _resident(actor: Actor):
    if actor.kind != "citizen" or actor.citizen is None:
        raise PermissionDenied(_("Only a resident joins or leaves a group, for themself."))
    return actor.citizen


@transaction.atomic
def interest_group_create(*, actor: Actor, municipality: Municipality, name: str,
                          description: str = "") -> InterestGroup:
    require(actor, "news.publish", municipality.pk)
    name, description = " ".join(str(name or "").split()), str(description or "").strip()
    if not name:
        raise ImbizoError("required", _("Name the group."), field="name")
    if len(name) > 80 or len(description) > 300:
        field = "name" if len(name) > 80 else "description"
        raise ImbizoError("too_long", _("At most %(max)s characters.")
                          % {"max": 80 if field == "name" else 300}, field=field)
    if InterestGroup.objects.filter(municipality=municipality, name__iexact=name).exists():
        raise ImbizoError("group_exists", _("The municipality has a group of that name."),
                          field="name", status=409)
    group = InterestGroup.objects.create(municipality=municipality, name=name,
                                         description=description)
    audit_record(actor=actor.label, channel=actor.channel, action="news.group_create",
                 obj=group, municipality_code=municipality.code, changes={"name": name})
    return group


def _active(group: InterestGroup) -> InterestGroup:
    found = InterestGroup.objects.select_related("municipality").defer(
        "municipality__boundary").filter(pk=group.pk, active=True).first()
    if found is None:
        raise ImbizoError("group_closed", _("This group is closed."), status=409)
    return found


@transaction.atomic
def interest_group_join(*, actor: Actor, group: InterestGroup) -> GroupMembership:
    """The resident joins (again: nothing changes) and agrees to news messages."""
    citizen = _resident(actor)
    group = _active(group)
    membership = GroupMembership.objects.filter(group=group, citizen=citizen,
                                                left__isnull=True).first()
    if membership is not None:
        return membership
    membership = GroupMembership.objects.create(group=group, citizen=citizen,
                                                channel=actor.channel, joined=timezone.now())
    consent_give(actor=actor, citizen=citizen, purpose=Consent.Purpose.BROADCASTS)
    audit_record(actor=actor.label, channel=actor.channel, action="news.group_join",
                 obj=group, municipality_code=group.municipality.code)
    return membership


@transaction.atomic
def interest_group_leave(*, actor: Actor, group: InterestGroup) -> bool:
    """Whether the resident was in the group."""
    citizen = _resident(actor)
    left = GroupMembership.objects.filter(group=group, citizen=citizen, left__isnull=True) \
        .update(left=timezone.now())
    if left:
        audit_record(actor=actor.label, channel=actor.channel, action="news.group_leave",
                     obj=group, municipality_code=group.municipality.code)
    return bool(left)


def news_read_record(*, actor: Actor, item: NewsItem) -> None:
    """A resident opened a published item: counted once per resident, one statement.
    Anyone else reading is not counted (the site does not follow anonymous readers)."""
    if actor.kind != "citizen" or actor.citizen is None or not item.is_published:
        return
    NewsRead.objects.bulk_create([NewsRead(news=item, citizen=actor.citizen,
                                           channel=actor.channel, read=timezone.now())],
                                 ignore_conflicts=True)
