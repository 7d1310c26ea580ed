"""Reads of debt-recovery campaigns, scoped to revenue staff: the campaigns of the
municipalities where the actor holds ``billing.manage`` (a membership narrowed to a
department opens none: campaigns belong to no department), and what each recovered.

Recovery is attributed to a reminder when it follows it within the campaign's window
(``window_days``): a payment through Imbizo completed after the reminder was sent, a
payment the billing system imported dated on or after the day it was sent (the billing
system records only the day), and an arrangement proposed after it. An imported payment
that is the billing system's copy of a payment through Imbizo (reconciled to it) is
counted once, as the latter.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor, scope

from .arrangement_models import Arrangement
from .campaign_models import Campaign, CampaignReminder
from .models import Payment, Transaction

MANAGE = "billing.manage"
SENT = CampaignReminder.Outcome.SENT


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    """Newest first, with their municipality: one query."""
    if actor.kind not in ("staff", "system"):
        return Campaign.objects.none()
    return scope(actor, Campaign.objects.select_related("municipality", "created_by")
                 .defer("municipality__boundary"), MANAGE).order_by("-created", "-pk")


def access_campaign(actor: Actor, pk: int) -> Campaign:
    campaign = campaign_list(actor=actor).filter(pk=pk).first()
    if campaign is None:
        raise NotFound("campaign_not_found", _("No such campaign."))
    return campaign


@dataclass(frozen=True)
class BucketResult:
    bucket: int
    sent: int  # reminders queued
    skipped: int  # residents not sent one (no consent, opted out, unreachable)
    accounts: int  # accounts reminded
    delivered: int | None  # None: the outbox was not asked
    failed: int | None
    accounts_paid: int  # accounts with a payment after their reminder
    payments: int
    paid: Decimal  # rands
    arrangements: int  # accounts on which an arrangement was proposed after the reminder


Delivery = Callable[[Campaign], Mapping[int, Mapping[str, int]]]


def _until(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DateTimeField())


def campaign_results(*, actor: Actor, campaign: Campaign,
                     delivery: Delivery | None = None) -> list[BucketResult]:
    """What each bucket of ``campaign`` recovered, in three aggregate queries whatever the
    campaign's size (a fourth in ``delivery``, which the caller hands in: billing does not
    read the outbox; it answers {bucket: {"delivered": n, "failed": n}})."""
    campaign = access_campaign(actor, campaign.pk)
    if campaign.started is None:
        return []
    window = timedelta(days=campaign.window_days)
    tz = timezone.get_default_timezone()
    paid_here = Payment.objects.filter(
        account=OuterRef("account"), status=Payment.Status.COMPLETE,
        completed__gte=OuterRef("sent"), completed__lt=OuterRef("until"))
    imported = Transaction.objects.filter(
        account=OuterRef("account"), kind=Transaction.Kind.PAYMENT,
        date__gte=OuterRef("day"), date__lt=OuterRef("until_day")).exclude(
        Exists(Payment.objects.filter(account=OuterRef("account"),
                                      reconciled_reference=OuterRef("reference"))))
    arranged = Arrangement.objects.filter(account=OuterRef("account"),
                                          created__gte=OuterRef("sent"),
                                          created__lt=OuterRef("until"))
    sent = Q(outcome=SENT)
    reminders = {row["bucket"]: row for row in CampaignReminder.objects.filter(
        campaign=campaign).annotate(
        until=_until(F("sent") + window),
        day=TruncDate("sent", tzinfo=tz),
        until_day=ExpressionWrapper(TruncDate(F("sent") + window, tzinfo=tz),
                                    output_field=DateField()),
        paid=Exists(paid_here) | Exists(imported), arranged=Exists(arranged),
    ).order_by().values("bucket").annotate(
        sent=Count("pk", filter=sent), skipped=Count("pk", filter=~sent),
        accounts=Count("account", distinct=True, filter=sent),
        accounts_paid=Count("account", distinct=True, filter=sent & Q(paid=True)),
        arrangements=Count("account", distinct=True, filter=sent & Q(arranged=True)))}

    first = CampaignReminder.objects.filter(campaign=campaign, account=OuterRef("account"),
                                            outcome=SENT).order_by("sent")
    here = {row["bucket"]: row for row in Payment.objects.filter(
        municipality_id=campaign.municipality_id, status=Payment.Status.COMPLETE,
        completed__gte=campaign.started).annotate(
        first=Subquery(first.values("sent")[:1]), bucket=Subquery(first.values("bucket")[:1]),
    ).filter(first__isnull=False, completed__gte=F("first"),
             completed__lt=_until(F("first") + window))
        .order_by().values("bucket").annotate(n=Count("pk"), rand=Sum("amount"))}
    billing = {row["bucket"]: row for row in Transaction.objects.filter(
        municipality_id=campaign.municipality_id, kind=Transaction.Kind.PAYMENT,
        date__gte=timezone.localdate(campaign.started)).annotate(
        first=TruncDate(Subquery(first.values("sent")[:1]), tzinfo=tz),
        last=TruncDate(_until(Subquery(first.values("sent")[:1]) + window), tzinfo=tz),
        bucket=Subquery(first.values("bucket")[:1]),
    ).filter(first__isnull=False, date__gte=F("first"), date__lt=F("last")).exclude(
        Exists(Payment.objects.filter(account=OuterRef("account"),
                                      reconciled_reference=OuterRef("reference"))))
        .order_by().values("bucket").annotate(n=Count("pk"), rand=Sum("amount"))}
    delivered = delivery(campaign) if delivery else {}

    results = []
    for bucket in campaign.buckets:
        row = reminders.get(bucket, {})
        ours, theirs = here.get(bucket, {}), billing.get(bucket, {})
        outbox = delivered.get(bucket, {})
        results.append(BucketResult(
            bucket=bucket, sent=row.get("sent", 0), skipped=row.get("skipped", 0),
            accounts=row.get("accounts", 0),
            delivered=outbox.get("delivered", 0) if delivery else None,
            failed=outbox.get("failed", 0) if delivery else None,
            accounts_paid=row.get("accounts_paid", 0),
            payments=ours.get("n", 0) + theirs.get("n", 0),
            paid=(ours.get("rand") or Decimal("0")) - (theirs.get("rand") or Decimal("0")),
            arrangements=row.get("arrangements", 0)))
    return results
