"""A resident's profile: details saved through citizen_update, channels turned off and
on, consent given and withdrawn, a copy of their data, and the erasure of their account."""

import json

import pytest

from imbizo.accounts.models import ChannelAddress, Citizen, Consent
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register, consent_give
from imbizo.audit.models import AuditEntry
from imbizo.cases.models import Case
from imbizo.core.permissions import system_actor
from imbizo.messaging.services import citizen_notify
from imbizo.web.session import SESSION_KEY


@pytest.fixture
def nomsa(municipalities):
    return citizen_register(actor=system_actor("web"), phone="0821234567", name="Nomsa",
                            municipality=municipalities[0])


@pytest.fixture
def signed_in(client, sign_in_as, nomsa):
    return sign_in_as(nomsa)


DETAILS = {"name": "Nomsa Dlamini", "email": "nomsa@example.org", "language": "zu",
           "preferred_channel": "whatsapp"}


def test_a_visitor_is_asked_to_sign_in(client, municipalities):
    for path in ("/profile", "/profile/erase"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.url.startswith("/signin?next=")
    assert client.post("/profile/export").status_code == 302


def test_details_are_saved_and_the_language_follows(signed_in, nomsa):
    page = signed_in.get("/profile")
    assert page.status_code == 200 and 'value="Nomsa"' in page.text
    answer = signed_in.post("/profile", DETAILS)
    assert answer.status_code == 302
    nomsa.refresh_from_db()
    assert (nomsa.name, nomsa.email, nomsa.language, nomsa.preferred_channel) == (
        "Nomsa Dlamini", "nomsa@example.org", "zu", "whatsapp")
    assert answer.cookies["django_language"].value == "zu"
    assert AuditEntry.objects.filter(action="citizen.update").exists()


def test_a_mistake_is_shown_on_its_field_and_what_was_typed_is_kept(signed_in, nomsa):
    typed = DETAILS | {"email": "", "preferred_channel": "email", "name": "Typed Name"}
    page = signed_in.post("/profile", typed)
    assert page.status_code == 400
    assert "Give an e-mail address to get messages by e-mail." in page.text
    assert 'value="Typed Name"' in page.text
    bad = signed_in.post("/profile", DETAILS | {"email": "not-an-address"})
    assert bad.status_code == 400 and 'value="not-an-address"' in bad.text
    nomsa.refresh_from_db()
    assert nomsa.name == "Nomsa" and nomsa.preferred_channel == "sms"


def test_a_channel_is_turned_off_and_on_again(signed_in, nomsa):
    page = signed_in.get("/profile")
    assert "SMS" in page.text and "WhatsApp" in page.text and "+27821234567" in page.text
    signed_in.post("/profile/channels", {"channel": "sms", "on": ""})
    sms = ChannelAddress.objects.get(channel="sms", address=nomsa.phone)
    assert sms.opted_out is not None and sms.citizen == nomsa and sms.last_inbound is None
    # The outbox now skips SMS: the message goes by WhatsApp instead.
    message = citizen_notify(citizen=nomsa, purpose="service", text_for_language="Hello")
    assert message.channel == "whatsapp"
    assert "Turn on" in signed_in.get("/profile").text
    signed_in.post("/profile/channels", {"channel": "sms", "on": "1"})
    sms.refresh_from_db()
    assert sms.opted_out is None
    assert list(AuditEntry.objects.filter(action__startswith="channel.opt")
                .values_list("action", flat=True).order_by("pk")) == [
        "channel.opt_out", "channel.opt_in"]


def test_a_channel_without_an_address_is_refused_politely(signed_in):
    answer = signed_in.post("/profile/channels", {"channel": "email", "on": ""}, follow=True)
    assert "You have no address for this." in answer.text
    assert not ChannelAddress.objects.filter(channel="email").exists()


def test_consent_is_withdrawn_and_given_again_with_its_history(signed_in, nomsa):
    consent_give(actor=citizen_actor(nomsa, channel="ussd"), citizen=nomsa,
                 purpose="broadcasts")
    signed_in.post("/profile/consent", {"purpose": "broadcasts", "give": ""})
    assert not Consent.objects.filter(citizen=nomsa, purpose="broadcasts",
                                      withdrawn__isnull=True).exists()
    signed_in.post("/profile/consent", {"purpose": "broadcasts", "give": "1"})
    rows = Consent.objects.filter(citizen=nomsa, purpose="broadcasts").order_by("pk")
    assert [r.withdrawn is None for r in rows] == [False, True]
    assert rows[1].channel == "web"
    page = signed_in.get("/profile")
    assert page.text.count("News, outages and alerts for my area:") == 2  # the history
    assert "withdrawn" in page.text


def test_the_export_holds_the_residents_cases_and_nothing_of_others(signed_in, nomsa,
                                                                     log_case):
    other = citizen_register(actor=system_actor("ussd"), phone="0827654321", name="Lwazi")
    mine = log_case(actor=citizen_actor(nomsa, channel="web"))
    theirs = log_case(actor=citizen_actor(other, channel="ussd"))  # the same ward
    answer = signed_in.post("/profile/export")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    assert "attachment" in answer["Content-Disposition"]
    data = json.loads(answer.content)
    assert data["resident"]["phone"] == "+27821234567"
    assert [c["reference"] for c in data["cases"]["reported"]] == [mine.reference]
    assert theirs.reference not in answer.content.decode()
    assert other.phone not in answer.content.decode() and "Lwazi" not in answer.content.decode()
    assert AuditEntry.objects.filter(action="citizen.export").count() == 1
    assert signed_in.get("/profile/export").status_code == 405


def test_erasing_needs_the_right_number(signed_in, nomsa):
    page = signed_in.post("/profile/erase", {"phone": "0829999999"})
    assert page.status_code == 400
    assert "That is not the number you signed in with." in page.text
    nomsa.refresh_from_db()
    assert nomsa.erased is None


def test_erasing_signs_out_and_keeps_the_cases_anonymised(signed_in, nomsa, log_case):
    case = log_case(actor=citizen_actor(nomsa, channel="web"))
    assert signed_in.get("/profile/erase").status_code == 200
    answer = signed_in.post("/profile/erase", {"phone": "082 123 4567"})
    assert answer.status_code == 302 and answer.url == "/profile/erased"
    page = signed_in.get("/profile/erased")
    assert page.status_code == 200 and "Your reports stay" in page.text
    assert SESSION_KEY not in signed_in.session
    nomsa = Citizen.objects.get(pk=nomsa.pk)
    assert nomsa.erased and nomsa.phone is None and nomsa.name == ""
    case = Case.objects.get(pk=case.pk)
    assert case.reporter is None and case.description  # the case stays, without her
    assert signed_in.get("/profile").status_code == 302  # signed out


def test_the_erased_page_is_only_after_an_erasure(client, municipalities):
    assert client.get("/profile/erased").status_code == 302


def test_the_profile_page_costs_a_fixed_number_of_queries(signed_in, nomsa,
                                                          django_assert_max_num_queries):
    for purpose in ("broadcasts", "billing", "notifications"):
        consent_give(actor=citizen_actor(nomsa, channel="web"), citizen=nomsa, purpose=purpose)
    with django_assert_max_num_queries(10):
        assert signed_in.get("/profile").status_code == 200


def test_a_resident_may_not_turn_off_anothers_channel(nomsa):
    from imbizo.accounts.services import citizen_channel_opt
    from imbizo.core.errors import PermissionDenied

    other = citizen_register(actor=system_actor("ussd"), phone="0827654321")
    with pytest.raises(PermissionDenied):
        citizen_channel_opt(actor=citizen_actor(other, channel="web"), citizen=nomsa,
                            channel="sms", opted_out=True)
    assert not ChannelAddress.objects.exists()
