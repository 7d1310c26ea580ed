"""Duplicates: offering open cases nearby before a new one is logged ("me too"), and
merging duplicates that slipped through, with their subscribers."""

import math

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, scope

from .models import OPEN_STATUSES, Case, Category, Status, Subscription
from .representation import case_event_data
from .transitions import TRANSITIONS, case_locked, case_move, may_work

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def duplicate_candidates(*, actor: Actor, category: Category, latitude: float,
                         longitude: float, limit: int = 5) -> list[tuple[Case, float]]:
    """Open cases of the same category within its radius, nearest first, with metres:
    of those the caller may see. Staff and keys see the cases they may view; a resident
    or anyone else, only what the public register shows (public cases of a public
    category). Show only reference, status, distance and count: no personal data."""
    radius = category.duplicate_radius_m
    public_only = actor.kind not in ("staff", "integrator", "system")
    if not radius or (public_only and not category.public):
        return []
    dlat = radius / 111_320
    dlon = radius / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    nearby = Case.objects.filter(
        category=category, status__in=OPEN_STATUSES, merged_into__isnull=True,
        latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlon, longitude + dlon),
    ).only("pk", "reference", "status", "latitude", "longitude", "affected_count", "created")
    if public_only:
        nearby = nearby.filter(public=True)
    elif actor.kind != "system":
        nearby = scope(actor, nearby, "case.view", ward_field="ward",
                       department_field="department")
    found = [(case, distance_m(latitude, longitude, case.latitude, case.longitude))
             for case in nearby[:200]]
    found = [pair for pair in found if pair[1] <= radius]
    return sorted(found, key=lambda pair: pair[1])[:limit]


@transaction.atomic
def case_join(*, actor: Actor, case: Case, citizen: Citizen | None = None) -> Case:
    """"Me too": the resident follows an existing case instead of logging a new one."""
    citizen = citizen or (actor.citizen if actor.kind == "citizen" else None)
    if citizen is None:
        raise ImbizoError("citizen_required", _("Only a resident can join a case."))
    if actor.kind != "citizen" and not may_work(actor, case, "case.log"):
        raise PermissionDenied()
    case = case_locked(case, None)
    if not case.is_open:
        raise ImbizoError("case_not_open", _("%(ref)s is already %(status)s.")
                          % {"ref": case.reference, "status": Status(case.status).label},
                          status=409)
    _subscription, created = Subscription.objects.get_or_create(case=case, citizen=citizen)
    if created:
        Case.objects.filter(pk=case.pk).update(affected_count=F("affected_count") + 1)
        case.refresh_from_db(fields=["affected_count"])
        audit_record(actor=actor.label, channel=actor.channel, action="case.join", obj=case,
                     municipality_code=case.municipality.code,
                     changes={"affected_count": case.affected_count})
    return case


@transaction.atomic
def case_merge(*, actor: Actor, duplicate: Case, into: Case) -> Case:
    """Close ``duplicate`` as a duplicate of ``into``; its followers follow ``into``."""
    duplicate, into = case_locked(duplicate, None), case_locked(into, None)
    if not (may_work(actor, duplicate, "case.assign") or may_work(actor, duplicate)):
        raise PermissionDenied()
    if duplicate.pk == into.pk or duplicate.municipality_id != into.municipality_id:
        raise ImbizoError("invalid_merge",
                          _("Merge two different cases of the same municipality."))
    if not into.is_open:
        raise ImbizoError("case_not_open", _("%(ref)s is no longer open.")
                          % {"ref": into.reference}, status=409)
    followers = set(Subscription.objects.filter(case=into).values_list("citizen_id", flat=True))
    # The duplicate's reporter follows the surviving case even without a subscription.
    theirs = set(Subscription.objects.filter(case=duplicate).values_list("citizen_id", flat=True))
    moving = sorted((theirs | {duplicate.reporter_id}) - followers - {None})
    Subscription.objects.bulk_create([Subscription(case=into, citizen_id=c) for c in moving])
    into.affected_count += duplicate.affected_count
    into.version += 1
    into.save(update_fields=["affected_count", "version", "updated"])
    duplicate.merged_into, duplicate.rejection_reason = into, "duplicate"
    # A new duplicate is rejected; one already being worked on is cancelled.
    ending = Status.REJECTED if Status.REJECTED in TRANSITIONS.get(duplicate.status, ()) \
        else Status.CANCELLED
    case_move(actor, duplicate, ending, text=_("Duplicate of %(ref)s.") % {"ref": into.reference},
          fields=("merged_into", "rejection_reason"))
    audit_record(actor=actor.label, channel=actor.channel, action="case.merge", obj=into,
                 municipality_code=into.municipality.code,
                 changes={"merged": duplicate.reference, "followers_moved": len(moving)})
    emit("case_merged", municipality_id=into.municipality_id, case_id=into.pk,
         merged_id=duplicate.pk, data=case_event_data(into))
    return into

