"""SMS through Africa's Talking: incoming messages, delivery reports and sending.

Both callbacks may point at ``/channels/sms/africastalking``: a delivery report carries
``status`` and no ``from``. What a status code of the send API means for the outbox:

- 100 Processed, 101 Sent, 102 Queued: accepted; the ``messageId`` comes back in reports.
- 405 InsufficientBalance, 500 InternalServerError, 501 GatewayError, 502
  RejectedByGateway: tried again with the outbox's backoff (about half an hour in all),
  since nothing is wrong with the message: an account topped up, or a gateway back,
  and it goes out.
- Every other code (401 RiskHold, 402 InvalidSenderId, 403 InvalidPhoneNumber, 404
  UnsupportedNumberType, 406 UserInBlacklist, 407 CouldNotRoute, 409
  DoNotDisturbRejection, ...): permanent; the same request would be refused again.
"""

import logging
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest

from imbizo.messaging.inbound import Batch, Incoming, Receipt
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.plugins import ChannelPlugin
from imbizo.messaging.providers import PermanentProviderError, SendResult, TransientProviderError
from imbizo.messaging.screens import Screen, numbered_text

from .callbacks import phone, required, sent_at
from .client import AfricasTalkingClient, AfricasTalkingRefused, AfricasTalkingUnavailable

logger = logging.getLogger(__name__)

ACCEPTED_CODES = frozenset({100, 101, 102})
RETRY_CODES = frozenset({405, 500, 501, 502})
# Delivery report statuses: Sent, Submitted and Buffered are on their way; Success is
# on the handset; Rejected and Failed are final failures (with a ``failureReason``).
REPORT_STATUSES = {"Sent": "sent", "Submitted": "sent", "Buffered": "sent",
                   "Success": "delivered", "Rejected": "undeliverable",
                   "Failed": "undeliverable"}


class SmsPlugin(ChannelPlugin):
    name = "africastalking"
    channel = "sms"
    channels = frozenset({"sms"})
    # Six concatenated GSM-7 segments (6 x 153), as the dev provider, so a notification
    # that passes in development passes here; a conversation screen is kept to three.
    max_length = 918
    screen_chars = 459
    supports_receipts = True
    choice_style = "numbered"
    max_choices = 9
    choice_label_chars = 40
    resume_window = timedelta(hours=24)

    def parse(self, request: HttpRequest) -> Batch:
        form = request.POST
        if "status" in form and "from" not in form:
            return self._report(form)
        fields = required(form, "from", "id", "text", may_be_empty=("text",))
        return Batch(incoming=[Incoming(
            provider=self.name, channel=self.channel, message_id=fields["id"],
            sender=phone(fields["from"], "from"), kind="text", text=fields["text"],
            sent_at=sent_at(form.get("date")))])

    def _report(self, form) -> Batch:
        fields = required(form, "id", "status")
        status = REPORT_STATUSES.get(fields["status"])
        if status is None:  # a status added after this was written: not ours to guess
            logger.info("africastalking: delivery report with an unknown status ignored")
            return Batch()
        error = ""
        if status == "undeliverable":  # the reason is kept on the message row
            error = form.get("failureReason") or fields["status"]
        return Batch(receipts=[Receipt(provider=self.name, provider_message_id=fields["id"],
                                       status=status, error=error)])

    @cached_property
    def client(self) -> AfricasTalkingClient:
        return AfricasTalkingClient(
            base_url=settings.AFRICASTALKING_API_URL, username=settings.AFRICASTALKING_USERNAME,
            api_key=settings.AFRICASTALKING_API_KEY, sender_id=settings.AFRICASTALKING_SENDER_ID)

    def send(self, message: OutboundMessage) -> SendResult:
        text = numbered_text(Screen.from_payload(message.payload)) if message.payload \
            else message.body
        if len(text) > self.max_length:
            raise PermanentProviderError(f"{len(text)} characters; at most {self.max_length}")
        try:
            recipient = self.client.send_sms(to=message.to, message=text)
        except AfricasTalkingUnavailable as exc:
            raise TransientProviderError(str(exc)) from exc
        except AfricasTalkingRefused as exc:
            raise PermanentProviderError(str(exc)) from exc
        described = f"{recipient.status_code} {recipient.status}"
        if recipient.status_code in ACCEPTED_CODES:
            return SendResult(provider_message_id=recipient.message_id)
        if recipient.status_code in RETRY_CODES:
            raise TransientProviderError(described)
        raise PermanentProviderError(described)
