"""Payment providers: each a small module with one class (base.PaymentProvider),
registered by slug in ``settings.BILLING_PAYMENT_PROVIDERS``; ``provider_for(slug)`` gives
the configured instance."""

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from .base import (
    Checkout,
    CheckoutUrls,
    Notification,
    NotificationRejected,
    PaymentProvider,
    ProviderUnreachable,
    Verified,
)

__all__ = ["Checkout", "CheckoutUrls", "Notification", "NotificationRejected",
           "PaymentProvider", "ProviderUnreachable", "Verified", "active_provider",
           "provider_for"]


@cache
def provider_for(slug: str) -> PaymentProvider | None:
    """The provider registered as ``slug``, or None."""
    path = settings.BILLING_PAYMENT_PROVIDERS.get(slug)
    return import_string(path)() if path else None


def active_provider() -> PaymentProvider:
    """The provider new payments go to (``BILLING_PAYMENT_PROVIDER``)."""
    provider = provider_for(settings.BILLING_PAYMENT_PROVIDER)
    if provider is None:
        raise LookupError(f"BILLING_PAYMENT_PROVIDER names no provider: "
                          f"{settings.BILLING_PAYMENT_PROVIDER!r}")
    return provider


@receiver(setting_changed)
def _providers_changed(*, setting: str, **kwargs) -> None:
    if setting == "BILLING_PAYMENT_PROVIDERS":
        provider_for.cache_clear()
