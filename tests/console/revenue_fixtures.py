"""Fixtures of the revenue console tests (a plugin of each tests/console/test_revenue_*.py):
AAA and BBB with a Revenue & Billing department, accounts imported as the billing system
sends them, a resident linked to one, and revenue staff beside staff of other departments
and municipalities."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register, department_create
from imbizo.billing.arrangements import arrangement_propose
from imbizo.billing.importer import accounts_import
from imbizo.billing.models import UtilityAccount
from imbizo.billing.readings import reading_submit
from imbizo.billing.services import account_link_verify
from imbizo.billing.sources import jsonl_entries
from imbizo.core.permissions import system_actor
from tests.billing.conftest import HOLDER_ID, account, write_jsonl


@pytest.fixture
def revenue_departments(municipalities):
    system = system_actor("cli")
    return {m.code: department_create(actor=system, municipality=m, code="revenue",
                                      name="Revenue & Billing") for m in municipalities}


@pytest.fixture
def load_accounts(municipalities, tmp_path):
    """Import accounts (dicts) into a municipality through the import service."""
    counter = iter(range(1, 1000))

    def run(rows: list, municipality: str = "AAA", control: dict | None = None):
        path = write_jsonl(tmp_path / f"accounts-{next(counter)}.jsonl", rows, control)
        target = next(m for m in municipalities if m.code == municipality)
        return accounts_import(actor=system_actor("cli"), municipality=target,
                               entries=jsonl_entries(path), source=path.name)
    return run


@pytest.fixture
def books(load_accounts):
    """AAA: 1001 (Thandiwe Khumalo), 1002 (Sipho Dlamini), 2001 (Thabo Mokoena);
    BBB: 9001 (Thandeka Zulu)."""
    load_accounts([account("1001"),
                   account("1002", holder_name="Sipho Dlamini", holder_id_number="",
                           phone="", email=""),
                   account("2001", holder_name="Thabo Mokoena", holder_id_number="",
                           phone="", email="")])
    load_accounts([account("9001", holder_name="Thandeka Zulu", holder_id_number="")],
                  municipality="BBB")
    return UtilityAccount.objects.get(account_number="1001")


@pytest.fixture
def holder(books, municipalities):
    """Thandiwe Khumalo, signed in on the web, holder of AAA account 1001."""
    citizen = citizen_register(actor=system_actor("web"), phone="0821110001",
                               name="Thandiwe Khumalo", municipality=municipalities[0])
    actor = citizen_actor(citizen, channel="web")
    account_link_verify(actor=actor, municipality=municipalities[0], account_number="1001",
                        method="id_number", proof=HOLDER_ID)
    return actor


@pytest.fixture
def proposal(holder, books):
    """An arrangement on 1001 outside the policy (a deposit under 10% of R1100 arrears)."""
    return arrangement_propose(actor=holder, account=books, deposit="50", months=7)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "grey").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def flagged(holder, books, settings, tmp_path):
    """A water reading of 1001 lower than the last one, flagged, with a photo."""
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    reading_submit(actor=holder, account=books, kind="water", value="1000",
                   read_on=today - timedelta(days=30))
    return reading_submit(actor=holder, account=books, kind="water", value="900",
                          read_on=today, photo=jpeg())


@pytest.fixture
def revenue_staff(make_staff, municipalities, department, revenue_departments):
    """Revenue staff of AAA and BBB, and staff who are not revenue staff."""
    aaa, bbb = municipalities
    return {
        "revenue": make_staff({"role": Role.MANAGER, "municipality": aaa,
                               "department": revenue_departments["AAA"]}),
        "manager": make_staff({"role": Role.MANAGER, "municipality": aaa}),
        "water": make_staff({"role": Role.MANAGER, "municipality": aaa,
                             "department": department("water")}),
        "agent": make_staff({"role": Role.AGENT, "municipality": aaa}),
        "officer": make_staff({"role": Role.OFFICER, "municipality": aaa,
                               "department": revenue_departments["AAA"]}),
        "bbb": make_staff({"role": Role.MANAGER, "municipality": bbb,
                           "department": revenue_departments["BBB"]}),
    }
