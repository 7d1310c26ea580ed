"""SMS, WhatsApp and Telegram through inbound_handle: replies through the outbox, one
resident across channels, nothing done twice, failures retried then apologised for."""

import io

import httpx
import pytest
import respx
from django.utils import timezone
from django.utils.translation import override
from PIL import Image

from imbizo.accounts.models import ChannelAddress
from imbizo.accounts.services import citizen_register
from imbizo.cases.images import unsupported_image
from imbizo.cases.models import Attachment, Case
from imbizo.conversations.models import ConversationSession
from imbizo.conversations.services import inbound_handle
from imbizo.conversations.texts import TEXTS
from imbizo.core.permissions import system_actor
from imbizo.messaging.inbound import Incoming
from imbizo.messaging.models import InboundMessage, OutboundMessage
from imbizo.messaging.services import inbound_record

from .conftest import PHONE, Chat, choice_key


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_sms_resident_logs_a_fault_and_gets_the_reference(citizen):
    sms = Chat("sms/africastalking", PHONE)
    menu = sms.screen("hi")
    category = sms.screen(choice_key(sms.screen(choice_key(menu, "Report")), "Roads"))
    place = sms.screen(choice_key(category, "Pothole"))
    describe = sms.screen("near Sizwe tavern")  # a landmark naming a suburb gives the ward
    assert "Describe" in place.text or "Describe" in describe.text
    confirm = sms.screen("A deep pothole")
    assert "Ward 1 (Sizwe), near near Sizwe tavern" not in confirm.text
    assert "Ward 1 (Sizwe)" in confirm.text and "Sizwe tavern" in confirm.text
    done = sms.screen(choice_key(confirm, "Yes"))
    case = Case.objects.get()
    assert case.reference in done.text and done.end
    assert case.address == "near Sizwe tavern" and case.ward.number == 1
    reply = OutboundMessage.objects.order_by("pk").last()
    assert reply.channel == "sms" and reply.to == PHONE and reply.purpose == "service"


def test_handling_a_message_twice_does_nothing_the_second_time(citizen):
    sms = Chat("sms/africastalking", PHONE)
    sms.send("hi")
    replies = OutboundMessage.objects.count()
    inbound_handle(inbound_id=sms.last_inbound.pk)
    assert OutboundMessage.objects.count() == replies
    sms.last_inbound.refresh_from_db()
    assert sms.last_inbound.state == "handled"
    assert ChannelAddress.objects.get(channel="sms").last_inbound is not None


@respx.mock
def test_a_whatsapp_resident_logs_with_gps_and_a_photo_and_is_offered_a_duplicate(
        citizen, log_case, settings):
    existing = log_case("pothole", lat=-29.95, lon=20.05)
    respx.get(f"{settings.WHATSAPP_API_URL}/media123").mock(return_value=httpx.Response(
        200, json={"url": "https://lookaside.example/media123", "mime_type": "image/jpeg",
                   "file_size": 1000}))
    respx.get("https://lookaside.example/media123").mock(
        return_value=httpx.Response(200, content=jpeg()))
    wa = Chat("whatsapp", PHONE)
    menu = wa.screen("hi")
    groups = wa.screen(choice_key(menu, "Report"), kind="choice")
    where = wa.screen(choice_key(wa.screen(choice_key(groups, "Roads"), kind="choice"),
                                 "Pothole"), kind="choice")
    assert where.expects == "location"
    wa.screen(kind="location", latitude=-29.9501, longitude=20.0501)
    photo = wa.screen("Another hole, deeper")
    assert photo.expects == "photo"
    offer = wa.screen(kind="photo", media_id="media123", media_type="image/jpeg")
    assert existing.reference in offer.text
    confirm = wa.screen(choice_key(offer, "No"), kind="choice")
    assert "Ward 1" in confirm.text
    done = wa.screen(choice_key(confirm, "Yes"), kind="choice")
    case = Case.objects.exclude(pk=existing.pk).get()
    assert case.reference in done.text and case.latitude == pytest.approx(-29.9501)
    assert Attachment.objects.filter(case=case).count() == 1


def test_joining_a_nearby_case_instead(citizen, log_case, place):
    other = citizen_register(actor=system_actor("whatsapp"), phone="+27831112222",
                             municipality=place[0])
    existing = log_case("pothole", lat=-29.95, lon=20.05)
    wa = Chat("whatsapp", other.phone)
    menu = wa.screen("hi")
    groups = wa.screen(choice_key(menu, "Report"), kind="choice")
    wa.screen(choice_key(wa.screen(choice_key(groups, "Roads"), kind="choice"), "Pothole"),
              kind="choice")
    wa.screen(kind="location", latitude=-29.9501, longitude=20.0501)
    wa.screen("Another hole")
    offer = wa.screen("0")  # skip the photo
    joined = wa.screen(choice_key(offer, "Yes"), kind="choice")
    assert existing.reference in joined.text
    existing.refresh_from_db()
    assert existing.affected_count == 2 and Case.objects.count() == 1


def test_a_telegram_user_shares_their_phone_and_is_the_same_resident(citizen):
    tg = Chat("telegram", "5550001", reply_to="5550001")
    ask = tg.screen("/start")
    assert ask.expects == "contact"
    menu = tg.screen(kind="contact", contact_phone=PHONE)
    assert choice_key(menu, "Report a fault")
    address = ChannelAddress.objects.get(channel="telegram", address="5550001")
    assert address.citizen == citizen
    assert OutboundMessage.objects.order_by("pk").last().to == "5550001"


def test_language_chosen_on_one_channel_is_spoken_on_the_others(citizen, phone):
    sms = Chat("sms/africastalking", PHONE)
    menu = sms.screen("hi")
    languages = sms.screen(choice_key(menu, "Language"))
    done = sms.screen(choice_key(languages, "isiZulu"))
    with override("zu"):  # said in the language just chosen
        assert done.text == str(TEXTS["language_changed"]) % {"language_label": "isiZulu"}
    assert done.text != "Done. We will speak isiZulu."
    citizen.refresh_from_db()
    assert citizen.language == "zu"
    phone.dial()
    assert ConversationSession.objects.get(channel="ussd").language == "zu"


def test_stop_opts_out_of_sms_once_and_start_opts_back_in(citizen):
    sms = Chat("sms/africastalking", PHONE)
    confirmation = sms.send("stop")
    assert len(confirmation) == 1 and confirmation[0].dedupe_key.startswith("optout:")
    assert ChannelAddress.objects.get(channel="sms").opted_out is not None
    assert sms.send("Yeka") == []  # already out: not answered again
    assert sms.send("hello") == []  # nothing until START
    back = sms.send("START")
    assert ChannelAddress.objects.get(channel="sms").opted_out is None
    assert back and "again" in back[0].body


def test_unsupported_media_gets_a_polite_answer_and_the_same_question(citizen):
    wa = Chat("whatsapp", PHONE)
    menu = wa.screen("hi")
    again = wa.screen(kind="unsupported")
    assert "cannot read" in again.text and again.choices == menu.choices


def test_a_failure_is_retried_with_backoff_then_apologised_for(citizen, settings):
    settings.CHANNEL_PLUGINS = {**settings.CHANNEL_PLUGINS}
    incoming = Incoming(provider="gone", channel="sms", message_id="x1", sender=PHONE,
                        text="hi")
    inbound = InboundMessage.objects.get(pk=inbound_record(incoming))
    inbound_handle(inbound_id=inbound.pk)
    inbound.refresh_from_db()
    assert inbound.state == "received" and inbound.attempts == 1
    assert inbound.next_attempt_at > timezone.now()
    for _attempt in range(4):
        inbound_handle(inbound_id=inbound.pk)
    inbound.refresh_from_db()
    assert inbound.state == "failed" and inbound.attempts == 5
    apology = OutboundMessage.objects.get(dedupe_key=f"reply:{inbound.pk}:apology")
    assert apology.to == PHONE and "Sorry" in apology.body


@respx.mock
def test_a_file_the_provider_will_not_hand_over_is_said_at_once_in_the_residents_language(
        citizen, settings):
    """Not an image (WhatsApp says so before any download): no retries, no apology; the
    resident hears why, in their language, and is asked again."""
    settings.CHANNEL_PLUGINS = {**settings.CHANNEL_PLUGINS}
    respx.get(f"{settings.WHATSAPP_API_URL}/doc9").mock(return_value=httpx.Response(
        200, json={"url": "https://lookaside.example/doc9", "mime_type": "application/pdf",
                   "file_size": 1000}))
    citizen.language = "af"
    citizen.save(update_fields=["language"])
    wa = Chat("whatsapp", PHONE)
    menu = wa.screen("hi")
    groups = wa.screen(choice_key(menu, "Meld"), kind="choice")
    where = wa.screen(choice_key(wa.screen(choice_key(groups, "Paaie"), kind="choice"),
                                 "Slaggat"), kind="choice")
    assert where.expects == "location"
    wa.screen(kind="location", latitude=-29.9501, longitude=20.0501)
    assert wa.screen("Nog 'n gat, dieper").expects == "photo"
    again = wa.screen(kind="photo", media_id="doc9", media_type="application/pdf")
    with override("af"):
        assert unsupported_image().message in again.text
    assert again.expects == "photo"
    inbound = wa.last_inbound
    inbound.refresh_from_db()
    assert (inbound.state, inbound.attempts) == ("handled", 0)
