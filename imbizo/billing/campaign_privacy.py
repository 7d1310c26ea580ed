"""A resident's debt-recovery reminders in their export (POPIA s23) and erasure (s24).

A reminder holds references only (the campaign, the account, the outbox message's id),
never the message's words: those are in the outbox, which messaging/privacy.py exports
and blanks. An erasure detaches the resident from their reminders, as it does from their
payments: what remains says that an account was reminded, which is the municipality's
record of its accounts, and no longer who was told.
"""

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .campaign_models import CampaignReminder


def campaigns_export(citizen: Citizen, within: set[int] | None) -> dict:
    reminders = CampaignReminder.objects.filter(citizen=citizen)
    if within is not None:
        reminders = reminders.filter(municipality__in=within)
    reminders = reminders.select_related("account", "municipality") \
        .defer("municipality__boundary").order_by("sent", "pk")
    return {"arrears_reminders": [{
        "municipality": r.municipality.code, "account": r.account.account_number,
        "campaign": r.campaign_id, "days_overdue": r.bucket, "outcome": r.outcome,
        "sent": r.sent.isoformat(),
    } for r in reminders]}


def campaigns_erase(citizen: Citizen) -> int:
    return CampaignReminder.objects.filter(citizen=citizen).update(citizen=None)


personal_data("billing_campaigns", export=campaigns_export, erase=campaigns_erase)
