"""What a payment provider does for Imbizo, whoever it is.

Two things: describe the hosted payment page the resident is sent to (``checkout``: the
form's address and hidden fields; the resident types their card details there, never
here), and verify a notification the provider sent about a payment (``verify``: each
check that fails raises ``NotificationRejected`` naming it). Verifying is in two steps so
that the payments service can stop between them: ``authenticate`` checks what can be
checked here (signature, source address, merchant) and reads the notification;
``confirm`` asks the provider itself, where it offers that (PayFast's validation call).
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar


@dataclass(frozen=True)
class CheckoutUrls:
    """Where the provider sends the resident back to, and its notifications."""

    return_url: str
    cancel_url: str
    notify_url: str
    demo_page_url: str = ""  # Imbizo's own page standing in for a hosted one (the sandbox)


@dataclass(frozen=True)
class Checkout:
    """The hosted payment page, as a form for the resident's browser to submit: ``fields``
    in the order the provider wants them."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    method: str = "post"
    origins: tuple[str, ...] = ()  # where the form may post (the page's form-action)


@dataclass(frozen=True)
class Notification:
    """A provider's notification as received: its fields in the order they came, the
    address it came from and the raw body."""

    fields: Mapping[str, str]
    source_ip: str
    raw: bytes


@dataclass(frozen=True)
class Verified:
    """What a notification says, once authenticated. ``status`` is one of the payment's
    statuses (complete, failed, cancelled); ``reference`` is our payment's uuid as sent."""

    reference: str
    provider_payment_id: str
    amount: Decimal
    status: str


class NotificationRejected(Exception):
    """A notification that fails a check: ``code`` names the check (bad_signature,
    bad_source, wrong_merchant, malformed, unknown_payment, amount_mismatch,
    not_validated, provider_off), ``reason`` says what was wrong without quoting
    secrets."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code, self.reason = code, reason


class ProviderUnreachable(Exception):
    """The provider could not be asked to confirm (a timeout, a network error, a 5xx):
    neither verified nor refused. The notification is to be sent again."""


class PaymentProvider(ABC):
    slug: ClassVar[str]
    name: ClassVar[str]  # shown to residents ("Continue to PayFast")
    demo: ClassVar[bool] = False  # no money moves

    @abstractmethod
    def checkout(self, payment, urls: CheckoutUrls, *, payer=None) -> Checkout:
        """The form that takes the resident to the hosted page for ``payment``;
        ``payer`` (a Citizen) prefills what the provider asks of them, if given."""

    @abstractmethod
    def authenticate(self, notification: Notification) -> Verified:
        """Check what can be checked without asking the provider, and read the
        notification; raise ``NotificationRejected`` on the first check that fails."""

    def confirm(self, notification: Notification) -> None:
        """Ask the provider whether it sent this notification; raise
        ``NotificationRejected`` if it says not, ``ProviderUnreachable`` if it cannot be
        asked. Nothing to ask by default."""
        return None

    def verify(self, notification: Notification, *,
               amount_of: Callable[[str], Decimal | None]) -> Verified:
        """Every check, in the order PayFast documents them: authenticity (signature,
        source, merchant), the amount against the payment's (``amount_of(reference)``,
        None for a payment we do not know), then the provider's confirmation."""
        verified = self.authenticate(notification)
        amount_check(verified, amount_of(verified.reference))
        self.confirm(notification)
        return verified


def amount_check(verified: Verified, expected: Decimal | None) -> None:
    """The notified amount must be the payment's, to the cent."""
    if expected is None:
        raise NotificationRejected("unknown_payment",
                                   f"no payment {verified.reference[:64]!r} of this provider")
    if verified.amount != expected:
        raise NotificationRejected("amount_mismatch",
                                   f"notified {verified.amount}, the payment is {expected}")
