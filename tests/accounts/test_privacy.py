"""POPIA: a resident gets a copy of what is held about them, and can have it erased while
their cases stay, anonymised."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from imbizo.accounts.models import Citizen, Consent, PhoneChallenge, Role, SignInFailure
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import (
    citizen_erase,
    citizen_export,
    citizen_register,
    consent_give,
)
from imbizo.api.keys import api_key_create
from imbizo.audit.models import AuditEntry
from imbizo.audit.services import audit_verify
from imbizo.cases.lifecycle import case_comment
from imbizo.cases.models import Case, CaseUpdate, Subscription
from imbizo.cases.services import Contact, Location, case_log
from imbizo.conversations.models import Handover, HandoverMessage
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage, Status
from imbizo.messaging.services import message_queue

PHONE = "+27825550101"


@pytest.fixture
def thandi(municipalities):
    aaa, _ = municipalities
    citizen = citizen_register(actor=system_actor("ussd"), phone=PHONE, name="Thandi Mokoena",
                               id_number="", municipality=aaa)
    citizen.email = "thandi@example.org"
    citizen.save(update_fields=["email"])
    consent_give(actor=citizen_actor(citizen, channel="ussd"), citizen=citizen,
                 purpose=Consent.Purpose.NOTIFICATIONS)
    return citizen


@pytest.fixture
def her_data(thandi, municipalities, settings, django_capture_on_commit_callbacks):
    """A case she logged signed in (with a public comment), one she reported by phone
    without signing in, a case of someone else's, and messages to her."""
    me = citizen_actor(thandi, channel="ussd")
    where = Location(latitude=-29.95, longitude=20.05)
    mine = case_log(actor=me, category="pothole", description="Hole outside no. 12",
                    location=where)
    case_comment(actor=me, case=mine, text="It is getting bigger, call me", public=True)
    by_phone = case_log(actor=system_actor("phone"), category="pothole", description="Hole",
                        location=where, municipality=municipalities[0],
                        contact=Contact(name="Thandi", phone="0825550101"))
    other = case_log(actor=system_actor("phone"), category="pothole", description="Other",
                     location=where, contact=Contact(name="Sipho", phone="0825550199"))
    sent = message_queue(to=PHONE, channel="sms", body="Your case is logged",
                         purpose="notifications", citizen=thandi)
    OutboundMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)
    queued = message_queue(to=PHONE, channel="sms", body="Your case is in progress",
                           purpose="notifications", citizen=thandi)
    now = timezone.now()
    PhoneChallenge.objects.create(phone=PHONE, channel="sms", code_hash="x" * 64,
                                  client_hash="y" * 64, created=now,
                                  expires=now + timedelta(minutes=5), attempts=1)
    SignInFailure.objects.create(phone=PHONE, created=now)
    handover = Handover.objects.create(citizen=thandi, channel="whatsapp", address=PHONE,
                                       municipality=municipalities[0])
    HandoverMessage.objects.create(handover=handover, direction="in", text="My water is off")
    HandoverMessage.objects.create(handover=handover, direction="out", text="A team is coming",
                                   author="Agent")
    return {"mine": mine, "by_phone": by_phone, "other": other, "sent": sent, "queued": queued}


def test_the_export_holds_everything_about_her(thandi, her_data, django_assert_num_queries):
    # However many cases and messages: consents; messages and cases (their ids, one
    # indexed query per way of finding them, then the rows); follows, comments, photos;
    # the audit entry (3); the savepoint (2); what came in on the channels, her channel
    # addresses, her conversation and hand-overs and their transcripts (6); her phones' Web
    # Push subscriptions (1); the sign-in codes sent to her number (1); her utility account
    # links, her tries at linking one, her payments, arrangements and meter readings (5);
    # her arrears reminders (1); the matters she raised and those she supported (2); her
    # answers to community meetings (1); her interest groups and the news she read (2);
    # the load-shedding areas she follows (1).
    with django_assert_num_queries(33):
        data = citizen_export(actor=citizen_actor(thandi, channel="web"), citizen=thandi)
    assert data["resident"]["phone"] == PHONE and data["resident"]["name"] == "Thandi Mokoena"
    assert [c["purpose"] for c in data["consents"]] == ["notifications"]
    reported = {c["reference"] for c in data["cases"]["reported"]}
    assert reported == {her_data["mine"].reference, her_data["by_phone"].reference}
    assert data["cases"]["following"] == [her_data["mine"].reference]
    assert [c["text"] for c in data["cases"]["comments"]] == ["It is getting bigger, call me"]
    assert {m["body"] for m in data["messages"]} == {"Your case is logged",
                                                      "Your case is in progress"}
    assert [(c["channel"], c["wrong_tries"]) for c in data["sign_in_codes"]] == [("sms", 1)]
    [handover] = [h for h in data["conversations"] if "handover" in h]
    assert [(m["from"], m["text"]) for m in handover["transcript"]] == [
        ("you", "My water is off"), ("agent", "A team is coming")]
    json.dumps(data)  # ready to hand over as a file
    entry = AuditEntry.objects.get(action="citizen.export")
    assert PHONE not in json.dumps(entry.changes)


def test_erasure_keeps_the_cases_and_removes_her_from_them(thandi, her_data, make_staff,
                                                            municipalities):
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": municipalities[0]})
    changed = citizen_erase(actor=admin, citizen=thandi)

    thandi.refresh_from_db()
    assert thandi.erased and thandi.phone is None and thandi.name == thandi.email == ""
    assert thandi.ward is None and str(thandi) == "erased resident"
    assert Case.objects.count() == 3  # every case stays
    for key in ("mine", "by_phone"):
        case = Case.objects.get(pk=her_data[key].pk)
        assert case.reporter is None and case.contact_phone == case.contact_name == ""
        assert case.description  # the fault is still described, the case still workable
    assert Case.objects.get(pk=her_data["other"].pk).contact_name == "Sipho"
    assert not Subscription.objects.filter(citizen=thandi).exists()
    comment = CaseUpdate.objects.get(case=her_data["mine"], kind=CaseUpdate.Kind.PUBLIC)
    assert comment.text == ""
    for message in OutboundMessage.objects.filter(pk__in=[her_data["sent"].pk,
                                                          her_data["queued"].pk]):
        assert message.to == message.body == ""
    assert OutboundMessage.objects.get(pk=her_data["sent"].pk).status == Status.SENT
    assert OutboundMessage.objects.get(pk=her_data["queued"].pk).status == Status.FAILED
    assert not Consent.objects.filter(citizen=thandi, withdrawn__isnull=True).exists()
    assert Consent.objects.filter(citizen=thandi).count() == 1  # the record of consent stays
    assert not PhoneChallenge.objects.filter(phone=PHONE).exists()
    assert not SignInFailure.objects.filter(phone=PHONE).exists()
    assert not HandoverMessage.objects.exists()
    assert changed["cases"] >= 4 and changed["messages"] == 2 and changed["consents"] == 1
    entry = AuditEntry.objects.get(action="citizen.erase")
    assert entry.object_id == str(thandi.uuid) and audit_verify().ok
    everything = json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "825550101" not in everything and "Thandi" not in everything


def test_after_erasure_nothing_can_be_exported_and_the_number_is_free_again(thandi, her_data):
    me = citizen_actor(thandi, channel="web")
    citizen_erase(actor=me, citizen=thandi)
    thandi.refresh_from_db()
    with pytest.raises(NotFound):
        citizen_export(actor=system_actor(), citizen=thandi)
    with pytest.raises(ImbizoError) as again:
        citizen_erase(actor=system_actor(), citizen=thandi)
    assert again.value.status == 409
    newcomer = citizen_register(actor=system_actor("ussd"), phone="0825550101")
    assert newcomer.pk != thandi.pk and Citizen.objects.filter(erased__isnull=True,
                                                               phone=PHONE).count() == 1


def test_only_an_administrator_where_she_lives_or_she_herself_may_erase(
        thandi, make_staff, municipalities, resident):
    aaa, bbb = municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    assert citizen_export(actor=agent, citizen=thandi)["resident"]["phone"] == PHONE
    with pytest.raises(PermissionDenied):
        citizen_erase(actor=agent, citizen=thandi)
    with pytest.raises(PermissionDenied):
        citizen_erase(actor=make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": bbb}),
                      citizen=thandi)
    with pytest.raises(PermissionDenied):
        citizen_export(actor=resident, citizen=thandi)  # another resident
    assert not Citizen.objects.get(pk=thandi.pk).erased


def test_the_api_hands_over_the_export_and_refuses_an_erasure_to_a_key(thandi, her_data,
                                                                         client, municipalities):
    _row, key = api_key_create(actor=system_actor("cli"), municipality=municipalities[0],
                               name="CRM", role=Role.AGENT)
    answer = client.get(f"/api/v1/citizens/{thandi.uuid}/export", HTTP_X_API_KEY=key)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="resident-{thandi.uuid}.json"'
    assert answer.json()["resident"]["phone"] == PHONE
    refused = client.post(f"/api/v1/citizens/{thandi.uuid}/erase", HTTP_X_API_KEY=key)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    unknown = client.get("/api/v1/citizens/00000000-0000-0000-0000-000000000000/export",
                         HTTP_X_API_KEY=key)
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/citizen_not_found")
    garbled = client.get("/api/v1/citizens/not-a-uuid/export", HTTP_X_API_KEY=key)
    assert garbled.status_code == 400 and garbled["Content-Type"] == "application/problem+json"


def test_an_administrator_erases_from_the_admin(thandi, her_data, client, make_staff,
                                                 municipalities):
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": municipalities[0]})
    client.force_login(admin.user)
    page = client.post("/admin/accounts/citizen/", {"action": "erase",
                                                    "_selected_action": [thandi.pk]},
                       follow=True)
    assert page.status_code == 200 and b"personal data erased" in page.content
    assert Citizen.objects.get(pk=thandi.pk).erased
    page = client.post(f"/admin/accounts/citizen/{thandi.pk}/change/", {"name": "Back"})
    assert page.status_code == 403 and Citizen.objects.get(pk=thandi.pk).name == ""
    assert Case.objects.get(pk=her_data["mine"].pk).reporter is None
