"""Console sign-in: password, then TOTP (enrolling the first time); lockout; expiry."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from imbizo.accounts.services import citizen_register, staff_user_create
from imbizo.audit.models import AuditEntry
from imbizo.core.permissions import system_actor
from imbizo.demo.totp import demo_totp_give

from .conftest import code_for, device_for

LOGIN, VERIFY, ENROL = "/console/login", "/console/verify", "/console/enrol"
PASSWORD = "a-long-test-password"


def password_step(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


def test_a_right_password_leads_to_the_code_and_the_code_to_the_queue(client, staff):
    user = staff["officer"].user
    device = device_for(user)
    response = password_step(client, user)
    assert response.status_code == 302 and response.url == VERIFY
    assert client.get("/console/").status_code == 302  # a password alone opens nothing
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("console:my_queue")
    assert client.get("/console/").status_code == 200
    assert AuditEntry.objects.filter(action="console.sign_in", actor=f"user:{user.pk}").exists()


def test_first_sign_in_enrols_a_device_shown_as_an_inline_svg_qr_code(client, staff):
    user = staff["agent"].user
    response = password_step(client, user)
    assert response.url == ENROL
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and "data:" not in page and "<script>" not in page
    secret = re.search(r'class="secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    import base64
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/console/cases").status_code == 200


def test_a_wrong_code_says_so_and_how_many_tries_remain(client, staff):
    user = staff["officer"].user
    device = device_for(user)
    password_step(client, user)
    response = client.post(VERIFY, {"code": code_for(device, offset_steps=10)})
    assert response.status_code == 400
    assert "That code is wrong. 4 tries left before sign-in is locked." in \
        response.content.decode()
    response = client.post(VERIFY, {"code": "12ab"})
    assert "Enter the 6 digits" in response.content.decode()


def test_five_wrong_codes_lock_sign_in_with_the_time_to_try_again(client, staff):
    user = staff["officer"].user
    device = device_for(user)
    password_step(client, user)
    for _ in range(4):
        client.post(VERIFY, {"code": code_for(device, offset_steps=10)})
    response = client.post(VERIFY, {"code": code_for(device, offset_steps=10)})
    assert response.status_code == 429
    assert re.search(r"try again at \d\d:\d\d", response.content.decode())
    # Even the right password is refused now.
    assert password_step(client, user).status_code == 429


def test_the_device_throttle_makes_quick_retries_wait(client, staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = staff["officer"].user
    device = device_for(user)
    password_step(client, user)
    client.post(VERIFY, {"code": code_for(device, offset_steps=10)})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 400
    assert "Too many wrong codes: wait until" in response.content.decode()


def test_five_wrong_passwords_lock_out_and_say_when_to_try_again(client, staff):
    user = staff["officer"].user
    for left in (4, 3, 2, 1):
        response = password_step(client, user, "wrong-password")
        assert response.status_code == 400
        assert f"{left} tr" in response.content.decode()
    response = password_step(client, user, "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in is locked: try again at" in page
    attempt = AccessAttempt.objects.get(username=user.username)
    from django.utils import timezone
    until = timezone.localtime(attempt.attempt_time + timedelta(minutes=15))
    assert f"{until:%H:%M}" in page
    assert password_step(client, user).status_code == 429  # the right one too, for now


def test_the_lock_lifts_after_the_cool_off(client, staff):
    user = staff["officer"].user
    with freeze_time("2026-03-02 08:00:00"):
        for _ in range(5):
            password_step(client, user, "wrong-password")
        assert password_step(client, user).status_code == 429
    with freeze_time("2026-03-02 08:16:00"):
        assert password_step(client, user).status_code == 302


def test_only_staff_with_an_active_membership_get_in(client, make_staff, municipalities):
    nobody = staff_user_create(actor=system_actor("cli"), username="no-role",
                               password=PASSWORD)
    response = password_step(client, nobody)
    assert response.status_code == 400
    assert "no access to the staff console" in response.content.decode()
    citizen_register(actor=system_actor("ussd"), phone="0821234567", name="Nomsa")
    response = client.post(LOGIN, {"username": "0821234567", "password": "x"})
    assert response.status_code == 400  # a resident has no console login


def test_a_session_idle_for_30_minutes_ends(client, staff):
    user = staff["officer"].user
    device = device_for(user)
    with freeze_time("2026-03-02 08:00:00") as clock:
        password_step(client, user)
        client.post(VERIFY, {"code": code_for(device)})
        assert client.get("/console/").status_code == 200
        clock.tick(timedelta(minutes=25))
        assert client.get("/console/").status_code == 200  # activity slides the expiry
        clock.tick(timedelta(minutes=25))
        assert client.get("/console/").status_code == 200
        clock.tick(timedelta(minutes=31))
        response = client.get("/console/")
        assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_a_session_ends_after_eight_hours_however_busy(client, staff):
    user = staff["officer"].user
    device = device_for(user)
    with freeze_time("2026-03-02 08:00:00") as clock:
        password_step(client, user)
        client.post(VERIFY, {"code": code_for(device)})
        for _ in range(17):
            clock.tick(timedelta(minutes=29))
            client.get("/console/")
        assert client.get("/console/").status_code == 302


def test_pages_need_both_factors(client, staff):
    client.force_login(staff["officer"].user)  # password only (e.g. via the admin)
    response = client.get("/console/cases")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_sign_out(console_client, staff):
    c = console_client(staff["officer"])
    assert c.post("/console/logout").status_code == 302
    assert c.get("/console/").status_code == 302


def test_the_demo_command_prints_codes_only_for_demo_devices(staff, capsys):
    demo_user = staff["officer"].user
    device = demo_totp_give(user=demo_user)
    call_command("demo_totp", demo_user.username)
    assert capsys.readouterr().out.strip() == code_for(device)
    device_for(staff["agent"].user)
    with pytest.raises(CommandError):
        call_command("demo_totp", staff["agent"].user.username)
    with pytest.raises(CommandError):
        call_command("demo_totp", "nobody-at-all")


def test_sign_in_returns_to_the_page_first_asked_for(client, staff, log_case):
    case = log_case()
    user = staff["officer"].user
    device = device_for(user)
    response = client.get(f"/console/cases/{case.reference}")
    client.get(response.url)
    password_step(client, user)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.url == f"/console/cases/{case.reference}"
