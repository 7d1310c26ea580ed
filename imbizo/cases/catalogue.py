"""Writes to a municipality's case configuration: the category tree, teams, routing rules
and escalation ladders (municipal administrators). Every part a record points at must be
of the record's own municipality; a record never moves to another municipality."""

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from imbizo.accounts.models import Department, Membership
from imbizo.audit.services import audit_record
from imbizo.core.changes import fields_assign, row_locked
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import GLOBAL_ROLES, ROLE_PERMISSIONS, Actor, require
from imbizo.geo.models import Municipality, Ward

from .models import Category, EscalationStep, RoutingRule, Team
from .standard import STANDARD_CATEGORIES

CATEGORY_FIELDS = ("name", "description", "keywords", "department", "parent", "priority",
                   "ack_hours", "resolve_hours", "calendar", "fields", "photo_required",
                   "location_required", "duplicate_radius_m", "public", "active")
ROUTING_RULE_FIELDS = ("category", "ward", "after_hours_only", "department", "team",
                       "assignee", "active")
ESCALATION_STEP_FIELDS = ("department", "level", "role", "department_only", "after_hours")
# A breach is escalated to people who work cases in the municipality.
ESCALATION_ROLES = frozenset(role for role, permissions in ROLE_PERMISSIONS.items()
                             if "case.view" in permissions and role not in GLOBAL_ROLES)




def _same_municipality(municipality_id: int, **parts) -> None:
    """Each part named (a department, category, ward, team) is of the record's municipality."""
    for field, part in parts.items():
        if part is not None and part.municipality_id != municipality_id:
            raise ImbizoError("outside_municipality",
                              _("%(part)s is in another municipality.") % {"part": part},
                              field=field)


def _staff_of(municipality_id: int, users, field: str) -> None:
    """Each user holds an active role in the municipality (an assignee, a team member)."""
    users = list(users)
    inside = set(Membership.objects.filter(user__in=users, municipality_id=municipality_id,
                                           active=True).values_list("user_id", flat=True))
    for user in users:
        if user.pk not in inside:
            raise ImbizoError("not_staff_here", _("%(user)s holds no role in this municipality.")
                              % {"user": user}, field=field)


def _category_check(category: Category) -> None:
    _same_municipality(category.municipality_id, department=category.department,
                       parent=category.parent)
    ancestor = category.parent
    while ancestor is not None:
        if ancestor.pk == category.pk:
            raise ImbizoError("category_cycle", _("A category cannot sit under itself."),
                              field="parent")
        ancestor = ancestor.parent


@transaction.atomic
def category_create(*, actor: Actor, municipality: Municipality, code: str, name: str,
                    department: Department | None = None, parent: Category | None = None,
                    **attributes) -> Category:
    require(actor, "department.manage", municipality.pk)
    category = Category(municipality=municipality, code=code, name=name, department=department,
                        parent=parent, **attributes)
    _category_check(category)
    category.full_clean()
    category.save()
    audit_record(actor=actor.label, channel=actor.channel, action="category.create",
                 obj=category, municipality_code=municipality.code,
                 changes={"code": code, "department": getattr(department, "code", None)})
    return category


@transaction.atomic
def category_update(*, actor: Actor, category: Category, **changes: Any) -> Category:
    """Change what a category asks, where it goes and its service levels. Its code (the
    Open311 service_code integrators know it by) and its municipality stay."""
    require(actor, "department.manage", category.municipality_id)
    category = row_locked(Category, category.pk)
    moved = fields_assign(category, changes, CATEGORY_FIELDS)
    if not moved:
        return category
    _category_check(category)
    category.full_clean()
    category.save(update_fields=[*moved, "updated"])
    audit_record(actor=actor.label, channel=actor.channel, action="category.update",
                 obj=category, municipality_code=category.municipality.code,
                 changes={"fields": sorted(moved)})
    return category


@transaction.atomic
def categories_install_standard(*, actor: Actor, municipality: Municipality,
                                groups: Collection[str] | None = None) -> int:
    """Give a municipality the standard category tree (or only the named ``groups``),
    mapped onto its departments by code; categories it already has are left alone, and an
    optional group (bill queries) whose department the municipality lacks is left out.
    Returns how many were added."""
    require(actor, "department.manage", municipality.pk)
    departments = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    existing = set(Category.objects.filter(municipality=municipality)
                   .values_list("code", flat=True))
    added = 0
    for group in STANDARD_CATEGORIES:
        if (groups is not None and group["code"] not in groups) or \
                (group.get("optional") and group["department"] not in departments):
            continue
        parent = Category.objects.filter(municipality=municipality, code=group["code"]).first()
        if parent is None:
            parent = category_create(actor=actor, municipality=municipality, code=group["code"],
                                     name=group["name"])
            added += 1
        department = departments.get(group["department"])
        if department is None:
            raise ImbizoError("missing_department",
                              f"{municipality.code} has no department {group['department']!r}.")
        for item in group["children"]:
            if item["code"] in existing:
                continue
            attributes = {k: (Decimal(str(v)) if k.endswith("_hours") else v)
                          for k, v in item.items() if k not in ("code", "name")}
            category_create(actor=actor, municipality=municipality, code=item["code"],
                            name=item["name"], department=department, parent=parent,
                            **attributes)
            added += 1
    return added


def _team_check(team: Team, members) -> None:
    _same_municipality(team.municipality_id, department=team.department)
    _staff_of(team.municipality_id, members, "members")


@transaction.atomic
def team_create(*, actor: Actor, department: Department, name: str,
                members: Sequence = ()) -> Team:
    """A team of a department; its members must hold a role in the municipality."""
    require(actor, "department.manage", department.municipality_id)
    team = Team(municipality_id=department.municipality_id, department=department, name=name)
    _team_check(team, members)
    team.full_clean()
    team.save()
    team.members.set(members)
    audit_record(actor=actor.label, channel=actor.channel, action="team.create", obj=team,
                 municipality_code=department.municipality.code,
                 changes={"name": name, "members": len(members)})
    return team


@transaction.atomic
def team_update(*, actor: Actor, team: Team, name: str | None = None,
                department: Department | None = None,
                members: Sequence | None = None) -> Team:
    """Rename a team, move it to another department of its municipality, or set its
    members (the whole list)."""
    require(actor, "department.manage", team.municipality_id)
    team = row_locked(Team, team.pk)
    changes = {k: v for k, v in (("name", name), ("department", department)) if v is not None}
    moved = fields_assign(team, changes, ("name", "department"))
    if members is not None and {u.pk for u in members} != set(
            team.members.values_list("pk", flat=True)):
        moved.append("members")
    if not moved:
        return team
    _team_check(team, members or ())
    if "department" in moved and RoutingRule.objects.filter(team=team).exists():
        raise ImbizoError("team_in_use", _("Routing rules send cases to this team in its "
                                           "department: change them first."),
                          field="department")
    team.full_clean()
    team.save(update_fields=[*(f for f in moved if f != "members"), "updated"])
    if members is not None:
        team.members.set(members)
    audit_record(actor=actor.label, channel=actor.channel, action="team.update", obj=team,
                 municipality_code=team.municipality.code, changes={"fields": sorted(moved)})
    return team


def _routing_rule_check(rule: RoutingRule) -> None:
    _same_municipality(rule.municipality_id, department=rule.department,
                       category=rule.category, ward=rule.ward, team=rule.team)
    if rule.team is not None and rule.team.department_id != rule.department_id:
        raise ImbizoError("team_not_in_department",
                          _("Team %(team)s is not in %(department)s.")
                          % {"team": rule.team, "department": rule.department}, field="team")
    if rule.assignee is not None:
        _staff_of(rule.municipality_id, [rule.assignee], "assignee")


@transaction.atomic
def routing_rule_create(*, actor: Actor, municipality: Municipality, department: Department,
                        category: Category | None = None, ward: Ward | None = None,
                        team: Team | None = None, assignee=None,
                        after_hours_only: bool = False) -> RoutingRule:
    require(actor, "department.manage", municipality.pk)
    rule = RoutingRule(municipality=municipality, department=department, category=category,
                       ward=ward, team=team, assignee=assignee, after_hours_only=after_hours_only)
    _routing_rule_check(rule)
    rule.full_clean()
    rule.save()
    audit_record(actor=actor.label, channel=actor.channel, action="routing_rule.create",
                 obj=rule, municipality_code=municipality.code,
                 changes={"department": department.code,
                          "category": getattr(category, "code", None),
                          "ward": getattr(ward, "code", None), "after_hours": after_hours_only})
    return rule


@transaction.atomic
def routing_rule_update(*, actor: Actor, rule: RoutingRule, **changes: Any) -> RoutingRule:
    """Change what a rule matches or where it sends cases; its municipality stays."""
    require(actor, "department.manage", rule.municipality_id)
    rule = row_locked(RoutingRule, rule.pk)
    moved = fields_assign(rule, changes, ROUTING_RULE_FIELDS)
    if not moved:
        return rule
    _routing_rule_check(rule)
    rule.full_clean()
    rule.save(update_fields=[*moved, "updated"])
    audit_record(actor=actor.label, channel=actor.channel, action="routing_rule.update",
                 obj=rule, municipality_code=rule.municipality.code,
                 changes={"fields": sorted(moved)})
    return rule


def _escalation_step_check(step: EscalationStep) -> None:
    _same_municipality(step.municipality_id, department=step.department)
    if step.role not in ESCALATION_ROLES:
        raise ImbizoError("role_not_allowed",
                          _("Escalate to a role that works cases in the municipality."),
                          field="role")
    if step.level < 1:
        raise ImbizoError("invalid_level", _("Levels start at 1."), field="level")
    if step.after_hours < 0:
        raise ImbizoError("invalid_hours", _("Hours cannot be negative."), field="after_hours")


@transaction.atomic
def escalation_step_create(*, actor: Actor, department: Department, level: int, role: str,
                           department_only: bool = True,
                           after_hours: Decimal = Decimal(0)) -> EscalationStep:
    """A rung of the department's ladder; a department with none climbs the default one."""
    require(actor, "department.manage", department.municipality_id)
    step = EscalationStep(municipality_id=department.municipality_id, department=department,
                          level=level, role=role, department_only=department_only,
                          after_hours=after_hours)
    _escalation_step_check(step)
    step.full_clean()
    step.save()
    audit_record(actor=actor.label, channel=actor.channel, action="escalation_step.create",
                 obj=step, municipality_code=department.municipality.code,
                 changes={"department": department.code, "level": level, "role": role})
    return step


@transaction.atomic
def escalation_step_update(*, actor: Actor, step: EscalationStep,
                           **changes: Any) -> EscalationStep:
    require(actor, "department.manage", step.municipality_id)
    step = row_locked(EscalationStep, step.pk)
    moved = fields_assign(step, changes, ESCALATION_STEP_FIELDS)
    if not moved:
        return step
    _escalation_step_check(step)
    step.full_clean()
    step.save(update_fields=[*moved, "updated"])
    audit_record(actor=actor.label, channel=actor.channel, action="escalation_step.update",
                 obj=step, municipality_code=step.municipality.code,
                 changes={"fields": sorted(moved)})
    return step
