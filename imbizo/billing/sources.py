"""Reading import files into entries, one per account, statement or transaction, without
checking their values (records.py checks them, for every source alike).

JSON Lines: one account object a line, its statements and transactions nested, and
optionally a line ``{"control": {...}}``. CSV: accounts in one file, and optionally
statement lines and transactions in files of their own, keyed by account number; a line
``#control,accounts=...,balance=...`` declares control totals, other lines starting with
``#`` are comments. A file is refused whole only when it cannot be read as its format at
all (no file, required columns missing, not JSON Lines); otherwise a row that cannot be
read is an entry with a ``problem``, reported with its line number.
"""

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from imbizo.core.errors import ImbizoError

from .models import ARREARS_BUCKETS

ACCOUNT_COLUMNS = ("account_number", "holder_name", "holder_id_number", "property", "ward",
                   "services", "balance", *(f"arrears_{b}" for b in ARREARS_BUCKETS),
                   "due_date", "phone", "email", "updated_at")
STATEMENT_FIELDS = ("issued", "due_date", "opening_balance", "closing_balance", "total_due")
STATEMENT_COLUMNS = ("account_number", "period", *STATEMENT_FIELDS, "line", "description",
                     "service", "amount")
TRANSACTION_COLUMNS = ("account_number", "reference", "date", "kind", "amount")
COLUMNS = {"account": ACCOUNT_COLUMNS, "statement": STATEMENT_COLUMNS,
           "transaction": TRANSACTION_COLUMNS}
REQUIRED = {"account": {"account_number", "holder_name", "balance"},
            "statement": {"account_number", "period"},
            "transaction": {"account_number", "reference", "date", "kind", "amount"}}
UNDECODABLE = "\ufffd"  # what a byte the encoding cannot read becomes
csv.field_size_limit(1 << 20)


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "account", "statement", "transaction", "control" or "ignored" (columns)
    where: str  # "line 12", "statements.csv line 40"
    data: dict
    account: str = ""  # the account number of a statement or transaction from its own file
    problem: str = ""  # why the row could not be read at all


def unreadable(path: Path, reason: str) -> ImbizoError:
    return ImbizoError("unreadable_file", f"{path.name}: {reason}; nothing was imported.")


def _open(path: Path, encoding: str, newline: str | None = None):
    try:
        return path.open(encoding=encoding, errors="replace", newline=newline)
    except (OSError, LookupError) as exc:
        raise unreadable(path, str(exc)) from None


def _undecodable(encoding: str) -> str:
    return f"not {encoding} text (give the file's encoding with --encoding)"


def not_text(data: object) -> str:
    """Why JSON that parsed still cannot be stored (a NUL, half of a surrogate pair, which
    JSON escapes allow and the database refuses), or ""."""
    try:
        written = json.dumps(data, ensure_ascii=False, default=str)
        written.encode()
    except UnicodeEncodeError:
        return "holds characters that are not text (an unpaired surrogate)"
    return "holds a NUL character" if "\\u0000" in written else ""


# --- JSON Lines -----------------------------------------------------------------------
def jsonl_entries(path: Path, encoding: str = "utf-8-sig") -> Iterator[Entry]:
    with _open(path, encoding) as handle:
        first = True
        for number, line in enumerate(handle, start=1):
            stripped = line.strip()
            if not stripped:
                continue
            if first and not stripped.startswith("{"):
                raise unreadable(path, "not JSON Lines (one JSON object a line)")
            first = False
            where = f"line {number}"
            if UNDECODABLE in stripped:
                yield Entry("account", where, {}, problem=_undecodable(encoding))
                continue
            try:
                data = json.loads(stripped, parse_float=Decimal)
            except ValueError as exc:
                yield Entry("account", where, {},
                            problem=f"not valid JSON ({getattr(exc, 'msg', exc)})")
                continue
            if "\\u" in stripped and (problem := not_text(data)):
                yield Entry("account", where, {}, problem=problem)
                continue
            if isinstance(data, dict) and list(data) == ["control"]:
                control = data["control"]
                yield Entry("control", where, control if isinstance(control, dict) else {})
            else:
                yield Entry("account", where, data)


# --- CSV ------------------------------------------------------------------------------
def _header(cells: list[str]) -> list[str]:
    return [re.sub(r"[\s-]+", "_", c.strip().lstrip("\ufeff").lower()) for c in cells]


def _control(cells: list[str]) -> dict:
    """``#control,accounts=2,balance=10.00`` (or the pairs separated by spaces)."""
    pairs = " ".join(cells).removeprefix("#control").split()
    return dict(p.split("=", 1) for p in pairs if "=" in p)


def csv_entries(path: Path, kind: str, encoding: str = "utf-8-sig") -> Iterator[Entry]:
    """An entry of ``kind`` (account, statement line or transaction) for each row, by
    column name. The delimiter is the header's: comma, semicolon, tab or bar."""
    label = path.name
    with _open(path, encoding, newline="") as handle:
        head = handle.readline()
        delimiter = max(",;\t|", key=head.count)
        header = _header(next(csv.reader([head], delimiter=delimiter), []))
        missing = REQUIRED[kind] - set(header)
        if missing:
            raise unreadable(path, f"the header lacks {', '.join(sorted(missing))} (the "
                                   f"columns are {', '.join(COLUMNS[kind])})")
        ignored = sorted(set(header) - set(COLUMNS[kind]))
        if ignored:
            yield Entry("ignored", label, {"columns": ignored})
        reader = csv.reader(handle, delimiter=delimiter)
        line = 1
        for cells in reader:
            start, line = line + 1, reader.line_num + 1
            where = f"{label} line {start}"
            if not "".join(cells).strip():
                continue
            if cells[0].startswith("#"):
                if cells[0].startswith("#control"):
                    yield Entry("control", where, _control(cells))
                continue
            row = dict(zip(header, cells, strict=False))
            account = (row.get("account_number") or "").strip()
            joined = "".join(cells)
            if UNDECODABLE in joined:
                yield Entry(kind, where, {}, account, _undecodable(encoding))
            elif "\x00" in joined:
                yield Entry(kind, where, {}, account, "holds a NUL character")
            elif len(cells) > len(header):
                yield Entry(kind, where, {}, account,
                            f"{len(cells)} fields where the header has {len(header)}")
            else:
                yield Entry(kind, where, row, account)


def csv_accounts(path: Path, encoding: str = "utf-8-sig") -> Iterator[Entry]:
    for entry in csv_entries(path, "account", encoding):
        if entry.kind == "account" and not entry.problem:
            entry.data["arrears"] = {b: entry.data.pop(f"arrears_{b}", None)
                                     for b in ARREARS_BUCKETS}
        yield entry


def _together(entries: Iterator[Entry], key: str, what: str) -> Iterator[Entry]:
    """Entries of statement lines or transactions, with those of an account that comes
    back after another account's, or that repeat ``key`` within it, turned into problems:
    an account's rows must be together, as they are in a file sorted by account."""
    current, seen, refused = None, set(), False
    done: set[str] = set()  # accounts whose rows have ended
    for entry in entries:
        if entry.problem or entry.kind not in ("statement", "transaction"):
            yield entry
            continue
        account = entry.account
        if account != current:
            if current is not None:
                done.add(current)
            current, seen, refused = account, set(), account in done
        value = (entry.data.get(key) or "").strip()
        if refused:
            yield _problem(entry, f"the rows of account {account} must be together in the file")
        elif value in seen:
            yield _problem(entry, f"{what} {value} of account {account} appears twice")
        else:
            seen.add(value)
            yield entry


def _problem(entry: Entry, reason: str) -> Entry:
    return Entry(entry.kind, entry.where, {}, entry.account, reason)


def csv_transactions(path: Path, encoding: str = "utf-8-sig") -> Iterator[Entry]:
    yield from _together(csv_entries(path, "transaction", encoding), "reference",
                         "transaction")


def csv_statements(path: Path, encoding: str = "utf-8-sig") -> Iterator[Entry]:
    """A statement from each run of rows of one account and period (a row a line)."""
    yield from _together(_runs(csv_entries(path, "statement", encoding)), "period",
                         "statement")


def _runs(entries: Iterator[Entry]) -> Iterator[Entry]:
    """Consecutive rows of one account and period become one statement entry."""
    group: list[Entry] = []
    for entry in entries:
        if entry.kind == "statement" and not entry.problem and group \
                and _period(entry) == _period(group[0]) and entry.account == group[0].account:
            group.append(entry)
            continue
        if group:
            yield _statement(group)
            group = []
        if entry.kind == "statement" and not entry.problem:
            group = [entry]
        else:
            yield entry
    if group:
        yield _statement(group)


def _period(entry: Entry) -> str:
    return (entry.data.get("period") or "").strip()


def _statement(group: list[Entry]) -> Entry:
    first = group[0]
    for other in group[1:]:
        differs = [f for f in STATEMENT_FIELDS if (other.data.get(f) or "").strip()
                   and (other.data.get(f) or "").strip() != (first.data.get(f) or "").strip()]
        if differs:
            return _problem(first, f"the rows of statement {_period(first)} disagree on "
                                   f"{', '.join(differs)} ({other.where})")
    data = {f: first.data.get(f) for f in ("period", *STATEMENT_FIELDS)}
    data["lines"] = [{"line": e.data.get("line") or position,
                      "description": e.data.get("description"),
                      "service": e.data.get("service"), "amount": e.data.get("amount")}
                     for position, e in enumerate(group, start=1)
                     if any((e.data.get(f) or "").strip() for f in ("description", "amount"))]
    return Entry("statement", first.where, data, first.account)
