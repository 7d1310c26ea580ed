"""Web Push: a message to a resident goes to every browser they allowed, through each
browser's push service (Google's, Mozilla's, Apple's), encrypted to that browser and
signed with this server's VAPID key (RFC 8292; pywebpush does both, over ``requests``).

The outbox row's address is the resident's uuid; their subscriptions are read when
sending. A push service that answers 404 or 410 has forgotten the browser: the
subscription is deleted, and when none is left the message fails permanently, so the
outbox sends it on the resident's next channel. Other failures (a timeout, a 5xx, 429)
are retried by the outbox. The service worker (static/web/sw.js) shows the message with
a link to the case it names.
"""

import json
import re

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from imbizo.messaging.models import OutboundMessage, PushSubscription
from imbizo.messaging.providers import (
    PermanentProviderError,
    Provider,
    SendResult,
    TransientProviderError,
)
from imbizo.messaging.push import push_delivered, push_gone

GONE = {404, 410}
TTL = 24 * 60 * 60  # a phone that is off for a day still gets the news when it comes back
TIMEOUT = 10  # seconds, well within the outbox's lease on the attempt
# A case reference in the text (cases/reference.py): the notification opens its page.
REFERENCE = re.compile(r"\b[A-Z]{2,5}\d{0,3}-\d{4}-\d{4,7}-\d\b")


def notification(message: OutboundMessage) -> dict:
    """What the service worker shows: a title, the text, the page a tap opens."""
    found = REFERENCE.search(message.body)
    return {"title": "Imbizo", "body": message.body,
            "url": f"/track/{found.group(0)}" if found else "/my",
            "tag": found.group(0) if found else "imbizo"}


class WebPushProvider(Provider):
    name = "webpush"
    channels = frozenset({"webpush"})
    # Push services take about 4 KB encrypted; the body travels inside a small JSON.
    max_length = 2000
    supports_receipts = False

    def __init__(self) -> None:
        if not settings.WEBPUSH_VAPID_PRIVATE_KEY:
            raise ImproperlyConfigured("WEBPUSH_VAPID_PRIVATE_KEY is not set")
        self.vapid = Vapid02.from_raw(settings.WEBPUSH_VAPID_PRIVATE_KEY.encode())
        self.subject = settings.WEBPUSH_VAPID_SUBJECT
        self.session = requests.Session()

    def _push(self, subscription: PushSubscription, data: str) -> int | None:
        """The push service's HTTP status on refusal, or None when it took the message."""
        info = {"endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            webpush(info, data, vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.subject}, ttl=TTL, timeout=TIMEOUT,
                    requests_session=self.session)
        except WebPushException as exc:
            response = exc.response
            return getattr(response, "status_code", None) or 0
        except requests.RequestException:
            return 0  # no answer at all: try again later
        return None

    def send(self, message: OutboundMessage) -> SendResult:
        subscriptions = list(PushSubscription.objects.filter(citizen_id=message.citizen_id)) \
            if message.citizen_id else []
        data = json.dumps(notification(message))
        taken, refused = [], []
        for subscription in subscriptions:
            status = self._push(subscription, data)
            if status is None:
                taken.append(subscription.pk)
            elif status in GONE:
                push_gone(subscription=subscription)
            else:
                refused.append(status)
        if taken:  # a browser has it; retrying would repeat it there
            push_delivered(subscription_ids=taken)
            return SendResult(provider_message_id=f"webpush-{message.uuid.hex}")
        if any(s == 0 or s == 429 or s >= 500 for s in refused):
            raise TransientProviderError(f"push services answered {sorted(set(refused))}")
        if refused:
            raise PermanentProviderError(f"push services refused: {sorted(set(refused))}")
        raise PermanentProviderError("the resident has no browser subscribed")
