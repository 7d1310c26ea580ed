"""A statement PDF's address for a provider to fetch: WhatsApp and Telegram send a
document by fetching it from a link, without the resident's sign-in.

The address carries a signed token of ids only (statement, resident, language: no
account number or name in a URL that a log may keep), good for a day, the outbox's
longest retry. Opening it checks, as every read does, that the resident is still linked
to the account: an unlinked resident's old link stops working.
"""

from django.core import signing

from imbizo.accounts.models import Citizen
from imbizo.accounts.permissions import citizen_actor
from imbizo.core.errors import NotFound

from .models import Statement
from .selectors import statement_detail

SALT = "imbizo.billing.statement-share"
MAX_AGE_SECONDS = 24 * 3600


def statement_share_token(statement: Statement, citizen: Citizen, language: str) -> str:
    return signing.dumps([statement.pk, citizen.pk, language], salt=SALT, compress=True)


def statement_shared(token: str) -> tuple[Statement, str]:
    """The statement and language a token names, if it is genuine, a day old at most,
    and its resident may still see the account; otherwise NotFound, whichever failed."""
    try:
        statement_id, citizen_id, language = signing.loads(token, salt=SALT,
                                                           max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound("statement_not_found", "No such statement.") from None
    statement = Statement.objects.filter(pk=statement_id).select_related(
        "account__municipality").only(
        "period", "account__account_number", "account__municipality__code").first()
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    if statement is None or citizen is None:
        raise NotFound("statement_not_found", "No such statement.")
    account = statement.account
    shown = statement_detail(actor=citizen_actor(citizen, channel="web"),
                             municipality=account.municipality.code,
                             account_number=account.account_number, period=statement.period)
    return shown, language
