"""A statement PDF behind a signed link, for WhatsApp's and Telegram's servers to fetch:
no sign-in, but only a genuine token of a day at most, for a resident still linked."""

import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from imbizo.accounts.permissions import citizen_actor
from imbizo.billing.models import AccountLink, Statement
from imbizo.billing.services import account_unlink
from imbizo.billing.statement_pdf import statement_pdf_make
from imbizo.billing.statement_share import statement_share_token

from .account_world import *  # noqa: F403  (fixtures: accounts, holder, signed_in)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def june(holder):
    return Statement.objects.get(account__account_number="1001", period="2026-06-01")


def shared(statement, citizen, language="en") -> str:
    return reverse("web:statement_shared", args=[statement_share_token(statement, citizen,
                                                                       language)])


def test_a_made_pdf_is_served_without_sign_in(client, holder, june):
    statement_pdf_make.call(statement_id=june.pk, language="en")
    url = shared(june, holder)
    assert "1001" not in url  # ids only, no account number in an address a log may keep
    client.logout()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_pdf_not_made_yet_is_not_found(client, holder, june):
    assert client.get(shared(june, holder)).status_code == 404


def test_a_tampered_token_is_not_found(client, holder, june):
    statement_pdf_make.call(statement_id=june.pk, language="en")
    token = statement_share_token(june, holder, "en")
    forged = signing.dumps([june.pk, holder.pk + 1, "en"], salt="another salt", compress=True)
    assert client.get(f"/statement/{token[:-2]}xx.pdf").status_code == 404
    assert client.get(f"/statement/{forged}.pdf").status_code == 404


def test_a_token_older_than_a_day_is_not_found(client, holder, june, monkeypatch):
    statement_pdf_make.call(statement_id=june.pk, language="en")
    url = shared(june, holder)
    later = time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(url).status_code == 404


def test_an_unlinked_resident_s_link_stops_working(client, holder, june):
    statement_pdf_make.call(statement_id=june.pk, language="en")
    url = shared(june, holder)
    link = AccountLink.objects.get(citizen=holder)
    account_unlink(actor=citizen_actor(holder, channel="web"), link=link)
    assert client.get(url).status_code == 404
