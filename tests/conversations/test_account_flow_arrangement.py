""""Arrange to pay" in "My account", offered only with arrears: the deposit and the months
(each checked by billing and asked again when wrong), billing's quote read back (approved at
once within the policy; otherwise revenue staff decide, and why), then
``arrangement_propose`` as the resident. An arrangement already open is said, and a
resident no longer linked is told so."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from imbizo.accounts.permissions import citizen_actor
from imbizo.billing.arrangements import arrangement_propose
from imbizo.billing.models import AccountLink, Arrangement, UtilityAccount
from imbizo.billing.services import account_unlink
from imbizo.messaging.screens import numbered_text
from tests.billing.conftest import account

from .account_helpers import *  # noqa: F403  (fixtures)
from .account_helpers import UssdCallback, whatsapp_fits
from .conftest import Dialler, choice_key

MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa; 1001 is due on the 15th
# 1001 owes R 1,100.00 of arrears (R 300 at 30 days, R 800 at 120+); the default policy asks
# a deposit of 10% (R 110.00), at most 24 months, instalments of at least R 100.


def arrange_on_ussd(client) -> tuple[UssdCallback, str]:
    ussd = UssdCallback(client)
    return ussd, ussd.pick(ussd.pick(ussd.dial(), "My account"), "Arrange to pay")


@freeze_time(MORNING)
def test_on_ussd_terms_within_the_policy_are_approved_at_once(holds, client, citizen):
    holds()
    ussd, ask = arrange_on_ussd(client)
    assert ask == ("CON Overdue: R 1,100.00. What deposit can you pay now? At least R 110.00 "
                   "for approval at once; 0 for none.")
    months = ussd.send("200")
    assert months == ("CON How many months to pay the rest, R 900.00? At most 24 for approval "
                      "at once.")
    confirm = ussd.send("9")
    assert confirm.startswith("CON Deposit R 200.00, then 9 x R 100.00 a month from "
                              "15/07/2026. It is approved at once. Send it?")
    done = ussd.pick(confirm, "Yes")
    assert done == ("END Approved. Pay the deposit of R 200.00 by 08/07/2026, then 9 x "
                    "R 100.00 a month from 15/07/2026. We will remind you.")
    arrangement = Arrangement.objects.get()
    assert (arrangement.status, arrangement.auto, arrangement.deposit, arrangement.months,
            arrangement.channel, arrangement.citizen) == ("approved", True, 200, 9, "ussd",
                                                          citizen)
    assert ussd.post() == done  # the gateway repeats the hop: nothing more
    assert Arrangement.objects.count() == 1


@freeze_time(MORNING)
def test_on_ussd_terms_outside_the_policy_go_to_staff_saying_why(holds, client):
    holds()
    ussd, _ask = arrange_on_ussd(client)
    ussd.send("50")  # below the R 110.00 the policy asks
    confirm = ussd.send("10")
    # The policy's full reason does not fit beside Yes / No on 182 characters ...
    assert "Deposit R 50.00, then 10 x R 105.00 a month from 15/07/2026. Revenue staff will " \
           "decide on it. Send it?" in confirm
    done = ussd.pick(confirm, "Yes")
    # ... and is said once it is sent.
    assert done == ("END Sent to revenue staff. Revenue staff will decide on it, because the "
                    "deposit is less than R110.00. We will tell you their decision.")
    arrangement = Arrangement.objects.get()
    assert arrangement.status == "proposed" and arrangement.referral == [
        {"rule": "deposit", "minimum": "110.00"}]


@freeze_time(MORNING)
def test_on_whatsapp_the_quote_says_why_staff_decide_and_a_retry_proposes_once(
        holds, whatsapp_webhook):
    holds()
    wa = whatsapp_webhook
    menu = wa.choose(wa.text("hi"), "My account")
    assert whatsapp_fits(menu) and "Arrange to pay" in [c.label for c in menu.choices]
    wa.choose(menu, "Arrange to pay")
    wa.text("R50")
    confirm = wa.text("10")
    assert confirm.text == ("Deposit R 50.00, then 10 x R 105.00 a month from 15/07/2026. "
                            "Revenue staff will decide on it, because the deposit is less "
                            "than R110.00. Send it?")
    assert [c.label for c in confirm.choices] == ["Yes", "No"]
    done = wa.choose(confirm, "Yes")
    assert done.end and done.text.startswith("Sent to revenue staff.")
    assert wa.again() == []  # Meta delivers the tap again: nothing more
    assert Arrangement.objects.get().status == "proposed"


@pytest.mark.parametrize(("step", "typed", "said"), [
    ("deposit", "lots", "Enter an amount in rand, such as 250 or 250.50."),
    ("deposit", "-10", "Enter an amount in rand, such as 250 or 250.50."),
    ("deposit", "1100", "A deposit of R1100.00 pays all the arrears of R1100.00: pay them "
                        "instead, no arrangement is needed."),
    ("months", "0", "Choose from 1 to 60 months."),
    ("months", "61", "Choose from 1 to 60 months."),
    ("months", "twelve", "Please type numbers only."),
    ("months", "12", "Over 12 months each instalment would be less than the minimum of "
                     "R100.00: choose 9 months or fewer."),
])
@freeze_time(MORNING)
def test_wrong_terms_are_said_and_asked_again(holds, client, step, typed, said):
    holds()
    ussd, _ask = arrange_on_ussd(client)
    if step == "months":
        ussd.send("200")
    ussd.whole = typed != "1100"  # that one's long reason leaves the question shortened
    again = ussd.send(typed)
    assert again.startswith(f"CON {said}\n")
    assert ("What deposit" if step == "deposit" else "How many months") in again
    ussd.whole = True
    if step == "deposit":
        ussd.send("200")
    assert "Send it?" in ussd.send("9")
    assert not Arrangement.objects.exists()


@freeze_time(MORNING)
def test_an_arrangement_already_open_is_said_at_once(holds, client, citizen):
    holds()
    arrangement_propose(actor=citizen_actor(citizen, channel="web"),
                        account=UtilityAccount.objects.get(account_number="1001"),
                        deposit="20", months=6)  # to staff: waiting for a decision
    _ussd, said = arrange_on_ussd(client)
    assert said == ("END Account 1001 already has a payment arrangement: Waiting for a "
                    "decision.")
    assert Arrangement.objects.count() == 1


@freeze_time(MORNING)
def test_an_arrangement_opened_meanwhile_is_said_not_doubled(holds, client, citizen):
    holds()
    ussd, _ask = arrange_on_ussd(client)
    ussd.send("200")
    confirm = ussd.send("9")
    arrangement_propose(actor=citizen_actor(citizen, channel="web"),  # on the site, meanwhile
                        account=UtilityAccount.objects.get(account_number="1001"),
                        deposit="200", months=9)
    done = ussd.pick(confirm, "Yes")
    assert done == "END Account 1001 already has a payment arrangement: Approved, deposit due."
    assert Arrangement.objects.count() == 1


def test_without_arrears_there_is_nothing_to_arrange(holds, ussd):
    holds(account("1001", arrears={"current": "420.35", "30": "0", "60": "0", "90": "0",
                                   "120": "0"}, balance="420.35"))
    phone = Dialler(ussd)
    menu = phone.send(choice_key(phone.dial(), "My account"))
    labels = [c.label for c in menu.choices]
    assert "Arrange to pay" not in labels and labels[0] == "Pay"
    assert len(numbered_text(menu)) <= 182


@freeze_time(MORNING)
def test_a_resident_no_longer_linked_is_told_so(holds, client, citizen):
    holds()
    ussd = UssdCallback(client)
    menu = ussd.pick(ussd.dial(), "My account")
    account_unlink(actor=citizen_actor(citizen, channel="web"),  # from the site, meanwhile
                   link=AccountLink.objects.get(citizen=citizen))
    done = ussd.pick(menu, "Arrange to pay")
    assert done == "END Sorry, that did not work: That account is no longer linked to you."
    assert not Arrangement.objects.exists()


def test_the_account_menu_is_one_hop_of_few_queries(holds, ussd):
    """The menu's options come from what the balance found: no query of their own."""
    holds()
    phone = Dialler(ussd)
    main = phone.dial()
    with CaptureQueriesContext(connection) as hop:
        menu = phone.send(choice_key(main, "My account"))
    tables = [q["sql"].split(" FROM ", 1)[-1].split()[0] if q["sql"].startswith("SELECT")
              else q["sql"].split()[0] + " " + q["sql"].split()[1]
              for q in hop.captured_queries if "core_configgeneration" not in q["sql"]]
    # the session, the resident (read by the hops that need them), the linked accounts,
    # the account, the session saved (the configuration memo's freshness checks aside)
    assert tables == ['"conversations_conversationsession"', '"accounts_citizen"',
                      '"billing_utilityaccount"', '"billing_utilityaccount"',
                      'UPDATE "conversations_conversationsession"']
    assert menu.text.startswith("Account 1001: R 1,520.35")
