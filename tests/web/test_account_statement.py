"""A statement as a page and as a PDF. The PDF is made by a task, never in the request:
the first ask shows a page that reloads itself while the worker renders it; then the
stored file is served. A changed statement gets a new PDF."""

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult

from imbizo.billing.models import Statement
from imbizo.billing.statement_pdf import (
    statement_pdf_make,
    statement_pdf_name,
    statement_pdf_render,
)
from tests.billing.conftest import account
from tests.billing.conftest import statement as statement_row

from .account_world import *  # noqa: F403  (fixtures: accounts, holder, signed_in)
from .account_world import load

PDF = "/account/AAA/1001/statement/2026-06.pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """PDFs in a folder of the test's own; no render remembered as asked for."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def test_the_statement_page_shows_every_line_and_links_the_pdf(client, holder):
    page = client.get("/account/AAA/1001/statement/2026-06")
    assert page.status_code == 200
    for text in ("Statement for June 2026", "Property rates", "R 440.00", "Water 12 kl",
                 "Closing balance", "Total due", "R 1,520.35", "Erf 12, 4 Main Street",
                 "Due date", "28 June 2026", PDF):
        assert text in page.text, text


def test_the_pdf_is_asked_for_once_and_the_page_says_it_is_being_prepared(client, holder):
    waiting = client.get(PDF)
    assert waiting.status_code == 202
    assert '<meta http-equiv="refresh" content="3">' in waiting.text
    assert f'href="{PDF}"' in waiting.text  # the link, for a browser that will not reload
    client.get(PDF)  # reloaded: not asked for again
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "imbizo.billing.statement_pdf.statement_pdf_make"
    statement = Statement.objects.get(account__account_number="1001", period="2026-06-01")
    assert task.args_kwargs["kwargs"] == {"statement_id": statement.pk, "language": "en"}


def test_the_worker_renders_a_real_pdf_which_is_then_served(client, holder, run_worker):
    assert client.get(PDF).status_code == 202
    run_worker()
    response = client.get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="statement-1001-2026-06.pdf"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF") and len(data) > 1000


def test_a_changed_statement_gets_a_new_pdf_and_each_language_its_own(holder, accounts):
    statement = Statement.objects.select_related("account__municipality").get(
        account__account_number="1001", period="2026-06-01")
    first = statement_pdf_make.call(statement_id=statement.pk, language="en")
    assert default_storage.open(first).read().startswith(b"%PDF")
    assert statement_pdf_make.call(statement_id=statement.pk, language="en") == first
    assert statement_pdf_make.call(statement_id=statement.pk, language="zu") != first
    load(accounts[0], [account("1001", statements=[statement_row("2026-06", "1600.00")])])
    changed = Statement.objects.select_related("account__municipality").get(pk=statement.pk)
    assert statement_pdf_name(changed, "en") != first


def test_the_pdf_name_holds_ids_not_the_account_number(holder):
    statement = Statement.objects.select_related("account__municipality").get(
        account__account_number="1001", period="2026-06-01")
    name = statement_pdf_name(statement, "en")
    account = statement.account
    assert name.startswith(f"statements/{account.municipality_id}/{account.pk}/2026-06-en-")
    assert "1001" not in name.rsplit("/", 1)[0]


def test_rendering_a_pdf_leaves_broken_photos_refused(holder):
    """WeasyPrint's import lets Pillow load truncated images process-wide; the worker that
    renders statements also checks residents' photos."""
    from PIL import ImageFile

    statement = Statement.objects.select_related("account__municipality").get(
        account__account_number="1001", period="2026-06-01")
    assert statement_pdf_render(statement, "en").startswith(b"%PDF")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
