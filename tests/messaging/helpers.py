"""Small builders shared by the outbox tests."""

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.services import message_queue


def queue(body: str = "Your water outage report was received.", **kwargs) -> OutboundMessage:
    """``message_queue`` with defaults, for tests that are about what happens next."""
    defaults = {"to": "0821234567", "channel": "sms", "purpose": "service"}
    return message_queue(body=body, **{**defaults, **kwargs})
