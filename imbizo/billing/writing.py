"""The second half of an import: a checked chunk written in bulk, after one read each of
the accounts, statements and transactions it names, to tell new rows from changed and
unchanged ones by their content hash. Nothing is read or written row by row."""

import json
import os
import uuid
from dataclasses import dataclass

from django.utils import timezone

from imbizo.geo.models import Municipality

from . import bulk
from .models import (
    ARREARS_BUCKETS,
    Statement,
    StatementLine,
    Transaction,
    UtilityAccount,
)
from .reading import Chunk, Rejection
from .records import AccountRow, StatementRow, TransactionRow
from .report import ImportResult

ACCOUNT_FIELDS = ("account_number", "holder_name", "holder_id_hash", "property_description",
                  "ward_id", "services", "balance", *(f"arrears_{b}" for b in ARREARS_BUCKETS),
                  "due_date", "phone_on_record", "email_on_record", "updated_at_source",
                  "batch_id", "content_hash")
STATEMENT_FIELDS = ("issued", "due_date", "opening_balance", "closing_balance", "total_due",
                    "content_hash")
LINE_COLUMNS = ("statement_id", "line", "municipality_id", "description", "service", "amount")
TRANSACTION_FIELDS = ("date", "kind", "amount")


@dataclass
class Account:
    """An account a chunk names: its id, and whether this chunk created it (then it has
    no statements or transactions yet, and none are looked for)."""

    pk: int
    new: bool


class ChunkWriter:
    def __init__(self, municipality: Municipality, result: ImportResult) -> None:
        self.municipality, self.batch, self.result = municipality, result.batch, result
        self.uuid = bulk.to_db(UtilityAccount, "uuid")
        self.moment = bulk.to_db(UtilityAccount, "updated_at_source")
        self.stamp = self.moment(timezone.now())

    def write(self, chunk: Chunk) -> None:
        """Inside the caller's transaction."""
        found = self._accounts(chunk.accounts)
        statements, transactions = list(chunk.statements), list(chunk.transactions)
        for _where, row in chunk.accounts:
            statements += [(w, row.number, s) for w, s in row.statements]
            transactions += [(w, row.number, t) for w, t in row.transactions]
        found |= self._loaded_before([n for _w, n, _r in statements + transactions
                                      if n not in found])
        self._statements(self._placed(statements, found, "statements"))
        self._transactions(self._placed(transactions, found, "transactions"))

    def _loaded_before(self, numbers: list[str]) -> dict[str, Account]:
        """Accounts of statements and transactions read from files of their own."""
        if not numbers:
            return {}
        return {n: Account(pk, new=False) for pk, n in bulk.rows_fetch(
            UtilityAccount.objects.filter(municipality=self.municipality,
                                          account_number__in=set(numbers))
            .values_list("pk", "account_number"))}

    def _placed(self, items: list[tuple], found: dict[str, Account], kind: str) -> list:
        """(account, row) for each item whose account is known; the others rejected."""
        placed = []
        for where, number, row in items:
            account = found.get(number)
            if account is None:
                self.result.reject(Rejection(kind, where, number, "account_number",
                                      f"no account {number!r}: it is not loaded (or its own "
                                      "row was rejected)"))
            else:
                placed.append((account, row))
        return placed

    def _accounts(self, rows: list[tuple[str, AccountRow]]) -> dict[str, Account]:
        m = self.municipality.pk
        existing = {n: (pk, h) for pk, n, h in bulk.rows_fetch(
            UtilityAccount.objects.filter(municipality_id=m,
                                          account_number__in=[row.number for _w, row in rows])
            .values_list("pk", "account_number", "content_hash"))}
        found, new, changed, unchanged = {}, [], [], 0
        for _where, row in rows:
            self.result.add_total(row)
            digest = row.digest()
            pk, old = existing.get(row.number, (None, None))
            if pk is None:
                new.append((row, digest))
                continue
            found[row.number] = Account(pk, new=False)
            if old != digest:
                changed.append((*self._values(row, digest), self.stamp, pk))
            else:
                unchanged += 1
        ids = bulk.ids_take(UtilityAccount, len(new))
        randomness = os.urandom(16 * len(new))  # one system call, not one a uuid
        bulk.rows_insert(UtilityAccount, ("id", "uuid", "created", "updated", "municipality_id",
                                          *ACCOUNT_FIELDS),
                         [(pk, self.uuid(uuid.UUID(bytes=randomness[16 * i:16 * i + 16],
                                                   version=4)),
                           self.stamp, self.stamp, m, *self._values(row, digest))
                          for i, (pk, (row, digest)) in enumerate(zip(ids, new, strict=True))])
        bulk.rows_update(UtilityAccount, (*ACCOUNT_FIELDS, "updated"), changed)
        found |= {row.number: Account(pk, new=True)
                  for pk, (row, _d) in zip(ids, new, strict=True)}
        self._counted("accounts", len(new), len(changed), unchanged)
        return found

    def _values(self, row: AccountRow, digest: str) -> tuple:
        return (row.number, row.holder_name, row.holder_id_hash, row.property_description,
                row.ward_id, json.dumps(row.services), row.balance, *row.arrears, row.due_date,
                row.phone, row.email, self.moment(row.updated_at_source), self.batch.pk, digest)

    def _statements(self, items: list[tuple[Account, StatementRow]]) -> None:
        """New statements and their lines are inserted; a changed one is updated in place
        and its lines written again, so it keeps its id and its lines their numbers."""
        m = self.municipality.pk
        older = {a.pk for a, _s in items if not a.new}
        existing = {}
        if older:
            existing = {(a, p): (pk, h) for pk, a, p, h in bulk.rows_fetch(
                Statement.objects.filter(account_id__in=older,
                                         period__in={s.period for _a, s in items})
                .values_list("pk", "account_id", "period", "content_hash"))}
        new, changed, unchanged = [], [], 0
        for account, row in items:
            digest = row.digest()
            pk, old = existing.get((account.pk, row.period), (None, None))
            if pk is None:
                new.append((account.pk, row, digest))
            elif old != digest:
                changed.append((pk, row, digest))
            else:
                unchanged += 1
        ids = bulk.ids_take(Statement, len(new))
        bulk.rows_insert(Statement, ("id", "municipality_id", "account_id", "period",
                                     *STATEMENT_FIELDS),
                         [(pk, m, account, row.period, *_statement_values(row, digest))
                          for pk, (account, row, digest) in zip(ids, new, strict=True)])
        bulk.rows_update(Statement, STATEMENT_FIELDS,
                         [(*_statement_values(row, digest), pk) for pk, row, digest in changed])
        if changed:
            StatementLine.objects.filter(statement_id__in=[pk for pk, _r, _d in changed]).delete()
        written = [*zip(ids, (row for _a, row, _d in new), strict=True),
                   *((pk, row) for pk, row, _d in changed)]
        bulk.rows_insert(StatementLine, LINE_COLUMNS, [
            (pk, number, m, description, service, amount)
            for pk, row in written for number, description, service, amount in row.lines])
        self._counted("statements", len(new), len(changed), unchanged)

    def _transactions(self, items: list[tuple[Account, TransactionRow]]) -> None:
        m = self.municipality.pk
        older = {a.pk for a, _t in items if not a.new}
        existing = {}
        if older:
            existing = {(a, ref): (pk, values) for pk, a, ref, *values in bulk.rows_fetch(
                Transaction.objects.filter(account_id__in=older,
                                           reference__in={t.reference for _a, t in items})
                .values_list("pk", "account_id", "reference", *TRANSACTION_FIELDS))}
        new, changed, unchanged = [], [], 0
        for account, row in items:
            pk, old = existing.get((account.pk, row.reference), (None, None))
            if pk is None:
                new.append((m, account.pk, row.reference, *row.values()))
            elif tuple(old) != row.values():
                changed.append((*row.values(), pk))
            else:
                unchanged += 1
        bulk.rows_insert(Transaction, ("municipality_id", "account_id", "reference",
                                       *TRANSACTION_FIELDS), new)
        bulk.rows_update(Transaction, TRANSACTION_FIELDS, changed)
        self._counted("transactions", len(new), len(changed), unchanged)

    def _counted(self, kind: str, created: int, updated: int, unchanged: int) -> None:
        counts = getattr(self.result, kind)
        counts.created += created
        counts.updated += updated
        counts.unchanged += unchanged


def _statement_values(row: StatementRow, digest: str) -> tuple:
    return (row.issued, row.due_date, row.opening_balance, row.closing_balance, row.total_due,
            digest)
