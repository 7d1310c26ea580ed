"""Checks on what a municipality asks for, shared by the services and the admin form."""

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError

from .events import WEBHOOK_EVENTS

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
URL_MAX_LENGTH = 500
SECRET_MIN_LENGTH = 24


def webhook_url_check(url: str) -> str:
    """The URL, stripped; https:// unless DEBUG is on or it points at this machine."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ImbizoError("invalid_webhook_url",
                          _("Enter a full web address, e.g. https://crm.example.org/imbizo."),
                          field="url") from None
    if len(url) > URL_MAX_LENGTH:
        raise ImbizoError("invalid_webhook_url",
                          _("A webhook address can have at most %(n)d characters.")
                          % {"n": URL_MAX_LENGTH}, field="url")
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.DEBUG and parts.hostname not in LOOPBACK_HOSTS:
        raise ImbizoError("webhook_url_not_https",
                          _("A webhook address must start with https:// so that case data "
                            "is encrypted on its way."), field="url")
    return url


def webhook_events_check(events: Iterable[str]) -> list[str]:
    """The events, without repeats, in the order of WEBHOOK_EVENTS; unknown names refused."""
    if isinstance(events, str) or not isinstance(events, Iterable):
        raise ImbizoError("invalid_webhook_events", _("Give the events as a list of names."),
                          field="events")
    wanted = list(events)
    unknown = sorted({str(e) for e in wanted if e not in WEBHOOK_EVENTS})
    if unknown:
        raise ImbizoError("unknown_webhook_event",
                          _("Unknown event: %(unknown)s. Known events: %(known)s.")
                          % {"unknown": ", ".join(unknown), "known": ", ".join(WEBHOOK_EVENTS)},
                          field="events", unknown=unknown)
    if not wanted:
        raise ImbizoError("no_webhook_events", _("Choose at least one event."), field="events")
    return [e for e in WEBHOOK_EVENTS if e in wanted]


def webhook_secret_check(secret: str) -> str:
    if len(secret) < SECRET_MIN_LENGTH or len(secret) > 128 or not secret.isprintable():
        raise ImbizoError("weak_webhook_secret",
                          _("A webhook secret needs %(min)d to 128 printable characters.")
                          % {"min": SECRET_MIN_LENGTH}, field="secret")
    return secret


def url_for_the_record(url: str) -> str:
    """The URL without user, password, query or fragment, which may hold credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
