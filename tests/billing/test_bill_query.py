"""Querying a bill logs a case in the municipality's bill-query category, routed to
Revenue & Billing with no person in between, from the channel the resident used; the
account number and the statement's month and line stay in the case's extra fields."""

import pytest

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register, department_create
from imbizo.audit.models import AuditEntry
from imbizo.billing.models import Statement, UtilityAccount
from imbizo.billing.queries import bill_query
from imbizo.billing.services import account_link_verify
from imbizo.cases.catalogue import categories_install_standard
from imbizo.cases.models import Case, CaseUpdate, Category, Status
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import system_actor

from .conftest import HOLDER_ID, account, statement


@pytest.fixture
def revenue(two_municipalities):
    return department_create(actor=system_actor("cli"), municipality=two_municipalities[0],
                             code="revenue", name="Revenue & Billing")


@pytest.fixture
def linked(load, revenue, two_municipalities):
    """Thandiwe, the holder of AAA's 1001, acting on USSD."""
    load([account("1001"), account("1002", statements=[statement("2026-06", "5.00")])])
    citizen = citizen_register(actor=system_actor("ussd"), phone="0821110001")
    actor = citizen_actor(citizen, channel="ussd")
    account_link_verify(actor=actor, municipality=two_municipalities[0], account_number="1001",
                        method="id_number", proof=HOLDER_ID)
    return actor


def june(number: str = "1001") -> Statement:
    return Statement.objects.get(account__account_number=number, period="2026-06-01")


def test_a_query_routes_to_revenue_with_no_human_step(linked):
    account = UtilityAccount.objects.get(account_number="1001")
    case = bill_query(actor=linked, account=account, text="Why is my water bill so high?")
    case.refresh_from_db()
    assert case.category.code == "bill-query" and case.department.code == "revenue"
    assert case.status == Status.ASSIGNED and case.assignee is None
    assert case.channel == "ussd" and case.reporter == linked.citizen
    history = CaseUpdate.objects.filter(case=case)
    assert {u.actor for u in history} <= {linked.label, "system"}  # nobody on staff acted


def test_the_account_and_statement_line_are_extra_fields_not_public_text(linked):
    account = UtilityAccount.objects.get(account_number="1001")
    line = june().lines.get(line=2)
    case = bill_query(actor=linked, account=account, text="Water is too high", line=line)
    assert case.extra == {"account_number": "1001", "statement_period": "2026-06",
                          "statement_line": "2: Water 12 kl, R 80.35"}
    assert "1001" not in case.description and case.description == "Water is too high"
    assert not case.public and case.ward is None and case.address == ""


def test_a_query_about_a_whole_statement_names_its_month(linked):
    case = bill_query(actor=linked, account=UtilityAccount.objects.get(account_number="1001"),
                      text="Please explain", statement=june())
    assert case.extra == {"account_number": "1001", "statement_period": "2026-06"}


def test_nobody_but_a_linked_resident_queries_an_account(linked):
    other = UtilityAccount.objects.get(account_number="1002")
    with pytest.raises(NotFound):
        bill_query(actor=linked, account=other, text="Not mine")
    stranger = citizen_actor(citizen_register(actor=system_actor("sms"), phone="0839998888"),
                             channel="sms")
    with pytest.raises(NotFound):
        bill_query(actor=stranger, account=UtilityAccount.objects.get(account_number="1001"),
                   text="Not mine either")
    assert not Case.objects.exists()


def test_a_statement_of_another_account_is_refused(linked):
    with pytest.raises(ImbizoError) as error:
        bill_query(actor=linked, account=UtilityAccount.objects.get(account_number="1001"),
                   text="Wrong statement", statement=june("1002"))
    assert error.value.code == "statement_not_found"


def test_a_retried_query_logs_one_case(linked):
    account = UtilityAccount.objects.get(account_number="1001")
    first = bill_query(actor=linked, account=account, text="Twice?", idempotency_key="s1")
    again = bill_query(actor=linked, account=account, text="Twice?", idempotency_key="s1")
    assert again.pk == first.pk and Case.objects.count() == 1


def test_the_category_is_installed_once_as_the_system_and_kept_off_if_turned_off(linked):
    account = UtilityAccount.objects.get(account_number="1001")
    bill_query(actor=linked, account=account, text="First query")
    created = AuditEntry.objects.filter(action="category.create")
    assert sorted(e.changes["code"] for e in created) == ["bill-query", "billing"]
    assert {e.actor for e in created} == {"system"}
    bill_query(actor=linked, account=account, text="Second query")
    assert AuditEntry.objects.filter(action="category.create").count() == 2
    Category.objects.filter(code="bill-query").update(active=False)
    with pytest.raises(ImbizoError) as error:
        bill_query(actor=linked, account=account, text="Third query")
    assert error.value.code == "bill_queries_off"


def test_the_standard_tree_gives_bill_queries_only_where_revenue_exists(two_municipalities,
                                                                       revenue):
    aaa, bbb = two_municipalities
    system = system_actor("cli")
    for municipality in two_municipalities:
        for code in ("water", "electricity", "roads", "waste", "fire"):
            department_create(actor=system, municipality=municipality, code=code,
                              name=code.title())
        categories_install_standard(actor=system, municipality=municipality)
    query = Category.objects.get(municipality=aaa, code="bill-query")
    assert query.department == revenue and not query.public and not query.location_required
    assert query.parent.code == "billing"
    assert not Category.objects.filter(municipality=bbb, code__in=["billing", "bill-query"])
