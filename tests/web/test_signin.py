"""Signing in with a phone number and a one-time PIN: the page, and the limits behind it
(accounts/otp.py) with the messages residents see."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from imbizo.accounts.models import Citizen, PhoneChallenge, SignInFailure
from imbizo.accounts.otp import otp_prune, otp_request, otp_verify
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.messaging.models import OutboundMessage
from imbizo.web.session import SESSION_KEY

from .conftest import pin_sent_to

PHONE = "+27825550199"
T0 = "2026-03-02 10:00:00+02:00"


def ask(client, phone="082 555 0199", channel="sms", **extra):
    return client.post("/signin", {"phone": phone, "channel": channel, **extra})


def enter(client, code):
    return client.post("/signin/code", {"code": code})


def sent(_challenge, code, _language):
    sent.last = code


def test_a_new_number_signs_in_with_the_pin_sent_by_sms(client, db):
    page = client.get("/signin")
    assert page.status_code == 200 and 'name="phone"' in page.text
    assert ask(client).url == "/signin/code"
    message = OutboundMessage.objects.get()
    assert (message.channel, message.purpose) == ("sms", "service")
    code = pin_sent_to(PHONE)
    assert PhoneChallenge.objects.get().code_hash != code and code not in str(
        PhoneChallenge.objects.values().get())
    before = client.session.session_key
    done = enter(client, code)
    assert done.status_code == 302 and done.url == "/my"
    citizen = Citizen.objects.get(phone=PHONE)
    assert client.session[SESSION_KEY] == citizen.pk and client.session.session_key != before
    assert AuditEntry.objects.filter(action="citizen.sign_in",
                                     object_id=str(citizen.uuid)).exists()


def test_the_code_can_go_by_whatsapp_in_the_residents_own_language(client, resident):
    resident.citizen.language = "af"
    resident.citizen.save(update_fields=["language"])
    ask(client, phone="0821234567", channel="whatsapp")
    message = OutboundMessage.objects.get()
    assert (message.channel, message.language) == ("whatsapp", "af")


def test_a_code_works_only_once(client, db):
    ask(client)
    code = pin_sent_to(PHONE)
    enter(client, code)
    client.post("/signout")
    assert client.get("/signin/code").url == "/signin"  # nothing pending any more
    with pytest.raises(ImbizoError) as refused:
        otp_verify(phone=PHONE, code=code, client="1.2.3.4")
    assert refused.value.code == "otp_expired"


def test_a_wrong_code_says_how_many_tries_are_left(client, db):
    ask(client)
    code = pin_sent_to(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    page = enter(client, wrong)
    assert page.status_code == 200 and "Wrong code: 2 tries left." in page.text
    assert "Wrong code: 1 try left." in enter(client, wrong).text
    assert "no tries are left" in enter(client, wrong).text
    page = enter(client, code)  # the right one, too late: ask again
    assert "no tries are left" in page.text and SESSION_KEY not in client.session


def test_an_expired_code_asks_for_a_new_one(client, db):
    with freeze_time(T0):
        ask(client)
        code = pin_sent_to(PHONE)
    with freeze_time(timezone.datetime.fromisoformat(T0) + timedelta(minutes=5, seconds=1)):
        page = enter(client, code)
    assert "That code has expired. Ask for a new one." in page.text


def test_a_code_that_is_not_six_digits_is_refused_by_the_form(client, db):
    ask(client)
    assert "The code has 6 digits." in enter(client, "12ab").text
    assert PhoneChallenge.objects.get().attempts == 0


def test_a_bad_number_is_a_field_error_and_is_kept(client, db):
    page = ask(client, phone="12345")
    assert page.status_code == 200 and "is not a valid phone number" in page.text
    assert 'value="12345"' in page.text and not PhoneChallenge.objects.exists()


def test_three_codes_per_number_in_15_minutes_then_a_time_to_come_back(client, db):
    with freeze_time(T0):
        for _ in range(3):
            assert ask(client).status_code == 302
        page = ask(client)
    assert "Too many codes for this number. Try again at 10:15." in page.text
    assert OutboundMessage.objects.count() == 3
    with freeze_time(timezone.datetime.fromisoformat(T0) + timedelta(minutes=15, seconds=1)):
        assert ask(client).status_code == 302


def test_ten_codes_an_hour_per_client_address(client, db):
    with freeze_time(T0):
        for n in range(10):
            assert ask(client, phone=f"08255501{n:02d}").status_code == 302
        page = ask(client, phone="0825550150")
        assert "Too many codes asked for from here. Try again at 11:00." in page.text
        # Another address is not held back by this one.
        otp_request(phone="0825550150", client="10.0.0.9", channel="sms", send=sent)


def test_five_wrong_codes_in_an_hour_lock_the_number_for_30_minutes(client, db):
    start = timezone.datetime.fromisoformat(T0)
    for minute, tries in ((0, 3), (20, 2)):
        with freeze_time(start + timedelta(minutes=minute)):
            ask(client)
            code = pin_sent_to(PHONE)
            wrong = "000000" if code != "000000" else "111111"
            for _ in range(tries):
                page = enter(client, wrong)
    assert "Too many wrong codes. Try again at 10:50." in page.text
    with freeze_time(start + timedelta(minutes=25)):
        assert "Too many wrong codes. Try again at 10:50." in ask(client).text
        with pytest.raises(ImbizoError) as refused:  # even the right code
            otp_verify(phone=PHONE, code=code, client="10.0.0.9")
        assert refused.value.code == "otp_locked" and refused.value.status == 429
    with freeze_time(start + timedelta(minutes=51)):
        assert ask(client).status_code == 302
        assert enter(client, pin_sent_to(PHONE)).status_code == 302


def test_the_code_page_without_a_pending_number_goes_back_to_the_start(client, db):
    assert client.get("/signin/code").url == "/signin"


def test_sign_in_returns_to_the_page_asked_for_and_never_off_site(client, db):
    ask(client, next="/track")
    assert enter(client, pin_sent_to(PHONE)).url == "/track"
    client.post("/signout")
    ask(client, phone="0825550198", next="https://evil.example/")
    assert enter(client, pin_sent_to("+27825550198")).url == "/my"


def test_signing_out_forgets_the_resident(client, resident, sign_in_as):
    sign_in_as(resident.citizen)
    assert "Sign out" in client.get("/").text
    assert client.post("/signout").url == "/"
    assert SESSION_KEY not in client.session and "Sign in" in client.get("/").text


def test_the_demo_points_to_where_the_code_can_be_read(client, db, settings):
    settings.DEBUG, settings.SIMULATOR_ENABLED = True, True
    ask(client)
    assert "/simulator/" in client.get("/signin/code").text
    settings.DEBUG = False
    assert "/simulator/" not in client.get("/signin/code").text


def test_codes_and_failures_are_deleted_once_no_limit_reads_them(client, db):
    start = timezone.datetime.fromisoformat(T0)
    with freeze_time(start):
        ask(client)
        enter(client, "000000" if pin_sent_to(PHONE) != "000000" else "111111")
    with freeze_time(start + timedelta(hours=23)):
        ask(client, phone="082 555 0198")
        assert otp_prune() == 0
    with freeze_time(start + timedelta(hours=25)):
        assert otp_prune() == 2  # the first number's code and its failure
        assert list(PhoneChallenge.objects.values_list("phone", flat=True)) == ["+27825550198"]
        assert not SignInFailure.objects.exists()
