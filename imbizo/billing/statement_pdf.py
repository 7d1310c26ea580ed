"""A statement as a PDF, rendered with WeasyPrint from an HTML template.

A render takes a few hundred milliseconds (docs/billing.md), too slow for a request, so it
runs in a task (``statement_pdf_make``) and the file is kept in the default storage. Its
name holds the statement, the language and a hash of everything the PDF shows (the
statement's content hash, the holder, the property, the layout's version): a statement
the billing system changes gets a new file, an unchanged one is rendered once per
language, and whoever asks again is served the stored file.

Nothing is fetched while rendering: the stylesheet is handed in from the package, and any
other URL in the document is refused.
"""

import hashlib
from pathlib import Path

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .models import Statement, StatementLine

TEMPLATE = "billing/statement.html"
STYLESHEET = Path(__file__).parent / "static" / "billing" / "statement.css"
LAYOUT = "1"  # bump when the template or stylesheet changes: every PDF is made again
FOLDER = "statements"
ASKED_SECONDS = 60


def statement_pdf_name(statement: Statement, language: str) -> str:
    """Where the statement's PDF in ``language`` is kept: by ids (an account number may
    hold any character), then a hash of what it shows."""
    account = statement.account
    shown = (LAYOUT, statement.content_hash, account.account_number, account.holder_name,
             account.property_description, account.municipality.name, language)
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=10).hexdigest()
    return (f"{FOLDER}/{account.municipality_id}/{account.pk}/"
            f"{statement.period:%Y-%m}-{language}-{digest}.pdf")


def statement_pdf_stored(statement: Statement, language: str) -> str | None:
    """The stored PDF's name, or None while it is not made yet."""
    name = statement_pdf_name(statement, language)
    return name if default_storage.exists(name) else None


def statement_pdf_render(statement: Statement, language: str) -> bytes:
    """The PDF itself (slow: call it from the task, never in a request)."""
    from PIL import ImageFile
    from weasyprint import CSS, HTML  # loads Pango: kept out of processes that never render
    from weasyprint.urls import URLFetcher

    # Importing WeasyPrint tells Pillow, for the whole process, to load truncated images;
    # a resident's broken photo must still be refused (cases/images.py), and a statement
    # holds no image.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    with translation.override(language):
        html = render_to_string(TEMPLATE, {
            "statement": statement, "account": statement.account, "language": language,
            "made": timezone.localtime()})
    nothing = URLFetcher(allowed_protocols=())  # any URL in the document is refused
    return HTML(string=html, url_fetcher=nothing).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))])


def _statement(statement_id: int) -> Statement | None:
    return Statement.objects.filter(pk=statement_id) \
        .select_related("account", "account__municipality") \
        .defer("account__municipality__boundary") \
        .prefetch_related(Prefetch("lines", queryset=StatementLine.objects.order_by("line"))) \
        .first()


def statement_pdf_ask(statement: Statement, language: str) -> None:
    """Enqueue the render, at most once a minute for one statement and language: a
    resident reloading the waiting page must not fill the queue."""
    if cache.add(f"statement-pdf:{statement_pdf_name(statement, language)}", 1,
                 ASKED_SECONDS):
        statement_pdf_make.enqueue(statement_id=statement.pk, language=language)


@task()
def statement_pdf_make(statement_id: int, language: str) -> str:
    """Render and keep the statement's PDF unless it is kept already; the stored name.
    Idempotent: a second run (a retry, a resident refreshing) finds the file."""
    statement = _statement(statement_id)
    if statement is None:  # deleted by an import since it was asked for
        return ""
    name = statement_pdf_name(statement, language)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(statement_pdf_render(statement, language)))
    return name
