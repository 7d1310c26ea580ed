"""The sandbox: a stand-in for a payment provider, for the demo and the tests. No money
moves. Its "hosted page" is Imbizo's own demo page (``/pay/sandbox/<uuid>``, labelled as
a demo, with Pay and Cancel buttons and no card form); pressing one makes a notification
as a provider would, signed with an HMAC keyed from ``SECRET_KEY``, which goes through
the same verification and the same payments service as PayFast's ITN.

It answers only while it is the configured provider (``BILLING_PAYMENT_PROVIDER``), so a
site taking real payments credits nothing the sandbox says.
"""

import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

from .base import (
    Checkout,
    CheckoutUrls,
    Notification,
    NotificationRejected,
    PaymentProvider,
    Verified,
)
from .payfast import money

SALT = "imbizo.billing.sandbox"
REQUIRED = ("m_payment_id", "sandbox_payment_id", "payment_status", "amount_gross",
            "signature")
STATUSES = {"COMPLETE": "complete", "FAILED": "failed", "CANCELLED": "cancelled"}


def _canonical(fields) -> str:
    return "&".join(f"{key}={value}" for key, value in fields.items() if key != "signature")


def sign(fields) -> str:
    return salted_hmac(SALT, _canonical(fields), algorithm="sha256").hexdigest()


class SandboxProvider(PaymentProvider):
    slug = "sandbox"
    name = "the sandbox"
    demo = True

    def checkout(self, payment, urls: CheckoutUrls, *, payer=None) -> Checkout:
        return Checkout(action=urls.demo_page_url, method="get")

    def notification_for(self, payment, status: str) -> dict[str, str]:
        """What the demo page sends when the resident presses Pay ("COMPLETE") or Cancel
        ("CANCELLED"): a new sandbox payment id each time, as a provider's would be."""
        fields = {"m_payment_id": payment.m_payment_id,
                  "sandbox_payment_id": f"SBX-{secrets.token_hex(8)}",
                  "payment_status": status, "amount_gross": f"{payment.amount:.2f}"}
        return {**fields, "signature": sign(fields)}

    def authenticate(self, notification: Notification) -> Verified:
        if self.slug != settings.BILLING_PAYMENT_PROVIDER:
            raise NotificationRejected("provider_off", "the sandbox is not the provider here")
        fields = notification.fields
        missing = [name for name in REQUIRED if not fields.get(name, "").strip()]
        if missing:
            raise NotificationRejected("malformed", f"no {', '.join(missing)}")
        if not hmac.compare_digest(fields["signature"].encode(), sign(fields).encode()):
            raise NotificationRejected("bad_signature", "the signature does not match")
        status = STATUSES.get(fields["payment_status"].strip().upper())
        if status is None:
            raise NotificationRejected("malformed", "unknown payment_status")
        return Verified(reference=fields["m_payment_id"].strip(),
                        provider_payment_id=fields["sandbox_payment_id"].strip()[:64],
                        amount=money(fields["amount_gross"]), status=status)
