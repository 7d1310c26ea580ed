"""The first half of an import: entries checked into chunks, without the database, so that
it can run in a thread of its own while the chunk before is written (readahead.py)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from .records import AccountRow, RowError, RowReader, StatementRow, TransactionRow
from .sources import Entry


@dataclass
class Rejection:
    kind: str  # "accounts", "statements" or "transactions"
    where: str
    account: str
    field: str
    reason: str


@dataclass
class Chunk:
    """Up to ``size`` entries, checked; statements and transactions nested in accounts are
    in the accounts' rows, those from files of their own in their lists."""

    size: int = 0
    rows_read: int = 0  # account rows
    accounts: list[tuple[str, AccountRow]] = field(default_factory=list)
    statements: list[tuple[str, str, StatementRow]] = field(default_factory=list)
    transactions: list[tuple[str, str, TransactionRow]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    declared: dict = field(default_factory=dict)  # control totals
    ignored_columns: list[str] = field(default_factory=list)


class ChunkReader:
    def __init__(self, wards: dict[str, int]) -> None:
        self.rows = RowReader(wards)
        self.seen: dict[str, str] = {}  # account number -> where it first was

    def chunks(self, entries: Iterable[Entry], size: int) -> Iterator[Chunk]:
        iterator = iter(entries)
        while batch := list(islice(iterator, size)):
            yield self.read(batch)

    def read(self, entries: list[Entry]) -> Chunk:
        chunk = Chunk(size=len(entries))
        for entry in entries:
            if entry.kind == "control":
                chunk.declared.update(entry.data)
            elif entry.kind == "ignored":
                chunk.ignored_columns += entry.data["columns"]
            elif entry.kind == "account":
                chunk.rows_read += 1
                if (row := self._account(entry, chunk)) is not None:
                    chunk.accounts.append((entry.where, row))
            elif entry.kind in ("statement", "transaction"):
                kind = f"{entry.kind}s"
                read = self.rows.statement if kind == "statements" else self.rows.transaction
                if (found := self._own(entry, chunk, kind, read)) is not None:
                    getattr(chunk, kind).append((entry.where, entry.account, found))
        return chunk

    @staticmethod
    def _own(entry: Entry, chunk: Chunk, kind: str, read: Callable):
        """A statement or transaction from a file of its own, or None if rejected."""
        try:
            if entry.problem:
                raise RowError("", entry.problem)
            return read(entry.data)
        except RowError as exc:
            chunk.rejected.append(Rejection(kind, entry.where, entry.account, exc.field,
                                            exc.reason))
            return None

    def _account(self, entry: Entry, chunk: Chunk) -> AccountRow | None:
        data = entry.data
        number = str(data.get("account_number") or "").strip() if isinstance(data, dict) \
            else ""
        try:
            if entry.problem:
                raise RowError("", entry.problem)
            row = self.rows.account(data)
        except RowError as exc:
            chunk.rejected.append(Rejection("accounts", entry.where, number, exc.field,
                                            exc.reason))
            return None
        if (first := self.seen.get(row.number)) is not None:
            chunk.rejected.append(Rejection("accounts", entry.where, row.number,
                                            "account_number", f"account {row.number} appears "
                                                              f"again (first at {first})"))
            return None
        self.seen[row.number] = entry.where
        row.statements = self._nested(entry, chunk, "statements", "period",
                                      self.rows.statement, row.number)
        row.transactions = self._nested(entry, chunk, "transactions", "reference",
                                        self.rows.transaction, row.number)
        return row

    @staticmethod
    def _nested(entry: Entry, chunk: Chunk, name: str, key: str, read: Callable,
                number: str) -> list:
        """The statements or transactions nested in a JSON account, each checked on its
        own: a bad one is rejected, the account and the others still load."""
        items = entry.data.get(name) or []
        if not isinstance(items, list):
            chunk.rejected.append(Rejection(name, entry.where, number, name,
                                            f"{name} must be a list"))
            return []
        found, keys = [], set()
        for position, item in enumerate(items):
            where = f"{entry.where} {name}[{position}]"
            try:
                row = read(item)
            except RowError as exc:
                chunk.rejected.append(Rejection(name, where, number, exc.field, exc.reason))
                continue
            if (value := getattr(row, key)) in keys:
                chunk.rejected.append(Rejection(name, where, number, key,
                                                f"{key} {value} appears twice in the account"))
                continue
            keys.add(value)
            found.append((where, row))
        return found
