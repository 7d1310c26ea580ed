"""Notifying a resident: consent, their language, their channel."""

import pytest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from imbizo.accounts.services import consent_withdraw
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.services import citizen_notify

pytestmark = pytest.mark.django_db


def notify(citizen, purpose="notifications", text="Your report was resolved.", **kwargs):
    return citizen_notify(citizen=citizen, purpose=purpose, text_for_language=text, **kwargs)


def test_a_resident_who_consented_is_notified(make_resident):
    citizen = make_resident(consents=("notifications",))
    message = notify(citizen)
    assert (message.citizen, message.to, message.purpose, message.body) == (
        citizen, citizen.phone, "notifications", "Your report was resolved.")


def test_a_withdrawn_consent_means_no_message(make_resident):
    citizen = make_resident(consents=("notifications",))
    consent_withdraw(actor=system_actor("sms"), citizen=citizen, purpose="notifications")
    assert notify(citizen) is None
    assert not OutboundMessage.objects.exists()


def test_consent_to_one_purpose_does_not_cover_another(make_resident):
    citizen = make_resident(consents=("notifications",))
    assert notify(citizen, purpose="broadcasts") is None
    assert notify(citizen, purpose="billing") is None


def test_service_messages_need_no_recorded_consent(make_resident):
    citizen = make_resident()
    assert notify(citizen, purpose="service").purpose == "service"


def test_an_erased_resident_gets_nothing(make_resident, clock):
    citizen = make_resident(consents=("notifications",))
    citizen.erased = clock.now  # erasure has no service yet; it will set this field
    citizen.save(update_fields=["erased"])
    assert notify(citizen, purpose="service") is None
    assert notify(citizen) is None


def test_an_unknown_purpose_is_an_error(make_resident):
    with pytest.raises(ImbizoError) as err:
        notify(make_resident(), purpose="marketing")
    assert err.value.code == "unknown_purpose"


def test_the_text_is_rendered_in_the_residents_language(make_resident):
    citizen = make_resident(language="af", consents=("notifications",))
    before = get_language()
    message = notify(citizen, text=get_language)
    assert (message.body, message.language) == ("af", "af")
    assert get_language() == before


def test_a_lazy_message_is_formatted_with_its_params(make_resident):
    citizen = make_resident(language="zu", consents=("notifications",))
    message = notify(citizen, text=_("Your report %(ref)s was resolved."), params={"ref": "DMO-7"})
    # No isiZulu catalogue exists yet, so the English source is what renders.
    assert (message.body, message.language) == ("Your report DMO-7 was resolved.", "zu")


@pytest.mark.parametrize(("registered_on", "email", "channel", "to"), [
    ("ussd", "", "sms", "phone"),  # USSD cannot push
    ("sms", "", "sms", "phone"),
    ("whatsapp", "", "whatsapp", "phone"),
    ("email", "thandi@example.org", "email", "email"),
    ("email", "", "sms", "phone"),  # no address to write to
    ("web", "thandi@example.org", "sms", "phone"),  # registered on the web: SMS by default
])
def test_the_channel_follows_the_residents_preference(make_resident, registered_on, email,
                                                      channel, to):
    citizen = make_resident(channel=registered_on, email=email)
    message = notify(citizen, purpose="service")
    assert message.channel == channel
    assert message.to == (citizen.phone if to == "phone" else citizen.email)


def test_whatsapp_falls_back_to_sms_where_no_whatsapp_provider_is_configured(make_resident,
                                                                            settings):
    settings.MESSAGING_PROVIDERS = {"sms": "imbizo.messaging.channels.dev.DevProvider"}
    assert notify(make_resident(channel="whatsapp"), purpose="service").channel == "sms"


def test_a_resident_is_notified_once_per_dedupe_key(make_resident):
    citizen = make_resident(consents=("notifications",))
    key = f"case:1:status:2:citizen:{citizen.pk}"
    assert notify(citizen, dedupe_key=key).pk == notify(citizen, dedupe_key=key).pk
    assert OutboundMessage.objects.count() == 1


def test_the_message_belongs_to_the_residents_municipality(make_resident, two_municipalities):
    aaa, bbb = two_municipalities
    citizen = make_resident(municipality=aaa)
    assert notify(citizen, purpose="service").municipality == aaa
    assert notify(citizen, purpose="service", municipality=bbb).municipality == bbb
