"""Debt-recovery campaigns: revenue staff remind the residents linked to accounts whose
oldest arrears are in the chosen buckets, within consent, opt-outs and quiet hours, never
twice; the results attribute payments and arrangements that followed a reminder."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.accounts.services import (
    channel_opt_out,
    citizen_erase,
    citizen_export,
    consent_withdraw,
)
from imbizo.audit.models import AuditEntry
from imbizo.billing import campaigns as campaigns_module
from imbizo.billing.arrangements import arrangement_propose
from imbizo.billing.campaign_models import Campaign, CampaignReminder
from imbizo.billing.campaign_selectors import access_campaign, campaign_list, campaign_results
from imbizo.billing.campaigns import campaign_create, campaign_preview, campaign_start
from imbizo.billing.models import Payment, UtilityAccount
from imbizo.billing.payments import payment_notified, payment_start
from imbizo.billing.providers import provider_for
from imbizo.billing.services import account_link_verify
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.services import message_receipt
from imbizo.notifications.campaigns import TEXTS, campaign_delivery, campaign_send

from .conftest import HOLDER_ID, OTHER_ID, account, id_number

THIRD_ID = id_number("750505500908")
MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa
NIGHT = "2026-07-01 19:30:00"  # 21:30



def arrears(**buckets) -> dict:
    return {"current": "0", "30": "0", "60": "0", "90": "0", "120": "0", **buckets}


@pytest.fixture
def aaa(load, two_municipalities, settings):
    """2001 (oldest arrears 120+ days, R1100) and 2004 (90 days, R50) held by Thandi;
    2002 (60 days, R500) by Sipho, who reads isiZulu; 2003 (30 days) by Lerato."""
    settings.SITE_URL = "https://imbizo.example.gov.za"
    settings.BILLING_PAYMENT_PROVIDER = "sandbox"
    load([account("2001", arrears=arrears(**{"30": "300.00", "120": "800.00"})),
          account("2002", holder_id_number=OTHER_ID, arrears=arrears(**{"60": "500.00"})),
          account("2003", holder_id_number=THIRD_ID, arrears=arrears(**{"30": "900.00"})),
          account("2004", arrears=arrears(**{"90": "50.00"}))])
    return two_municipalities[0]


@pytest.fixture
def residents(aaa, resident):
    thandi, sipho, lerato = resident("0821110001"), resident("0821110002"), \
        resident("0821110003")
    sipho.citizen.language = "zu"
    sipho.citizen.save(update_fields=["language"])
    for actor, proof, numbers in ((thandi, HOLDER_ID, ("2001", "2004")),
                                  (sipho, OTHER_ID, ("2002",)), (lerato, THIRD_ID, ("2003",))):
        for number in numbers:
            account_link_verify(actor=actor, municipality=aaa, account_number=number,
                                method="id_number", proof=proof)
    return {"thandi": thandi, "sipho": sipho, "lerato": lerato}


@pytest.fixture
def manager(make_staff, aaa):
    return make_staff({"role": Role.MANAGER, "municipality": aaa})


def new(actor, aaa, buckets=(60, 90, 120), min_arrears="100", **kwargs) -> Campaign:
    return campaign_create(actor=actor, municipality=aaa, buckets=list(buckets),
                           min_arrears=min_arrears, **kwargs)


def run(campaign: Campaign) -> int:
    """Start the campaign and run its task, batch after batch, as the worker would."""
    campaign = campaign_start(actor=system_actor("test"), campaign=campaign)
    queued = 0
    while campaign.status == Campaign.Status.RUNNING:
        queued += campaign_send.call(campaign.pk, campaign.cursor)
        campaign.refresh_from_db()
    return queued


def messages() -> list[tuple[str, str, str]]:
    return list(OutboundMessage.objects.order_by("to").values_list("to", "language", "body"))


@freeze_time(MORNING)
def test_only_accounts_in_the_chosen_buckets_above_the_minimum_are_reminded(residents, aaa,
                                                                           manager):
    campaign = new(manager, aaa)
    assert run(campaign) == 2
    (thandi, sipho) = messages()
    assert thandi == ("+27821110001", "en",
                      "Imbizo: account 2001 has R1100.00 overdue 120 days or more. Pay: "
                      "https://imbizo.example.gov.za/pay/AAA/2001 or arrange to pay monthly: "
                      "https://imbizo.example.gov.za/account/AAA/2001/arrangement")
    assert sipho[:2] == ("+27821110002", "zu") and "2002" in sipho[2]
    campaign.refresh_from_db()
    assert (campaign.status, campaign.accounts, campaign.sent, campaign.skipped) == (
        "done", 2, 2, 0)
    assert sorted(CampaignReminder.objects.values_list("account__account_number", "bucket",
                                                       "outcome")) == [
        ("2001", 120, "sent"), ("2002", 60, "sent")]
    assert OutboundMessage.objects.filter(purpose="billing").count() == 2
    actions = list(AuditEntry.objects.filter(action__startswith="billing.campaign")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["billing.campaign_create", "billing.campaign_start",
                       "billing.campaign_done"]


@freeze_time(MORNING)
def test_the_message_is_in_the_residents_language_and_the_short_kind_fits_one_sms(
        residents, aaa, manager):
    run(new(manager, aaa, buckets=[60], kind="pay"))
    (message,) = OutboundMessage.objects.all()
    with translation.override("zu"):
        expected = str(TEXTS["pay"]) % {"account": "2002", "amount": "500.00", "days": 60,
                                        "pay": "https://imbizo.example.gov.za/pay/AAA/2002"}
    assert (message.language, message.body) == ("zu", expected)
    with translation.override("en"):
        english = str(TEXTS["pay"]) % {"account": "2000123456", "amount": "123456.78",
                                       "days": 120,
                                       "pay": "https://imbizo.example.gov.za/pay/AAA/2000123456"}
    assert len(english) <= 160


@freeze_time(MORNING)
def test_opted_out_and_unconsenting_residents_are_skipped_and_recorded(residents, aaa,
                                                                      manager):
    channel_opt_out("sms", "+27821110002")  # STOP by SMS, and on WhatsApp
    channel_opt_out("whatsapp", "+27821110002")
    consent_withdraw(actor=residents["thandi"], citizen=residents["thandi"].citizen,
                     purpose="billing")
    campaign = new(manager, aaa)
    assert run(campaign) == 0
    assert not OutboundMessage.objects.exists()
    assert sorted(CampaignReminder.objects.values_list("account__account_number",
                                                       "outcome")) == [
        ("2001", "no_consent"), ("2002", "opted_out")]
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.skipped) == (0, 2)


@freeze_time(MORNING)
def test_an_account_with_an_arrangement_open_is_not_reminded(residents, aaa, manager):
    account_2001 = UtilityAccount.objects.get(account_number="2001")
    arrangement_propose(actor=residents["thandi"], account=account_2001, deposit="110",
                        months=6)
    run(new(manager, aaa))
    assert [m[0] for m in messages()] == ["+27821110002"]


def test_in_the_quiet_hours_the_task_waits_until_seven(residents, aaa, manager):
    with freeze_time(NIGHT):
        campaign = campaign_start(actor=manager, campaign=new(manager, aaa))
        assert campaign_send.call(campaign.pk, 0) == 0
    assert not OutboundMessage.objects.exists()
    (result,) = DBTaskResult.objects.filter(task_path__endswith="campaign_send")
    assert result.task_result.args == [campaign.pk, 0]
    assert f"{result.task_result.task.run_after:%Y-%m-%d %H:%M}" == "2026-07-02 05:00"  # UTC
    with freeze_time("2026-07-02 05:00:00"):
        assert campaign_send.call(campaign.pk, 0) == 2


@freeze_time(MORNING)
def test_starting_enqueues_the_task_through_the_event(residents, aaa, manager,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_start(actor=manager, campaign=new(manager, aaa))
    (result,) = DBTaskResult.objects.filter(task_path__endswith="campaign_send")
    assert result.task_result.args == [campaign.pk, 0]


@freeze_time(MORNING)
def test_a_task_run_again_or_a_campaign_started_again_sends_nothing_twice(
        residents, aaa, manager, monkeypatch):
    monkeypatch.setattr(campaigns_module, "BATCH_SIZE", 1)
    campaign = campaign_start(actor=manager, campaign=new(manager, aaa))
    assert campaign_send.call(campaign.pk, 0) == 1
    assert campaign_send.call(campaign.pk, 0) == 0  # a copy of the first task: stale
    campaign.refresh_from_db()
    first = campaign.cursor
    # The next batch's task was written with the first batch.
    assert [r.task_result.args for r in DBTaskResult.objects.filter(
        task_path__endswith="campaign_send")] == [[campaign.pk, first]]
    campaign_start(actor=manager, campaign=campaign)  # started again: goes on from there
    assert campaign_send.call(campaign.pk, first) == 1
    while Campaign.objects.get(pk=campaign.pk).status == "running":
        campaign_send.call(campaign.pk, Campaign.objects.get(pk=campaign.pk).cursor)
    assert campaign_send.call(campaign.pk, 0) == 0
    assert OutboundMessage.objects.count() == CampaignReminder.objects.count() == 2
    with pytest.raises(ImbizoError) as done:
        campaign_start(actor=manager, campaign=campaign)
    assert (done.value.code, done.value.status) == ("campaign_done", 409)


@freeze_time(MORNING)
def test_one_campaign_runs_at_a_time_in_a_municipality(residents, aaa, manager):
    campaign_start(actor=manager, campaign=new(manager, aaa))
    with pytest.raises(ImbizoError) as running:
        campaign_start(actor=manager, campaign=new(manager, aaa, buckets=[30]))
    assert (running.value.code, running.value.status) == ("campaign_running", 409)


# --- results -----------------------------------------------------------------------------
def pay(holder, number: str, amount: str) -> Payment:
    """A payment through Imbizo, completed in the sandbox as the demo page does it."""
    payment = payment_start(actor=holder, account=UtilityAccount.objects.get(
        account_number=number), amount=amount)
    fields = provider_for("sandbox").notification_for(payment, "COMPLETE")
    assert payment_notified(provider="sandbox", fields=fields, source_ip="127.0.0.1",
                            raw=b"").http_status == 200
    return Payment.objects.get(pk=payment.pk)


def test_results_count_what_followed_a_reminder_and_not_what_came_before(
        residents, aaa, manager, load, django_assert_num_queries):
    thandi, sipho = residents["thandi"], residents["sipho"]
    with freeze_time("2026-07-01 07:00:00"):
        pay(thandi, "2001", "50.00")  # before the reminder: not counted
    with freeze_time(MORNING):
        campaign = new(manager, aaa)
        run(campaign)
    with freeze_time("2026-07-03 08:00:00"):
        pay(thandi, "2001", "300.00")
        arrangement_propose(actor=sipho, account=UtilityAccount.objects.get(
            account_number="2002"), deposit="50", months=3)
    with freeze_time("2026-08-15 08:00:00"):
        pay(thandi, "2001", "75.00")  # after the 30-day window: not counted
    load([account("2001", arrears=arrears(**{"30": "300.00", "120": "800.00"}),
                  transactions=[
                      {"reference": "BEFORE", "date": "2026-06-30", "kind": "payment",
                       "amount": "-40.00"},
                      {"reference": "PAYPOINT", "date": "2026-07-10", "kind": "payment",
                       "amount": "-200.00"},
                      {"reference": "CHARGE", "date": "2026-07-10", "kind": "charge",
                       "amount": "99.00"}])])
    with django_assert_num_queries(4):  # the campaign, then three aggregates
        results = campaign_results(actor=manager, campaign=campaign)
    by_bucket = {r.bucket: r for r in results}
    assert [r.bucket for r in results] == [60, 90, 120]
    old = by_bucket[120]
    assert (old.sent, old.accounts, old.accounts_paid, old.payments, old.paid,
            old.arrangements, old.delivered) == (1, 1, 1, 2, Decimal("500.00"), 0, None)
    sixty = by_bucket[60]
    assert (sixty.sent, sixty.accounts_paid, sixty.payments, sixty.arrangements) == (
        1, 0, 0, 1)
    assert by_bucket[90].sent == 0


@freeze_time(MORNING)
def test_results_say_what_the_outbox_knows_of_delivery(residents, aaa, manager,
                                                       django_assert_num_queries):
    campaign = new(manager, aaa)
    run(campaign)
    message = OutboundMessage.objects.get(to="+27821110001")
    OutboundMessage.objects.filter(pk=message.pk).update(provider_message_id="P-1",
                                                         status="sent")
    message_receipt(provider=message.provider, provider_message_id="P-1", status="delivered")
    with django_assert_num_queries(5):
        results = campaign_results(actor=manager, campaign=campaign,
                                   delivery=campaign_delivery)
    assert {r.bucket: (r.delivered, r.failed) for r in results} == {
        60: (0, 0), 90: (0, 0), 120: (1, 0)}


# --- permissions and bad input -----------------------------------------------------------
def test_only_revenue_staff_of_the_municipality_create_and_start(aaa, make_staff, manager,
                                                                 two_municipalities):
    from imbizo.accounts.services import department_create

    roads = department_create(actor=system_actor("cli"), municipality=aaa, code="roads",
                              name="Roads")
    revenue = department_create(actor=system_actor("cli"), municipality=aaa,
                                code="revenue", name="Revenue")
    refused = [
        make_staff({"role": Role.AGENT, "municipality": aaa}),
        make_staff({"role": Role.OFFICER, "municipality": aaa, "department": roads}),
        make_staff({"role": Role.MANAGER, "municipality": aaa, "department": roads}),
        make_staff({"role": Role.MANAGER, "municipality": two_municipalities[1]}),
    ]
    for actor in refused:
        with pytest.raises(PermissionDenied):
            new(actor, aaa)
    campaign = new(make_staff({"role": Role.MANAGER, "municipality": aaa,
                               "department": revenue}), aaa)
    for actor in refused:
        with pytest.raises(PermissionDenied):
            campaign_start(actor=actor, campaign=campaign)
        assert not campaign_list(actor=actor).exists()
        with pytest.raises(NotFound):
            access_campaign(actor, campaign.pk)
    assert access_campaign(manager, campaign.pk) == campaign
    assert Campaign.objects.get().status == "draft"


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"buckets": []}, "invalid_buckets", "buckets"),
    ({"buckets": [45]}, "invalid_buckets", "buckets"),
    ({"buckets": "thirty"}, "invalid_buckets", "buckets"),
    ({"min_arrears": "-5"}, "invalid_amount", "min_arrears"),
    ({"min_arrears": "R1 0.001"}, "invalid_amount", "min_arrears"),
    ({"kind": "shout"}, "invalid_kind", "kind"),
    ({"window_days": 0}, "invalid_window", "window_days"),
    ({"window_days": "121"}, "invalid_window", "window_days"),
])
def test_bad_settings_are_refused_with_their_field(aaa, manager, fields, code, field):
    with pytest.raises(ImbizoError) as error:
        campaign_create(actor=manager, municipality=aaa,
                        **{"buckets": [90], "min_arrears": "0", **fields})
    assert (error.value.code, error.value.extra["field"]) == (code, field)
    assert not Campaign.objects.exists()


def test_buckets_may_be_written_as_the_command_takes_them(aaa, manager):
    campaign = campaign_create(actor=manager, municipality=aaa, buckets="120, 60,90+")
    assert campaign.buckets == [60, 90, 120]


def test_the_preview_counts_accounts_and_residents_per_bucket(residents, aaa, manager,
                                                              django_assert_num_queries):
    consent_withdraw(actor=residents["sipho"], citizen=residents["sipho"].citizen,
                     purpose="billing")
    with django_assert_num_queries(2):
        rows = campaign_preview(actor=manager, municipality=aaa, buckets=[30, 60, 120],
                                min_arrears="100")
    assert [(r.bucket, r.accounts, r.arrears, r.residents, r.consenting) for r in rows] == [
        (30, 1, Decimal("900.00"), 1, 1), (60, 1, Decimal("500.00"), 1, 0),
        (120, 1, Decimal("1100.00"), 1, 1)]


# --- personal data -----------------------------------------------------------------------
@freeze_time(MORNING)
def test_reminders_are_in_the_residents_export_and_erasure_detaches_them(residents, aaa,
                                                                         manager):
    campaign = new(manager, aaa)
    run(campaign)
    thandi = residents["thandi"].citizen
    exported = citizen_export(actor=residents["thandi"], citizen=thandi)
    assert exported["billing_campaigns"] == {"arrears_reminders": [{
        "municipality": "AAA", "account": "2001", "campaign": campaign.pk,
        "days_overdue": 120, "outcome": "sent", "sent": "2026-07-01T08:00:00+00:00"}]}
    citizen_erase(actor=system_actor("cli"), citizen=thandi)
    assert not CampaignReminder.objects.filter(citizen=thandi).exists()
    assert CampaignReminder.objects.filter(account__account_number="2001",
                                           citizen__isnull=True).count() == 1
    assert campaign_results(actor=manager, campaign=campaign)[-1].sent == 1


# --- the command -------------------------------------------------------------------------
@freeze_time(MORNING)
def test_the_command_previews_on_a_dry_run_and_otherwise_starts(residents, aaa):
    out = io.StringIO()
    call_command("campaign_arrears", "--municipality", "AAA", "--buckets", "60,90,120",
                 "--min-arrears", "100", "--dry-run", stdout=out)
    assert "120+ days: 1 account(s), R 1,100.00 in arrears, 1 linked resident(s)" \
        in out.getvalue()
    assert "Dry run" in out.getvalue() and not Campaign.objects.exists()
    call_command("campaign_arrears", "--municipality", "AAA", "--buckets", "60,90,120",
                 stdout=io.StringIO())
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.buckets, campaign.min_arrears) == (
        "running", [60, 90, 120], Decimal("0"))
    for args in (["--municipality", "ZZZ", "--buckets", "60"],
                 ["--municipality", "AAA", "--buckets", "45"]):
        with pytest.raises(CommandError):
            call_command("campaign_arrears", *args, stdout=io.StringIO())
