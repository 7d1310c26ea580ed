"""Choosing who gets a new case, with no human step."""

from dataclasses import dataclass
from datetime import datetime

from imbizo.accounts.models import Department
from imbizo.core.config_cache import config_cache

from .calendar import WorkingHours
from .models import Category, RoutingRule, Team


@dataclass(frozen=True)
class Route:
    department: Department | None
    team: Team | None = None
    assignee_id: int | None = None
    rule_id: int | None = None


def routing_rules(municipality_id: int) -> list[RoutingRule]:
    """The municipality's active rules, from the configuration memo."""
    return config_cache.get(("routing_rules", municipality_id), lambda: list(
        RoutingRule.objects.filter(municipality_id=municipality_id, active=True)
        .select_related("department", "team").order_by("pk")))


def route_case(*, category: Category, ward_id: int | None, at: datetime,
               hours: WorkingHours) -> Route:
    """In order: a rule for the category (one for the case's ward first; after hours,
    an after-hours rule first); a rule for the ward (any category); a municipality-wide
    after-hours rule (the standby team); the category's own department; a catch-all
    rule (the call centre's queue)."""
    after_hours = not hours.is_open(at)
    rules = [r for r in routing_rules(category.municipality_id)
             if r.category_id in (category.pk, None) and r.ward_id in (ward_id, None)
             and (after_hours or not r.after_hours_only)]

    def best(candidates: list[RoutingRule]) -> Route | None:
        if not candidates:
            return None
        rule = max(candidates, key=lambda r: (r.ward_id is not None, r.after_hours_only, -r.pk))
        return Route(rule.department, rule.team, rule.assignee_id, rule.pk)

    general = [r for r in rules if r.category_id is None and r.ward_id is None]
    return (best([r for r in rules if r.category_id == category.pk])
            or best([r for r in rules if r.category_id is None and r.ward_id is not None])
            or best([r for r in general if r.after_hours_only])
            or (Route(category.department) if category.department_id else None)
            or best(general)
            or Route(None))
