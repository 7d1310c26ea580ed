"""Querying a bill: a resident's question about their account becomes a case, logged
through ``cases.services.case_log`` like every fault, on the channel they asked on.

The case goes to the municipality's bill-query category (the standard tree's "Accounts &
billing" group, mapped to the Revenue & Billing department, code ``revenue``), so routing
sends it to revenue with no person in between. The account number and the statement's
month and line go in the case's extra fields, never in its description; the case is not
public and carries no ward or address, so neither the public register nor a ward
councillor sees one resident's account.
"""

from django.utils.translation import gettext as _

from imbizo.cases.catalogue import categories_install_standard
from imbizo.cases.models import Case, Category
from imbizo.cases.selectors import category_for_logging
from imbizo.cases.services import Location, case_log
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor, system_actor
from imbizo.geo.models import Municipality

from .models import Statement, StatementLine, UtilityAccount
from .selectors import account_list

BILL_QUERY = "bill-query"  # the category's code (cases/standard.py)
BILLING_GROUP = "billing"


def bill_query(*, actor: Actor, account: UtilityAccount, text: str,
               statement: Statement | None = None, line: StatementLine | None = None,
               idempotency_key: str | None = None) -> Case:
    """Log ``text`` as a query about ``account`` (and one of its statements, or one line
    of it) as ``actor``, who must be able to see the account. A retry with the same
    ``idempotency_key`` returns the first case."""
    if not account_list(actor=actor).filter(pk=account.pk).exists():
        raise NotFound("account_not_found", _("No account %(number)s.")
                       % {"number": account.account_number})
    if line is not None:
        statement = statement or line.statement
        if line.statement_id != statement.pk:
            raise ImbizoError("line_not_on_statement",
                              _("That line is not on this statement."), field="line")
    if statement is not None and statement.account_id != account.pk:
        raise ImbizoError("statement_not_found", _("That statement is not of this account."),
                          field="statement")
    _billing_category(account.municipality)
    return case_log(actor=actor, category=BILL_QUERY, description=text,
                    municipality=account.municipality, location=Location(),
                    extra=_extra(account, statement, line), public=False,
                    idempotency_key=idempotency_key)


def _extra(account: UtilityAccount, statement: Statement | None,
           line: StatementLine | None) -> dict:
    extra = {"account_number": account.account_number}
    if statement is not None:
        extra["statement_period"] = f"{statement.period:%Y-%m}"
    if line is not None:
        extra["statement_line"] = f"{line.line}: {line.description}, R {line.amount}"
    return extra


def _billing_category(municipality: Municipality) -> Category:
    """The bill-query category; installed from the standard tree the first time a
    municipality with a Revenue & Billing department is asked (as the system, audited).
    One a municipality turned off stays off."""
    category = category_for_logging(municipality, BILL_QUERY)
    if category is None and not Category.objects.filter(
            municipality=municipality, code=BILL_QUERY).exists():
        categories_install_standard(actor=system_actor(), municipality=municipality,
                                    groups=(BILLING_GROUP,))
        category = category_for_logging(municipality, BILL_QUERY)
    if category is None:
        raise ImbizoError("bill_queries_off",
                          _("%(municipality)s does not take bill queries here yet. Please "
                            "call the municipality.") % {"municipality": municipality.name},
                          status=409)
    return category
