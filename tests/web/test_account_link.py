"""Linking a municipal account on the site: the holder's ID number or a PIN sent to the
phone or e-mail on the bill; mistakes said on the field with what was typed kept, the
tries left, the lockout with the time to come back; a second resident waits for the
holder's consent."""

import re

from freezegun import freeze_time

from imbizo.billing.models import AccountLink
from imbizo.messaging.models import OutboundMessage

from .account_world import *  # noqa: F403  (fixtures: accounts, holder, signed_in)
from .account_world import HOLDER_ID, OTHER_ID, link_by_id

MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa


def start(client, number: str = "1001", method: str = "id_number", municipality: str = "AAA"):
    return client.post("/account/link", {"municipality": municipality,
                                         "account_number": number, "method": method})


def test_my_account_asks_a_visitor_to_sign_in_first(client, accounts):
    for path in ("/account", "/account/link", "/account/AAA/1001"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/signin?next={path.replace('/', '%2F')}"


def test_the_holder_links_with_their_id_number(client, accounts, signed_in):
    thandi = signed_in()
    page = client.get("/account")
    assert "No account is linked to you yet." in page.text
    assert 'name="account_number"' in page.text and "Municipality" in page.text
    step = start(client, " 1001 ")
    assert step.status_code == 302 and step["Location"] == "/account/link/verify"
    ask = client.get(step["Location"])
    assert "ID number" in ask.text and "Account 1001, Aaa Local." in ask.text
    done = client.post("/account/link/verify", {"proof": f"{HOLDER_ID[:6]} {HOLDER_ID[6:]}"})
    assert done["Location"] == "/account/AAA/1001"
    assert "Account 1001 is linked to you." in client.get(done["Location"]).text
    link = AccountLink.objects.get(citizen=thandi)
    assert (link.role, link.method, link.pending) == ("holder", "id_number", False)
    assert client.get("/account/link/verify")["Location"] == "/account/link"  # done with


def test_a_pin_goes_by_sms_to_the_number_on_the_bill_shown_masked(client, accounts, signed_in):
    thandi = signed_in()
    start(client, method="sms")
    ask = client.get("/account/link/verify")
    assert "+27•••••01" in ask.text and "+27821110001" not in ask.text
    message = OutboundMessage.objects.get(to="+27821110001", channel="sms")
    assert message.municipality == accounts[0] and message.purpose == "service"
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    wrong = client.post("/account/link/verify", {"proof": f"{(int(code) + 1) % 10**6:06d}"})
    assert wrong.status_code == 400 and "4 tries left" in wrong.text
    client.post("/account/link/verify", {"proof": code})
    assert AccountLink.objects.get(citizen=thandi).method == "sms"


def test_a_pin_by_e_mail_names_the_address_masked(client, accounts, signed_in):
    signed_in()
    start(client, method="email")
    assert "t•••@example.org" in client.get("/account/link/verify").text
    assert OutboundMessage.objects.filter(to="thandi@example.org", channel="email").exists()


def test_an_unknown_account_is_said_on_its_field_keeping_what_was_typed(client, accounts,
                                                                        signed_in):
    signed_in()
    refused = start(client, "99999")
    assert refused.status_code == 400
    assert "Aaa Local has no account 99999" in refused.text
    assert 'value="99999"' in refused.text and 'id="id_account_number_error"' in refused.text
    assert 'value="id_number" checked' in refused.text or "checked" in refused.text


def test_an_account_with_nothing_to_send_a_pin_to_says_so(client, accounts, signed_in):
    signed_in()
    refused = start(client, "1002", method="sms")
    assert refused.status_code == 400 and "no phone number on record" in refused.text


def test_a_wrong_id_number_says_how_many_tries_are_left_and_keeps_it(client, accounts,
                                                                     signed_in):
    signed_in()
    start(client)
    wrong = client.post("/account/link/verify", {"proof": OTHER_ID})
    assert wrong.status_code == 400
    assert "does not match the account&#x27;s records. 4 tries left." in wrong.text
    assert f'value="{OTHER_ID}"' in wrong.text


def test_too_many_wrong_tries_lock_linking_and_say_until_when(client, accounts, signed_in):
    signed_in()
    with freeze_time(MORNING):
        start(client)
        for _ in range(4):
            client.post("/account/link/verify", {"proof": OTHER_ID})
        locked = client.post("/account/link/verify", {"proof": OTHER_ID})
        assert "Too many wrong tries. Try again at 11:00." in locked.text
        right = client.post("/account/link/verify", {"proof": HOLDER_ID})
        assert right.status_code == 400 and "Try again at 11:00" in right.text
        assert "Try again at 11:00" in start(client).text  # step 1 says so too
    assert not AccountLink.objects.exists()


def test_a_second_resident_waits_for_the_holder_who_agrees(client, accounts, holder,
                                                           signed_in):
    sipho = signed_in("0841112222", "Sipho")  # the client is now Sipho's
    start(client)
    done = client.post("/account/link/verify", {"proof": HOLDER_ID})
    assert done["Location"] == "/account"
    page = client.get("/account")
    assert "is with its holder" in page.text and "the holder has not answered yet" in page.text
    assert client.get("/account/AAA/1001").status_code == 404  # not before the holder agrees
    request = AccountLink.objects.get(citizen=sipho)
    signed_in_again(client, holder)
    asking = client.get("/account")
    assert "Sipho (+2784••••222) asks to see account 1001." in asking.text
    client.post(f"/account/requests/{request.uuid}", {"answer": "approve"})
    request.refresh_from_db()
    assert request.consented and request.approved_by == holder
    signed_in_again(client, sipho)
    assert client.get("/account/AAA/1001").status_code == 200


def test_the_holder_declines_a_request(client, accounts, holder, signed_in):
    sipho = signed_in("0841112222", "Sipho")
    link_by_id(sipho, accounts[0])
    signed_in_again(client, holder)
    request = AccountLink.objects.get(citizen=sipho)
    client.post(f"/account/requests/{request.uuid}", {"answer": "decline"})
    request.refresh_from_db()
    assert request.unlinked and not request.consented


def test_only_the_holder_can_agree_to_a_request(client, accounts, holder, signed_in):
    sipho = signed_in("0841112222", "Sipho")
    link_by_id(sipho, accounts[0])
    request = AccountLink.objects.get(citizen=sipho)
    answer = client.post(f"/account/requests/{request.uuid}", {"answer": "approve"},
                         follow=True)
    assert "Only the account holder can approve this." in answer.text
    request.refresh_from_db()
    assert request.pending


def signed_in_again(client, citizen) -> None:
    from imbizo.web.session import SESSION_KEY
    session = client.session
    session[SESSION_KEY] = citizen.pk
    session.save()
