"""Web Push: a resident's browsers subscribe from the web app and are sent their case news,
encrypted to each browser and signed with the server's VAPID key. Only the push
service's HTTP boundary is faked (``responses``: pywebpush speaks through ``requests``)."""

import base64
import json

import http_ece
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command

from imbizo.accounts.models import Channel as ResidentChannel
from imbizo.audit.models import AuditEntry
from imbizo.messaging.channels.webpush.keys import vapid_pair
from imbizo.messaging.channels.webpush.provider import WebPushProvider
from imbizo.messaging.models import OutboundMessage, PushSubscription, Status
from imbizo.messaging.reach import address_book
from imbizo.messaging.services import citizen_notify, message_send
from imbizo.web.session import SESSION_KEY

from ..conftest import DEV

pytestmark = pytest.mark.django_db
PUSH = "imbizo.messaging.channels.webpush.provider.WebPushProvider"
ENDPOINT = "https://push.example.net/send/abc123"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Browser:
    """A browser's side of a subscription: its key pair and auth secret, to read what the
    push service is handed as the browser would."""

    def __init__(self, endpoint: str = ENDPOINT) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = b"0123456789abcdef"
        self.endpoint = endpoint

    def json(self) -> dict:
        public = self.key.public_key().public_bytes(Encoding.X962,
                                                    PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def read(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth,
                                           version="aes128gcm"))


@pytest.fixture
def push_on(settings):
    public, private = vapid_pair()
    settings.WEBPUSH_VAPID_PUBLIC_KEY, settings.WEBPUSH_VAPID_PRIVATE_KEY = public, private
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:ops@example.org"
    settings.MESSAGING_PROVIDERS = {"sms": DEV, "whatsapp": DEV, "email": DEV, "webpush": PUSH}
    return public


@pytest.fixture
def signed_in(client, make_resident):
    citizen = make_resident(consents=("service",))
    session = client.session
    session[SESSION_KEY] = citizen.pk
    session.save()
    return citizen


def subscribe(client, browser: Browser, citizen=None):
    answer = client.post("/push/subscribe", browser.json(), content_type="application/json")
    if citizen is not None:
        citizen.refresh_from_db()  # now preferring Web Push
    return answer


@pytest.fixture
def push_service():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_signed_in_resident_subscribes_this_phone_and_it_becomes_their_channel(
        client, push_on, signed_in):
    browser = Browser()
    answer = subscribe(client, browser)
    assert answer.status_code == 201 and answer.json() == {"subscribed": True}
    subscription = PushSubscription.objects.get()
    assert (subscription.citizen, subscription.endpoint) == (signed_in, ENDPOINT)
    assert subscription.p256dh == browser.json()["keys"]["p256dh"]
    signed_in.refresh_from_db()
    assert signed_in.preferred_channel == ResidentChannel.WEBPUSH
    assert AuditEntry.objects.filter(action="push.subscribe",
                                     actor=f"citizen:{signed_in.uuid}").exists()
    assert subscribe(client, browser).status_code == 201  # the same browser again: one row
    assert PushSubscription.objects.count() == 1


def test_a_visitor_cannot_subscribe_and_bad_subscriptions_are_refused(client, push_on,
                                                                     make_resident):
    assert subscribe(client, Browser()).status_code == 401
    citizen = make_resident()
    session = client.session
    session[SESSION_KEY] = citizen.pk
    session.save()
    assert client.post("/push/subscribe", "not json",
                       content_type="application/json").status_code == 400
    insecure = Browser(endpoint="http://push.example.net/x")
    answer = subscribe(client, insecure)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_subscription"
    assert not PushSubscription.objects.exists()


def test_subscribing_needs_the_channel_to_be_configured(client, signed_in, settings):
    settings.MESSAGING_PROVIDERS = {"sms": DEV}
    assert subscribe(client, Browser()).status_code == 409


def test_unsubscribing_removes_only_this_browser(client, push_on, signed_in):
    subscribe(client, Browser())
    subscribe(client, Browser(endpoint=ENDPOINT + "-other"))
    answer = client.post("/push/unsubscribe", {"endpoint": ENDPOINT},
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json()["removed"] is True
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        ENDPOINT + "-other"]


def test_the_push_service_is_handed_the_message_encrypted_to_the_browser(
        client, push_on, signed_in, push_service):
    browser = Browser()
    subscribe(client, browser, signed_in)
    push_service.add(responses.POST, ENDPOINT, status=201)
    message = citizen_notify(citizen=signed_in, purpose="service",
                             text_for_language="Imbizo: AAA-2612-0001-5 is now being fixed.")
    assert (message.channel, message.to) == ("webpush", str(signed_in.uuid))
    message = message_send(message_id=message.pk)
    assert (message.status, message.provider) == (Status.SENT, "webpush")
    [call] = push_service.calls
    headers = call.request.headers
    assert headers["Content-Encoding"] == "aes128gcm" and headers["TTL"] == str(24 * 3600)
    assert headers["Authorization"].startswith("vapid t=")
    assert f"k={push_on}" in headers["Authorization"]
    shown = browser.read(call.request.body)
    assert shown == {"title": "Imbizo", "body": "Imbizo: AAA-2612-0001-5 is now being fixed.",
                     "url": "/track/AAA-2612-0001-5", "tag": "AAA-2612-0001-5"}
    assert PushSubscription.objects.get().last_success is not None


def test_a_browser_the_push_service_has_forgotten_is_deleted_and_sms_carries_the_news(
        client, push_on, signed_in, push_service, django_capture_on_commit_callbacks):
    subscribe(client, Browser(), signed_in)
    push_service.add(responses.POST, ENDPOINT, status=410)
    message = citizen_notify(citizen=signed_in, purpose="service", text_for_language="Hello")
    with django_capture_on_commit_callbacks(execute=False):
        message = message_send(message_id=message.pk)
    assert message.status == Status.FAILED
    assert not PushSubscription.objects.exists()
    fallback = OutboundMessage.objects.get(fallback_of=message)
    assert (fallback.channel, fallback.to) == ("sms", signed_in.phone)
    assert AuditEntry.objects.filter(action="push.gone").exists()


def test_a_push_service_that_is_down_is_tried_again_later(client, push_on, signed_in,
                                                          push_service):
    subscribe(client, Browser(), signed_in)
    push_service.add(responses.POST, ENDPOINT, status=503)
    message = citizen_notify(citizen=signed_in, purpose="service", text_for_language="Hello")
    message = message_send(message_id=message.pk)
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.next_attempt_at is not None and "503" in message.last_error
    assert PushSubscription.objects.exists()


def test_web_push_reaches_only_a_resident_who_prefers_it_and_has_a_browser(
        push_on, make_resident, django_assert_num_queries):
    citizen = make_resident()
    assert address_book([citizen]).reaches(citizen)[0][0] == "sms"
    citizen.preferred_channel = ResidentChannel.WEBPUSH  # no browser yet: SMS stands in
    assert address_book([citizen]).reaches(citizen)[0][0] == "sms"
    PushSubscription.objects.create(citizen=citizen, endpoint=ENDPOINT, p256dh="k", auth="a")
    with django_assert_num_queries(3):  # links, subscriptions, opted-out numbers
        book = address_book([citizen])
    assert book.reaches(citizen)[0] == ("webpush", str(citizen.uuid))


def test_erasing_a_resident_deletes_their_browsers(push_on, make_resident):
    from imbizo.messaging.privacy import push_erase, push_export

    citizen = make_resident()
    PushSubscription.objects.create(citizen=citizen, endpoint=ENDPOINT, p256dh="k", auth="a")
    assert push_export(citizen, None)[0]["push_service"] == ENDPOINT
    assert push_erase(citizen) == 1 and not PushSubscription.objects.exists()


def test_it_declares_what_it_can_do_and_prints_new_keys(capsys):
    assert WebPushProvider.channels == frozenset({"webpush"})
    call_command("webpush_keys")
    out = capsys.readouterr().out
    public = out.split("WEBPUSH_VAPID_PUBLIC_KEY=")[1].split()[0]
    assert len(base64.urlsafe_b64decode(public + "==")) == 65  # an uncompressed P-256 point
