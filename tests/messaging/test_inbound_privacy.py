"""What a resident sent us, and their channel addresses, are theirs to see and erase
(POPIA), and are seen by staff only as their other messages are."""

import pytest

from imbizo.accounts.models import ChannelAddress, Role
from imbizo.accounts.services import (
    channel_address_link,
    channel_opt_out,
    citizen_erase,
    citizen_export,
)
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.messaging.inbound import Incoming
from imbizo.messaging.models import InboundMessage
from imbizo.messaging.selectors import inbound_list
from imbizo.messaging.services import inbound_record

pytestmark = pytest.mark.django_db


def wrote(channel: str, sender: str, text: str, message_id: str, citizen=None):
    inbound_id = inbound_record(Incoming(provider=channel, channel=channel,
                                         message_id=message_id, sender=sender, text=text))
    inbound = InboundMessage.objects.get(pk=inbound_id)
    if citizen is not None:  # what the engine records once it has handled the message
        InboundMessage.objects.filter(pk=inbound.pk).update(citizen=citizen)
    return inbound


@pytest.fixture
def thandi(make_resident):
    citizen = make_resident(channel="sms")
    wrote("sms", citizen.phone, "Water leak on Main Road", "at-1")
    channel_opt_out("sms", citizen.phone)
    channel_address_link(actor=system_actor("telegram"), channel="telegram", address="734001",
                         phone=citizen.phone)
    wrote("telegram", "734001", "Is it fixed?", "tg-1")
    wrote("sms", "+27829999999", "Someone else", "at-2")
    return citizen


def test_her_export_holds_what_she_sent_and_her_addresses(thandi):
    data = citizen_export(actor=system_actor("cli"), citizen=thandi)
    assert sorted(m["sent"]["text"] for m in data["inbound_messages"]) == [
        "Is it fixed?", "Water leak on Main Road"]
    assert {(a["channel"], a["address"], a["opted_out"] is not None)
            for a in data["channel_addresses"]} == {("sms", thandi.phone, True),
                                                    ("telegram", "734001", False)}


def test_erasure_blanks_what_she_sent_and_deletes_her_addresses(thandi):
    citizen_erase(actor=system_actor("cli"), citizen=thandi)
    left = {m.provider_message_id: m for m in InboundMessage.objects.all()}
    for mine in ("at-1", "tg-1"):
        assert (left[mine].sender, left[mine].payload) == ("", {})
        assert left[mine].state == InboundMessage.State.FAILED  # the engine never acts on it
    assert left["at-2"].payload["text"] == "Someone else"
    assert not ChannelAddress.objects.filter(address__in=[thandi.phone, "734001"]).exists()


@pytest.fixture
def inbox(make_resident, two_municipalities):
    aaa, bbb = two_municipalities
    ward = Ward.objects.get(code="90100002")
    at_home = make_resident(municipality=aaa, ward=ward)
    elsewhere = make_resident(municipality=bbb)
    return {"AAA": wrote("sms", at_home.phone, "From AAA", "at-1", citizen=at_home),
            "BBB": wrote("sms", elsewhere.phone, "From BBB", "at-2", citizen=elsewhere),
            "nobody": wrote("telegram", "734001", "Not linked", "tg-1")}


def texts(actor) -> set[str]:
    return {m.payload["text"] for m in inbound_list(actor=actor)}


def test_staff_see_what_residents_of_their_municipality_or_ward_sent(inbox, make_staff,
                                                                    two_municipalities):
    aaa, _ = two_municipalities
    assert texts(make_staff({"role": Role.AGENT, "municipality": aaa})) == {"From AAA"}
    assert texts(make_staff({"role": Role.COUNCILLOR, "municipality": aaa,
                             "ward": Ward.objects.get(code="90100001")})) == set()
    assert texts(make_staff({"role": Role.ANALYST, "municipality": aaa})) == set()
    assert texts(make_staff({"role": Role.PLATFORM_ADMIN})) == {"From AAA", "From BBB",
                                                                "Not linked"}


def test_the_inbox_admin_is_scoped_and_read_only(inbox, make_staff, client, two_municipalities):
    aaa, _ = two_municipalities
    client.force_login(make_staff({"role": Role.AGENT, "municipality": aaa}).user)
    page = client.get("/admin/messaging/inboundmessage/")
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [inbox["AAA"]]
    assert inbox["AAA"].sender.encode() not in page.content  # the number is masked
    own = client.get(f"/admin/messaging/inboundmessage/{inbox['AAA'].pk}/change/")
    assert own.status_code == 200 and b"From AAA" in own.content
    assert client.get(f"/admin/messaging/inboundmessage/{inbox['BBB'].pk}/change/"
                      ).status_code == 302
    assert client.post(f"/admin/messaging/inboundmessage/{inbox['AAA'].pk}/change/",
                       {"sender": "forged"}).status_code == 403
    assert client.get("/admin/messaging/inboundmessage/add/").status_code == 403
