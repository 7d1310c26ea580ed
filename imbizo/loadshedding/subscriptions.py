"""Residents follow load-shedding areas: ``loadshedding_subscribe`` and
``loadshedding_unsubscribe``, the one way every channel (the API, the site, the
conversations) starts and stops alerts.

Following an area is the resident's consent to its alerts: they go under the
``broadcasts`` purpose ("News, outages and alerts for my area", accounts' Consent), which
subscribing gives if it was not given, as joining a news group does; withdrawing it on the
profile stops every alert. A new follower announces ``loadshedding_subscribed``: the first
of an area starts its chain of slot alerts (notifications/loadshedding.py).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen, Consent
from imbizo.accounts.services import consent_give
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor

from .models import Area, Subscription

SUBSCRIBED_EVENT = "loadshedding_subscribed"
MAX_AREAS = 5  # areas one resident follows: home, work, a parent's, ...


def _own(actor: Actor, citizen: Citizen) -> Citizen:
    """Only the resident themself (signed in, or on their own phone) follows an area."""
    if actor.kind != "citizen" or actor.citizen is None or actor.citizen.pk != citizen.pk:
        raise PermissionDenied(_("Only residents follow areas, for themselves."))
    return citizen


def _area(key: str) -> Area:
    area = Area.objects.filter(key=str(key)[:120]).first()
    if area is None:
        raise NotFound("unknown_area", _("There is no load-shedding area %(key)s.")
                       % {"key": repr(str(key)[:120])})
    return area


def _audit(actor: Actor, action: str, area: Area, citizen: Citizen) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=area,
                 changes={"citizen": str(citizen.uuid), "area": area.key})


@transaction.atomic
def loadshedding_subscribe(*, actor: Actor, citizen: Citizen, key: str) -> Subscription:
    """The resident follows the area ``key`` (again: nothing changes). Refused for an
    area without a schedule, and beyond ``MAX_AREAS`` areas."""
    citizen = _own(actor, citizen)
    area = _area(key)
    if not area.has_schedule:
        raise ImbizoError("area_without_schedule",
                          _("%(area)s has no load-shedding schedule on record, so there is "
                            "nothing to alert you about.") % {"area": area.name},
                          status=422, field="area")
    # The resident's row, locked: two requests at once count their areas one after the other.
    Citizen.objects.select_for_update().filter(pk=citizen.pk).values_list("pk").first()
    found = Subscription.objects.filter(citizen=citizen, area=area).first()
    if found is not None:
        return found
    if Subscription.objects.filter(citizen=citizen).count() >= MAX_AREAS:
        raise ImbizoError("too_many_areas",
                          _("You follow %(max)d areas already, the most we alert about. "
                            "Stop the alerts of one first.") % {"max": MAX_AREAS},
                          status=409, field="area")
    subscription = Subscription.objects.create(citizen=citizen, area=area,
                                               created=timezone.now())
    consent_give(actor=actor, citizen=citizen, purpose=Consent.Purpose.BROADCASTS)
    emit(SUBSCRIBED_EVENT, area_id=area.pk, municipality_id=area.municipality_id)
    _audit(actor, "loadshedding.subscribe", area, citizen)
    return subscription


@transaction.atomic
def loadshedding_unsubscribe(*, actor: Actor, citizen: Citizen, key: str) -> bool:
    """The resident stops following ``key``; whether they followed it. The consent
    stays (it covers news too): the area's chain stops by itself once nobody follows."""
    citizen = _own(actor, citizen)
    area = _area(key)
    removed, _by_model = Subscription.objects.filter(citizen=citizen, area=area).delete()
    if removed:
        _audit(actor, "loadshedding.unsubscribe", area, citizen)
    return bool(removed)
