"""Importing from CSV: accounts in one file, statement lines and transactions in files of
their own keyed by account number, as a billing system's export gives them."""

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import chain

import pytest

from imbizo.billing.models import Statement, StatementLine, Transaction, UtilityAccount
from imbizo.billing.sources import csv_accounts, csv_statements, csv_transactions
from imbizo.core.errors import ImbizoError

from .conftest import HOLDER_ID

ACCOUNTS = f"""account_number,holder_name,holder_id_number,property,ward,services,balance,\
arrears_current,arrears_30,arrears_60,arrears_90,arrears_120,due_date,phone,email,updated_at
1001,Thandiwe Khumalo,{HOLDER_ID},"Erf 12, 4 Main Street",1,rates;water,1520.35,420.35,\
300.00,0,0,800.00,2026-07-15,082 111 0001,thandi@example.org,2026-06-30T18:00:00
1002,Sipho Dlamini,,Erf 13,90100002,refuse,0.00,,,,,,,,,
#control,accounts=2,balance=1520.35
"""
STATEMENTS = """account_number,period,issued,due_date,opening_balance,closing_balance,\
total_due,line,description,service,amount
1001,2026-05,2026-05-25,2026-06-15,0.00,980.00,980.00,1,Property rates,rates,440.00
1001,2026-05,2026-05-25,2026-06-15,0.00,980.00,980.00,2,Water 12 kl,water,540.00
1001,2026-06,2026-06-25,2026-07-15,980.00,1520.35,1520.35,1,Property rates,rates,440.00
1002,2026-06,2026-06-25,2026-07-15,0.00,0.00,0.00,,,,
"""
TRANSACTIONS = """account_number,reference,date,kind,amount
1001,PAY-1,2026-06-03,payment,-500.00
1001,ADJ-7,2026-06-10,adjustment,12.50
"""


@pytest.fixture
def files(tmp_path):
    def write(accounts: str = ACCOUNTS, statements: str = STATEMENTS,
              transactions: str = TRANSACTIONS, encoding: str = "utf-8"):
        paths = {}
        for name, text in (("accounts", accounts), ("statements", statements),
                           ("transactions", transactions)):
            paths[name] = tmp_path / f"{name}.csv"
            paths[name].write_bytes(text.encode(encoding))
        return paths
    return write


def entries(paths: dict):
    return chain(csv_accounts(paths["accounts"]), csv_statements(paths["statements"]),
                 csv_transactions(paths["transactions"]))


def test_accounts_statements_and_transactions_load_from_their_files(import_entries, files):
    result = import_entries(entries(files()))
    assert (result.accounts.created, result.statements.created,
            result.transactions.created) == (2, 3, 2)
    assert not result.rejected
    a = UtilityAccount.objects.get(account_number="1001")
    assert a.services == ["rates", "water"] and a.arrears_30 == Decimal("300.00")
    assert a.property_description == "Erf 12, 4 Main Street" and a.ward.number == 1
    # Without an offset a time is South African: 18:00 there is 16:00 UTC.
    assert a.updated_at_source == datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    b = UtilityAccount.objects.get(account_number="1002")
    assert b.ward.code == "90100002" and b.holder_id_hash == "" and b.due_date is None
    may = Statement.objects.get(account=a, period=date(2026, 5, 1))
    assert list(may.lines.values_list("line", "amount")) == [
        (1, Decimal("440.00")), (2, Decimal("540.00"))]
    assert not StatementLine.objects.filter(statement__account=b).exists()
    assert Statement.objects.filter(account=b).count() == 1
    assert sorted(Transaction.objects.values_list("reference", "kind")) == [
        ("ADJ-7", "adjustment"), ("PAY-1", "payment")]
    assert [(r["total"], r["matches"]) for r in result.reconciliation()] == [
        ("accounts", True), ("balance", True)]


def test_the_same_files_again_change_nothing(import_entries, files):
    paths = files()
    import_entries(entries(paths))
    again = import_entries(entries(paths))
    assert (again.accounts.unchanged, again.statements.unchanged,
            again.transactions.unchanged) == (2, 3, 2)
    assert again.accounts.created + again.accounts.updated + again.statements.created == 0


def test_statements_and_transactions_may_come_later_for_accounts_loaded_before(
        import_entries, files, tmp_path):
    paths = files()
    import_entries(csv_accounts(paths["accounts"]))
    result = import_entries(chain(csv_statements(paths["statements"]),
                                  csv_transactions(paths["transactions"])))
    assert (result.statements.created, result.transactions.created) == (3, 2)


def test_a_semicolon_file_in_windows_1252_is_read_with_its_encoding(import_entries, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes("account_number;holder_name;balance\n1001;Pieter Müller;10.00\n"
                     .encode("cp1252"))
    assert import_entries(csv_accounts(path, encoding="cp1252")).accounts.created == 1
    assert UtilityAccount.objects.get().holder_name == "Pieter Müller"


def test_a_byte_order_mark_is_not_part_of_the_first_column(import_entries, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes("\ufeffAccount Number,Holder Name,Balance\n1001,Anele,1.00\n"
                     .encode("utf-8"))
    assert import_entries(csv_accounts(path)).accounts.created == 1


def test_bytes_the_encoding_cannot_read_reject_only_their_row(import_entries, files):
    paths = files()
    paths["accounts"].write_bytes("account_number,holder_name,balance\n"
                                  "1001,Pieter Müller,10.00\n1002,Anele,5.00\n"
                                  .encode("cp1252"))
    result = import_entries(csv_accounts(paths["accounts"]))
    assert result.accounts.created == 1
    (rejected,) = result.rejected
    assert rejected.where == "accounts.csv line 2" and "--encoding" in rejected.reason


@pytest.mark.parametrize(("row", "field", "reason"), [
    (",Nobody,1.00", "account_number", "account_number is missing"),
    ("1003,Anele,R 1.00", "balance", "is not an amount"),
    ("1003,Anele,1.00,42", "ward", "is not a ward of this municipality"),
    ("1003,Anele,1.00,,0821", "phone", "is not a valid phone number"),
    ("1001,Anele,1.00", "account_number", "appears again (first at accounts.csv line 2)"),
    ("1003,Anele,1.00,,,,extra", "", "7 fields where the header has 6"),
])
def test_each_bad_csv_row_is_named_by_its_line(import_entries, files, row, field, reason):
    paths = files(accounts="account_number,holder_name,balance,ward,phone,email\n"
                           f"1001,Thandiwe,1.00,1,,\n{row}\n1004,Lwazi,2.00,2,,\n")
    result = import_entries(csv_accounts(paths["accounts"]))
    assert result.accounts.created == 2
    (rejected,) = result.rejected
    assert (rejected.where, rejected.field) == ("accounts.csv line 3", field)
    assert reason in rejected.reason


def test_statement_rows_that_do_not_fit_are_rejected(import_entries, files):
    paths = files(statements=STATEMENTS
                  + "1002,2026-07,,,0.00,1.00,1.00,1,Rates,rates,1.00\n"
                  + "1002,2026-07,,,0.00,2.00,2.00,2,Water,water,1.00\n"  # disagrees
                  + "9999,2026-06,,,,,,1,Rates,rates,1.00\n"  # no such account
                  + "1001,2026-08,,,0.00,0.00,0.00,1,Again,rates,1.00\n")  # not together
    result = import_entries(entries(paths))
    assert result.statements.created == 3 and result.statements.rejected == 3
    assert sorted((r.where, r.reason[:41]) for r in result.rejected) == [
        ("statements.csv line 6", "the rows of statement 2026-07 disagree on"),
        ("statements.csv line 8", "no account '9999': it is not loaded (or i"),
        ("statements.csv line 9", "the rows of account 1001 must be together")]


def test_a_csv_without_a_required_column_is_refused_whole(import_entries, files):
    paths = files(accounts="account_number,name,balance\n1001,Thandiwe,1.00\n")
    with pytest.raises(ImbizoError, match="the header lacks holder_name"):
        import_entries(csv_accounts(paths["accounts"]))
    assert not UtilityAccount.objects.exists()


def test_unknown_columns_are_reported_as_ignored(import_entries, files):
    paths = files(accounts="account_number,holder_name,balance,balanse\n1001,T,1.00,2\n")
    result = import_entries(csv_accounts(paths["accounts"]))
    assert result.ignored_columns == ["balanse"] and result.accounts.created == 1
