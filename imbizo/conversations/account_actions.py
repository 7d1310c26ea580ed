"""Actions and the option sources of "My account" (flows/account.yaml): the resident's
linked accounts, the balance in one short screen with the account's menu, the latest
statement, a bill query and linking an account by its number and the holder's ID number or
a PIN by SMS. Each calls billing's own services and selectors, as the resident on their
channel, like the web. Paying, meter readings and payment arrangements are in
``account_pay.py``, ``account_reading.py`` and ``account_arrangement.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from imbizo.billing.models import LinkChallenge, Statement, StatementLine, UtilityAccount
from imbizo.billing.money import rands
from imbizo.billing.queries import bill_query
from imbizo.billing.selectors import account_list
from imbizo.billing.services import account_link_start, account_link_verify
from imbizo.billing.statement_pdf import statement_pdf_ask, statement_pdf_make
from imbizo.billing.statement_share import statement_share_token
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.models import Municipality
from imbizo.messaging.services import message_queue

from .account_texts import ACCOUNT_PDF, ACCOUNT_TEXTS
from .registry import action, source

if TYPE_CHECKING:
    from .turn import Turn

PAUSED = frozenset({"link_locked", "link_too_many_pins"})  # the end of trying, for now
NO_LINKS = frozenset({"ussd"})  # a feature phone opens no address


def _accounts(turn: Turn):
    if turn.citizen is None:
        return UtilityAccount.objects.none()
    return account_list(actor=turn.actor()).select_related("municipality") \
        .defer("municipality__boundary").order_by("municipality__name", "account_number")


def _account(turn: Turn) -> UtilityAccount:
    account = _accounts(turn).filter(pk=turn.answers.get("account")).first()
    if account is None:
        raise NotFound("account_not_found", _("That account is no longer linked to you."))
    return account


def _day(moment) -> str:
    return f"{moment:%d/%m/%Y}" if moment else "-"


@action("accounts_linked")
def accounts_linked(turn: Turn):
    """Which way the flow goes: link one, show the only one, or pick."""
    found = list(_accounts(turn).values_list("pk", flat=True)[:2])
    if len(found) == 1:
        turn.answers["account"] = str(found[0])
    return ("none", "one", "many")[len(found)], {}


@source("my_accounts")
def my_accounts(turn: Turn) -> list[tuple[str, str]]:
    return [(str(a.pk), " ".join(filter(None, [a.account_number, a.property_description])))
            for a in _accounts(turn)[:30]]


@action("account_summary")
def account_summary(turn: Turn):
    """What is owed, by when, and how much of it is overdue."""
    account = _account(turn)
    overdue = sum(v for bucket, v in account.arrears.items() if bucket != "current")
    return "shown", {"account_number": account.account_number, "balance": rands(account.balance),
                     "due": _day(account.due_date), "overdue": rands(overdue),
                     "has_arrears": overdue > 0}


# What the account's menu offers, in this order; "arrange" only with arrears to arrange.
MENU = (("pay", "account_pay"), ("statement", "account_statement"),
        ("reading", "account_reading"), ("arrange", "account_arrange"),
        ("query", "account_query"), ("link", "account_link_another"))


@source("account_menu")
def account_menu(turn: Turn) -> list[tuple[str, str]]:
    """The account's menu, from what ``account_summary`` found (no query): arranging to
    pay is offered only when something is overdue."""
    owes = bool(turn.answers.get("has_arrears"))
    return [(value, str(ACCOUNT_TEXTS[key])) for value, key in MENU
            if value != "arrange" or owes]


@action("account_choice")
def account_choice(turn: Turn):
    """Where the resident's choice in the account's menu leads."""
    return turn.answers.get("choice", ""), {}


@action("account_statement")
def account_statement(turn: Turn):
    """The latest statement in one screen: its total, due date and as many of its lines as
    fit. Where the channel sends files (WhatsApp, Telegram: answered in a worker, never in
    a webhook's request) the PDF itself, made now, goes with it; elsewhere than USSD, the
    address of the PDF on the site (asked for now, so that it is ready when opened)."""
    account = _account(turn)
    statement = Statement.objects.filter(account=account).order_by("-period").prefetch_related(
        Prefetch("lines", queryset=StatementLine.objects.order_by("line"))).first()
    if statement is None:
        return "none", {}
    statement.account = account
    values = {"period": f"{statement.period:%Y-%m}", "total": rands(statement.total_due),
              "statement_due": _day(statement.due_date or account.due_date)}
    pdf = ""
    language = translation.get_language() or "en"
    if turn.caps.sends_documents:
        statement_pdf_make.call(statement_id=statement.pk, language=language)
        token = statement_share_token(statement, turn.resident(), language)
        turn.document = (settings.SITE_URL + reverse("web:statement_shared", args=[token]),
                         f"statement-{values['period']}.pdf")
    elif turn.channel not in NO_LINKS:
        statement_pdf_ask(statement, language)
        path = reverse("web:account_statement_pdf", args=[
            account.municipality.code, account.account_number, values["period"]])
        pdf = str(ACCOUNT_PDF) % {"url": settings.SITE_URL + path}
    lines = [f"{line.description} {rands(line.amount)}" for line in statement.lines.all()]
    values["details"] = _fitted(turn, values, lines, pdf)
    return "shown", values


def _fitted(turn: Turn, values: dict, lines: list[str], pdf: str) -> str:
    """The lines (as many as fit, then "…") and the PDF's address, so that the whole
    screen stays within the channel's characters."""
    room = turn.caps.screen_chars
    template = str(ACCOUNT_TEXTS["account_statement_done"])
    for shown in range(len(lines), -1, -1):
        listed = "; ".join(lines[:shown]) + ("; …" if shown < len(lines) else "")
        details = " ".join(filter(None, [f"{listed}." if shown else "", pdf]))
        if len(template % {**values, "details": details}) <= room:
            return details
    return ""


@action("account_query")
def account_query(turn: Turn):
    """The resident's words become a case for Revenue & Billing, about the latest
    statement; a retried message or USSD hop logs it once."""
    account = _account(turn)
    statement = Statement.objects.filter(account=account).order_by("-period").first()
    case = bill_query(actor=turn.actor(), account=account, text=turn.answers["query"],
                      statement=statement, idempotency_key=turn.idempotency_key)
    return "logged", {"reference": case.reference}


# --- linking ---------------------------------------------------------------------------
def _send(turn: Turn):
    """billing's ``send``: the PIN goes by SMS to the number on the bill, in the
    resident's language, through the outbox."""
    def send(challenge: LinkChallenge, address: str, message: str) -> None:
        message_queue(to=address, channel=challenge.method, body=message, purpose="service",
                      municipality=turn.municipality(),
                      language=translation.get_language() or "en",
                      dedupe_key=f"billing-pin:{challenge.pk}")
    return send


def _start(turn: Turn, method: str):
    turn.resident()
    try:
        started = account_link_start(
            actor=turn.actor(), municipality=_municipality(turn),
            account_number=turn.answers["account_number"], method=method,
            send=_send(turn) if method != "id_number" else None,
            language=translation.get_language() or "en")
    except ImbizoError as exc:
        if exc.code in PAUSED:
            return "locked", {"reason": exc.message}
        raise
    turn.answers["link_method"] = method
    return "sent", {"destination": started.destination}


def _municipality(turn: Turn) -> Municipality:
    municipality = turn.municipality()
    if municipality is None:
        raise ImbizoError("municipality_unknown", _("Which municipality? Please start again."))
    return municipality


@action("account_link_id")
def account_link_id(turn: Turn):
    """Check the account number before asking for the holder's ID number."""
    return _start(turn, "id_number")


@action("account_link_sms")
def account_link_sms(turn: Turn):
    """Send a PIN to the phone number on the bill."""
    return _start(turn, "sms")


@action("account_link_verify")
def account_link_check(turn: Turn):
    """The ID number or the PIN: linked (then the balance), waiting for the holder, or
    paused after too many wrong tries; a wrong one is said and asked again."""
    try:
        link = account_link_verify(
            actor=turn.actor(), municipality=_municipality(turn),
            account_number=turn.answers["account_number"],
            method=turn.answers.get("link_method", "id_number"),
            proof=turn.answers.pop("proof", ""))
    except ImbizoError as exc:
        if exc.code in PAUSED:
            return "locked", {"reason": exc.message}
        raise
    if link.pending:
        return "pending", {"account_number": link.account.account_number}
    turn.answers["account"] = str(link.account_id)
    return "linked", {}


# Registered with the others: the account's payments, readings and arrangements.
from . import account_arrangement, account_pay, account_reading  # noqa: E402,F401
