"""News tests' world: AAA (wards 1 and 2, with suburbs) and BBB, staff who publish news,
residents in either ward with or without the consent to news messages, and running a
broadcast's sending task as a worker would."""

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from imbizo.accounts.models import Consent, Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register, citizen_update, consent_give
from imbizo.core.config_cache import config_cache
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.geo.services import ward_suburbs_set
from imbizo.news.models import NewsItem
from imbizo.news.services import news_compose, news_publish
from imbizo.notifications.news import news_send
from tests.console.conftest import device_for

MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa
NIGHT = "2026-07-01 19:30:00"  # 21:30


@pytest.fixture(autouse=True)
def memo_forgotten():
    """freezegun also freezes ``time.monotonic``: a memo checked at a frozen moment would
    look fresh for ever after and hand later tests this test's rows."""
    yield
    config_cache.clear()



@pytest.fixture
def places(two_municipalities):
    """AAA's ward 1 lists Sizwe and Newlands, ward 2 Hilltop; BBB's ward 1 lists Sizwe
    too (a name is found only in the municipality asked about)."""
    aaa, bbb = two_municipalities
    system = system_actor("cli")
    ward_suburbs_set(actor=system, municipality=aaa, suburbs={1: ("Sizwe", "Newlands"),
                                                              2: ("Hilltop",)})
    ward_suburbs_set(actor=system, municipality=bbb, suburbs={1: ("Sizwe",)})
    return aaa, bbb


@pytest.fixture
def aaa(places):
    return places[0]


@pytest.fixture
def publisher(make_staff, aaa):
    """A call-centre agent of AAA: agents broadcast for the call centre."""
    return make_staff({"role": Role.AGENT, "municipality": aaa})


@pytest.fixture
def make_resident(aaa):
    """A resident of a ward of AAA (or of ``municipality``), agreed to news messages or
    not, reading ``language``, preferring ``channel``."""
    def make(phone: str, ward: int | None = 1, *, language: str = "en",
             channel: str = "sms", consent: bool = True, municipality=None):
        place = municipality or aaa
        citizen = citizen_register(
            actor=system_actor("ussd"), phone=phone, language=language,
            municipality=place, preferred_channel=channel,
            ward=Ward.objects.get(municipality=place, number=ward) if ward else None)
        if consent:
            consent_give(actor=citizen_actor(citizen, channel="web"), citizen=citizen,
                         purpose=Consent.Purpose.BROADCASTS)
        return citizen
    return make


def move(citizen, ward: Ward) -> None:
    citizen_update(actor=citizen_actor(citizen, channel="web"), citizen=citizen,
                   municipality=ward.municipality, ward=ward)


def compose(actor, municipality, **overrides) -> NewsItem:
    spec = {"title": "Water off on Tuesday",
            "body": "Water will be off on Tuesday from 09:00 to 15:00 for repairs.",
            "short": "Water off Tue 09:00-15:00 for repairs.",
            "kind": NewsItem.Kind.BROADCAST} | overrides
    return news_compose(actor=actor, municipality=municipality, **spec)


def send(item: NewsItem) -> int:
    """Run the sending task until the broadcast is sent, as a worker would: how many
    tasks it took."""
    tasks = 0
    item.refresh_from_db()
    while item.status == NewsItem.Status.SENDING:
        news_send.call(item.pk)
        tasks += 1
        item.refresh_from_db()
        assert tasks < 100, "not sending: in the quiet hours? (freeze the time)"
    return tasks


def broadcast(actor, municipality, **overrides) -> NewsItem:
    """Compose, publish and send a broadcast."""
    item, _reach = news_publish(actor=actor, item=compose(actor, municipality, **overrides))
    send(item)
    item.refresh_from_db()
    return item


@pytest.fixture
def console_client(client):
    """A client signed in to the console as the actor's user, both factors passed."""
    def sign_in(actor):
        device = device_for(actor.user)
        client.force_login(actor.user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client
    return sign_in
