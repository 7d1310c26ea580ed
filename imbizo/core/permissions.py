"""The one permission layer: who may do what, in which municipality.

It sits in ``core`` so that every app, geography and the audit log included, checks
permissions the same way without importing ``accounts``, which holds the memberships
(``accounts.permissions.staff_actor`` loads them into an ``Actor``).

Every selector scopes its queryset with ``scope()`` and every service checks with
``require()``. Roles grant permissions; memberships say where (a municipality,
narrowed to a department or ward for some roles). Platform administrators hold
their permissions everywhere. Analysts hold only ``analytics.view``: aggregates,
never a resident's personal data.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from imbizo.core.errors import PermissionDenied


class Role(models.TextChoices):
    AGENT = "agent", _("Call-centre agent")
    OFFICER = "officer", _("Department officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    CONTRACTOR = "contractor", _("Contractor")
    COUNCILLOR = "councillor", _("Ward councillor")
    AID_WORKER = "aid_worker", _("Aid-agency worker")
    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal administrator")
    ANALYST = "analyst", _("Analyst")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# billing.view: read utility accounts (the call centre answers questions about bills);
# billing.import: load them from the billing system. Until a role of its own exists for
# the billing system's key, it holds the manager role. billing.manage: revenue staff decide
# payment arrangements outside the policy and review flagged meter readings (managers).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AGENT: frozenset({"citizen.view", "citizen.change", "case.view", "case.log",
                           "billing.view"}),
    Role.OFFICER: frozenset({"citizen.view", "case.view", "case.log", "case.work"}),
    Role.SUPERVISOR: frozenset({"citizen.view", "case.view", "case.log", "case.work",
                                "case.assign"}),
    Role.MANAGER: frozenset({"citizen.view", "case.view", "case.log", "case.work", "case.assign",
                             "analytics.view", "audit.view", "billing.view", "billing.import",
                             "billing.manage"}),
    Role.CONTRACTOR: frozenset({"workorder.work"}),
    Role.COUNCILLOR: frozenset({"citizen.view", "case.view"}),
    Role.AID_WORKER: frozenset({"aid.record"}),
    Role.MUNICIPAL_ADMIN: frozenset({"citizen.view", "citizen.change", "citizen.erase",
                                     "case.view", "department.manage", "membership.manage",
                                     "geo.view", "audit.view", "analytics.view",
                                     "apikey.manage", "webhook.manage", "billing.view",
                                     "billing.import"}),
    Role.ANALYST: frozenset({"analytics.view"}),
    Role.PLATFORM_ADMIN: frozenset({"citizen.view", "citizen.change", "citizen.erase",
                                    "case.view", "department.manage", "membership.manage",
                                    "geo.view", "geo.manage", "audit.view", "analytics.view",
                                    "apikey.manage", "webhook.manage", "billing.view",
                                    "billing.import", "billing.manage"}),
}

# The community (docs/representatives.md ... docs/community.md): representatives.manage,
# facilities.manage and loadshedding.manage keep the published lists and the stage in force
# (administrators); matters.answer: a councillor answers the matters raised in their own
# wards, matters.view lets managers see and refer them; news.publish: compose news and
# broadcasts (agents broadcast for the call centre); community.manage: meetings and the
# directory.
_COMMUNITY: dict[str, frozenset[str]] = {
    Role.AGENT: frozenset({"news.publish"}),
    Role.MANAGER: frozenset({"matters.view", "news.publish", "community.manage"}),
    Role.COUNCILLOR: frozenset({"matters.view", "matters.answer", "community.manage"}),
    Role.MUNICIPAL_ADMIN: frozenset({"representatives.manage", "facilities.manage",
                                     "loadshedding.manage", "matters.view", "news.publish",
                                     "community.manage"}),
    Role.PLATFORM_ADMIN: frozenset({"representatives.manage", "facilities.manage",
                                    "loadshedding.manage", "matters.view", "news.publish",
                                    "community.manage"}),
}
ROLE_PERMISSIONS = {role: perms | _COMMUNITY.get(role, frozenset())
                    for role, perms in ROLE_PERMISSIONS.items()}
GLOBAL_ROLES = {Role.PLATFORM_ADMIN}


@dataclass
class Actor:
    """Who is acting, and through which channel; passed to every service and selector."""

    kind: str  # "staff", "citizen", "integrator" (an API key), "system", "anonymous"
    channel: str = "system"
    user: object | None = None
    citizen: object | None = None
    api_key: object | None = None
    grants: list = field(default_factory=list)  # accounts.Membership rows, or unsaved ones

    @property
    def label(self) -> str:
        if self.kind == "staff":
            return f"user:{self.user.pk}"
        if self.kind == "citizen":
            return f"citizen:{self.citizen.uuid}"
        if self.kind == "integrator":
            return f"apikey:{self.api_key.prefix}"
        return "anonymous" if self.kind == "anonymous" else "system"

    @cached_property
    def _by_permission(self) -> dict[str, list]:
        table: dict[str, list] = {}
        for m in self.grants:
            for perm in ROLE_PERMISSIONS.get(m.role, ()):
                table.setdefault(perm, []).append(m)
        return table

    def is_global(self, permission: str) -> bool:
        if self.kind == "system":
            return True
        return any(m.role in GLOBAL_ROLES for m in self._by_permission.get(permission, ()))

    def municipality_ids(self, permission: str) -> set[int]:
        return {m.municipality_id for m in self._by_permission.get(permission, ())
                if m.municipality_id}

    def municipality_codes(self, permission: str) -> set[str]:
        """For records that name their municipality by code (the audit log)."""
        return {m.municipality.code for m in self._by_permission.get(permission, ())
                if m.municipality_id}

    def has(self, permission: str, municipality_id: int | None = None) -> bool:
        if self.is_global(permission):
            return True
        if municipality_id is None:
            return bool(self._by_permission.get(permission))
        return municipality_id in self.municipality_ids(permission)


def system_actor(channel: str = "system") -> Actor:
    return Actor(kind="system", channel=channel)


def scope(actor: Actor, queryset: QuerySet, permission: str, *,
          municipality_field: str = "municipality", ward_field: str | None = None,
          department_field: str | None = None) -> QuerySet:
    """Narrow a queryset to the rows the actor may see under ``permission``.

    A membership narrowed to a ward or department only opens rows of that ward or
    department when the caller names the field that holds it; otherwise the
    membership opens nothing (least privilege).
    """
    if actor.is_global(permission):
        return queryset
    condition = Q(pk__in=[])
    for m in actor._by_permission.get(permission, ()):
        if not m.municipality_id:
            continue
        clause = Q(**{f"{municipality_field}_id": m.municipality_id})
        if m.ward_id:
            if not ward_field:
                continue
            clause &= Q(**{f"{ward_field}_id": m.ward_id})
        if m.department_id:
            if not department_field:
                continue
            clause &= Q(**{f"{department_field}_id": m.department_id})
        condition |= clause
    return queryset.filter(condition)


def allows(actor: Actor, permission: str, *, municipality_id: int, department_id: int | None = None,
           ward_id: int | None = None) -> bool:
    """The check ``scope`` makes, for one record already in hand (no query)."""
    if actor.is_global(permission):
        return True
    return any(
        m.municipality_id == municipality_id
        and (not m.department_id or m.department_id == department_id)
        and (not m.ward_id or m.ward_id == ward_id)
        for m in actor._by_permission.get(permission, ())
    )


def require(actor: Actor, permission: str, municipality_id: int | None = None) -> None:
    if not actor.has(permission, municipality_id):
        raise PermissionDenied()
