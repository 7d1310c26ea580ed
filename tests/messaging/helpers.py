"""Small builders shared by the outbox tests, and a stand-in gateway spoken to over HTTP."""

import json

import httpx

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.providers import (
    ChannelClosed,
    PermanentProviderError,
    Provider,
    SendResult,
    TransientProviderError,
)
from imbizo.messaging.services import message_queue


def queue(body: str = "Your water outage report was received.", **kwargs) -> OutboundMessage:
    """``message_queue`` with defaults, for tests that are about what happens next."""
    defaults = {"to": "0821234567", "channel": "sms", "purpose": "service"}
    return message_queue(body=body, **{**defaults, **kwargs})


GATEWAY_URL = "https://gateway.test/messages"
DIES_AFTER_ACCEPTING = "accept, then the worker dies"


class HttpGateway(Provider):
    """A stand-in SMS/WhatsApp gateway spoken to over HTTP, faked with respx in tests:
    POST ``{"to", "text", "reference"}`` (the message's uuid, which a gateway with
    idempotency keys uses to drop a repeat) → 200 ``{"id"}``; 409 means the channel is
    closed to this message, any other 4xx is permanent, a 5xx or no answer transient."""

    name = "gateway"
    channels = frozenset({"sms", "whatsapp", "telegram", "email"})
    max_length = 918
    supports_receipts = True

    def send(self, message: OutboundMessage) -> SendResult:
        try:
            reply = httpx.post(GATEWAY_URL, timeout=5, json={
                "to": message.to, "text": message.body, "reference": str(message.uuid)})
        except httpx.TransportError as exc:
            raise TransientProviderError(type(exc).__name__) from None
        if reply.status_code == 409:
            raise ChannelClosed(reply.text)
        if reply.status_code >= 500:
            raise TransientProviderError(f"HTTP {reply.status_code}")
        if reply.status_code >= 400:
            raise PermanentProviderError(f"HTTP {reply.status_code}: {reply.text}")
        return SendResult(provider_message_id=reply.json()["id"])


class Recipients:
    """What reached whom at the stand-in gateway, deduplicated on the reference as a
    gateway with idempotency keys does: a respx side effect."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.delivered: dict[str, dict] = {}
        # Per call: "ok", an HTTP status, an exception to raise, or DIES_AFTER_ACCEPTING.
        self.script: list = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        self.requests.append(sent)
        step = self.script.pop(0) if self.script else "ok"
        if isinstance(step, BaseException):
            raise step
        if step not in ("ok", DIES_AFTER_ACCEPTING):
            return httpx.Response(step, text="refused")
        self.delivered.setdefault(sent["reference"], sent)
        if step == DIES_AFTER_ACCEPTING:  # the gateway took it; our worker never heard
            raise SystemExit("SIGKILL")
        return httpx.Response(200, json={"id": f"gw-{len(self.requests)}"})

    def to(self, address: str) -> list[str]:
        return [m["text"] for m in self.delivered.values() if m["to"] == address]
