"""A statement of a linked account, as a page and as a PDF.

The PDF is made by a task (billing/statement_pdf.py: a render is too slow for a request)
and kept in storage: the address serves the stored file when it is there, and otherwise
asks for it once and shows a small page that reloads itself in a few seconds (a meta
refresh, which the Content-Security-Policy does not govern; a link for browsers that
ignore it)."""

from datetime import date

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from imbizo.billing.models import Statement
from imbizo.billing.selectors import statement_detail
from imbizo.billing.statement_pdf import statement_pdf_ask, statement_pdf_stored
from imbizo.billing.statement_share import statement_shared
from imbizo.core.errors import NotFound

from .account import sign_in_first
from .pages import page
from .session import citizen_actor, request_citizen

REFRESH_SECONDS = 3


def _period(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404("not a month") from None


def _statement(request: HttpRequest, municipality: str, account_number: str,
               period: str) -> Statement:
    try:
        return statement_detail(actor=citizen_actor(request), municipality=municipality,
                                account_number=account_number, period=_period(period))
    except NotFound as exc:
        raise Http404(exc.message) from None


@require_GET
def account_statement(request: HttpRequest, municipality: str, account_number: str,
                      period: str) -> HttpResponse:
    if request_citizen(request) is None:
        return sign_in_first(request)
    statement = _statement(request, municipality, account_number, period)
    return page(request, "web/account_statement.html", {
        "statement": statement, "account": statement.account,
        "municipality": statement.account.municipality})


@require_GET
def account_statement_pdf(request: HttpRequest, municipality: str, account_number: str,
                          period: str) -> HttpResponse:
    if request_citizen(request) is None:
        return sign_in_first(request)
    statement = _statement(request, municipality, account_number, period)
    language = translation.get_language() or "en"
    name = statement_pdf_stored(statement, language)
    if name is not None:
        return _pdf(name, f"statement-{account_number}-{period}.pdf")
    statement_pdf_ask(statement, language)
    return page(request, "web/account_statement_wait.html", {
        "statement": statement, "account": statement.account,
        "municipality": statement.account.municipality, "refresh": REFRESH_SECONDS},
        status=202)


def _pdf(name: str, filename: str) -> FileResponse:
    response = FileResponse(default_storage.open(name, "rb"), content_type="application/pdf",
                            filename=filename)
    response["Cache-Control"] = "private, no-store"  # a resident's own bill
    return response


@require_GET
def statement_shared_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF behind a signed link (billing/statement_share.py), for WhatsApp's or
    Telegram's servers to fetch and hand to the resident as a document. It is made before
    the link is sent; a link to one not (or no longer) kept answers 404."""
    try:
        statement, language = statement_shared(token)
    except NotFound as exc:
        raise Http404(exc.message) from None
    name = statement_pdf_stored(statement, language)
    if name is None:
        raise Http404("not made")
    return _pdf(name, f"statement-{statement.period:%Y-%m}.pdf")
