"""Debt-recovery campaigns: revenue staff remind the residents linked to accounts in
arrears, by the age of the oldest arrears (30, 60, 90, 120+ days), with a pay link and an
offer to arrange to pay (docs/billing.md, "Debt recovery campaigns").

Billing chooses who is reminded and records it; it never imports messaging. Starting a
campaign emits the durable ``campaign_started`` event in the same transaction;
``notifications/campaigns.py`` listens and runs the sending task, one batch of accounts a
task, each batch in one transaction that holds the campaign's row: it reads its accounts
(``campaign_batch``), queues the messages, then records the reminders and moves the
campaign's cursor on (``campaign_batch_record``). A task run twice, or a campaign started
again, finds the cursor moved (``campaign_claim``) and does nothing; the unique reminder
per campaign, account and resident is the last guard.

Who is reminded: the residents linked to the account (its holder and the proxies the
holder approved, as ``selectors.account_list`` lets them see it), never the phone or
e-mail on the billing record: that number was given to the billing system, not to Imbizo
with consent to be messaged, and may no longer be the holder's (POPIA: a stated purpose,
with consent). Of those, only residents with an active consent to the ``billing`` purpose
(recorded when they linked the account) are sent anything.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen, Consent
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, system_actor
from imbizo.geo.models import Municipality

from .arrangement_models import Arrangement
from .arrangement_terms import parse_amount
from .campaign_models import BUCKET_DAYS, Campaign, CampaignReminder
from .models import AccountLink, UtilityAccount
from .policy import require_revenue

BATCH_SIZE = 500  # accounts a sending task works on, in one transaction
Status = Campaign.Status
Outcome = CampaignReminder.Outcome


def _audit(actor: Actor, action: str, campaign: Campaign, **changes) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=campaign,
                 municipality_code=campaign.municipality.code, changes=changes)


# --- who is in a campaign ----------------------------------------------------------------
def overdue() -> F:
    """An account's arrears 30 days and more overdue: what an arrangement pays off."""
    return F("arrears_30") + F("arrears_60") + F("arrears_90") + F("arrears_120")


def oldest_bucket(prefix: str = "") -> Case:
    """The account's oldest arrears, in days (0: none 30 days overdue)."""
    return Case(*[When(**{f"{prefix}arrears_{days}__gt": 0}, then=Value(days))
                  for days in reversed(BUCKET_DAYS)],
                default=Value(0), output_field=IntegerField())


def candidates(*, municipality_id: int, buckets: Iterable[int],
               min_arrears: Decimal) -> QuerySet[UtilityAccount]:
    """The accounts a campaign reminds: oldest arrears in one of ``buckets``, arrears of at
    least ``min_arrears`` (and more than nothing), and no arrangement proposed or running
    (they have already answered)."""
    open_arrangement = Arrangement.objects.filter(account=OuterRef("pk"),
                                                  status__in=Arrangement.OPEN)
    return (UtilityAccount.objects.filter(municipality_id=municipality_id)
            .annotate(bucket=oldest_bucket(), overdue=overdue())
            .filter(bucket__in=list(buckets), overdue__gte=max(min_arrears, Decimal("0.01")))
            .exclude(Exists(open_arrangement)))


def _consenting(citizen_ids: Iterable[int]) -> QuerySet:
    return Consent.objects.filter(citizen_id__in=citizen_ids, purpose=Consent.Purpose.BILLING,
                                  withdrawn__isnull=True)


def live_links() -> QuerySet[AccountLink]:
    """Links through which a resident sees the account (``selectors.account_list``)."""
    return AccountLink.objects.filter(unlinked__isnull=True, consented__isnull=False,
                                      citizen__erased__isnull=True)


@dataclass(frozen=True)
class PreviewRow:
    bucket: int
    accounts: int
    arrears: Decimal
    residents: int  # linked to them
    consenting: int  # of those, with consent to billing messages


def campaign_preview(*, actor: Actor, municipality: Municipality, buckets, min_arrears
                     ) -> list[PreviewRow]:
    """Who a campaign with these settings would reach now, per bucket, before it is
    created or started (the console's form, the command's ``--dry-run``): two queries."""
    require_revenue(actor, municipality.pk)
    buckets, min_arrears = _buckets(buckets), parse_amount(min_arrears, "min_arrears")
    found = candidates(municipality_id=municipality.pk, buckets=buckets,
                       min_arrears=min_arrears)
    accounts = {row["bucket"]: row for row in found.order_by().values("bucket").annotate(
        n=Count("pk"), total=Sum("overdue"))}
    consent = Consent.objects.filter(citizen_id=OuterRef("citizen_id"),
                                     purpose=Consent.Purpose.BILLING, withdrawn__isnull=True)
    people = {row["bucket"]: row for row in live_links().filter(
        account_id__in=found.values("pk")).annotate(bucket=oldest_bucket("account__"),
                                                     ok=Exists(consent))
        .order_by().values("bucket").annotate(
            n=Count("citizen", distinct=True),
            ok_n=Count("citizen", distinct=True, filter=Q(ok=True)))}
    return [PreviewRow(b, accounts.get(b, {}).get("n", 0),
                       accounts.get(b, {}).get("total") or Decimal("0"),
                       people.get(b, {}).get("n", 0), people.get(b, {}).get("ok_n", 0))
            for b in buckets]


# --- creating and starting ---------------------------------------------------------------
def _buckets(value) -> list[int]:
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    try:
        chosen = sorted({int(str(v).strip().rstrip("+")) for v in value or ()})
    except (TypeError, ValueError):
        chosen = []
    if not chosen or any(b not in BUCKET_DAYS for b in chosen):
        raise ImbizoError("invalid_buckets", _("Choose one or more of 30, 60, 90 and 120 "
                                               "days."), field="buckets")
    return chosen


def _window(value) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= 120:
        raise ImbizoError("invalid_window", _("Give a window of 1 to 120 days."),
                          field="window_days")
    return days


@transaction.atomic
def campaign_create(*, actor: Actor, municipality: Municipality, buckets, min_arrears=0,
                    kind: str = Campaign.Kind.PAY_OR_ARRANGE, window_days=30) -> Campaign:
    """A draft campaign of revenue staff of ``municipality``: nothing is sent until
    ``campaign_start``. Each bad setting is refused with its field."""
    require_revenue(actor, municipality.pk)
    campaign = Campaign(municipality=municipality, buckets=_buckets(buckets),
                        min_arrears=parse_amount(min_arrears, "min_arrears"),
                        window_days=_window(window_days),
                        created_by=actor.user if actor.kind == "staff" else None)
    if kind not in Campaign.Kind.values:
        raise ImbizoError("invalid_kind", _("Choose what the message says."), field="kind")
    campaign.kind = kind
    campaign.full_clean(exclude=["municipality", "created_by"])
    campaign.save()
    _audit(actor, "billing.campaign_create", campaign, buckets=campaign.buckets,
           min_arrears=campaign.min_arrears, kind=kind, window_days=campaign.window_days)
    return campaign


def campaign_start(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Start sending (a draft), or start again where it stopped (a running campaign whose
    task was lost: nothing already sent is sent again). One campaign runs at a time in a
    municipality. The sending task is enqueued through the ``campaign_started`` event,
    written in this transaction, so a start is never lost between commit and enqueue."""
    require_revenue(actor, campaign.municipality_id)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().select_related("municipality") \
                .defer("municipality__boundary").get(pk=campaign.pk)
            if campaign.status == Status.DONE:
                raise ImbizoError("campaign_done", _("This campaign has finished."),
                                  status=409)
            again = campaign.status == Status.RUNNING
            if not again:
                campaign.status, campaign.started = Status.RUNNING, timezone.now()
                campaign.save(update_fields=["status", "started", "updated"])
            emit("campaign_started", municipality_id=campaign.municipality_id,
                 campaign_id=campaign.pk, cursor=campaign.cursor)
            _audit(actor, "billing.campaign_start", campaign, again=again)
    except IntegrityError:  # another campaign of the municipality is running
        raise ImbizoError("campaign_running", _(
            "Another campaign of this municipality is sending. Start this one when it has "
            "finished."), status=409) from None
    return campaign


# --- the sending task's steps (notifications/campaigns.py) -------------------------------
def campaign_claim(*, campaign_id: int, cursor: int) -> Campaign | None:
    """Lock a running campaign for one batch, in the caller's transaction, if it is still
    at ``cursor``: None for a task that another has overtaken (a copy, a second start)."""
    campaign = Campaign.objects.select_for_update().select_related("municipality") \
        .defer("municipality__boundary").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Status.RUNNING or campaign.cursor != cursor:
        return None
    return campaign


@dataclass(frozen=True, slots=True)
class Target:
    """One resident of one account to remind."""

    account_id: int
    account_number: str
    bucket: int
    overdue: Decimal
    citizen: Citizen
    consents: bool  # to billing messages


@dataclass
class Batch:
    targets: list[Target] = field(default_factory=list)
    accounts: int = 0
    cursor: int = 0  # the last account's id
    last: bool = True  # no account after these


def campaign_batch(*, campaign: Campaign, size: int | None = None) -> Batch:
    """The next ``size`` accounts after the cursor and the residents to remind on each, in
    four queries whatever the size: the accounts, their live links with the residents,
    those residents' billing consents, and the reminders already written (none, unless
    something went wrong; they are left out)."""
    size = size or BATCH_SIZE
    rows = list(candidates(municipality_id=campaign.municipality_id, buckets=campaign.buckets,
                           min_arrears=campaign.min_arrears)
                .filter(pk__gt=campaign.cursor).order_by("pk")
                .values_list("pk", "account_number", "bucket", "overdue")[:size])
    batch = Batch(accounts=len(rows), cursor=rows[-1][0] if rows else campaign.cursor,
                  last=len(rows) < size)
    if not rows:
        return batch
    by_id = {row[0]: row for row in rows}
    links = list(live_links().filter(account_id__in=by_id).select_related("citizen")
                 .order_by("account_id", "role", "pk"))
    citizens = {link.citizen_id for link in links}
    consenting = set(_consenting(citizens).values_list("citizen_id", flat=True))
    done = set(CampaignReminder.objects.filter(campaign=campaign, account_id__in=by_id)
               .values_list("account_id", "citizen_id"))
    for link in links:
        if (link.account_id, link.citizen_id) in done:
            continue
        pk, number, bucket, amount = by_id[link.account_id]
        batch.targets.append(Target(pk, number, bucket, amount, link.citizen,
                                    link.citizen_id in consenting))
    return batch


def campaign_batch_record(*, campaign: Campaign, batch: Batch,
                          outcomes: list[tuple[Target, str, int | None]]) -> Campaign:
    """Record what became of each target ((target, outcome, outbox message id)), move the
    cursor past the batch and count it, in the caller's transaction (the claim's). After
    the last batch the campaign is done, and audited."""
    now = timezone.now()
    CampaignReminder.objects.bulk_create([
        CampaignReminder(municipality_id=campaign.municipality_id, campaign=campaign,
                         account_id=t.account_id, citizen=t.citizen, bucket=t.bucket,
                         outcome=outcome, message_id=message_id, sent=now)
        for t, outcome, message_id in outcomes], ignore_conflicts=True)
    sent = sum(1 for _t, outcome, _m in outcomes if outcome == Outcome.SENT)
    campaign.cursor = batch.cursor
    campaign.accounts += batch.accounts
    campaign.sent += sent
    campaign.skipped += len(outcomes) - sent
    fields = ["cursor", "accounts", "sent", "skipped", "updated"]
    if batch.last:
        campaign.status, campaign.finished = Status.DONE, now
        fields += ["status", "finished"]
    campaign.save(update_fields=fields)
    if batch.last:
        _audit(system_actor("task"), "billing.campaign_done", campaign,
               accounts=campaign.accounts, sent=campaign.sent, skipped=campaign.skipped)
    return campaign

