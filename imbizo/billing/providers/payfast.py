"""PayFast: its hosted payment page (custom integration) and its Instant Transaction
Notifications (ITN), as documented at developers.payfast.co.za ("Custom integration":
the checkout form and its signature; "Confirm payment": the four ITN checks).

The checkout form's fields go in PayFast's documented order; the signature is the MD5 of
the non-empty ones, URL-encoded as PHP's ``urlencode`` does (spaces as ``+``, upper-case
escapes), joined by ``&``, with ``passphrase`` last when the merchant set one. An ITN is
signed the same way over every field it carries, in the order received, up to
``signature``. The ITN checks: the signature; the source address among PayFast's
(``PAYFAST_VALID_NETWORKS``, or what ``PAYFAST_VALID_HOSTS`` resolve to); the merchant
and the amount (the service compares it with the payment's, to the cent); and PayFast's
own answer ``VALID`` to the parameter string posted back to ``/eng/query/validate``.
"""

import hashlib
import hmac
import ipaddress
import logging
import socket
import threading
import time
from decimal import Decimal, InvalidOperation
from urllib.parse import quote_plus, urlsplit

import httpx
from django.conf import settings

from .base import (
    Checkout,
    CheckoutUrls,
    Notification,
    NotificationRejected,
    PaymentProvider,
    ProviderUnreachable,
    Verified,
)

logger = logging.getLogger(__name__)

# The checkout form's fields, in the order PayFast signs them ("Custom integration").
CHECKOUT_ORDER = (
    "merchant_id", "merchant_key", "return_url", "cancel_url", "notify_url",
    "name_first", "name_last", "email_address", "cell_number",
    "m_payment_id", "amount", "item_name", "item_description",
    "custom_int1", "custom_int2", "custom_int3", "custom_int4", "custom_int5",
    "custom_str1", "custom_str2", "custom_str3", "custom_str4", "custom_str5",
    "email_confirmation", "confirmation_address", "payment_method",
)
ITN_REQUIRED = ("m_payment_id", "pf_payment_id", "payment_status", "amount_gross",
                "merchant_id", "signature")
STATUSES = {"COMPLETE": "complete", "FAILED": "failed", "CANCELLED": "cancelled"}
HOSTS_KEPT = 600.0  # seconds a host's resolved addresses are trusted


def pf_encode(value: str) -> str:
    """PHP's ``urlencode``: what PayFast's signatures are computed over."""
    return quote_plus(value, safe="").replace("~", "%7E")


def checkout_signature(fields: list[tuple[str, str]], passphrase: str = "") -> str:
    """The checkout form's signature: its non-empty fields, trimmed, in order."""
    text = "&".join(f"{key}={pf_encode(value.strip())}" for key, value in fields
                    if key != "signature" and value.strip())
    if passphrase.strip():
        text += f"&passphrase={pf_encode(passphrase.strip())}"
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324  (PayFast's choice, not ours)


def itn_parameter_string(fields) -> str:
    """An ITN's fields as received, up to its signature (empty ones included)."""
    parts = []
    for key, value in fields.items():
        if key == "signature":
            break
        parts.append(f"{key}={pf_encode(value)}")
    return "&".join(parts)


def itn_signature(fields, passphrase: str = "") -> str:
    text = itn_parameter_string(fields)
    if passphrase.strip():
        text += f"&passphrase={pf_encode(passphrase.strip())}"
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324


class _Resolved:
    """The addresses PayFast's host names resolve to, looked up at most every ten minutes
    and only when an address outside the published networks asks (a failed look-up
    counts as none)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, tuple[float, frozenset[str]]] = {}

    def addresses(self, hosts: list[str]) -> set[str]:
        found: set[str] = set()
        now = time.monotonic()
        for host in hosts:
            with self._lock:
                kept = self._hosts.get(host)
            if kept is None or kept[0] < now:
                try:
                    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
                    ips = frozenset(str(info[4][0]) for info in infos)
                except OSError:
                    ips = frozenset()
                kept = (now + HOSTS_KEPT, ips)
                with self._lock:
                    self._hosts[host] = kept
            found |= kept[1]
        return found


resolved = _Resolved()


def from_payfast(address: str) -> bool:
    """Whether ``address`` is one PayFast sends ITNs from."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for network in settings.PAYFAST_VALID_NETWORKS:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            logger.error("PAYFAST_VALID_NETWORKS holds %r, which is not a network", network)
    return str(ip) in resolved.addresses(settings.PAYFAST_VALID_HOSTS)


def money(text: str) -> Decimal:
    """A PayFast amount ("1520.35"): rands to the cent."""
    try:
        amount = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise NotificationRejected("malformed", "the amount is not a number") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise NotificationRejected("malformed", "the amount is not in rands and cents")
    return amount.quantize(Decimal("0.01"))


class PayFastClient:
    """The one client for PayFast's server: its ITN validation call."""

    def __init__(self) -> None:
        self._http = httpx.Client(timeout=httpx.Timeout(settings.PAYFAST_TIMEOUT))

    def validate(self, parameter_string: str) -> bool:
        """Post an ITN's parameter string back to PayFast: True if it answers VALID."""
        url = f"{settings.PAYFAST_URL}/eng/query/validate"
        try:
            response = self._http.post(url, content=parameter_string.encode(), headers={
                "Content-Type": "application/x-www-form-urlencoded"})
        except httpx.HTTPError as exc:
            raise ProviderUnreachable(f"PayFast's validation: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ProviderUnreachable(f"PayFast's validation answered {response.status_code}")
        return response.status_code == 200 and response.text.strip() == "VALID"


class PayFastProvider(PaymentProvider):
    slug = "payfast"
    name = "PayFast"

    def __init__(self) -> None:
        self.client = PayFastClient()

    # --- the hosted page ---------------------------------------------------------------
    def checkout(self, payment, urls: CheckoutUrls, *, payer=None) -> Checkout:
        account = payment.account
        values = {
            "merchant_id": settings.PAYFAST_MERCHANT_ID,
            "merchant_key": settings.PAYFAST_MERCHANT_KEY,
            "return_url": urls.return_url, "cancel_url": urls.cancel_url,
            "notify_url": urls.notify_url,
            "name_first": (payer.name if payer else "")[:100],
            "email_address": (payer.email if payer else "")[:100],
            "m_payment_id": payment.m_payment_id,
            "amount": f"{payment.amount:.2f}",
            "item_name": f"Account {account.account_number}"[:100],
            "item_description": payment.municipality.name[:255],
            "custom_str1": f"{payment.municipality.code}/{account.account_number}"[:255],
        }
        fields = [(key, str(values[key]).strip()) for key in CHECKOUT_ORDER
                  if str(values.get(key, "")).strip()]
        fields.append(("signature", checkout_signature(fields, settings.PAYFAST_PASSPHRASE)))
        return Checkout(action=f"{settings.PAYFAST_URL}/eng/process", fields=fields,
                        origins=(_origin(settings.PAYFAST_URL), "https://*.payfast.io"))

    # --- the ITN -----------------------------------------------------------------------
    def authenticate(self, notification: Notification) -> Verified:
        fields = notification.fields
        missing = [name for name in ITN_REQUIRED if not fields.get(name, "").strip()]
        if missing:
            raise NotificationRejected("malformed", f"no {', '.join(missing)}")
        expected = itn_signature(fields, settings.PAYFAST_PASSPHRASE)
        if not hmac.compare_digest(fields["signature"].strip().lower().encode(),
                                   expected.encode()):
            raise NotificationRejected("bad_signature", "the signature does not match")
        if not from_payfast(notification.source_ip):
            raise NotificationRejected(
                "bad_source", f"{notification.source_ip or 'an unknown address'} is not "
                              "one of PayFast's")
        if not settings.PAYFAST_MERCHANT_ID or not hmac.compare_digest(
                fields["merchant_id"].strip().encode(), settings.PAYFAST_MERCHANT_ID.encode()):
            raise NotificationRejected("wrong_merchant", "the merchant is not ours")
        status = STATUSES.get(fields["payment_status"].strip().upper())
        if status is None:
            raise NotificationRejected(
                "malformed", f"unknown payment_status {fields['payment_status'][:20]!r}")
        return Verified(reference=fields["m_payment_id"].strip(),
                        provider_payment_id=fields["pf_payment_id"].strip()[:64],
                        amount=money(fields["amount_gross"]), status=status)

    def confirm(self, notification: Notification) -> None:
        if not self.client.validate(itn_parameter_string(notification.fields)):
            raise NotificationRejected("not_validated", "PayFast did not answer VALID")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"

