"""The agents' inbox: a WhatsApp resident asks for a person, an agent takes, reads and
answers them on WhatsApp, then gives them back to the bot; tenancy and roles."""

import re

from imbizo.accounts.services import citizen_register
from imbizo.audit.models import AuditEntry
from imbizo.conversations.models import ConversationSession, Handover, HandoverMessage
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.screens import Screen
from tests.conversations.conftest import Chat, choice_key

PHONE = "+27825550101"


def ask_for_a_person(municipalities, phone: str = PHONE) -> tuple[Chat, Handover]:
    citizen_register(actor=system_actor("whatsapp"), phone=phone, name="Thandi",
                     municipality=municipalities[0])
    wa = Chat("whatsapp", phone)
    menu = wa.screen("hi")
    queued = wa.screen(choice_key(menu, "Talk"), kind="choice")
    assert "queue" in queued.text
    return wa, Handover.objects.get(address=phone)


def test_an_agent_takes_reads_answers_and_closes_a_whatsapp_conversation(
        municipalities, staff, console_client):
    wa, handover = ask_for_a_person(municipalities)
    c = console_client(staff["agent"])
    listing = c.get("/console/inbox").content.decode()
    assert f"/console/inbox/{handover.pk}" in listing and "Thandi (+27825550101)" in listing

    assert c.post(f"/console/inbox/{handover.pk}/take").status_code == 302
    handover.refresh_from_db()
    assert handover.state == "taken" and handover.agent == staff["agent"].user
    told = OutboundMessage.objects.get(dedupe_key=f"handover:{handover.pk}:taken")
    assert (told.channel, told.to) == ("whatsapp", PHONE)

    # While the agent holds it, the resident's words go to the transcript, not the bot.
    assert wa.send("My water has been off for two days") == []
    line = HandoverMessage.objects.get(handover=handover)
    assert (line.direction, line.text) == ("in", "My water has been off for two days")
    assert "My water has been off" in c.get(f"/console/inbox/{handover.pk}").content.decode()

    assert c.post(f"/console/inbox/{handover.pk}/reply",
                  {"text": "Sorry! A team is on the way."}).status_code == 302
    sent = OutboundMessage.objects.get(body="Sorry! A team is on the way.")
    assert (sent.channel, sent.to, sent.purpose) == ("whatsapp", PHONE, "service")
    assert handover.messages.filter(direction="out").count() == 1

    assert c.post(f"/console/inbox/{handover.pk}/close").status_code == 302
    handover.refresh_from_db()
    assert handover.state == "closed"
    back = OutboundMessage.objects.get(dedupe_key=f"handover:{handover.pk}:closed")
    assert "ended" in back.body and Screen.from_payload(back.payload).choices
    session = ConversationSession.objects.get(channel="whatsapp", sender=PHONE)
    assert (session.flow, session.state) == ("main", "active")
    # The bot answers again, from the main menu.
    report = wa.screen(choice_key(Screen.from_payload(back.payload), "Report"), kind="choice")
    assert report.choices and HandoverMessage.objects.count() == 2


def test_another_municipalitys_agent_cannot_see_or_answer_the_conversation(
        municipalities, staff, console_client):
    _wa, handover = ask_for_a_person(municipalities)
    c = console_client(staff["other"])
    assert f"/console/inbox/{handover.pk}" not in c.get("/console/inbox").content.decode()
    for url in ("", "/lines"):
        assert c.get(f"/console/inbox/{handover.pk}{url}").status_code == 404
    for url in ("/take", "/reply", "/close"):
        assert c.post(f"/console/inbox/{handover.pk}{url}", {"text": "hi"}).status_code == 404
    handover.refresh_from_db()
    assert handover.state == "queued" and not handover.messages.exists()


def test_roles_without_case_logging_are_refused_the_inbox(municipalities, staff,
                                                          console_client):
    _wa, handover = ask_for_a_person(municipalities)
    for role in ("contractor", "councillor"):
        c = console_client(staff[role])
        assert c.get("/console/inbox").status_code == 403
        assert c.post(f"/console/inbox/{handover.pk}/take").status_code == 403
        c.logout()


def test_only_the_agent_who_took_it_may_reply(municipalities, staff, make_staff,
                                              console_client, client):
    _wa, handover = ask_for_a_person(municipalities)
    console_client(staff["agent"]).post(f"/console/inbox/{handover.pk}/take")
    client.logout()
    second = make_staff({"role": "agent", "municipality": municipalities[0]})
    c = console_client(second)
    response = c.post(f"/console/inbox/{handover.pk}/reply", {"text": "Hello"})
    assert response.status_code == 400 and "Take the conversation first" in \
        response.content.decode()
    assert "Hello" in response.content.decode()  # what was typed is kept
    assert not OutboundMessage.objects.filter(body="Hello").exists()
    assert c.post(f"/console/inbox/{handover.pk}/take").status_code == 302
    handover.refresh_from_db()
    assert handover.agent == staff["agent"].user  # taken stays taken


def test_the_live_fragment_returns_only_new_lines(municipalities, staff, console_client):
    wa, handover = ask_for_a_person(municipalities)
    c = console_client(staff["agent"])
    c.post(f"/console/inbox/{handover.pk}/take")
    wa.send("first")
    page = c.get(f"/console/inbox/{handover.pk}").content.decode()
    after = re.search(r"lines\?after=(\d+)", page).group(1)
    assert c.get(f"/console/inbox/{handover.pk}/lines?after={after}").content.decode() \
        .count("<li class=\"line-") == 0
    wa.send("second")
    fragment = c.get(f"/console/inbox/{handover.pk}/lines?after={after}").content.decode()
    assert "second" in fragment and "first" not in fragment and "<html" not in fragment
    assert 'hx-trigger="every 5s"' in fragment


def test_inbox_and_fragment_queries_do_not_grow(municipalities, staff, console_client,
                                                django_assert_max_num_queries):
    _wa, handover = ask_for_a_person(municipalities)
    c = console_client(staff["agent"])
    c.post(f"/console/inbox/{handover.pk}/take")
    for n in range(5):
        ask_for_a_person(municipalities, phone=f"+2782555020{n}")
        handover.messages.create(direction="in", text=f"line {n}")
    with django_assert_max_num_queries(8):
        assert c.get("/console/inbox").content.decode().count("/console/inbox/") >= 6
    with django_assert_max_num_queries(8):
        assert c.get(f"/console/inbox/{handover.pk}/lines?after=0").status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get(f"/console/inbox/{handover.pk}").status_code == 200


def test_a_waiting_resident_is_told_so_and_the_agent_reads_what_they_sent(
        municipalities, staff, console_client):
    wa, handover = ask_for_a_person(municipalities)
    [told] = wa.send("The pipe on Sizwe Street is still leaking")
    assert "in the queue" in told.body and "MENU" in told.body
    assert not Screen.from_payload(told.payload).choices
    line = HandoverMessage.objects.get(handover=handover)
    assert (line.direction, line.text) == ("in", "The pipe on Sizwe Street is still leaking")
    page = console_client(staff["agent"]).get(f"/console/inbox/{handover.pk}")
    assert "still leaking" in page.content.decode()


def test_menu_takes_a_resident_out_of_the_queue_or_the_chat(municipalities, staff,
                                                             console_client):
    wa, handover = ask_for_a_person(municipalities)
    menu = wa.screen("menu")
    assert menu.choices  # the bot's main menu again
    handover.refresh_from_db()
    assert handover.state == "closed" and not handover.messages.exists()
    assert AuditEntry.objects.filter(action="handover.leave").count() == 1

    wa2, taken = ask_for_a_person(municipalities, phone="+27825550102")
    console_client(staff["agent"]).post(f"/console/inbox/{taken.pk}/take")
    assert wa2.send("Hello?") == []  # a greeting is for the agent: no bot reply
    assert taken.messages.get().text == "Hello?"
    assert wa2.screen("menu").choices
    taken.refresh_from_db()
    assert taken.state == "closed"
