"""Importing accounts from JSON Lines: what loads, what a second import changes (nothing,
for the same file), and how each bad row is answered."""

from datetime import date
from decimal import Decimal

import pytest

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.billing.models import (
    ImportBatch,
    Statement,
    StatementLine,
    Transaction,
    UtilityAccount,
)
from imbizo.billing.sources import jsonl_entries
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.geo.models import Ward

from .conftest import account, statement, write_jsonl


def test_an_account_loads_with_its_statements_lines_and_transactions(load):
    result = load([account()])
    a = UtilityAccount.objects.get(account_number="1001")
    assert (a.municipality.code, a.ward, a.holder_name) == (
        "AAA", Ward.objects.get(code="90100001"), "Thandiwe Khumalo")
    assert a.balance == Decimal("1520.35") and a.arrears_120 == Decimal("800.00")
    assert a.arrears == {"current": Decimal("420.35"), "30": Decimal("300.00"),
                         "60": Decimal(0), "90": Decimal(0), "120": Decimal("800.00")}
    assert a.services == ["rates", "water"] and a.due_date == date(2026, 7, 15)
    assert a.phone_on_record == "+27821110001" and a.email_on_record == "thandi@example.org"
    assert a.batch == result.batch and len(a.holder_id_hash) == 64
    june = Statement.objects.get(account=a, period=date(2026, 6, 1))
    assert (june.total_due, june.municipality_id) == (Decimal("1520.35"), a.municipality_id)
    assert list(june.lines.order_by("line").values_list("line", "service", "amount")) == [
        (1, "rates", Decimal("440.00")), (2, "water", Decimal("80.35"))]
    assert Transaction.objects.get(account=a).amount == Decimal("-500.00")
    assert (result.accounts.created, result.statements.created,
            result.transactions.created) == (1, 2, 1)


def test_the_same_file_again_changes_nothing(load):
    rows = [account("1001"), account("1002", holder_name="Sipho Dlamini")]
    load(rows)
    before = list(UtilityAccount.objects.order_by("pk").values_list("pk", "updated", "batch"))
    lines = list(StatementLine.objects.order_by("statement", "line").values_list(
        "statement", "line", "amount"))
    again = load(rows)
    assert vars(again.accounts) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert vars(again.statements) == {"created": 0, "updated": 0, "unchanged": 4,
                                      "rejected": 0}
    assert again.transactions.unchanged == 2 and again.transactions.created == 0
    assert list(UtilityAccount.objects.order_by("pk").values_list(
        "pk", "updated", "batch")) == before
    assert list(StatementLine.objects.order_by("statement", "line").values_list(
        "statement", "line", "amount")) == lines


def test_a_changed_row_updates_in_place_and_rows_not_in_the_file_stay(load):
    load([account("1001"), account("1002")])
    first = UtilityAccount.objects.get(account_number="1001")
    june = Statement.objects.get(account=first, period=date(2026, 6, 1))
    changed = account("1001", balance="99.00", statements=[
        statement("2026-06", "99.00", lines=[{"line": 1, "description": "Water 3 kl",
                                              "service": "water", "amount": "99.00"}])],
        transactions=[{"reference": "PAY-1", "date": "2026-06-04", "kind": "payment",
                       "amount": "-600.00"}])
    result = load([changed])
    assert (result.accounts.updated, result.statements.updated,
            result.transactions.updated) == (1, 1, 1)
    first.refresh_from_db()
    assert first.balance == Decimal("99.00") and first.batch == result.batch
    june.refresh_from_db()
    assert june.total_due == Decimal("99.00")
    assert list(june.lines.values_list("line", "description")) == [(1, "Water 3 kl")]
    assert Statement.objects.filter(account=first, period=date(2026, 5, 1)).exists()
    assert UtilityAccount.objects.filter(account_number="1002").exists()
    assert Transaction.objects.get(account=first).amount == Decimal("-600.00")


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"account_number": "  "}, "account_number", "account_number is missing"),
    ({"balance": "1,520.35"}, "balance", "is not an amount"),
    ({"balance": "12.345"}, "balance", "fractions of a cent"),
    ({"arrears": {"30": "abc"}}, "arrears_30", "is not an amount"),
    ({"ward": "99"}, "ward", "is not a ward of this municipality"),
    ({"ward": "90200001"}, "ward", "is not a ward of this municipality"),  # BBB's
    ({"phone": "12345"}, "phone", "is not a valid phone number"),
    ({"email": "not-an-address"}, "email", "is not an e-mail address"),
    ({"holder_id_number": "8001015009088"}, "holder_id_number", "not a valid South African"),
    ({"due_date": "15/07/2026"}, "due_date", "is not a date"),
    ({"due_date": "0001-01-01"}, "due_date", "is not between 1900 and 2100"),
    ({"services": ["Water & lights"]}, "services", "is not a service code"),
    ({"holder_name": "x" * 201}, "holder_name", "longer than 200"),
])
def test_each_bad_row_is_rejected_with_its_reason_and_the_good_rows_load(
        load, change, field, reason):
    result = load([account("1001"), account("1002", **change), account("1003")])
    assert result.accounts.created == 2 and result.accounts.rejected == 1
    (rejected,) = result.rejected
    assert (rejected.where, rejected.field) == ("line 2", field)
    assert reason in rejected.reason
    assert set(UtilityAccount.objects.values_list("account_number", flat=True)) == {
        "1001", "1003"}


def test_a_reason_never_repeats_the_id_number(load):
    result = load([account(holder_id_number="8001015009088")])
    assert "8001015009088" not in str(result.as_dict())


def test_an_account_twice_in_the_file_loads_once_and_the_second_is_named(load):
    result = load([account("1001"), account("1001", balance="5.00")])
    assert result.accounts.created == 1
    (rejected,) = result.rejected
    assert rejected.where == "line 2" and "first at line 1" in rejected.reason
    assert UtilityAccount.objects.get().balance == Decimal("1520.35")


def test_a_bad_statement_is_rejected_alone_and_its_account_loads(load):
    bad = statement("2026-06", "oops")
    repeated = statement("2026-05", "1.00")
    result = load([account(statements=[statement("2026-05", "980.00"), bad, repeated])])
    assert result.accounts.created == 1 and result.statements.created == 1
    assert [(r.where, r.field) for r in result.rejected] == [
        ("line 1 statements[1]", "closing_balance"), ("line 1 statements[2]", "period")]


def test_a_line_that_is_not_json_is_rejected_and_the_others_load(import_entries, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [account("1001")])
    path.write_text(path.read_text() + '{"account_number": "1002", \n' + "[1, 2]\n")
    result = import_entries(jsonl_entries(path))
    assert result.accounts.created == 1 and result.rows_read == 3
    assert [(r.where, r.reason[:14]) for r in result.rejected] == [
        ("line 2", "not valid JSON"), ("line 3", "an account mus")]


def test_a_file_that_is_not_json_lines_is_refused_whole(import_entries, tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text('[{"account_number": "1001"}]')
    with pytest.raises(ImbizoError, match="not JSON Lines"):
        import_entries(jsonl_entries(path))
    assert not ImportBatch.objects.exists() and not UtilityAccount.objects.exists()


def test_control_totals_are_reconciled(load):
    matching = load([account("1001"), account("1002")],
                    control={"accounts": 2, "balance": "3040.70",
                             "arrears": {"120": "1600.00"}})
    assert [(r["total"], r["matches"]) for r in matching.reconciliation()] == [
        ("accounts", True), ("balance", True), ("arrears_120", True)]
    short = load([account("1003"), account("1004", balance="x")],
                 control={"accounts": 2, "balance": "3040.70"})
    assert [(r["total"], r["loaded"], r["matches"]) for r in short.reconciliation()] == [
        ("accounts", 1, False), ("balance", Decimal("1520.35"), False)]


def test_an_import_is_audited_once_with_its_counts(load):
    result = load([account("1001"), account("1002", balance="x")])
    entry = AuditEntry.objects.get(action="billing.import")
    assert entry.object_id == str(result.batch.uuid) and entry.municipality_code == "AAA"
    assert entry.changes["accounts"] == {"created": 1, "updated": 0, "unchanged": 0,
                                         "rejected": 1}
    batch = ImportBatch.objects.get()
    assert batch.finished and batch.accounts_rejected == 1
    assert batch.report["rejected"][0]["where"] == "line 2"


def test_only_holders_of_billing_import_may_import(load, make_staff, two_municipalities):
    aaa, bbb = two_municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    with pytest.raises(PermissionDenied):
        load([account()], actor=agent)
    manager_of_bbb = make_staff({"role": Role.MANAGER, "municipality": bbb})
    with pytest.raises(PermissionDenied):
        load([account()], actor=manager_of_bbb)
    manager = make_staff({"role": Role.MANAGER, "municipality": aaa})
    assert load([account()], actor=manager).accounts.created == 1


def test_the_same_number_in_two_municipalities_is_two_accounts(load):
    load([account("1001")])
    load([account("1001", ward="90200002")], municipality="BBB")
    assert sorted(UtilityAccount.objects.values_list("municipality__code", "ward__code")) == [
        ("AAA", "90100001"), ("BBB", "90200002")]
