""""My account" on the channels: link an account by its number and the holder's ID number
(or a PIN by SMS), see the balance in one short screen, the latest statement (on WhatsApp
with its PDF's address), and query the bill, which logs a case for Revenue & Billing.
Every screen keeps within its channel's limits, in every language."""

import re

import pytest
from django.utils import timezone
from django.utils.translation import override
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import department_create
from imbizo.billing.models import AccountLink
from imbizo.billing.services import account_link_verify
from imbizo.cases.models import Case
from imbizo.conversations.engine import engine_show
from imbizo.conversations.flowdefs import shipped_flows
from imbizo.conversations.models import ConversationSession
from imbizo.conversations.sources import LANGUAGES
from imbizo.conversations.turn import Turn
from imbizo.core.config_cache import config_cache
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.screens import numbered_text
from tests.billing.conftest import HOLDER_ID, OTHER_ID, account, statement
from tests.web.account_world import load

from .conftest import PHONE, Chat, choice_key
from .test_rendering import PLUGINS, fits

MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa


@pytest.fixture(autouse=True)
def memo_forgotten():
    """freezegun also freezes ``time.monotonic``: a configuration memo checked at a frozen
    moment would look fresh for ever after and hand later tests this test's rows."""
    yield
    config_cache.clear()


@pytest.fixture
def accounts(place):
    """AAA's 1001 (R 1,520.35, R 1,100 overdue, two statements) and 1002; AAA has a
    Revenue & Billing department."""
    aaa = place[0]
    load(aaa, [account("1001"), account("1002", holder_id_number=OTHER_ID,
                                        statements=[statement("2026-06", "99.00")])])
    department_create(actor=system_actor("cli"), municipality=aaa, code="revenue",
                      name="Revenue & Billing")
    return aaa


@pytest.fixture
def linked(accounts, citizen):
    """The resident (PHONE) holds 1001."""
    account_link_verify(actor=citizen_actor(citizen, channel="web"), municipality=accounts,
                        account_number="1001", method="id_number", proof=HOLDER_ID)
    return citizen


def ussd_fits(screen) -> bool:
    return len(numbered_text(screen)) <= 182 and "…" not in screen.text


def my_account(phone):
    return phone.send(choice_key(phone.dial(), "My account"))


# --- USSD ------------------------------------------------------------------------------
def test_on_ussd_a_resident_links_an_account_and_sees_balance_and_statement(accounts, citizen,
                                                                          phone):
    ask = my_account(phone)
    assert "account number" in ask.text
    how = phone.send("1001")
    ask_id = phone.send(choice_key(how, "Holder's ID number"))
    assert "13-digit ID number" in ask_id.text
    summary = phone.send(HOLDER_ID)
    assert summary.text == "Account 1001: R 1,520.35, due 15/07/2026. Overdue: R 1,100.00."
    assert [c.label for c in summary.choices] == ["Pay", "Statement", "Meter reading",
                                                  "Arrange to pay", "Query my bill",
                                                  "Link an account"]
    shown = phone.send(choice_key(summary, "Statement"))
    assert shown.end
    assert shown.text == ("2026-06 statement: R 1,520.35, due 28/06/2026. Property rates "
                          "R 440.00; Water 12 kl R 80.35.")  # no address on a feature phone
    assert all(ussd_fits(s) for s in phone.screens)
    link = AccountLink.objects.get()
    assert (link.citizen, link.role, link.method) == (citizen, "holder", "id_number")
    session = ConversationSession.objects.get()
    assert HOLDER_ID not in str(session.answers)  # the ID number is not kept


def test_with_one_account_my_account_opens_on_the_balance(linked, phone):
    summary = my_account(phone)
    assert summary.text.startswith("Account 1001: R 1,520.35")
    assert len(phone.screens) == 2


def test_on_ussd_a_query_logs_a_case_for_revenue_and_says_its_reference(linked, phone):
    ask = phone.send(choice_key(my_account(phone), "Query my bill"))
    assert "What is wrong with your bill?" in ask.text
    done = phone.send("I was charged twice for water")
    case = Case.objects.get()
    assert done.end and case.reference in done.text and ussd_fits(done)
    assert case.department.code == "revenue" and case.channel == "ussd"
    assert case.extra == {"account_number": "1001", "statement_period": "2026-06"}
    assert case.description == "I was charged twice for water" and not case.public
    phone.repeat()  # the gateway sends the last hop again
    assert Case.objects.count() == 1


def test_a_wrong_id_number_is_said_with_the_tries_left_and_asked_again(accounts, citizen,
                                                                       phone):
    my_account(phone)
    phone.send(choice_key(phone.send("1001"), "Holder's ID number"))
    again = phone.send(OTHER_ID)
    assert "does not match the account's records. 4 tries left." in again.text
    assert "13-digit ID number" in again.text and not again.end and ussd_fits(again)
    assert phone.send(HOLDER_ID).text.startswith("Account 1001")


def test_an_unknown_account_number_is_said_and_asked_again(accounts, citizen, phone):
    my_account(phone)
    again = phone.send(choice_key(phone.send("99999"), "Holder's ID number"))
    assert "Aaa Local has no account 99999" in again.text and "account number" in again.text


def test_too_many_wrong_tries_end_the_conversation_saying_until_when(accounts, citizen, phone):
    with freeze_time(MORNING):
        my_account(phone)
        phone.send(choice_key(phone.send("1001"), "Holder's ID number"))
        for _ in range(4):
            phone.send(OTHER_ID)
        paused = phone.send(OTHER_ID)
    assert paused.end and paused.text == ("Linking is paused. Too many wrong tries. Try again "
                                          "at 11:00.")
    assert not AccountLink.objects.exists()


def test_a_pin_by_sms_goes_to_the_number_on_the_bill(accounts, citizen, phone):
    my_account(phone)
    ask = phone.send(choice_key(phone.send("1001"), "PIN by SMS"))
    assert "+27•••••01" in ask.text and ussd_fits(ask)
    message = OutboundMessage.objects.get(to="+27821110001", channel="sms")
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    assert "Account 1001" in phone.send(code).text
    assert AccountLink.objects.get().method == "sms"


def test_a_second_resident_waits_for_the_holder(linked, ussd):
    from .conftest import Dialler
    other = Dialler(ussd, "+27839990000")  # new here: asked which municipality first
    other.send(choice_key(my_account(other), "Aaa Local"))
    other.send(choice_key(other.send("1001"), "Holder's ID number"))
    done = other.send(HOLDER_ID)
    assert done.end and "is with its holder" in done.text
    assert AccountLink.objects.get(citizen__phone="+27839990000").pending


def test_with_two_accounts_the_resident_picks_one(linked, accounts, phone):
    account_link_verify(actor=citizen_actor(linked, channel="web"), municipality=accounts,
                        account_number="1002", method="id_number", proof=OTHER_ID)
    pick = my_account(phone)
    assert "Which account?" in pick.text
    summary = phone.send(choice_key(pick, "1002"))
    assert summary.text.startswith("Account 1002: R 1,520.35")


# --- WhatsApp ----------------------------------------------------------------------------
def test_on_whatsapp_the_statement_comes_with_its_pdf(linked, settings, tmp_path, client):
    """WhatsApp sends a document by fetching it from a link: the PDF is made by the worker
    answering the message, and the link (signed, no sign-in) serves it."""
    settings.MEDIA_ROOT = tmp_path
    wa = Chat("whatsapp", PHONE)
    summary = wa.screen(choice_key(wa.screen("hi"), "My account"), kind="choice")
    assert summary.text.startswith("Account 1001: R 1,520.35")
    assert all(len(c.label) <= 20 for c in summary.choices)  # reply buttons
    shown = wa.screen(choice_key(summary, "Statement"), kind="choice")
    assert shown.end and "Water 12 kl R 80.35" in shown.text and "http" not in shown.text
    url, filename = shown.document
    assert url.startswith(f"{settings.SITE_URL}/statement/") and filename == "statement-2026-06.pdf"
    pdf = client.get(url.removeprefix(settings.SITE_URL))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_on_sms_the_statement_comes_with_the_address_of_its_pdf(linked, settings):
    sms = Chat("sms/africastalking", PHONE)
    summary = sms.screen(choice_key(sms.screen("hi"), "My account"))
    shown = sms.screen(choice_key(summary, "Statement"))
    assert f"{settings.SITE_URL}/account/AAA/1001/statement/2026-06.pdf" in shown.text
    assert shown.document is None
    (task,) = DBTaskResult.objects.all()  # the PDF is being made while the resident reads
    assert task.task_path == "imbizo.billing.statement_pdf.statement_pdf_make"


def test_on_whatsapp_a_resident_links_and_queries(accounts, citizen):
    wa = Chat("whatsapp", PHONE)
    ask = wa.screen(choice_key(wa.screen("hi"), "My account"), kind="choice")
    how = wa.screen("1001")
    assert all(len(c.label) <= 20 for c in how.choices)
    wa.screen(choice_key(how, "Holder's ID number"), kind="choice")
    summary = wa.screen(HOLDER_ID)
    assert "account number" in ask.text and summary.text.startswith("Account 1001")
    wa.screen(choice_key(summary, "Query my bill"), kind="choice")
    done = wa.screen("Please explain the refuse charge")
    case = Case.objects.get()
    assert case.reference in done.text and case.channel == "whatsapp"


# --- every screen, every channel, every language ----------------------------------------
LONG_ACCOUNT = "A" * 32


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_the_account_screens_fit_every_channel_in_every_language(plugin, accounts, citizen):
    """With the largest values an account can hold: a 32-character number, balances in
    the tens of millions, a statement of many long lines."""
    lines = [{"line": n, "description": "Electricity prepaid top-up " * 4, "amount": "99999.99"}
             for n in range(1, 30)]
    load(accounts, [account(LONG_ACCOUNT, balance="-12345678.90",
                            arrears={"30": "98765432.10", "120": "12345678.90"},
                            statements=[statement("2026-06", "12345678.90", lines)])])
    account_link_verify(actor=citizen_actor(citizen, channel="web"), municipality=accounts,
                        account_number=LONG_ACCOUNT, method="id_number", proof=HOLDER_ID)
    session = ConversationSession.objects.create(
        channel=plugin.channel, sender=citizen.phone, citizen=citizen, flow="account",
        node="check", updated=timezone.now(), answers={"municipality": accounts.pk})
    turn = Turn(session=session, caps=plugin, idempotency_key="fit")
    from imbizo.conversations.engine import _go
    for code, _name in LANGUAGES:
        with override(code):
            session.answers = {"municipality": accounts.pk}
            summary = _go(turn, "check")
            assert fits(summary, plugin) and "…" not in summary.text, (code, summary)
            statement_end = _go(turn, "statement")
            assert fits(statement_end, plugin), (code, statement_end)
            assert not statement_end.text.endswith("…"), (code, statement_end.text)
            if plugin.sends_documents:
                assert "/statement/" in statement_end.document[0], code
            elif plugin.channel != "ussd":
                assert "/statement/2026-06.pdf" in statement_end.text, code
            for node in shipped_flows()["account"].nodes.values():
                if node.type in ("action",):
                    continue
                session.flow, session.node, session.page = "account", node.name, 0
                screen = engine_show(turn)
                assert fits(screen, plugin), (code, node.name, screen)
                if node.options and plugin.name == "whatsapp":  # reply buttons, not a list
                    assert all(len(c.label) <= 20 for c in screen.choices), (code, screen)
