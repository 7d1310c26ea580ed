"""Reads of utility accounts, scoped to the actor: a resident sees the accounts linked to
them (as holder, or as a proxy the holder approved); staff and integrators the accounts
of the municipalities where they hold ``billing.view``. Anyone else sees none, and an
account one may not see answers as one that does not exist.

A balance look-up is two queries whoever asks: the account (its visibility checked in
the same query) and its last statements.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor, scope

from .models import AccountLink, Statement, StatementLine, UtilityAccount

STATEMENTS_SHOWN = 6


def account_list(*, actor: Actor) -> QuerySet[UtilityAccount]:
    accounts = UtilityAccount.objects.all()
    if actor.kind == "citizen":
        return accounts.filter(links__citizen=actor.citizen, links__unlinked__isnull=True,
                               links__consented__isnull=False)
    if actor.kind in ("staff", "integrator", "system"):
        return scope(actor, accounts, "billing.view")
    return accounts.none()


def access_account(actor: Actor, *, municipality: str, account_number: str) -> UtilityAccount:
    """One account by its municipality's code and its number, with its municipality and
    ward (their boundaries left behind), in one query; a 404 if the actor may not see it."""
    number = (account_number or "").strip()
    account = account_list(actor=actor).filter(
        municipality__code=municipality, account_number=number) \
        .select_related("municipality", "ward") \
        .defer("municipality__boundary", "ward__boundary").first()
    if account is None:
        raise NotFound("account_not_found", _("No account %(number)s.") % {"number": number})
    return account


@dataclass(frozen=True)
class AccountSummary:
    """What a resident asks first: what they owe, by when, how overdue, the last bills."""

    account: UtilityAccount
    statements: list[Statement]  # newest first


def account_summary(*, actor: Actor, municipality: str, account_number: str) -> AccountSummary:
    account = access_account(actor, municipality=municipality, account_number=account_number)
    return AccountSummary(account, list(Statement.objects.filter(account=account)
                                        .order_by("-period")[:STATEMENTS_SHOWN]))


def statement_detail(*, actor: Actor, municipality: str, account_number: str,
                     period: date) -> Statement:
    """One month's statement with its lines, in three queries."""
    account = access_account(actor, municipality=municipality, account_number=account_number)
    statement = Statement.objects.filter(account=account, period=period.replace(day=1)) \
        .prefetch_related(Prefetch("lines", queryset=StatementLine.objects.order_by("line"))) \
        .first()
    if statement is None:
        raise NotFound("statement_not_found", _("No statement for %(month)s.")
                       % {"month": f"{period:%Y-%m}"})
    statement.account = account
    return statement


def link_list(*, actor: Actor) -> QuerySet[AccountLink]:
    """A resident's live links (pending ones too), and the requests from others waiting
    for their approval on the accounts they hold."""
    if actor.kind != "citizen":
        return AccountLink.objects.none()
    held = AccountLink.objects.filter(citizen=actor.citizen, role=AccountLink.Role.HOLDER,
                                      unlinked__isnull=True).values("account_id")
    return AccountLink.objects.filter(
        Q(citizen=actor.citizen) | Q(account_id__in=held, consented__isnull=True),
        unlinked__isnull=True).select_related("account", "municipality") \
        .defer("municipality__boundary").order_by("created", "pk")


def access_link(actor: Actor, uuid: UUID) -> AccountLink:
    link = link_list(actor=actor).filter(uuid=uuid).first()
    if link is None:
        raise NotFound("link_not_found", _("No such account link."))
    return link
