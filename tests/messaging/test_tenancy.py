"""Messages carry personal data: staff see only their municipality's, in lists and admin."""

import pytest

from imbizo.accounts.models import Role
from imbizo.geo.models import Ward
from imbizo.messaging.selectors import message_list
from imbizo.messaging.services import citizen_notify


@pytest.fixture
def messages(make_resident, two_municipalities):
    """One message to a resident of each municipality (the AAA one in ward 90100002)."""
    aaa, bbb = two_municipalities
    ward = Ward.objects.get(code="90100002")
    residents = {"AAA": make_resident(municipality=aaa, ward=ward),
                 "BBB": make_resident(municipality=bbb)}
    return {code: citizen_notify(citizen=citizen, purpose="service",
                                 text_for_language=f"Message for {code}")
            for code, citizen in residents.items()}


def bodies(actor, **filters) -> set[str]:
    return set(message_list(actor=actor, **filters).values_list("body", flat=True))


def test_staff_list_only_their_municipalitys_messages(messages, make_staff, two_municipalities):
    aaa, bbb = two_municipalities
    assert bodies(make_staff({"role": Role.AGENT, "municipality": aaa})) == {"Message for AAA"}
    assert bodies(make_staff({"role": Role.OFFICER, "municipality": bbb})) == {"Message for BBB"}
    assert bodies(make_staff({"role": Role.PLATFORM_ADMIN})) == {"Message for AAA",
                                                                 "Message for BBB"}


def test_a_councillor_sees_messages_to_their_wards_residents_only(messages, make_staff,
                                                                  two_municipalities):
    aaa, _ = two_municipalities
    own = make_staff({"role": Role.COUNCILLOR, "municipality": aaa,
                      "ward": Ward.objects.get(code="90100002")})
    other = make_staff({"role": Role.COUNCILLOR, "municipality": aaa,
                        "ward": Ward.objects.get(code="90100001")})
    assert bodies(own) == {"Message for AAA"} and bodies(other) == set()


def test_analysts_and_contractors_see_no_messages(messages, make_staff, two_municipalities):
    aaa, _ = two_municipalities
    for role in (Role.ANALYST, Role.CONTRACTOR):
        assert bodies(make_staff({"role": role, "municipality": aaa})) == set()


def test_the_list_filters_by_status_channel_and_resident(messages, make_staff):
    admin = make_staff({"role": Role.PLATFORM_ADMIN})
    assert bodies(admin, status="queued", channel="sms",
                  citizen=messages["AAA"].citizen) == {"Message for AAA"}
    assert bodies(admin, status="delivered") == set()
    assert bodies(admin, channel="whatsapp") == set()


@pytest.fixture
def login(client):
    def as_actor(actor):
        client.force_login(actor.user)
        return client
    return as_actor


def test_the_outbox_admin_shows_an_agent_only_their_municipalitys_messages(
        messages, make_staff, login, two_municipalities):
    aaa, _ = two_municipalities
    client = login(make_staff({"role": Role.AGENT, "municipality": aaa}))
    page = client.get("/admin/messaging/outboundmessage/")
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [messages["AAA"]]
    own = client.get(f"/admin/messaging/outboundmessage/{messages['AAA'].pk}/change/")
    assert own.status_code == 200 and b"Message for AAA" in own.content
    other = client.get(f"/admin/messaging/outboundmessage/{messages['BBB'].pk}/change/")
    assert other.status_code == 302  # Django's admin answers an out-of-scope object so


def test_the_outbox_admin_filters_and_is_read_only(messages, make_staff, login):
    client = login(make_staff({"role": Role.PLATFORM_ADMIN}))
    page = client.get("/admin/messaging/outboundmessage/?status=queued&channel=sms&provider=dev")
    assert len(page.context["cl"].result_list) == 2
    message = messages["AAA"]
    edit = client.post(f"/admin/messaging/outboundmessage/{message.pk}/change/",
                       {"body": "forged"})
    assert edit.status_code == 403
    message.refresh_from_db()
    assert message.body == "Message for AAA"
    assert client.get("/admin/messaging/outboundmessage/add/").status_code == 403


def test_an_analyst_has_no_outbox_admin(messages, make_staff, login):
    client = login(make_staff({"role": Role.ANALYST}))
    assert client.get("/admin/messaging/outboundmessage/").status_code == 403
