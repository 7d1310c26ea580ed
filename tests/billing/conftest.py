"""Helpers for the billing tests: accounts as the billing system writes them, loaded
through the import service, and residents to link them."""

import json
import re
from pathlib import Path

import pytest

from imbizo.accounts.idnumber import luhn_ok
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.billing.importer import accounts_import
from imbizo.billing.sources import jsonl_entries
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Municipality


def id_number(body: str = "800101500908") -> str:
    """A valid South African ID number: twelve digits and their Luhn check digit."""
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


HOLDER_ID = id_number("800101500908")
OTHER_ID = id_number("850715012308")


def account(number: str = "1001", **fields) -> dict:
    """An account of AAA ward 1 with two statements of two lines and one payment."""
    row = {
        "account_number": number, "holder_name": "Thandiwe Khumalo",
        "holder_id_number": HOLDER_ID, "property": "Erf 12, 4 Main Street", "ward": "1",
        "services": ["rates", "water"], "balance": "1520.35",
        "arrears": {"current": "420.35", "30": "300.00", "60": "0", "90": "0",
                    "120": "800.00"},
        "due_date": "2026-07-15", "phone": "082 111 0001", "email": "thandi@example.org",
        "updated_at": "2026-06-30T18:00:00+02:00",
        "statements": [statement("2026-05", "980.00"), statement("2026-06", "1520.35")],
        "transactions": [{"reference": "PAY-1", "date": "2026-06-03", "kind": "payment",
                          "amount": "-500.00"}],
    }
    row.update(fields)
    return row


def statement(period: str, closing: str, lines: list | None = None) -> dict:
    return {"period": period, "issued": f"{period}-25", "due_date": f"{period}-28",
            "opening_balance": "0.00", "closing_balance": closing, "total_due": closing,
            "lines": lines if lines is not None else [
                {"line": 1, "description": "Property rates", "service": "rates",
                 "amount": "440.00"},
                {"line": 2, "description": "Water 12 kl", "service": "water",
                 "amount": "80.35"}]}


def write_jsonl(path: Path, rows: list, control: dict | None = None) -> Path:
    lines = [json.dumps(r) for r in rows]
    if control is not None:
        lines.insert(0, json.dumps({"control": control}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def import_entries(two_municipalities):
    """Import entries (from any source) into a municipality, as the CLI does."""
    def run(entries, *, municipality: str = "AAA", actor=None, source: str = "test"):
        return accounts_import(actor=actor or system_actor("cli"),
                               municipality=Municipality.objects.get(code=municipality),
                               entries=entries, source=source)
    return run


@pytest.fixture
def load(import_entries, tmp_path):
    """Import accounts (dicts) as a JSON Lines file."""
    counter = iter(range(1, 1000))

    def run(rows: list, *, control: dict | None = None, **kwargs):
        path = write_jsonl(tmp_path / f"accounts-{next(counter)}.jsonl", rows, control)
        return import_entries(jsonl_entries(path), source=path.name, **kwargs)
    return run


@pytest.fixture
def resident(two_municipalities):
    """A signed-in resident of AAA, on the web."""
    def make(phone: str = "0821110001", name: str = "Thandiwe"):
        citizen = citizen_register(actor=system_actor("web"), phone=phone, name=name)
        return citizen_actor(citizen, channel="web")
    return make


class Outbox:
    """A stand-in for the messaging outbox that the interface would hand in as ``send``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []  # (channel, address, message)

    def __call__(self, challenge, address: str, message: str) -> None:
        self.sent.append((challenge.method, address, message))

    @property
    def code(self) -> str:
        return re.search(r"\b(\d{6})\b", self.sent[-1][2]).group(1)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()
