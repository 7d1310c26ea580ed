"""Reads of residents and staff structure, scoped to the actor."""

from django.db.models import QuerySet

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor, scope

from .models import Citizen, Department, Membership


def citizen_list(*, actor: Actor) -> QuerySet[Citizen]:
    """Residents whose personal data the actor may see (never an analyst's)."""
    qs = Citizen.objects.filter(erased__isnull=True).select_related("municipality", "ward")
    return scope(actor, qs, "citizen.view", ward_field="ward")


def access_citizen(actor: Actor, uuid) -> Citizen:
    citizen = citizen_list(actor=actor).filter(uuid=uuid).first()
    if citizen is None:
        raise NotFound("citizen_not_found", "No such resident.")
    return citizen


def department_list(*, actor: Actor) -> QuerySet[Department]:
    """Departments of every municipality the actor works in (names only; not personal)."""
    qs = Department.objects.select_related("municipality")
    if actor.is_global("case.view"):
        return qs
    return qs.filter(municipality_id__in=actor.municipality_ids("case.view"))


def membership_list(*, actor: Actor) -> QuerySet[Membership]:
    return scope(actor, Membership.objects.select_related("user", "municipality"),
                 "membership.manage")

