"""Alerts on the channels: after the times, "Alert me" follows the area (registering a
number new to Imbizo), and the times then offer "Stop alerts"; every screen fits USSD's
182 characters (every language at stage 8: test_flows.py)."""

from freezegun import freeze_time

from imbizo.accounts.models import ChannelAddress
from imbizo.accounts.permissions import citizen_actor
from imbizo.conversations.keywords import keyword
from imbizo.loadshedding.models import Subscription
from imbizo.loadshedding.subscriptions import loadshedding_subscribe
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import numbered_text
from tests.conversations.conftest import Chat, Dialler, choice_key

from .conftest import at
from .test_flows import TUESDAY, load_shedding, resident, stage_three  # noqa: F401  (fixtures)


def times_screen(phone: Dialler):
    pick = phone.send(choice_key(load_shedding(phone), "Pick from a list"))
    return phone.send(choice_key(pick, "Test Area 1"))


def test_on_ussd_alert_me_follows_the_area_and_stop_alerts_stops(resident, stage_three):  # noqa: F811
    with freeze_time(at(TUESDAY)):
        phone = Dialler(plugin_for("ussd/africastalking"))
        times = times_screen(phone)
        done = phone.send(choice_key(times, "Alert me"))
        assert done.end and done.text == ("You will get alerts for Test Area 1 before each "
                                          "outage and when the stage changes.")
        assert Subscription.objects.filter(citizen=resident, area__key="test-area-1").exists()
        again = Dialler(plugin_for("ussd/africastalking"))
        remembered = load_shedding(again)
        times = again.send(choice_key(remembered, "Show the times"))
        assert [c.label for c in times.choices] == ["Stop alerts"]
        stopped = again.send(choice_key(times, "Stop alerts"))
        assert stopped.end and stopped.text == "No more alerts for Test Area 1."
    assert not Subscription.objects.exists()
    assert all(len(numbered_text(s)) <= 182 for s in phone.screens + again.screens)


def test_stop_ls_on_sms_or_whatsapp_stops_every_alert_and_nothing_else(resident, areas):  # noqa: F811
    for key in ("test-area-1", "test-area-2"):
        loadshedding_subscribe(actor=citizen_actor(resident, channel="sms"), citizen=resident,
                               key=key)
    replies = Chat("sms/africastalking", resident.phone).send("stop ls")
    assert [r.body for r in replies] == [
        "You will get no more load-shedding alerts. Follow an area again from the "
        "Load-shedding menu."]
    assert not Subscription.objects.exists()
    assert not ChannelAddress.objects.filter(opted_out__isnull=False).exists()  # SMS still on
    loadshedding_subscribe(actor=citizen_actor(resident, channel="whatsapp"),
                           citizen=resident, key="test-area-1")
    Chat("whatsapp", resident.phone).send("Yeka LS")
    assert not Subscription.objects.exists()


def test_stop_ls_is_a_keyword_in_every_language():
    assert {keyword(w) for w in ("STOP LS", "stop-ls", "Yeka LS", "emisa ls", "STOPLS")} == \
        {"stop_alerts"}
    assert keyword("STOP") == "stop" and keyword("LS") == "" and keyword("STOP ALL") == "stop"
