"""One row of an import, checked: the same rules whether it came from CSV, JSON Lines or
the API (docs/billing.md). A value that breaks a rule raises ``RowError`` naming the
field and the reason; the reason never repeats an ID number.

An import checks some 30 million values (500,000 accounts of twelve statements), so each
check tries the usual case first (a string in the expected form) and falls back to the
full rules only when that fails.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError

from .identity import id_number_hash
from .models import ARREARS_BUCKETS, Transaction

CENT = Decimal("0.01")
LIMIT = Decimal("1e12")  # the columns hold twelve digits of rands
ZERO = Decimal("0.00")
KINDS = frozenset(Transaction.Kind.values)
_CENTS = re.compile(r"-?\d{1,12}\.\d\d")  # the usual form of an amount
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_SERVICE_SPLIT = re.compile(r"[;|,\s]+")
LOCAL = ZoneInfo(settings.TIME_ZONE)
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)

Line = tuple[int, str, str, Decimal]  # number, description, service, amount


class RowError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(raw: dict, name: str, max_length: int, *, required: bool = False) -> str:
    value = raw.get(name)
    if value.__class__ is str:
        value = value.strip()
        if 0 < len(value) <= max_length:
            return value
    if _blank(value):
        if required:
            raise RowError(name, f"{name} is missing")
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RowError(name, f"{name} must be text")
    if len(value) > max_length:
        raise RowError(name, f"{name} is longer than {max_length} characters")
    return value


def money(raw: dict, name: str, *, required: bool = False) -> Decimal:
    """Rands to the cent: ``1520.35``, ``-500``; no thousands separators, no currency."""
    value = raw.get(name)
    if value.__class__ is str and _CENTS.fullmatch(value):
        return Decimal(value)
    if _blank(value):
        if required:
            raise RowError(name, f"{name} is missing")
        return ZERO
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise RowError(name, f"{name} must be an amount")
    if isinstance(value, str) and not _PLAIN_NUMBER.fullmatch(value := value.strip()):
        raise RowError(name, f"{name} {value!r} is not an amount: write rands with a "
                             "decimal point and no separators, e.g. 1520.35")
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise RowError(name, f"{name} is not an amount") from None
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise RowError(name, f"{name} is out of range")
    rounded = amount.quantize(CENT)
    if rounded != amount:
        raise RowError(name, f"{name} {value} has fractions of a cent")
    return rounded


def _in_range(found: date, name: str) -> date:
    if not EARLIEST <= found <= LATEST:
        raise RowError(name, f"{name} {found.isoformat()} is not between "
                             f"{EARLIEST.year} and {LATEST.year}")
    return found


def day(raw: dict, name: str, *, required: bool = False) -> date | None:
    value = raw.get(name)
    if value.__class__ is str and len(value) == 10:
        try:
            return _in_range(date.fromisoformat(value), name)
        except ValueError:
            pass
    if _blank(value):
        if required:
            raise RowError(name, f"{name} is missing")
        return None
    try:
        found = date.fromisoformat(str(value).strip())
    except ValueError:
        raise RowError(name, f"{name} {value!r} is not a date (YYYY-MM-DD)") from None
    return _in_range(found, name)


def month(raw: dict, name: str) -> date:
    """``2025-06`` or any day of it: the first day of that month."""
    value = raw.get(name)
    if _blank(value):
        raise RowError(name, f"{name} is missing")
    text_value = str(value).strip()
    try:
        found = date.fromisoformat(text_value + "-01" if len(text_value) == 7 else text_value)
    except ValueError:
        raise RowError(name, f"{name} {value!r} is not a month (YYYY-MM)") from None
    return _in_range(found.replace(day=1), name)


def moment(raw: dict, name: str) -> datetime | None:
    """ISO 8601; without an offset, South African time."""
    value = raw.get(name)
    if _blank(value):
        return None
    try:
        found = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise RowError(name, f"{name} {value!r} is not a date and time (ISO 8601)") from None
    _in_range(found.date(), name)
    return found if found.tzinfo else found.replace(tzinfo=LOCAL)


def phone(raw: dict, name: str) -> str:
    value = text(raw, name, 40)
    if not value:
        return ""
    try:
        return normalise_phone(value)
    except ImbizoError:
        raise RowError(name, f"{name} {value!r} is not a valid phone number") from None


def email(raw: dict, name: str) -> str:
    value = text(raw, name, 254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise RowError(name, f"{name} {value!r} is not an e-mail address") from None
    return value


def service_code(value: str, name: str = "service") -> str:
    code = value.strip().lower()
    if not _SERVICE.fullmatch(code):
        raise RowError(name, f"{name} {value!r} is not a service code (e.g. water)")
    return code


def services(raw: dict, name: str = "services") -> list[str]:
    """A JSON list, or in CSV one field with the codes separated by ``;``, ``|`` or spaces."""
    value = raw.get(name)
    if _blank(value):
        return []
    items = _SERVICE_SPLIT.split(value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise RowError(name, f"{name} must be a list of service codes")
    return sorted({service_code(i, name) for i in items if i.strip()})


def id_hash(raw: dict, name: str = "holder_id_number") -> str:
    value = text(raw, name, 20)
    if not value:
        return ""
    try:
        return id_number_hash(value)
    except ImbizoError as exc:
        raise RowError(name, f"{name} is not a valid South African ID number: "
                             f"{exc.message}") from None


def digest(*parts: object) -> str:
    """The content hash a later import compares with, so that an unchanged row is skipped."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


@dataclass(slots=True)
class StatementRow:
    period: date
    issued: date | None
    due_date: date | None
    opening_balance: Decimal
    closing_balance: Decimal
    total_due: Decimal
    lines: list[Line]

    def digest(self) -> str:
        return digest(self.period, self.issued, self.due_date, self.opening_balance,
                      self.closing_balance, self.total_due, self.lines)


@dataclass(slots=True)
class TransactionRow:
    reference: str
    date: date
    kind: str
    amount: Decimal

    def values(self) -> tuple:
        return self.date, self.kind, self.amount


@dataclass(slots=True)
class AccountRow:
    number: str
    holder_name: str
    holder_id_hash: str
    property_description: str
    ward_id: int | None
    services: list[str]
    balance: Decimal
    arrears: tuple[Decimal, ...]  # in ARREARS_BUCKETS order
    due_date: date | None
    phone: str
    email: str
    updated_at_source: datetime | None
    statements: list[tuple[str, StatementRow]] = field(default_factory=list)  # (where, row)
    transactions: list[tuple[str, TransactionRow]] = field(default_factory=list)

    def digest(self) -> str:
        return digest(self.number, self.holder_name, self.holder_id_hash,
                      self.property_description, self.ward_id, self.services, self.balance,
                      self.arrears, self.due_date, self.phone, self.email,
                      self.updated_at_source)


class RowReader:
    """Checks rows for one municipality, whose wards are named by their 8-digit code or
    their number."""

    def __init__(self, wards: dict[str, int]) -> None:
        self.wards = wards
        self.service_codes: dict[str, str] = {}  # as written -> checked, for the lines

    def account(self, raw: object) -> AccountRow:
        if not isinstance(raw, dict):
            raise RowError("", "an account must be a JSON object")
        arrears = raw.get("arrears")
        if arrears is None:
            arrears = {}
        if not isinstance(arrears, dict):
            raise RowError("arrears", "arrears must be an object of buckets: current, 30, "
                                      "60, 90, 120")
        return AccountRow(
            number=text(raw, "account_number", 32, required=True),
            holder_name=text(raw, "holder_name", 200, required=True),
            holder_id_hash=id_hash(raw),
            property_description=text(raw, "property", 300),
            ward_id=self.ward(raw),
            services=services(raw),
            balance=money(raw, "balance", required=True),
            arrears=tuple(money({f"arrears_{b}": arrears.get(b)}, f"arrears_{b}")
                          for b in ARREARS_BUCKETS),
            due_date=day(raw, "due_date"),
            phone=phone(raw, "phone"),
            email=email(raw, "email"),
            updated_at_source=moment(raw, "updated_at"),
        )

    def ward(self, raw: dict) -> int | None:
        value = text(raw, "ward", 20)
        if not value:
            return None
        found = self.wards.get(value.lstrip("0") if value.isdigit() and len(value) < 8
                               else value)
        if found is None:
            raise RowError("ward", f"ward {value!r} is not a ward of this municipality")
        return found

    def statement(self, raw: object) -> StatementRow:
        if not isinstance(raw, dict):
            raise RowError("", "a statement must be a JSON object")
        lines = raw.get("lines") or []
        if not isinstance(lines, list):
            raise RowError("lines", "lines must be a list")
        found = [self.line(item, position) for position, item in enumerate(lines, start=1)]
        if len({x[0] for x in found}) != len(found):
            raise RowError("lines", "two lines have the same number")
        return StatementRow(
            period=month(raw, "period"), issued=day(raw, "issued"),
            due_date=day(raw, "due_date"), opening_balance=money(raw, "opening_balance"),
            closing_balance=money(raw, "closing_balance"), total_due=money(raw, "total_due"),
            lines=found)

    def line(self, raw: object, position: int) -> Line:
        if not isinstance(raw, dict):
            raise RowError(f"lines[{position}]", "a line must be a JSON object")
        number = raw.get("line", position)
        if number.__class__ is not int:
            number = int(number) if isinstance(number, str) and number.strip().isdigit() \
                else -1
        if not 0 < number < 32768:
            raise RowError("line", f"line {position}: the line number must be a whole "
                                   "number from 1")
        written = raw.get("service") or ""
        service = self.service_codes.get(written) if written.__class__ is str else None
        if service is None:
            checked = text(raw, "service", 40)
            service = service_code(checked) if checked else ""
            if written.__class__ is str and len(self.service_codes) < 1000:
                self.service_codes[written] = service
        return (number, text(raw, "description", 200, required=True), service,
                money(raw, "amount", required=True))

    @staticmethod
    def transaction(raw: object) -> TransactionRow:
        if not isinstance(raw, dict):
            raise RowError("", "a transaction must be a JSON object")
        kind = text(raw, "kind", 12).lower()
        if kind not in KINDS:
            raise RowError("kind", f"kind {kind!r} must be one of {', '.join(sorted(KINDS))}")
        return TransactionRow(text(raw, "reference", 64, required=True),
                              day(raw, "date", required=True), kind,
                              money(raw, "amount", required=True))
