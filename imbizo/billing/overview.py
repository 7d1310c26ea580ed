"""What a resident's account page shows, read in a fixed number of queries whatever the
account holds: the account (its visibility checked in the same query), its last
statements with their lines, its last transactions, the resident's own link and, for
the holder, the others who see the account or ask to."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from imbizo.core.permissions import Actor

from .models import AccountLink, Statement, StatementLine, Transaction, UtilityAccount
from .selectors import STATEMENTS_SHOWN, access_account

TRANSACTIONS_SHOWN = 12


@dataclass(frozen=True)
class AccountOverview:
    account: UtilityAccount
    statements: list[Statement]  # newest first, lines prefetched in order
    transactions: list[Transaction]  # newest first
    link: AccountLink | None  # the resident's own (None for staff)
    others: list[AccountLink] = field(default_factory=list)  # for the holder: proxies, requests

    @property
    def holder(self) -> bool:
        return self.link is not None and self.link.role == AccountLink.Role.HOLDER

    @property
    def arrears_total(self):
        """What is overdue: every bucket but the current month's."""
        arrears = self.account.arrears
        return sum(amount for bucket, amount in arrears.items() if bucket != "current")


def account_overview(*, actor: Actor, municipality: str, account_number: str) -> AccountOverview:
    """A 404 (NotFound) for an account the actor may not see, as ``access_account``."""
    account = access_account(actor, municipality=municipality, account_number=account_number)
    lines = Prefetch("lines", queryset=StatementLine.objects.order_by("line"))
    statements = list(Statement.objects.filter(account=account).order_by("-period")
                      .prefetch_related(lines)[:STATEMENTS_SHOWN])
    transactions = list(Transaction.objects.filter(account=account)
                        .order_by("-date", "-pk")[:TRANSACTIONS_SHOWN])
    link = others = None
    if actor.kind == "citizen":
        live = list(AccountLink.objects.filter(account=account, unlinked__isnull=True)
                    .select_related("citizen").order_by("created", "pk"))
        link = next((x for x in live if x.citizen_id == actor.citizen.pk), None)
        if link is not None and link.role == AccountLink.Role.HOLDER:
            others = [x for x in live if x.pk != link.pk]
    for statement in statements:
        statement.account = account
    return AccountOverview(account, statements, transactions, link, others or [])
