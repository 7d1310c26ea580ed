"""``{% load pwa %}``: what the installable app's pieces need in a template, so the pages
that show them need no change to their views."""

from django import template
from django.conf import settings

from imbizo.messaging.providers import provider_paths

register = template.Library()


@register.simple_tag
def push_key() -> str:
    """The VAPID public key when Web Push is on, else "" (the button is not shown)."""
    return settings.WEBPUSH_VAPID_PUBLIC_KEY if "webpush" in provider_paths() else ""
