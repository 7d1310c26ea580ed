"""The development provider: the outbox row is the delivery.

It hands nothing to any network: each message is marked sent with a generated id and
at once delivered, so the whole outbox (queue, task, receipt) runs on one machine. The
row in the database is the only copy; the log names the message's uuid and nothing else
(POPIA: no bodies, numbers or addresses in logs).
"""

import logging
import uuid

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.providers import Provider, SendResult

logger = logging.getLogger(__name__)


class DevProvider(Provider):
    name = "dev"
    channels = frozenset({"sms", "whatsapp", "ussd", "email", "telegram"})
    # As strict as six concatenated GSM-7 SMS segments, so a text that passes in
    # development also fits the SMS providers of production.
    max_length = 918
    supports_receipts = True

    def send(self, message: OutboundMessage) -> SendResult:
        logger.info("dev provider delivered message %s", message.uuid)
        return SendResult(provider_message_id=f"dev-{uuid.uuid4().hex}", receipt="delivered")
