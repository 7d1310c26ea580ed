"""The demo loaded into an empty database, as `imbizo demo` does the first time: the full
default history, its residents and their consent, the accounts docs/demo.md names, and
the service-level checkpoints scheduled for the open cases."""

from collections import Counter
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imbizo.accounts.models import Citizen, Consent
from imbizo.audit.models import AuditEntry
from imbizo.billing.models import AccountLink, UtilityAccount
from imbizo.cases.calendar import SAST
from imbizo.cases.models import OPEN_STATUSES, Case, CaseUpdate
from imbizo.demo.case_model import CASES
from imbizo.demo.seed import demo_seed


def local(moment: datetime) -> datetime:
    return moment.astimezone(SAST)


def test_the_default_demo_has_ten_thousand_cases_over_the_last_year(db):
    """The one test that loads the full default history (about 8 s on SQLite)."""
    report = demo_seed()
    # The history; the demo's councillor referred one matter as a case too (demo/matters.py).
    cases = Case.objects.filter(municipality__code="DMO", matters__isnull=True)
    assert report.cases - 1 == cases.count() == CASES >= 10_000
    today = timezone.localdate()
    first, last = (local(m).date() for m in (cases.order_by("created")[0].created,
                                            cases.order_by("-created")[0].created))
    assert today - timedelta(days=365) <= first and last < today
    assert CaseUpdate.objects.filter(case__municipality__code="DMO").count() > 3 * CASES
    assert AuditEntry.objects.filter(action="demo.cases_load").count() == 1
    assert not AuditEntry.objects.filter(action__startswith="case.").exclude(
        action="case.log", actor__contains=" for citizen:").exists()  # but the referral


def test_open_cases_get_the_checkpoints_still_ahead(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_seed(residents=30, cases=500)
    now = timezone.now()
    ahead = Case.objects.filter(status__in=OPEN_STATUSES, paused=None, resolve_due__gt=now)
    tasks = DBTaskResult.objects.filter(task_path__endswith="sla_checkpoint")
    scheduled = Counter(t.args_kwargs["args"][0] for t in tasks)
    assert ahead.exists()
    assert set(scheduled) == set(ahead.values_list("pk", flat=True))
    assert all(t.run_after > now - timedelta(minutes=5) for t in tasks)
    entry = AuditEntry.objects.get(action="demo.cases_load")
    assert entry.changes["checkpoints_scheduled"] == tasks.count()


def test_residents_are_registered_with_their_consent(db):
    report = demo_seed()
    citizens = Citizen.objects.filter(municipality__code="DMO")
    assert report.residents == citizens.count() == 200
    assert not citizens.filter(ward=None).exists()
    assert citizens.values("language").distinct().count() == 11
    assert Consent.objects.filter(purpose="service", withdrawn=None).count() == 200
    assert AuditEntry.objects.filter(action="citizen.register").count() == 200
    assert AuditEntry.objects.filter(action="consent.give").count() == Consent.objects.count()


def test_the_accounts_docs_demo_md_names_are_those_of_the_default_demo(db):
    """docs/demo.md, "Accounts": the linked holders and the accounts in arrears to try."""
    from decimal import Decimal

    from imbizo.billing.identity import id_number_matches
    from imbizo.demo.seed import demo_seed
    demo_seed(cases=0)
    linked = AccountLink.objects.select_related("account", "citizen").order_by("account")
    assert [(x.account.account_number, x.citizen.phone) for x in linked] == [
        ("5000000001", "+27608796060"), ("5000000002", "+27764281267"),
        ("5000000003", "+27723483679")]
    owing = UtilityAccount.objects.get(account_number="5000000015")
    assert owing.holder_name == "Busisiwe Baloyi"
    assert id_number_matches("4207278533085", owing.holder_id_hash)
    assert (owing.balance, owing.arrears_120) == (Decimal("23817.15"), Decimal("13116.51"))
