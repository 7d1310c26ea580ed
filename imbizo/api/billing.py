"""Utility accounts over the REST API: the billing system pushes accounts (the same JSON
as a line of the import file, docs/billing.md), and staff and integrators read one
account's balance and statements."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema

from imbizo.billing.importer import accounts_import
from imbizo.billing.report import ImportResult
from imbizo.billing.selectors import account_summary, statement_detail
from imbizo.billing.sources import Entry, not_text
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import municipality_by_code

from .auth import api_auth
from .problems import problem_response

router = Router(tags=["billing"], auth=api_auth)
PUSH_LIMIT = 1000  # accounts a push


class ControlIn(Schema):
    accounts: int | None = None
    balance: str | None = None
    arrears: dict[str, str] | None = None


class PushIn(Schema):
    municipality: str | None = Field(None, description="Its code; a key's own by default.")
    control: ControlIn | None = Field(None, description="Totals to reconcile against.")
    accounts: list[dict[str, Any]] = Field(
        description="Accounts as in a line of the JSON Lines import file (docs/billing.md), "
                    f"at most {PUSH_LIMIT}.")


class CountsOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int


class ReconciliationOut(Schema):
    total: str
    declared: str
    loaded: str
    matches: bool


class PushOut(Schema):
    batch: str
    rows_read: int
    accounts: CountsOut
    statements: CountsOut
    transactions: CountsOut
    loaded: dict[str, str]
    reconciliation: list[ReconciliationOut]


class StatementOut(Schema):
    period: str
    issued: date | None
    due_date: date | None
    opening_balance: Decimal
    closing_balance: Decimal
    total_due: Decimal


class LineOut(Schema):
    line: int
    description: str
    service: str
    amount: Decimal


class StatementDetailOut(StatementOut):
    account_number: str
    lines: list[LineOut]


class AccountOut(Schema):
    municipality: str
    account_number: str
    holder_name: str
    property: str
    ward: str | None
    services: list[str]
    balance: Decimal
    arrears: dict[str, Decimal]
    due_date: date | None
    updated_at_source: datetime | None
    statements: list[StatementOut]


def _push_municipality(request, code: str | None) -> Municipality:
    actor = request.auth
    if code:
        return municipality_by_code(code)
    if actor.kind == "integrator":
        return actor.api_key.municipality
    raise ImbizoError("municipality_required", "Name the municipality by its code.",
                      field="municipality")


def _entries(payload: PushIn) -> list[Entry]:
    found = [Entry("control", "control", payload.control.dict(exclude_none=True))] \
        if payload.control else []
    for index, account in enumerate(payload.accounts):
        problem = not_text(account)
        found.append(Entry("account", f"accounts[{index}]", {} if problem else account,
                           problem=problem))
    return found


def _push_answer(request, result: ImportResult):
    body = {k: v for k, v in result.as_dict().items()
            if k not in ("source", "ignored_columns", "rejected", "rejected_not_listed")}
    if not result.rejected_count:
        return body
    return problem_response(
        request, status=422, code="invalid_rows", title="Invalid rows",
        detail=f"{result.rejected_count} row(s) rejected, each named in errors; every other "
               "row was loaded.", errors=[vars(r) for r in result.rejected], **body)


@router.post("/billing/accounts", response={200: PushOut},
             summary="Push accounts from the billing system (idempotent)")
def push(request, payload: PushIn):
    """Each account is loaded, updated or left unchanged as its content says; one that
    breaks a rule is rejected with its reason (422 problem+json naming each, the others
    still loaded). Sending the same accounts again changes nothing."""
    if len(payload.accounts) > PUSH_LIMIT:
        raise ImbizoError("too_many_accounts",
                          f"At most {PUSH_LIMIT} accounts a push; send the rest in another.")
    municipality = _push_municipality(request, payload.municipality)
    result = accounts_import(actor=request.auth, municipality=municipality,
                             entries=_entries(payload),
                             source=f"api:{request.auth.label}")
    return _push_answer(request, result)


def _statement(s) -> dict:
    return {"period": f"{s.period:%Y-%m}", "issued": s.issued, "due_date": s.due_date,
            "opening_balance": s.opening_balance, "closing_balance": s.closing_balance,
            "total_due": s.total_due}


@router.get("/billing/accounts/{municipality}/{account_number}", response=AccountOut,
            summary="An account's balance, arrears and last statements")
def account(request, municipality: str, account_number: str):
    summary = account_summary(actor=request.auth, municipality=municipality,
                              account_number=account_number)
    a = summary.account
    return {"municipality": a.municipality.code, "account_number": a.account_number,
            "holder_name": a.holder_name, "property": a.property_description,
            "ward": a.ward.code if a.ward_id else None, "services": a.services,
            "balance": a.balance, "arrears": a.arrears, "due_date": a.due_date,
            "updated_at_source": a.updated_at_source,
            "statements": [_statement(s) for s in summary.statements]}


@router.get("/billing/accounts/{municipality}/{account_number}/statements/{period}",
            response=StatementDetailOut, summary="One month's statement with its lines")
def statement(request, municipality: str, account_number: str, period: str):
    try:
        month = date.fromisoformat(f"{period}-01")
    except ValueError:
        raise ImbizoError("invalid_period", "Give the month as YYYY-MM.") from None
    found = statement_detail(actor=request.auth, municipality=municipality,
                             account_number=account_number, period=month)
    return {**_statement(found), "account_number": found.account.account_number,
            "lines": [{"line": x.line, "description": x.description, "service": x.service,
                       "amount": x.amount} for x in found.lines.all()]}
