"""A resident links an account by proving control of it: the holder's ID number, or a PIN
sent to the phone or e-mail on the billing record. Wrong tries are limited; others join
an account only with its holder's consent; links end when asked."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from imbizo.accounts.models import Consent, Role
from imbizo.audit.models import AuditEntry
from imbizo.billing.models import AccountLink, LinkAttempt, UtilityAccount
from imbizo.billing.selectors import account_list, link_list
from imbizo.billing.services import (
    account_link_approve,
    account_link_start,
    account_link_verify,
    account_unlink,
)
from imbizo.core.errors import ImbizoError, PermissionDenied

from .conftest import HOLDER_ID, OTHER_ID, account

# 08:00 UTC is 10:00 in South Africa, the time residents are told.
MORNING = "2026-07-01 08:00:00"


@pytest.fixture
def aaa(load, two_municipalities):
    load([account("1001"), account("1002", holder_id_number=OTHER_ID, phone="",
                                   email="")])
    return two_municipalities[0]


def by_id(actor, municipality, number: str = "1001", proof: str = HOLDER_ID) -> AccountLink:
    return account_link_verify(actor=actor, municipality=municipality, account_number=number,
                               method="id_number", proof=proof)


def refused(call, code: str) -> ImbizoError:
    with pytest.raises(ImbizoError) as error:
        call()
    assert error.value.code == code, error.value
    return error.value


def test_the_holder_links_with_their_id_number(aaa, resident):
    thandi = resident()
    started = account_link_start(actor=thandi, municipality=aaa, account_number=" 1001 ",
                                 method="id_number")
    assert (started.method, started.destination) == ("id_number", "")
    link = by_id(thandi, aaa, proof=f"{HOLDER_ID[:6]} {HOLDER_ID[6:]}")
    assert (link.role, link.method, link.pending) == ("holder", "id_number", False)
    assert link.consented and link.municipality == aaa
    assert list(account_list(actor=thandi)) == [UtilityAccount.objects.get(
        account_number="1001")]
    assert Consent.objects.filter(citizen=thandi.citizen, purpose="billing",
                                  withdrawn__isnull=True).exists()
    entry = AuditEntry.objects.get(action="billing.link")
    assert entry.actor == thandi.label and entry.municipality_code == "AAA"
    assert entry.changes == {"account": "1001", "role": "holder", "method": "id_number",
                             "pending": False}
    assert LinkAttempt.objects.get().ok


@pytest.mark.parametrize(("method", "address", "shown"), [
    ("sms", "+27821110001", "+27•••••01"), ("email", "thandi@example.org", "t•••@example.org")])
def test_a_pin_goes_to_the_address_on_the_billing_record(aaa, resident, outbox, method,
                                                          address, shown):
    thandi = resident("0831234567")  # not the number on the record
    started = account_link_start(actor=thandi, municipality=aaa, account_number="1001",
                                 method=method, send=outbox)
    assert started.destination == shown
    assert timedelta(minutes=9, seconds=55) < started.expires - timezone.now() \
        <= timedelta(minutes=10)
    ((channel, to, message),) = outbox.sent
    assert (channel, to) == (method, address) and "account 1001" in message
    link = account_link_verify(actor=thandi, municipality=aaa, account_number="1001",
                               method=method, proof=outbox.code)
    assert (link.role, link.method) == ("holder", method)
    assert refused(lambda: account_link_verify(
        actor=resident("0841234567"), municipality=aaa, account_number="1001",
        method=method, proof=outbox.code), "link_pin_expired")  # another's PIN is no PIN


def test_the_pin_message_is_in_the_residents_language(aaa, resident, outbox):
    thandi = resident()
    thandi.citizen.language = "af"  # as chosen on their profile
    account_link_start(actor=thandi, municipality=aaa, account_number="1001", method="sms",
                       send=outbox)
    account_link_start(actor=thandi, municipality=aaa, account_number="1001", method="sms",
                       send=outbox, language="zu")  # the language of the page they are on
    assert "rekening 1001" in outbox.sent[0][2] and "i-akhawunti" in outbox.sent[1][2]


def test_wrong_tries_lock_the_resident_out_and_say_when_to_try_again(aaa, resident):
    thandi = resident()
    with freeze_time(MORNING):
        for left in (4, 3, 2, 1):
            wrong = refused(lambda: by_id(thandi, aaa, proof=OTHER_ID), "link_not_matched")
            assert wrong.extra["tries_left"] == left and f"{left} tr" in wrong.message
        locked = refused(lambda: by_id(thandi, aaa, proof=OTHER_ID), "link_locked")
        assert locked.status == 429 and "Try again at 11:00." in locked.message
        assert locked.extra["retry_at"] == "2026-07-01T09:00:00+00:00"
        refused(lambda: by_id(thandi, aaa), "link_locked")  # even the right number, now
        refused(lambda: account_link_start(actor=thandi, municipality=aaa,
                                           account_number="1001", method="id_number"),
                "link_locked")
    with freeze_time("2026-07-01 09:00:01"):
        assert by_id(thandi, aaa).role == "holder"
    assert LinkAttempt.objects.filter(ok=False).count() == 5
    assert AuditEntry.objects.filter(action="billing.link_fail").count() == 5


def test_unknown_account_numbers_count_as_wrong_tries(aaa, resident):
    thandi = resident()
    with freeze_time(MORNING):
        for number in ("9991", "9992", "9993", "9994"):
            missing = refused(lambda n=number: by_id(thandi, aaa, number=n),
                              "account_not_found")
            assert missing.status == 404 and "Aaa Local has no account" in missing.message
        refused(lambda: by_id(thandi, aaa, number="9995"), "link_locked")


def test_many_residents_guessing_one_account_lock_the_account(aaa, resident):
    with freeze_time(MORNING):
        for n in range(9):
            refused(lambda n=n: by_id(resident(f"08211100{10 + n}"), aaa, proof=OTHER_ID),
                    "link_not_matched")
        tenth = refused(lambda: by_id(resident("0821110019"), aaa, proof=OTHER_ID),
                        "link_locked")
        assert tenth.message == "Too many wrong tries on this account. Try again at 11:00."
        refused(lambda: by_id(resident("0821110099"), aaa), "link_locked")
        assert by_id(resident("0821110098"), aaa, number="1002", proof=OTHER_ID)


def test_a_pin_allows_three_tries_and_expires(aaa, resident, outbox):
    thandi = resident()
    with freeze_time(MORNING):
        account_link_start(actor=thandi, municipality=aaa, account_number="1001",
                           method="sms", send=outbox)
        code = outbox.code
        wrong = "000000" if code != "000000" else "111111"
        verify = lambda proof: account_link_verify(  # noqa: E731
            actor=thandi, municipality=aaa, account_number="1001", method="sms", proof=proof)
        refused(lambda: verify(wrong), "link_not_matched")
        refused(lambda: verify(wrong), "link_not_matched")
        refused(lambda: verify(wrong), "link_pin_no_tries")
        refused(lambda: verify(code), "link_pin_no_tries")
        account_link_start(actor=thandi, municipality=aaa, account_number="1001",
                           method="sms", send=outbox)
    with freeze_time("2026-07-01 08:10:01"):
        refused(lambda: verify(outbox.code), "link_pin_expired")


def test_pins_for_one_account_are_limited(aaa, resident, outbox):
    with freeze_time(MORNING):
        for n in range(3):
            account_link_start(actor=resident(f"08211100{20 + n}"), municipality=aaa,
                               account_number="1001", method="sms", send=outbox)
        limited = refused(lambda: account_link_start(
            actor=resident("0821110029"), municipality=aaa, account_number="1001",
            method="sms", send=outbox), "link_too_many_pins")
        assert "Try again at 11:00." in limited.message and len(outbox.sent) == 3


def test_an_account_without_the_proof_on_record_says_so(aaa, resident, outbox):
    thandi = resident()
    refused(lambda: account_link_start(actor=thandi, municipality=aaa, account_number="1002",
                                       method="sms", send=outbox), "no_address_on_record")
    UtilityAccount.objects.filter(account_number="1001").update(holder_id_hash="")
    refused(lambda: account_link_start(actor=thandi, municipality=aaa, account_number="1001",
                                       method="id_number"), "no_id_number_on_record")
    refused(lambda: by_id(thandi, aaa), "link_not_matched")


def test_only_a_signed_in_resident_links(aaa, make_staff):
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    assert refused(lambda: by_id(agent, aaa), "sign_in_required").status == 403
    refused(lambda: account_link_verify(actor=agent, municipality=aaa, account_number="1001",
                                        method="fax", proof="1"), "sign_in_required")


def test_another_resident_joins_only_when_the_holder_approves(aaa, resident):
    thandi, sipho = resident(), resident("0821110002", "Sipho")
    by_id(thandi, aaa)
    request = by_id(sipho, aaa)
    assert (request.role, request.pending) == ("proxy", True)
    assert not account_list(actor=sipho).exists()
    assert list(link_list(actor=thandi)) == [AccountLink.objects.get(citizen=thandi.citizen),
                                             request]
    with pytest.raises(PermissionDenied):
        account_link_approve(actor=sipho, link=request)
    approved = account_link_approve(actor=thandi, link=request)
    assert approved.consented and approved.approved_by == thandi.citizen
    assert account_list(actor=sipho).get().account_number == "1001"
    assert refused(lambda: account_link_approve(actor=thandi, link=request),
                   "link_not_pending").status == 409
    assert AuditEntry.objects.filter(action="billing.link_approve").count() == 1
    assert by_id(sipho, aaa) == approved  # proving it again changes nothing


def test_links_end_when_asked_and_the_holder_may_end_a_proxy(aaa, resident):
    thandi, sipho, lwazi = resident(), resident("0821110002"), resident("0821110003")
    holder = by_id(thandi, aaa)
    proxy = account_link_approve(actor=thandi, link=by_id(sipho, aaa))
    with pytest.raises(PermissionDenied):
        account_unlink(actor=sipho, link=holder)
    with pytest.raises(PermissionDenied):
        account_unlink(actor=lwazi, link=proxy)
    assert account_unlink(actor=thandi, link=proxy).unlinked
    assert not account_list(actor=sipho).exists()
    account_unlink(actor=thandi, link=holder)
    account_unlink(actor=thandi, link=holder)  # again: nothing more happens
    assert not account_list(actor=thandi).exists()
    assert AuditEntry.objects.filter(action="billing.unlink").count() == 2
    assert by_id(sipho, aaa).role == "holder"  # the next to prove control holds it
