"""Every write to a resident's Web Push subscriptions: the browser's "Notify me on this
phone" adds one, "Stop" or the push service's "gone" (404, 410) removes it.

Subscribing also makes Web Push the resident's preferred channel, which is what they
asked for by pressing the button; with no subscription left, their notifications go by
SMS again (``reach.py``: a preferred channel with no address stands for SMS).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Channel as ResidentChannel
from imbizo.accounts.models import Citizen
from imbizo.accounts.services import citizen_update
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor

from .models import PushSubscription

ENDPOINT_MAX = 1000


@dataclass(frozen=True)
class BrowserSubscription:
    """What a browser's ``PushSubscription.toJSON()`` gives: where to post, and the keys."""

    endpoint: str
    p256dh: str
    auth: str


def _own(actor: Actor, citizen: Citizen) -> None:
    if actor.kind != "citizen" or actor.citizen.pk != citizen.pk:
        raise PermissionDenied()
    if citizen.erased:
        raise ImbizoError("already_erased", _("This resident's data was erased."), status=409)


def _checked(browser: BrowserSubscription) -> BrowserSubscription:
    endpoint = (browser.endpoint or "").strip()
    if urlsplit(endpoint).scheme != "https" or len(endpoint) > ENDPOINT_MAX:
        raise ImbizoError("invalid_subscription",
                          _("This browser gave no push address we can use."), field="endpoint")
    if not browser.p256dh or not browser.auth or len(browser.p256dh) > 200 \
            or len(browser.auth) > 100:
        raise ImbizoError("invalid_subscription",
                          _("This browser gave no push keys we can use."), field="keys")
    return BrowserSubscription(endpoint, browser.p256dh.strip(), browser.auth.strip())


def _audit(actor: Actor, action: str, subscription: PushSubscription, citizen: Citizen) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action,
                 object_type="messaging.pushsubscription", object_id=str(subscription.pk),
                 municipality_code=citizen.municipality.code if citizen.municipality_id else "",
                 changes={"push_service": urlsplit(subscription.endpoint).netloc})


@transaction.atomic
def push_subscribe(*, actor: Actor, citizen: Citizen,
                   browser: BrowserSubscription) -> PushSubscription:
    """Keep this browser's subscription for ``citizen`` (the same endpoint again updates
    its keys, or moves it to whoever is signed in on the phone now)."""
    _own(actor, citizen)
    browser = _checked(browser)
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=browser.endpoint,
        defaults={"citizen": citizen, "p256dh": browser.p256dh, "auth": browser.auth})
    if citizen.preferred_channel != ResidentChannel.WEBPUSH:
        citizen_update(actor=actor, citizen=citizen, preferred_channel=ResidentChannel.WEBPUSH)
    _audit(actor, "push.subscribe" if created else "push.resubscribe", subscription, citizen)
    return subscription


@transaction.atomic
def push_unsubscribe(*, actor: Actor, citizen: Citizen, endpoint: str) -> bool:
    """Forget this browser; True if it was the resident's."""
    _own(actor, citizen)
    subscription = PushSubscription.objects.filter(citizen=citizen, endpoint=endpoint).first()
    if subscription is None:
        return False
    _audit(actor, "push.unsubscribe", subscription, citizen)
    subscription.delete()
    return True


@transaction.atomic
def push_gone(*, subscription: PushSubscription) -> None:
    """The push service says this browser is gone for good (HTTP 404 or 410)."""
    deleted, _rows = PushSubscription.objects.filter(pk=subscription.pk).delete()
    if deleted:
        audit_record(actor="system", channel="webpush", action="push.gone",
                     object_type="messaging.pushsubscription", object_id=str(subscription.pk),
                     changes={"push_service": urlsplit(subscription.endpoint).netloc})


def push_delivered(*, subscription_ids: list[int]) -> None:
    """Note when each browser last took a message (not audited: a delivery, not a change)."""
    PushSubscription.objects.filter(pk__in=subscription_ids).update(last_success=timezone.now())
