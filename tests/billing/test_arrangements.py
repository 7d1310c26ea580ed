"""Payment arrangements: a linked resident proposes to pay the arrears; within the
municipality's policy it is approved at once with its instalments, outside it revenue
staff decide; payments are counted from imports, residents are reminded before each due
date and an arrangement left unpaid is broken."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.accounts.services import consent_withdraw
from imbizo.audit.models import AuditEntry
from imbizo.billing.arrangement_models import Arrangement, ArrangementPolicy, Instalment
from imbizo.billing.arrangement_selectors import (
    access_arrangement,
    arrangement_list,
    arrangements_awaiting_decision,
)
from imbizo.billing.arrangement_terms import referral_text, split
from imbizo.billing.arrangements import (
    arrangement_cancel,
    arrangement_decide,
    arrangement_instalment_paid,
    arrangement_propose,
    arrangement_quote,
    arrangements_check_due,
    arrangements_match_payments,
)
from imbizo.billing.selectors import access_account
from imbizo.billing.services import account_link_verify
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.models import DomainEvent
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.billing import notify_billing, on_arrangement_rejected

from .conftest import HOLDER_ID, OTHER_ID, account

# 08:00 UTC is 10:00 in South Africa. The account's bills fall due on the 15th; its
# arrears (30 days and more) are R1100.00: R300.00 at 30 days and R800.00 at 120.
MORNING = "2026-07-01 08:00:00"
Status = Arrangement.Status


@pytest.fixture
def aaa(load, two_municipalities):
    load([account("1001"),
          account("1002", holder_id_number=OTHER_ID, phone="", email="",
                  arrears={"current": "100", "30": "1000", "60": "0", "90": "0",
                           "120": "5000"}),
          account("1003", arrears={"current": "50", "30": "0", "60": "0", "90": "0",
                                   "120": "0"}),
          account("1004", arrears={"current": "0", "30": "0", "60": "0", "90": "0",
                                   "120": "60000.00"})])
    return two_municipalities[0]


@pytest.fixture
def thandi(aaa, resident):
    """The holder of accounts 1001, 1003 and 1004 (her ID number), signed in on the web."""
    actor = resident()
    for number in ("1001", "1003", "1004"):
        account_link_verify(actor=actor, municipality=aaa, account_number=number,
                            method="id_number", proof=HOLDER_ID)
    return actor


@pytest.fixture
def manager(make_staff, aaa):
    return make_staff({"role": Role.MANAGER, "municipality": aaa})


def acct(actor, number: str = "1001"):
    return access_account(actor, municipality="AAA", account_number=number)


def propose(actor, deposit="110", months=7, number="1001") -> Arrangement:
    return arrangement_propose(actor=actor, account=acct(actor, number), deposit=deposit,
                               months=months)


def schedule(arrangement: Arrangement) -> list[tuple[int, date, Decimal]]:
    return list(Instalment.objects.filter(arrangement=arrangement).order_by("number")
                .values_list("number", "due_date", "amount"))


def events(name: str) -> list[dict]:
    return [e.payload for e in DomainEvent.objects.filter(name=name).order_by("created")]


def refused(call, code: str) -> ImbizoError:
    with pytest.raises(ImbizoError) as error:
        call()
    assert error.value.code == code, error.value
    return error.value


# --- the policy approves -----------------------------------------------------------------
@freeze_time(MORNING)
def test_terms_within_the_policy_are_approved_at_once_with_their_schedule(thandi):
    arrangement = propose(thandi, deposit="110", months=7)
    assert (arrangement.status, arrangement.auto, arrangement.decided_by) == (
        "approved", True, None)
    assert (arrangement.arrears, arrangement.deposit) == (Decimal("1100.00"), Decimal("110.00"))
    # The deposit a week after approval; then monthly on the bill's due day (the 15th),
    # the R990.00 left in seven amounts to the cent, the first ones a cent more.
    assert schedule(arrangement) == [
        (0, date(2026, 7, 8), Decimal("110.00")),
        (1, date(2026, 7, 15), Decimal("141.43")),
        (2, date(2026, 8, 15), Decimal("141.43")),
        (3, date(2026, 9, 15), Decimal("141.43")),
        (4, date(2026, 10, 15), Decimal("141.43")),
        (5, date(2026, 11, 15), Decimal("141.43")),
        (6, date(2026, 12, 15), Decimal("141.43")),
        (7, date(2027, 1, 15), Decimal("141.42"))]
    assert sum(a for n, _d, a in schedule(arrangement) if n) == Decimal("990.00")
    assert (arrangement.instalment, arrangement.first_due) == (Decimal("141.43"),
                                                               date(2026, 7, 15))
    (event,) = events("arrangement_approved")
    assert event["arrangement_id"] == arrangement.pk and event["auto"] is True
    entry = AuditEntry.objects.get(action="billing.arrangement_propose")
    assert entry.actor == thandi.label and entry.changes["status"] == "approved"


@pytest.mark.parametrize(("total", "months"), [
    ("990.00", 7), ("1000.00", 3), ("0.07", 3), ("12345.67", 24), ("100.01", 60),
    ("59999.99", 13)])
def test_instalments_add_up_to_the_cent_and_differ_by_at_most_one(total, months):
    amounts = split(Decimal(total), months)
    assert len(amounts) == months and sum(amounts) == Decimal(total)
    assert max(amounts) - min(amounts) <= Decimal("0.01")
    assert all(a == a.quantize(Decimal("0.01")) for a in amounts)


@freeze_time(MORNING)
def test_without_a_deposit_the_arrangement_runs_at_once(thandi, aaa):
    ArrangementPolicy.objects.create(municipality=aaa, deposit_percent=0)
    arrangement = propose(thandi, deposit="0", months=4)
    assert arrangement.status == "active"
    assert [n for n, _d, _a in schedule(arrangement)] == [1, 2, 3, 4]
    assert sum(a for _n, _d, a in schedule(arrangement)) == Decimal("1100.00")


@freeze_time(MORNING)
def test_a_quote_shows_the_terms_and_writes_nothing(thandi):
    terms = arrangement_quote(actor=thandi, account=acct(thandi), deposit="R 50", months=6)
    assert (terms.within_policy, terms.required_deposit) == (False, Decimal("110.00"))
    assert terms.referral == [{"rule": "deposit", "minimum": "110.00"}]
    assert terms.instalment == Decimal("175.00") and terms.first_due == date(2026, 7, 15)
    assert not Arrangement.objects.exists()


# --- limits no one approves past ---------------------------------------------------------
@freeze_time(MORNING)
@pytest.mark.parametrize(("deposit", "months", "code", "field", "message"), [
    ("abc", 6, "invalid_amount", "deposit", "Enter an amount in rand, such as 250 or 250.50."),
    ("-5", 6, "invalid_amount", "deposit", "Enter an amount in rand, such as 250 or 250.50."),
    ("10.005", 6, "invalid_amount", "deposit",
     "Enter an amount in rand, such as 250 or 250.50."),
    ("1100", 6, "deposit_covers_arrears", "deposit",
     "A deposit of R1100.00 pays all the arrears of R1100.00: pay them instead, no "
     "arrangement is needed."),
    ("110", 0, "invalid_months", "months", "Choose from 1 to 60 months."),
    ("110", 61, "invalid_months", "months", "Choose from 1 to 60 months."),
    ("110", "six", "invalid_months", "months", "Choose from 1 to 60 months."),
    ("110", 12, "instalment_too_small", "months",
     "Over 12 months each instalment would be less than the minimum of R100.00: choose 9 "
     "months or fewer."),
])
def test_terms_past_the_limits_are_refused_with_the_field_to_correct(thandi, deposit, months,
                                                                     code, field, message):
    error = refused(lambda: propose(thandi, deposit=deposit, months=months), code)
    assert (error.extra["field"], error.message) == (field, message)
    assert not Arrangement.objects.exists()


@freeze_time(MORNING)
def test_a_refusal_is_in_the_residents_language(thandi):
    with translation.override("af"):
        error = refused(lambda: propose(thandi, months=0), "invalid_months")
    assert error.message != "Choose from 1 to 60 months." and "60" in error.message


@freeze_time(MORNING)
def test_an_account_with_nothing_overdue_has_nothing_to_arrange(thandi):
    error = refused(lambda: propose(thandi, deposit="0", months=1, number="1003"),
                    "no_arrears")
    assert error.status == 409


@freeze_time(MORNING)
def test_one_open_arrangement_per_account(thandi):
    propose(thandi)
    error = refused(lambda: propose(thandi, deposit="200", months=5), "arrangement_open")
    assert error.status == 409 and Arrangement.objects.count() == 1


@freeze_time(MORNING)
def test_a_resident_without_an_approved_link_may_not_propose(thandi, aaa, resident,
                                                            make_staff):
    account_1001 = acct(thandi)
    proxy = resident("0821110002")  # proves control, but the holder has not approved yet
    link = account_link_verify(actor=proxy, municipality=aaa, account_number="1001",
                               method="id_number", proof=HOLDER_ID)
    assert link.pending
    stranger = resident("0821110003")
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    for actor in (proxy, stranger, agent):
        with pytest.raises(PermissionDenied, match="Only a resident linked to this account"):
            arrangement_propose(actor=actor, account=account_1001, deposit="110", months=7)
    assert not Arrangement.objects.exists()


# --- outside the policy: revenue staff decide ------------------------------------------
@freeze_time(MORNING)
def test_a_deposit_below_the_policy_goes_to_staff_who_approve_it(thandi, manager):
    arrangement = propose(thandi, deposit="50", months=6)
    assert (arrangement.status, arrangement.referral) == (
        "proposed", [{"rule": "deposit", "minimum": "110.00"}])
    assert not schedule(arrangement) and not events("arrangement_approved")
    assert referral_text(arrangement.referral) == (
        "Revenue staff will decide on it, because the deposit is less than R110.00.")
    assert list(arrangements_awaiting_decision(actor=manager)) == [arrangement]
    with freeze_time("2026-07-10 09:00:00"):  # decided later: the schedule runs from then
        arrangement = arrangement_decide(actor=manager, arrangement=arrangement, approve=True)
    assert (arrangement.status, arrangement.auto, arrangement.decided_by) == (
        "approved", False, manager.user)
    assert schedule(arrangement)[:3] == [(0, date(2026, 7, 17), Decimal("50.00")),
                                         (1, date(2026, 8, 15), Decimal("175.00")),
                                         (2, date(2026, 9, 15), Decimal("175.00"))]
    assert events("arrangement_approved")[0]["auto"] is False
    assert not arrangements_awaiting_decision(actor=manager).exists()
    refused(lambda: arrangement_decide(actor=manager, arrangement=arrangement, approve=False,
                                       reason="Changed my mind"), "arrangement_decided")


@freeze_time(MORNING)
def test_longer_plans_and_larger_arrears_go_to_staff_who_may_reject_them(thandi, manager, aaa,
                                                                         resident):
    sipho = resident("0821110009")
    account_link_verify(actor=sipho, municipality=aaa, account_number="1002",
                        method="id_number", proof=OTHER_ID)
    longer = propose(sipho, deposit="600", months=30, number="1002")
    assert longer.referral == [{"rule": "months", "maximum": 24}]
    larger = propose(thandi, deposit="6000", months=24, number="1004")
    assert larger.referral == [{"rule": "arrears", "maximum": "50000.00"}]
    error = refused(lambda: arrangement_decide(actor=manager, arrangement=larger,
                                               approve=False, reason="  "), "reason_required")
    assert error.extra["field"] == "reason"
    larger = arrangement_decide(actor=manager, arrangement=larger, approve=False,
                                reason="Arrears this large need a meeting at the office.")
    assert (larger.status, larger.reason) == ("rejected", "Arrears this large need a meeting "
                                                          "at the office.")
    assert events("arrangement_rejected")[0]["arrangement_id"] == larger.pk
    assert AuditEntry.objects.filter(action="billing.arrangement_decide").count() == 1


@freeze_time(MORNING)
def test_only_revenue_staff_of_the_municipality_decide(thandi, make_staff, two_municipalities):
    aaa, bbb = two_municipalities
    arrangement = propose(thandi, deposit="50", months=6)
    for actor in (make_staff({"role": Role.MANAGER, "municipality": bbb}),
                  make_staff({"role": Role.AGENT, "municipality": aaa}), thandi):
        with pytest.raises(PermissionDenied):
            arrangement_decide(actor=actor, arrangement=arrangement, approve=True)
        assert not arrangements_awaiting_decision(actor=actor).exists()
    assert Arrangement.objects.get().status == "proposed"


@freeze_time(MORNING)
def test_the_resident_withdraws_a_proposal(thandi, resident):
    arrangement = propose(thandi, deposit="50", months=6)
    with pytest.raises(PermissionDenied):
        arrangement_cancel(actor=resident("0821110004"), arrangement=arrangement)
    arrangement = arrangement_cancel(actor=thandi, arrangement=arrangement)
    assert arrangement.status == "cancelled" and arrangement.ended
    propose(thandi)  # the account is free for another


@freeze_time(MORNING)
def test_once_payments_start_only_revenue_staff_end_an_arrangement(thandi, manager):
    arrangement = propose(thandi)
    arrangement_instalment_paid(actor=manager, arrangement=arrangement, amount="50",
                                paid_on=date(2026, 7, 1), reference="CASH-1")
    refused(lambda: arrangement_cancel(actor=thandi, arrangement=arrangement),
            "arrangement_running")
    assert arrangement_cancel(actor=manager, arrangement=arrangement).status == "cancelled"
    refused(lambda: arrangement_cancel(actor=manager, arrangement=arrangement),
            "arrangement_ended")


# --- payments ------------------------------------------------------------------------
def pay(load, *payments: tuple[str, str, str]) -> None:
    """Import account 1001 again with these payments (reference, date, amount)."""
    load([account("1001", transactions=[
        {"reference": ref, "date": on, "kind": "payment", "amount": f"-{amount}"}
        for ref, on, amount in payments])])


def paid(arrangement: Arrangement) -> list[tuple[int, Decimal, date | None]]:
    return list(Instalment.objects.filter(arrangement=arrangement).order_by("number")
                .values_list("number", "paid_amount", "paid_on"))


@freeze_time(MORNING)
def test_imported_payments_are_counted_oldest_instalment_first_and_once(thandi, aaa, load):
    arrangement = propose(thandi)
    # PAY-1 (2026-06-03, in the account's file) was before the proposal: not counted.
    # The import counts the payments it brought; counting again finds nothing new.
    pay(load, ("PAY-7", "2026-07-03", "110.00"), ("PAY-8", "2026-07-14", "200.00"))
    assert arrangements_match_payments(municipality=aaa) == 0
    assert paid(arrangement)[:3] == [(0, Decimal("110.00"), date(2026, 7, 3)),
                                     (1, Decimal("141.43"), date(2026, 7, 14)),
                                     (2, Decimal("58.57"), None)]
    arrangement.refresh_from_db()
    assert arrangement.status == "active"  # the deposit is paid
    # A payment recorded as it was made counts once, whatever imports bring later (the
    # billing system may write its reference in capitals, without hyphens).
    rest = str(Decimal("990.00") - Decimal("200.00"))
    arrangement_instalment_paid(actor=system_actor("api"), arrangement=arrangement,
                                amount=rest, paid_on=date(2026, 7, 20), reference="3f2a-77c1")
    pay(load, ("3F2A77C1", "2026-07-20", rest))
    assert arrangements_match_payments(municipality=aaa) == 0
    arrangement.refresh_from_db()
    assert arrangement.status == "completed" and arrangement.ended
    assert all(paid_on for _n, _a, paid_on in paid(arrangement))
    # One entry for the two payments the import brought, one for the payment recorded.
    assert AuditEntry.objects.filter(action="billing.arrangement_paid").count() == 2


# --- the clock: reminders and broken arrangements --------------------------------------
@freeze_time(MORNING)
def test_each_instalment_is_reminded_once_a_few_days_before_it_is_due(thandi):
    arrangement = propose(thandi)
    assert arrangements_check_due() == 0  # the deposit is due on the 8th: too early
    with freeze_time("2026-07-05 06:00:00"):
        assert arrangements_check_due() == 1  # three days before the deposit
        assert arrangements_check_due() == 0  # a second clock, or the next hour
    with freeze_time("2026-07-12 06:00:00"):
        assert arrangements_check_due() == 1  # the first instalment, due on the 15th
        assert arrangements_check_due() == 0
    assert [(e["number"], e["due_date"], e["amount"]) for e in events("instalment_due")] == [
        (0, "2026-07-08", "110.00"), (1, "2026-07-15", "141.43")]
    assert Arrangement.objects.get().status == "approved"  # the deposit is 4 days late
    assert events("instalment_due")[0]["arrangement_id"] == arrangement.pk


@freeze_time(MORNING)
def test_an_instalment_unpaid_a_week_after_its_due_date_breaks_the_arrangement(thandi, aaa,
                                                                               load):
    arrangement = propose(thandi)
    pay(load, ("PAY-7", "2026-07-03", "110.00"))
    with freeze_time("2026-07-22 06:00:00"):  # the first instalment is 7 days late
        arrangements_check_due()
        assert Arrangement.objects.get().status == "active"
    with freeze_time("2026-07-23 06:00:00"):  # and now 8: the deposit was counted first
        assert arrangements_check_due() == 1
        assert arrangements_check_due() == 0
    arrangement.refresh_from_db()
    assert arrangement.status == "broken" and arrangement.ended
    (event,) = events("arrangement_broken")
    assert (event["number"], event["due_date"], event["amount"]) == (1, "2026-07-15", "141.43")
    assert AuditEntry.objects.get(action="billing.arrangement_broken").actor == "system"


@freeze_time(MORNING)
def test_a_payment_imported_late_keeps_the_arrangement(thandi, aaa, load):
    propose(thandi)
    pay(load, ("PAY-7", "2026-07-03", "110.00"), ("PAY-8", "2026-07-21", "141.43"))
    with freeze_time("2026-07-23 06:00:00"):
        arrangements_check_due()
    assert Arrangement.objects.get().status == "active"


@freeze_time(MORNING)
def test_after_a_broken_arrangement_the_next_goes_to_staff_for_a_year(thandi):
    propose(thandi)
    with freeze_time("2026-07-16 06:00:00"):  # the deposit, due on the 8th, still unpaid
        assert arrangements_check_due() == 1
        again = propose(thandi, deposit="200", months=6)
        assert (again.status, again.referral) == ("proposed", [{"rule": "broken",
                                                                "months": 12}])
        assert referral_text(again.referral) == (
            "Revenue staff will decide on it, because an arrangement on this account was "
            "broken in the last 12 months.")
        arrangement_cancel(actor=thandi, arrangement=again)
    with freeze_time("2027-07-17 06:00:00"):
        assert propose(thandi, deposit="200", months=6).status == "approved"


# --- notifications -----------------------------------------------------------------------
def bodies() -> list[str]:
    return list(OutboundMessage.objects.order_by("pk").values_list("body", flat=True))


@freeze_time(MORNING)
def test_the_resident_is_told_of_the_approval_reminders_and_a_break(thandi):
    arrangement = propose(thandi)
    deposit, first = Instalment.objects.filter(arrangement=arrangement).order_by("number")[:2]
    assert notify_billing.call("approved", arrangement.pk) == 1
    assert notify_billing.call("approved", arrangement.pk) == 0  # relayed twice: sent once
    assert notify_billing.call("due", deposit.pk) == 1
    assert notify_billing.call("broken", arrangement.pk, first.pk) == 1
    assert bodies() == [
        "Imbizo: your payment arrangement for account 1001 is approved. Pay the deposit of "
        "R110.00 by 2026-07-08, then 7 monthly instalments, the first of R141.43 by "
        "2026-07-15.",
        "Imbizo: the deposit of R110.00 for your payment arrangement on account 1001 is due "
        "by 2026-07-08.",
        "Imbizo: your payment arrangement for account 1001 has ended because R141.43 due by "
        "2026-07-15 was not paid. All your arrears are due again: please contact the "
        "municipality."]
    assert set(OutboundMessage.objects.values_list("to", "channel")) == {("+27821110001",
                                                                         "sms")}


@freeze_time(MORNING)
def test_a_rejection_is_told_with_its_reason_in_the_residents_language(thandi, manager):
    thandi.citizen.language = "zu"
    thandi.citizen.save(update_fields=["language"])
    arrangement = arrangement_decide(actor=manager, arrangement=propose(thandi, deposit="50",
                                                                       months=6),
                                     approve=False, reason="Pay R110 first.")
    assert notify_billing.call("rejected", arrangement.pk) == 1
    (body,) = bodies()
    assert "1001" in body and body.endswith("Pay R110 first.") and "not approved" not in body
    assert OutboundMessage.objects.get().language == "zu"


@freeze_time(MORNING)
def test_no_reminder_once_billing_messages_are_refused_or_the_instalment_is_paid(thandi, load):
    arrangement = propose(thandi)
    deposit = Instalment.objects.get(arrangement=arrangement, number=0)
    consent_withdraw(actor=thandi, citizen=thandi.citizen, purpose="billing")
    assert notify_billing.call("due", deposit.pk) == 0
    arrangement_instalment_paid(actor=system_actor("api"), arrangement=arrangement,
                                amount="110", paid_on=date(2026, 7, 1), reference="PF-1")
    assert notify_billing.call("due", deposit.pk) == 0
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(("now", "run_after"), [
    ("2026-07-01 19:30:00", "2026-07-02 05:00:00"),  # 21:30 here: tomorrow at 07:00
    ("2026-07-01 03:00:00", "2026-07-01 05:00:00"),  # 05:00 here: today at 07:00
    ("2026-07-01 10:00:00", None),  # midday: at once
])
def test_staff_decisions_wait_for_the_end_of_the_quiet_hours(db, now, run_after):
    with freeze_time(now):
        on_arrangement_rejected(arrangement_id=1)
    result = DBTaskResult.objects.get(task_path__endswith="notify_billing").task_result
    assert result.args == ["rejected", 1, None]
    if run_after is None:
        assert result.task.run_after is None
    else:
        assert f"{result.task.run_after:%Y-%m-%d %H:%M:%S}" == run_after  # UTC


# --- reads -------------------------------------------------------------------------------
@freeze_time(MORNING)
def test_residents_see_their_accounts_arrangements_and_staff_their_municipalitys(
        thandi, manager, make_staff, two_municipalities, resident, django_assert_num_queries):
    mine = propose(thandi)
    other = propose(thandi, deposit="50", months=6, number="1004")
    with django_assert_num_queries(1):
        assert [a.account.account_number for a in arrangement_list(actor=thandi)] == [
            "1004", "1001"]
    with django_assert_num_queries(1):
        waiting = list(arrangements_awaiting_decision(actor=manager))
        assert [(a.account.account_number, a.citizen.phone) for a in waiting] == [
            ("1004", "+27821110001")]
    with django_assert_num_queries(2):
        found = access_arrangement(thandi, mine.uuid)
        assert [i.number for i in found.instalments.all()] == list(range(8))
    bbb_staff = make_staff({"role": Role.MANAGER, "municipality": two_municipalities[1]})
    assert not arrangement_list(actor=bbb_staff).exists()
    for actor in (bbb_staff, resident("0821110005")):
        with pytest.raises(NotFound):
            access_arrangement(actor, other.uuid)
    agent = make_staff({"role": Role.AGENT, "municipality": two_municipalities[0]})
    assert arrangement_list(actor=agent).count() == 2
