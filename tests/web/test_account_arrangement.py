"""A payment arrangement on the site: the resident types a deposit and months, sees the
terms (the schedule, approved at once or sent to revenue staff and why), proposes them,
then sees the arrangement with its instalments and whether each is paid, and may cancel
it while billing allows. Only a resident linked to the account sees any of it.

Account 1001 of AAA owes R1100.00 of arrears (R300.00 at 30 days, R800.00 at 120); its
bills fall due on the 15th. The default policy approves a deposit of at least 10% (R110.00)
over at most 24 months, instalments of at least R100.00."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.billing.arrangement_models import Arrangement, Instalment
from imbizo.billing.arrangements import (
    arrangement_instalment_paid,
    arrangements_check_due,
)
from tests.billing.conftest import account

from .account_world import *  # noqa: F403  (fixtures: accounts, holder, signed_in)
from .account_world import link_by_id, load

MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa
PAGE = "/account/AAA/1001/arrangement"
Status = Arrangement.Status


def propose(client, deposit="200", months="6", step="propose"):
    return client.post(PAGE, {"deposit": deposit, "months": months, "step": step})


@freeze_time(MORNING)
def test_the_page_shows_what_is_overdue_and_asks_for_deposit_and_months(client, holder):
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "R 1,100.00" in page.text
    assert 'name="deposit"' in page.text and 'name="months"' in page.text
    assert "See the terms" in page.text


def test_the_account_page_links_to_the_arrangement_and_the_readings(client, holder):
    text = client.get("/account/AAA/1001").text
    assert f'href="{PAGE}"' in text and 'href="/account/AAA/1001/readings"' in text


def test_an_account_with_nothing_overdue_offers_no_arrangement(client, accounts, signed_in):
    load(accounts[0], [account("1003", arrears={"current": "99.00", "30": "0", "60": "0",
                                                "90": "0", "120": "0"})])
    link_by_id(signed_in(municipality=accounts[0]), accounts[0], "1003")
    text = client.get("/account/AAA/1003").text
    assert "/account/AAA/1003/arrangement" not in text
    assert 'href="/account/AAA/1003/readings"' in text


@freeze_time(MORNING)
def test_the_terms_show_the_schedule_and_that_they_are_approved_at_once(client, holder):
    page = propose(client, "200", "6", step="quote")
    assert page.status_code == 200
    text = page.text
    assert "approved as soon as you propose them" in text
    # The deposit a week after today, then six instalments of R150.00 on the 15th.
    assert "8 Jul 2026" in text and "R 200.00" in text
    assert "15 Jul 2026" in text and "15 Dec 2026" in text and text.count("R 150.00") == 6
    assert 'name="deposit" value="200.00"' in text and 'value="propose"' in text
    assert not Arrangement.objects.exists()  # a quote writes nothing


@freeze_time(MORNING)
def test_terms_outside_the_policy_say_that_revenue_staff_decide_and_why(client, holder):
    text = propose(client, "50", "6", step="quote").text
    assert "Revenue staff will decide on it, because the deposit is less than R110.00." in text
    assert "The dates start from the day staff approve it." in text


@freeze_time(MORNING)
def test_changing_the_terms_shows_the_form_again_as_typed(client, holder):
    page = propose(client, "50", "6", step="change")
    assert page.status_code == 200
    assert 'value="50"' in page.text and 'value="6"' in page.text
    assert "See the terms" in page.text


@freeze_time(MORNING)
def test_terms_within_the_policy_are_approved_and_the_schedule_shown(client, holder):
    answer = propose(client, "200", "6")
    assert answer.status_code == 302 and answer.url == PAGE
    arrangement = Arrangement.objects.get()
    assert arrangement.status == Status.APPROVED and arrangement.auto
    assert arrangement.channel == "web" and arrangement.citizen == holder
    text = client.get(PAGE).text
    assert "Your payment arrangement is approved." in text
    assert "Approved, deposit due" in text
    assert "Deposit" in text and "Instalment 6" in text and "15 Dec 2026" in text
    assert text.count("Not paid yet") == 7
    assert "Cancel this arrangement" in text
    assert 'name="step" value="quote"' not in text  # no second proposal offered


@freeze_time(MORNING)
def test_a_proposal_outside_the_policy_waits_and_the_resident_may_withdraw_it(client, holder):
    propose(client, "50", "6")
    arrangement = Arrangement.objects.get()
    assert arrangement.status == Status.PROPOSED
    text = client.get(PAGE).text
    assert "Waiting for a decision" in text
    assert "Revenue staff will decide on it, because the deposit is less than R110.00." in text
    assert "Your proposal is sent." in text
    answer = client.post(f"{PAGE}/cancel", {"arrangement": str(arrangement.uuid)})
    assert answer.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.status == Status.CANCELLED
    text = client.get(PAGE).text
    assert "Your payment arrangement is cancelled." in text
    assert "Your last arrangement" in text and "Cancelled" in text
    assert "See the terms" in text  # a new one may be proposed


@freeze_time(MORNING)
@pytest.mark.parametrize("deposit, months, says", [
    ("abc", "6", "Enter an amount in rand, such as 250 or 250.50."),
    ("-5", "6", "Enter an amount in rand, such as 250 or 250.50."),
    ("200.555", "6", "Enter an amount in rand, such as 250 or 250.50."),
    ("1100", "6", "A deposit of R1100.00 pays all the arrears of R1100.00"),
    ("200", "0", "Choose from 1 to 60 months."),
    ("200", "many", "Choose from 1 to 60 months."),
    ("200", "61", "Choose from 1 to 60 months."),
    ("200", "24", "choose 9 months or fewer."),
    ("", "6", "This field is required."),
])
@pytest.mark.parametrize("step", ["quote", "propose"])
def test_terms_that_are_no_terms_are_said_on_their_field_keeping_what_was_typed(
        client, holder, deposit, months, says, step):
    page = propose(client, deposit, months, step=step)
    assert page.status_code == 400
    assert says in page.text and 'class="error"' in page.text, re.findall(r"Error:[^<]*", page.text)
    assert f'value="{deposit}"' in page.text or not deposit
    assert f'value="{months}"' in page.text
    assert not Arrangement.objects.exists()


@freeze_time(MORNING)
def test_an_arrangement_already_open_is_said_politely_and_nothing_more_is_proposed(client,
                                                                               holder):
    propose(client, "200", "6")
    for step in ("quote", "propose"):
        answer = propose(client, "300", "3", step=step)
        assert answer.status_code == 302 and answer.url == PAGE
    text = client.get(PAGE).text
    assert "This account already has a payment arrangement. It is shown below." in text
    assert Arrangement.objects.count() == 1


@freeze_time(MORNING)
def test_once_the_deposit_is_paid_the_resident_cannot_cancel(client, holder, accounts,
                                                            make_staff):
    propose(client, "200", "6")
    arrangement = Arrangement.objects.get()
    manager = make_staff({"role": Role.MANAGER, "municipality": accounts[0]})
    arrangement_instalment_paid(actor=manager, arrangement=arrangement, amount="200.00",
                                paid_on=date(2026, 7, 1), reference="PAY-77")
    text = client.get(PAGE).text
    assert "Running" in text and "Paid on 1 Jul 2026" in text
    assert "Cancel this arrangement" not in text
    client.post(f"{PAGE}/cancel", {"arrangement": str(arrangement.uuid)})
    assert "Payments have started on this arrangement" in client.get(PAGE).text
    arrangement.refresh_from_db()
    assert arrangement.status == Status.ACTIVE


@freeze_time(MORNING)
def test_an_instalment_paid_in_part_says_what_is_left(client, holder, accounts, make_staff):
    propose(client, "200", "6")
    manager = make_staff({"role": Role.MANAGER, "municipality": accounts[0]})
    arrangement_instalment_paid(actor=manager, arrangement=Arrangement.objects.get(),
                                amount="50.00", paid_on=date(2026, 7, 1), reference="PAY-8")
    assert "R 50.00 paid, R 150.00 to pay" in client.get(PAGE).text


def test_a_broken_arrangement_is_shown_broken_and_a_new_one_may_be_proposed(client, holder):
    with freeze_time(MORNING):
        propose(client, "200", "6")
    later = datetime(2026, 7, 20, 10, tzinfo=ZoneInfo("Africa/Johannesburg"))
    assert arrangements_check_due(now=later) >= 1  # the deposit was due on 8 July
    with freeze_time(later):
        text = client.get(PAGE).text
    assert "This arrangement is broken" in text and "Broken" in text
    assert "Overdue" in text
    assert "Cancel this arrangement" not in text and "See the terms" in text


@freeze_time(MORNING)
def test_rejected_proposals_show_staffs_reason(client, holder, accounts, make_staff):
    from imbizo.billing.arrangements import arrangement_decide

    propose(client, "50", "6")
    manager = make_staff({"role": Role.MANAGER, "municipality": accounts[0]})
    arrangement_decide(actor=manager, arrangement=Arrangement.objects.get(), approve=False,
                       reason="Pay at least R110 first.")
    text = client.get(PAGE).text
    assert "Not approved" in text and "Their reason: Pay at least R110 first." in text


@freeze_time(MORNING)
def test_an_account_with_nothing_overdue_has_nothing_to_arrange(client, holder, accounts):
    load(accounts[0], [account("1003", arrears={"current": "50", "30": "0", "60": "0",
                                                "90": "0", "120": "0"})])
    link_by_id(holder, accounts[0], "1003")
    page = client.get("/account/AAA/1003/arrangement")
    assert page.status_code == 200
    assert "there is nothing to arrange" in page.text and 'name="deposit"' not in page.text


@freeze_time(MORNING)
@pytest.mark.parametrize("method, path", [
    ("get", PAGE), ("post", PAGE), ("post", f"{PAGE}/cancel"),
    ("get", "/account/BBB/2001/arrangement"), ("get", "/account/AAA/9999/arrangement")])
def test_only_a_resident_linked_to_the_account_reaches_it(client, holder, signed_in, method,
                                                          path):
    if "1001" in path:
        signed_in("0841112222", "Sipho")
    answer = getattr(client, method)(path, {"deposit": "200", "months": "6",
                                            "step": "propose"})
    assert answer.status_code == 404
    assert not Arrangement.objects.exists()


def test_a_visitor_is_asked_to_sign_in_first(client, accounts):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and answer.url.startswith("/signin?next=")


@freeze_time(MORNING)
def test_a_resident_cannot_cancel_another_accounts_arrangement(client, accounts, signed_in,
                                                                holder):
    propose(client, "200", "6")
    arrangement = Arrangement.objects.get()
    from tests.billing.conftest import OTHER_ID
    sipho = signed_in("0841112222", "Sipho")
    link_by_id(sipho, accounts[0], "1002", OTHER_ID)
    client.post("/account/AAA/1002/arrangement/cancel", {"arrangement": str(arrangement.uuid)})
    assert "No such payment arrangement." in client.get("/account/AAA/1002/arrangement").text
    client.post("/account/AAA/1002/arrangement/cancel", {"arrangement": "not-a-uuid"})
    arrangement.refresh_from_db()
    assert arrangement.status == Status.APPROVED


@freeze_time(MORNING)
def test_the_page_reads_a_fixed_number_of_queries(client, holder, django_assert_num_queries):
    """Session, resident, account, the arrangement, its instalments: the same with ten
    amounts to pay as with four."""
    propose(client, "500", "3")
    client.get(PAGE)  # the configuration memo and the session warmed up
    with django_assert_num_queries(5):
        client.get(PAGE)
    client.post(f"{PAGE}/cancel", {"arrangement": str(Arrangement.objects.get().uuid)})
    propose(client, "200", "9")
    assert Instalment.objects.filter(arrangement__status=Status.APPROVED).count() == 10
    with django_assert_num_queries(5):
        client.get(PAGE)


def test_a_proxy_still_waiting_for_the_holder_gets_the_same_404(client, holder, accounts,
                                                                signed_in):
    link = link_by_id(signed_in("0841112222", "Sipho"), accounts[0])  # the holder's ID
    assert link.pending
    for path in (PAGE, "/account/AAA/1001/readings"):
        assert client.get(path).status_code == 404
    assert propose(client).status_code == 404
