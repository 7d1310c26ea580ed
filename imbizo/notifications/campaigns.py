"""Debt-recovery reminders (billing/campaigns.py): the sending task and the outbox's side
of a campaign's results.

``campaign_started`` enqueues ``campaign_send``; each run works one batch of accounts in
one transaction that holds the campaign's row: the residents to remind (billing), their
channels and opt-outs (``reach.address_book``, a few queries for the whole batch), the
messages written in bulk (``messages_queue_many``, each text rendered once per language),
then the reminders recorded and the next batch's task written with them
(``enqueue_with_change``). A copy of a task, or one run again after its worker died, finds
the campaign's cursor moved, or nothing committed, and so never sends twice. Like the
billing notices (``notifications/billing.py``), reminders go under the ``billing``
purpose and wait for the end of the quiet hours (20:00 to 07:00, South African time).
"""

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.accounts.models import Consent
from imbizo.billing.campaign_models import Campaign, CampaignReminder
from imbizo.billing.campaigns import Target, campaign_batch, campaign_batch_record, campaign_claim
from imbizo.core.events import subscribe
from imbizo.core.outbox import enqueue_with_change
from imbizo.messaging.models import Channel, OutboundMessage, Status
from imbizo.messaging.queue_many import Draft, messages_queue_many
from imbizo.messaging.reach import address_book

from .billing import quiet_until

Outcome = CampaignReminder.Outcome

TEXTS = {
    Campaign.Kind.PAY_OR_ARRANGE: _(
        "Imbizo: account %(account)s has R%(amount)s overdue %(days)s days or more. Pay: "
        "%(pay)s or arrange to pay monthly: %(arrange)s"),
    Campaign.Kind.PAY: _("Imbizo: account %(account)s has R%(amount)s overdue %(days)s days "
                         "or more. Please pay: %(pay)s"),
}


def reminder_links(municipality: str, account_number: str) -> dict[str, str]:
    """The account's pay page and its arrangement page on the site."""
    args = [municipality, account_number]
    return {"pay": settings.SITE_URL + reverse("web:pay", args=args),
            "arrange": settings.SITE_URL + reverse("web:account_arrangement", args=args)}


class Texts:
    """Each campaign's text translated once per language, filled per account."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.template = settings.WHATSAPP_TEMPLATES.get("billing_update")
        self.done: dict[str, str] = {}

    def __call__(self, target: Target) -> tuple[str, dict | None]:
        language = target.citizen.language
        if language not in self.done:
            with translation.override(language):
                self.done[language] = str(TEXTS[self.campaign.kind])
        body = self.done[language] % {
            "account": target.account_number, "amount": f"{target.overdue:.2f}",
            "days": target.bucket,
            **reminder_links(self.campaign.municipality.code, target.account_number)}
        template = {"name": self.template, "language": language,
                    "params": [target.account_number, body]} if self.template else None
        return body, template


def message_key(campaign: Campaign, target: Target) -> str:
    return f"billing:campaign:{campaign.uuid}:{target.account_id}:{target.citizen.pk}"


def _send_batch(campaign: Campaign) -> tuple[int, bool]:
    """One batch, in the caller's transaction. (messages queued, the last batch?)"""
    batch = campaign_batch(campaign=campaign)
    book = address_book([t.citizen for t in batch.targets if t.consents])
    render = Texts(campaign)
    outcomes: list[tuple[Target, str, str | None]] = []
    drafts = []
    for target in batch.targets:
        citizen = target.citizen
        if not target.consents:
            outcomes.append((target, Outcome.NO_CONSENT, None))
            continue
        reaches = book.reaches(citizen)
        if not reaches:
            opted_out = citizen.phone and not book.allows(Channel.SMS, citizen.phone)
            outcomes.append((target, Outcome.OPTED_OUT if opted_out else Outcome.UNREACHABLE,
                             None))
            continue
        channel, to = reaches[0]
        body, template = render(target)
        key = message_key(campaign, target)
        drafts.append(Draft(to=to, channel=channel, body=body, dedupe_key=key,
                            citizen_id=citizen.pk, language=citizen.language,
                            template=template))
        outcomes.append((target, Outcome.SENT, key))
    queued = messages_queue_many(drafts=drafts, purpose=Consent.Purpose.BILLING,
                                 municipality=campaign.municipality) if drafts else 0
    ids = dict(OutboundMessage.objects.filter(dedupe_key__in=[d.dedupe_key for d in drafts])
               .values_list("dedupe_key", "pk")) if drafts else {}
    recorded = [(t, outcome if key is None or key in ids else Outcome.UNREACHABLE,
                 ids.get(key)) for t, outcome, key in outcomes]
    campaign_batch_record(campaign=campaign, batch=batch, outcomes=recorded)
    return queued, batch.last


@task()
def campaign_send(campaign_id: int, cursor: int) -> int:
    """Remind the next batch of a running campaign's accounts, from ``cursor`` (the last
    account id done), and write the task for the batch after. Returns how many messages
    it queued: none for a stale copy, or in the quiet hours (it runs again at 07:00)."""
    if (later := quiet_until(timezone.now())) is not None:
        campaign_send.using(run_after=later).enqueue(campaign_id, cursor)
        return 0
    with transaction.atomic():
        campaign = campaign_claim(campaign_id=campaign_id, cursor=cursor)
        if campaign is None:
            return 0
        queued, last = _send_batch(campaign)
        if not last:
            enqueue_with_change(campaign_send, campaign.pk, campaign.cursor)
    return queued


@subscribe("campaign_started")
def on_campaign_started(*, campaign_id: int, cursor: int, **_payload) -> None:
    later = quiet_until(timezone.now())
    (campaign_send.using(run_after=later) if later else campaign_send).enqueue(
        campaign_id, cursor)


FAILED = (Status.FAILED, Status.UNDELIVERABLE)


def campaign_delivery(campaign: Campaign) -> Mapping[int, Mapping[str, int]]:
    """What the outbox knows of a campaign's reminders, per bucket: delivered and failed
    (on the message's fallback to the resident's next channel, if it had one). One
    query; handed to ``billing.campaign_selectors.campaign_results``."""
    messages = OutboundMessage.objects.filter(pk=OuterRef("message_id")).values("status")
    fallback = OutboundMessage.objects.filter(fallback_of=OuterRef("message_id")) \
        .order_by("-pk").values("status")
    found: dict[int, dict[str, int]] = {}
    rows = CampaignReminder.objects.filter(campaign=campaign, message_id__isnull=False) \
        .annotate(status=Coalesce(Subquery(fallback[:1]), Subquery(messages[:1]))) \
        .order_by().values("bucket", "status").annotate(n=Count("pk"))
    for row in rows:
        counts = found.setdefault(row["bucket"], {"delivered": 0, "failed": 0})
        if row["status"] == Status.DELIVERED:
            counts["delivered"] += row["n"]
        elif row["status"] in FAILED:
            counts["failed"] += row["n"]
    return found
