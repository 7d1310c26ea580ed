"""The demo's case history: a year of faults in DMO, generated from a seed and bulk-loaded.

``imbizo seed-demo`` gives DMO the standard categories, an after-hours standby team and
two routing rules through the catalogue services, then about 10,000 cases logged over
the twelve months before the moment of seeding, each with its history, followers, SLA
outcome and (once closed) often a rating. What the cases are like is modelled in
``case_model.py`` and drawn in ``case_history.py``; this module sets up the catalogue
and writes the rows.

**The one accepted exception to "writes go through services".** Logging 10,000 cases
through ``case_log`` and walking each through the lifecycle services would take minutes,
write some 60,000 audit entries and could not backdate anything (every service stamps
``timezone.now()``). So the cases, their history rows (``CaseUpdate``) and followers
(``Subscription``) are generated in memory and written here with ``bulk_create``.
Everything later writes depend on still comes from the cases app: references from
``reference_format`` with each month's ``ReferenceCounter`` left at the last number
issued (``case_log`` carries on the sequence), deadlines from ``sla.deadlines``,
departments from ``route_case`` and the rules, and one audit entry (``demo.cases_load``)
records the whole load. No other code may write cases like this.
"""

import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime

import shapely
from django.db import transaction
from django.utils import timezone

from imbizo.accounts.models import Department
from imbizo.audit.services import audit_record
from imbizo.cases.catalogue import categories_install_standard, routing_rule_create, team_create
from imbizo.cases.escalation import next_checkpoint, sla_enqueue
from imbizo.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseUpdate,
    Category,
    ReferenceCounter,
    RoutingRule,
    Subscription,
    Team,
)
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, TraditionalAuthority, Ward

from .case_history import History, case_history_generate
from .case_model import CASES

BATCH = 1_000
STANDBY_TEAM = "After-hours standby"


# --- set-up through the services ------------------------------------------------------
def demo_catalogue_install(*, actor: Actor, municipality: Municipality) -> int:
    """The standard categories, the electricity standby team and two routing rules:
    outages after hours go to the standby team, and refuse in the first traditional-
    authority ward goes to Community Services (it runs the village drop-off points)."""
    added = categories_install_standard(actor=actor, municipality=municipality)
    if RoutingRule.objects.filter(municipality=municipality).exists():
        return added
    departments = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    electricity = departments["electricity"]
    standby = Team.objects.filter(department=electricity, name=STANDBY_TEAM).first() \
        or team_create(actor=actor, department=electricity, name=STANDBY_TEAM)
    codes = {c.code: c for c in Category.objects.filter(municipality=municipality)}
    routing_rule_create(actor=actor, municipality=municipality, department=electricity,
                        category=codes["outage"], team=standby, after_hours_only=True)
    ward = _authority_ward(municipality)
    if ward is not None and "community" in departments:
        routing_rule_create(actor=actor, municipality=municipality,
                            department=departments["community"],
                            category=codes["missed-collection"], ward=ward)
    return added


def _authority_ward(municipality: Municipality) -> Ward | None:
    """The lowest-numbered ward lying inside a traditional authority."""
    areas = [shapely.from_wkb(bytes(ta.boundary)) for ta in
             TraditionalAuthority.objects.exclude(boundary=None)]
    for ward in Ward.objects.filter(municipality=municipality).exclude(boundary=None) \
            .order_by("number"):
        point = shapely.from_wkb(bytes(ward.boundary)).representative_point()
        if any(area.covers(point) for area in areas):
            return ward
    return None


# --- the load ---------------------------------------------------------------------------
@contextmanager
def _timestamps_as_given():
    """Let ``bulk_create`` keep the generated ``created``/``updated`` times: switch off
    their ``auto_now(_add)`` for the moment of the load (the seed runs alone in its process)."""
    fields = [Case._meta.get_field("created"), Case._meta.get_field("updated"),
              CaseUpdate._meta.get_field("created"), Subscription._meta.get_field("created")]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def case_history_load(*, actor: Actor, municipality: Municipality, history: History,
                      seed: int) -> None:
    """Write a generated history in batches, move the reference counters on, schedule the
    checkpoints still ahead of open cases and record the load in one audit entry."""
    started = time.monotonic()
    with _timestamps_as_given():
        Case.objects.bulk_create(history.cases, batch_size=BATCH)
        CaseUpdate.objects.bulk_create(history.updates, batch_size=BATCH)
        Subscription.objects.bulk_create(history.subscriptions, batch_size=BATCH)
    for period, last in sorted(history.counters.items()):
        ReferenceCounter.objects.update_or_create(municipality=municipality, period=period,
                                                  defaults={"last": last})
    scheduled = _schedule_ahead(history.cases)
    statuses = Counter(c.status for c in history.cases)
    audit_record(actor=actor.label, channel=actor.channel, action="demo.cases_load",
                 obj=municipality, municipality_code=municipality.code, changes={
                     "seed": seed, "cases": len(history.cases),
                     "updates": len(history.updates),
                     "subscriptions": len(history.subscriptions),
                     "first": history.cases[0].reference if history.cases else None,
                     "last": history.cases[-1].reference if history.cases else None,
                     "counters": history.counters, "statuses": dict(sorted(statuses.items())),
                     "checkpoints_scheduled": scheduled,
                     "seconds": round(time.monotonic() - started, 2)})


def _schedule_ahead(cases: list[Case]) -> int:
    """Open cases whose checkpoints still lie ahead start their chain at the first one
    ahead, as if logged live; what already passed is recorded as having happened and is
    not replayed."""
    now = timezone.now()
    scheduled = 0
    for case in cases:
        if case.status in OPEN_STATUSES and case.paused is None and case.resolve_due > now:
            first = next_checkpoint(case, after=(now, "breach"))
            sla_enqueue(case, first)
            scheduled += first is not None
    return scheduled


def demo_cases_loaded(municipality: Municipality) -> bool:
    """The case part of the demo is in place once DMO has categories."""
    return Category.objects.filter(municipality=municipality).exists()


@transaction.atomic
def demo_cases_seed(*, actor: Actor, municipality: Municipality, seed: int,
                    count: int = CASES, now: datetime | None = None) -> int:
    """Categories, routing rules and ``count`` cases of history, once. Returns the number
    of cases added (0 when the case part was already there)."""
    if demo_cases_loaded(municipality):
        return 0
    demo_catalogue_install(actor=actor, municipality=municipality)
    if count <= 0:
        return 0
    history = case_history_generate(municipality=municipality, seed=seed, count=count,
                                    now=now)
    case_history_load(actor=actor, municipality=municipality, history=history, seed=seed)
    return len(history.cases)
