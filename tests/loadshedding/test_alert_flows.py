"""Alerts on the channels: after the times, "Alert me" follows the area (registering a
number new to Imbizo), and the times then offer "Stop alerts"; every screen fits USSD's
182 characters (every language at stage 8: test_flows.py)."""

from freezegun import freeze_time

from imbizo.loadshedding.models import Subscription
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import numbered_text
from tests.conversations.conftest import Dialler, choice_key

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
