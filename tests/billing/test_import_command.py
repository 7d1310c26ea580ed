"""`imbizo import-accounts`: the file in, the reconciliation report out, and an exit
status that says whether every row loaded."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imbizo.billing.models import UtilityAccount
from imbizo.cli import main

from .conftest import account, write_jsonl


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_accounts", *map(str, args), stdout=out, verbosity=0)
    return out.getvalue()


def test_the_report_counts_every_kind_and_reconciles(two_municipalities, tmp_path):
    path = write_jsonl(tmp_path / "june.jsonl", [account("1001"), account("1002")],
                       control={"accounts": 2, "balance": "3040.70"})
    report = run(path, "--municipality", "AAA")
    assert "june.jsonl into AAA: 2 account row(s) read" in report
    assert "accounts      2 created, 0 updated, 0 unchanged, 0 rejected" in report
    assert "statements    4 created" in report and "transactions  2 created" in report
    assert "control       balance: declared 3040.70, loaded 3040.70: matches" in report
    assert "accounts      0 created, 0 updated, 2 unchanged" in run(path, "--municipality",
                                                                     "AAA")


def test_rejected_rows_are_listed_and_the_exit_status_says_so(two_municipalities, tmp_path):
    path = write_jsonl(tmp_path / "june.jsonl", [account("1001"), account("1002", ward="7")])
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row\\(s\\) rejected") as failed:
        call_command("import_accounts", str(path), municipality="AAA", stdout=out,
                     verbosity=0)
    assert failed.value.returncode == 1
    assert "line 2 (account 1002): ward '7' is not a ward of this municipality" \
        in out.getvalue()
    assert UtilityAccount.objects.count() == 1


def test_csv_files_are_named_by_option(two_municipalities, tmp_path):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("account_number,holder_name,balance\n1001,Anele,10.00\n")
    statements = tmp_path / "lines.csv"
    statements.write_text("account_number,period,line,description,amount\n"
                          "1001,2026-06,1,Rates,10.00\n")
    report = run(accounts, "--statements", statements, "--municipality", "AAA")
    assert "accounts.csv, lines.csv into AAA" in report and "statements    1 created" in report


def test_an_unreadable_file_or_an_unknown_municipality_is_an_error(two_municipalities,
                                                                   tmp_path):
    with pytest.raises(CommandError, match="nothing was imported"):
        run(tmp_path / "missing.jsonl", "--municipality", "AAA")
    with pytest.raises(CommandError, match="No municipality 'ZZZ'"):
        run(tmp_path / "missing.jsonl", "--municipality", "ZZZ")
    with pytest.raises(CommandError, match="--municipality CODE"):  # AAA and BBB are served
        run(tmp_path / "missing.jsonl")


def test_the_command_is_imbizo_import_accounts(two_municipalities, tmp_path, capsys):
    path = write_jsonl(tmp_path / "june.jsonl", [account("1001")])
    main(["imbizo", "import-accounts", str(path), "--municipality", "AAA", "--verbosity", "0"])
    assert "1 created" in capsys.readouterr().out
