"""Writes to the category tree and routing rules (municipal administrators)."""

from decimal import Decimal

from django.db import transaction

from imbizo.accounts.models import Department
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality, Ward

from .models import Category, RoutingRule, Team
from .standard import STANDARD_CATEGORIES


@transaction.atomic
def category_create(*, actor: Actor, municipality: Municipality, code: str, name: str,
                    department: Department | None = None, parent: Category | None = None,
                    **attributes) -> Category:
    require(actor, "department.manage", municipality.pk)
    if department is not None and department.municipality_id != municipality.pk:
        raise ImbizoError("outside_municipality", f"{department} is not in {municipality}.")
    category = Category(municipality=municipality, code=code, name=name, department=department,
                        parent=parent, **attributes)
    category.full_clean()
    category.save()
    audit_record(actor=actor.label, channel=actor.channel, action="category.create",
                 obj=category, municipality_code=municipality.code,
                 changes={"code": code, "department": getattr(department, "code", None)})
    return category


@transaction.atomic
def categories_install_standard(*, actor: Actor, municipality: Municipality) -> int:
    """Give a municipality the standard category tree, mapped onto its departments by
    code; categories it already has are left alone. Returns how many were added."""
    require(actor, "department.manage", municipality.pk)
    departments = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    existing = set(Category.objects.filter(municipality=municipality)
                   .values_list("code", flat=True))
    added = 0
    for group in STANDARD_CATEGORIES:
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


@transaction.atomic
def team_create(*, actor: Actor, department: Department, name: str) -> Team:
    require(actor, "department.manage", department.municipality_id)
    team = Team(municipality_id=department.municipality_id, department=department, name=name)
    team.full_clean()
    team.save()
    audit_record(actor=actor.label, channel=actor.channel, action="team.create", obj=team,
                 municipality_code=department.municipality.code, changes={"name": name})
    return team


@transaction.atomic
def routing_rule_create(*, actor: Actor, municipality: Municipality, department: Department,
                        category: Category | None = None, ward: Ward | None = None,
                        team: Team | None = None, assignee=None,
                        after_hours_only: bool = False) -> RoutingRule:
    require(actor, "department.manage", municipality.pk)
    for part in (department, category, ward, team):
        if part is not None and part.municipality_id != municipality.pk:
            raise ImbizoError("outside_municipality", f"{part} is not in {municipality}.")
    rule = RoutingRule(municipality=municipality, department=department, category=category,
                       ward=ward, team=team, assignee=assignee, after_hours_only=after_hours_only)
    rule.full_clean()
    rule.save()
    audit_record(actor=actor.label, channel=actor.channel, action="routing_rule.create",
                 obj=rule, municipality_code=municipality.code,
                 changes={"department": department.code,
                          "category": getattr(category, "code", None),
                          "ward": getattr(ward, "code", None), "after_hours": after_hours_only})
    return rule
