"""The case configuration services: every part a record points at is of its own
municipality, only its administrators change it, and the audit names the fields changed."""

from contextlib import contextmanager
from decimal import Decimal

import pytest

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.cases.catalogue import (
    category_create,
    category_update,
    escalation_step_create,
    escalation_step_update,
    routing_rule_create,
    routing_rule_update,
    team_create,
    team_update,
)
from imbizo.cases.models import Category
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward

SYSTEM = system_actor("cli")


@contextmanager
def refused(field: str, code: str = "outside_municipality"):
    """The service refuses, naming ``field`` (where a form shows the reason)."""
    with pytest.raises(ImbizoError) as err:
        yield
    assert (err.value.code, err.value.extra.get("field")) == (code, field)


@pytest.fixture
def aaa_admin(make_staff, municipalities):
    return make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": municipalities[0]})


def category(code: str, municipality: str = "AAA") -> Category:
    return Category.objects.get(code=code, municipality__code=municipality)


def test_a_category_under_another_municipalitys_group_is_refused(aaa_admin, municipalities):
    aaa, _ = municipalities
    with refused("parent"):
        category_create(actor=aaa_admin, municipality=aaa, code="sinkhole", name="Sinkhole",
                        parent=category("roads", "BBB"))
    with refused("parent"):
        category_update(actor=aaa_admin, category=category("pothole"),
                        parent=category("roads", "BBB"))
    assert category("pothole").parent == category("roads")


def test_a_category_cannot_sit_under_its_own_child(aaa_admin):
    with refused("parent", "category_cycle"):
        category_update(actor=aaa_admin, category=category("roads"), parent=category("pothole"))


def test_a_categorys_code_and_municipality_are_not_changed_here(aaa_admin, municipalities):
    with refused("code", "not_changeable"):
        category_update(actor=aaa_admin, category=category("pothole"), code="hole")
    with refused("municipality", "not_changeable"):
        category_update(actor=aaa_admin, category=category("pothole"),
                        municipality=municipalities[1])


def test_an_administrator_changes_only_their_own_municipalitys_categories(aaa_admin):
    with pytest.raises(ImbizoError) as err:
        category_update(actor=aaa_admin, category=category("pothole", "BBB"), name="Hole")
    assert err.value.status == 403 and category("pothole", "BBB").name != "Hole"


def test_an_unchanged_category_writes_no_audit_entry(aaa_admin):
    pothole = category("pothole")
    before = AuditEntry.objects.count()
    category_update(actor=aaa_admin, category=pothole, name=pothole.name,
                    resolve_hours=Decimal(pothole.resolve_hours))
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("part", ["department", "category", "ward", "team"])
def test_each_part_of_a_routing_rule_must_be_its_municipalitys(part, aaa_admin, municipalities,
                                                               department):
    aaa, _ = municipalities
    elsewhere = {
        "department": lambda: department("roads", "BBB"),
        "category": lambda: category("pothole", "BBB"),
        "ward": lambda: Ward.objects.get(code="90200001"),
        "team": lambda: team_create(actor=SYSTEM, department=department("roads", "BBB"),
                                    name="Crew"),
    }[part]()
    given = {"department": department("roads"), part: elsewhere}
    with refused(part):
        routing_rule_create(actor=aaa_admin, municipality=aaa, **given)
    rule = routing_rule_create(actor=aaa_admin, municipality=aaa, department=department("roads"))
    with refused(part):
        routing_rule_update(actor=aaa_admin, rule=rule, **{part: elsewhere})


def test_a_rule_changed_is_audited_by_field_name(aaa_admin, municipalities, department):
    aaa, _ = municipalities
    rule = routing_rule_create(actor=aaa_admin, municipality=aaa, department=department("roads"))
    routing_rule_update(actor=aaa_admin, rule=rule, active=False,
                        ward=Ward.objects.get(code="90100001"))
    entry = AuditEntry.objects.get(action="routing_rule.update")
    assert (entry.changes, entry.channel, entry.municipality_code) == (
        {"fields": ["active", "ward"]}, "web", "AAA")


def test_a_teams_members_hold_a_role_in_its_municipality(aaa_admin, municipalities,
                                                         department, make_staff):
    aaa, bbb = municipalities
    inside = make_staff({"role": Role.OFFICER, "municipality": aaa}).user
    outside = make_staff({"role": Role.OFFICER, "municipality": bbb}).user
    with refused("members", "not_staff_here"):
        team_create(actor=aaa_admin, department=department("water"), name="Leaks",
                    members=[inside, outside])
    team = team_create(actor=aaa_admin, department=department("water"), name="Leaks",
                       members=[inside])
    with refused("members", "not_staff_here"):
        team_update(actor=aaa_admin, team=team, members=[outside])
    with refused("department"):
        team_update(actor=aaa_admin, team=team, department=department("water", "BBB"))
    assert list(team.members.all()) == [inside]


def test_a_team_that_rules_send_cases_to_keeps_its_department(aaa_admin, municipalities,
                                                               department):
    aaa, _ = municipalities
    team = team_create(actor=aaa_admin, department=department("water"), name="Leaks")
    routing_rule_create(actor=aaa_admin, municipality=aaa, department=department("water"),
                        team=team)
    with refused("department", "team_in_use"):
        team_update(actor=aaa_admin, team=team, department=department("roads"))
    team_update(actor=aaa_admin, team=team, name="Leak squad")
    team.refresh_from_db()
    assert (team.name, team.department) == ("Leak squad", department("water"))


def test_an_escalation_ladder_climbs_to_people_who_work_cases(aaa_admin, department):
    water = department("water")
    with refused("role", "role_not_allowed"):
        escalation_step_create(actor=aaa_admin, department=water, level=1, role="contractor")
    with refused("role", "role_not_allowed"):
        escalation_step_create(actor=aaa_admin, department=water, level=1,
                               role="platform_admin")
    with refused("after_hours", "invalid_hours"):
        escalation_step_create(actor=aaa_admin, department=water, level=1, role="supervisor",
                               after_hours=Decimal(-1))
    step = escalation_step_create(actor=aaa_admin, department=water, level=1, role="supervisor")
    with refused("department"):
        escalation_step_update(actor=aaa_admin, step=step,
                               department=department("water", "BBB"))
    with refused("level", "invalid_level"):
        escalation_step_update(actor=aaa_admin, step=step, level=0)
    escalation_step_update(actor=aaa_admin, step=step, role="manager")
    step.refresh_from_db()
    assert step.role == "manager"


def test_staff_without_the_right_change_no_configuration(make_staff, municipalities,
                                                         department):
    aaa, _ = municipalities
    manager = make_staff({"role": Role.MANAGER, "municipality": aaa})
    rule = routing_rule_create(actor=SYSTEM, municipality=aaa, department=department("roads"))
    for attempt in (
        lambda: category_update(actor=manager, category=category("pothole"), name="Hole"),
        lambda: routing_rule_update(actor=manager, rule=rule, active=False),
        lambda: escalation_step_create(actor=manager, department=department("roads"), level=1,
                                       role="supervisor"),
        lambda: team_create(actor=manager, department=department("roads"), name="Crew"),
    ):
        with pytest.raises(ImbizoError) as err:
            attempt()
        assert err.value.status == 403
