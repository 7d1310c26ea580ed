"""The demo's case history in the database: its references and counters, its one audit
entry, its stored times, and a second seed adding nothing."""

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from imbizo.audit.models import AuditEntry
from imbizo.audit.services import audit_verify
from imbizo.cases.models import (
    Case,
    CaseUpdate,
    Category,
    ReferenceCounter,
    RoutingRule,
    Status,
    Subscription,
)
from imbizo.cases.reference import reference_format, reference_parse
from imbizo.cases.services import Location, case_log
from imbizo.cases.standard import STANDARD_CATEGORIES
from imbizo.core.permissions import system_actor
from imbizo.demo.case_model import PROFILES
from imbizo.demo.seed import demo_seed
from imbizo.geo.models import Ward


def test_dmo_gets_the_standard_categories_and_two_routing_rules(demo):
    leaves = {c["code"] for group in STANDARD_CATEGORIES for c in group["children"]}
    codes = set(Category.objects.filter(municipality__code="DMO", department__isnull=False)
                .values_list("code", flat=True))
    assert codes == leaves == set(PROFILES)
    assert AuditEntry.objects.filter(action="category.create").count() == \
        Category.objects.filter(municipality__code="DMO").count()
    rules = RoutingRule.objects.filter(municipality__code="DMO").select_related(
        "category", "ward", "department", "team")
    assert {(r.category.code, r.department.code, r.after_hours_only, r.team is not None,
             r.ward is not None) for r in rules} == {
        ("outage", "electricity", True, True, False),
        ("missed-collection", "community", False, False, True)}
    assert AuditEntry.objects.filter(action="routing_rule.create").count() == 2


def test_references_are_valid_unique_and_the_counters_hold_each_months_last(demo):
    cases = Case.objects.filter(municipality__code="DMO")
    references = list(cases.order_by("created", "pk").values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 500
    assert all(reference_parse(r) == r for r in references)
    last: dict[str, int] = {}
    for reference in references:
        _code, period, number, _check = reference.split("-")
        assert int(number) == last.get(period, 0) + 1  # in order of logging, no gaps
        last[period] = int(number)
    counters = dict(ReferenceCounter.objects.filter(municipality__code="DMO")
                    .values_list("period", "last"))
    assert counters == last


def test_a_case_logged_afterwards_continues_the_months_sequence(demo):
    period = timezone.localtime().strftime("%y%m")
    counter = ReferenceCounter.objects.filter(municipality__code="DMO", period=period).first()
    before = counter.last if counter else 0
    ward = Ward.objects.get(municipality__code="DMO", number=1)
    point = ward.geometry.representative_point()
    case = case_log(actor=system_actor("cli"), category="pothole", description="New hole.",
                    location=Location(latitude=point.y, longitude=point.x))
    assert case.reference == reference_format("DMO", period, before + 1)
    assert Case.objects.filter(reference=case.reference).count() == 1
    assert ReferenceCounter.objects.get(municipality__code="DMO", period=period).last == \
        before + 1


def test_one_audit_entry_records_the_load_and_the_chain_verifies(demo):
    entry = AuditEntry.objects.get(action="demo.cases_load")
    assert entry.municipality_code == "DMO" and entry.channel == "cli"
    assert entry.changes["cases"] == 500
    assert entry.changes["updates"] == CaseUpdate.objects.count()
    assert entry.changes["subscriptions"] == Subscription.objects.count()
    assert sum(entry.changes["statuses"].values()) == 500
    # the last write of the case history: the community's seeds come after it
    assert not AuditEntry.objects.filter(seq__gt=entry.seq, action__startswith="case").exists()
    report = audit_verify()
    assert report.ok, report.reason


def test_stored_rows_keep_their_generated_times(demo):
    cases = Case.objects.filter(municipality__code="DMO")
    long_ago = timezone.now() - timedelta(days=300)
    assert cases.filter(created__lt=long_ago).exists()
    assert not cases.filter(updated__lt=F("created")).exists()
    logged = dict(CaseUpdate.objects.filter(kind=CaseUpdate.Kind.STATUS, from_status="")
                  .values_list("case_id", "created"))
    assert logged == dict(cases.values_list("pk", "created"))
    assert Subscription.objects.filter(created__lt=long_ago).exists()


def test_a_second_seed_adds_nothing(demo):
    def counts() -> dict:
        return {m.__name__: m.objects.count() for m in (
            Case, CaseUpdate, Subscription, ReferenceCounter, Category, RoutingRule, AuditEntry)}

    before = counts()
    report = demo_seed(residents=30, cases=500)
    assert not report.loaded and report.cases == 500
    assert counts() == before
    assert demo_seed(seed=7, cases=800).cases == 500
    assert counts() == before


def test_closed_cases_are_the_only_rated_ones_in_the_database(demo):
    cases = Case.objects.filter(municipality__code="DMO")
    assert not cases.filter(~Q(status=Status.CLOSED), rating__isnull=False).exists()
    assert cases.filter(rating__isnull=False).exists()
