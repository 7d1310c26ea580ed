"""What billing holds about a resident, for their export and erasure (accounts/privacy.py).

The accounts themselves are the municipality's copy of its billing records, about the
account holder as the billing system knows them, and stay. What is the resident's own is
their links to accounts, their tries at proving control and the PINs sent for them: an
erasure deletes those, so the resident no longer sees any account. Their payments are
the municipality's financial records too: exported, and on erasure kept without them.
"""

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .models import AccountLink, LinkAttempt, LinkChallenge, Payment


def _within(qs, within: set[int] | None):
    return qs if within is None else qs.filter(municipality__in=within)


def billing_export(citizen: Citizen, within: set[int] | None) -> dict:
    links = _within(AccountLink.objects.filter(citizen=citizen), within) \
        .select_related("account", "municipality").order_by("created", "pk")
    attempts = _within(LinkAttempt.objects.filter(citizen=citizen), within) \
        .select_related("municipality").order_by("created", "pk")
    payments = _within(Payment.objects.filter(citizen=citizen), within) \
        .select_related("account").order_by("created", "pk")
    return {
        "payments": [{
            "account": p.account.account_number, "amount": str(p.amount), "status": p.status,
            "provider": p.provider, "reference": p.m_payment_id,
            "created": p.created.isoformat(),
            "completed": p.completed.isoformat() if p.completed else None,
        } for p in payments],
        "account_links": [{
            "municipality": link.municipality.code, "account": link.account.account_number,
            "role": link.role, "method": link.method, "created": link.created.isoformat(),
            "consented": link.consented.isoformat() if link.consented else None,
            "unlinked": link.unlinked.isoformat() if link.unlinked else None,
        } for link in links],
        "link_attempts": [{
            "municipality": a.municipality.code, "account": a.account_number,
            "method": a.method, "ok": a.ok, "created": a.created.isoformat(),
        } for a in attempts],
    }


def billing_erase(citizen: Citizen) -> int:
    detached = Payment.objects.filter(citizen=citizen).update(citizen=None)
    return detached + sum(model.objects.filter(citizen=citizen).delete()[0]
                          for model in (AccountLink, LinkAttempt, LinkChallenge))


personal_data("billing", export=billing_export, erase=billing_erase)
