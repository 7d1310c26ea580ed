"""USSD through Africa's Talking: each hop is answered in the callback's own response.

Africa's Talking posts ``sessionId``, ``serviceCode``, ``phoneNumber``, ``networkCode``
and ``text``: every input of the session so far joined by ``*`` (empty on the first
hop). The answer is ``text/plain``: ``CON <screen>`` to wait for input, ``END <screen>``
to close. When a session ends, its end-of-session notification (``status`` Success,
Incomplete or Failed, with ``durationInMillis``, ``hopsCount``, ``input``,
``errorMessage``...) may be posted to the same address: a session that did not reach
its end becomes a ``close`` event, so the engine can offer to resume it.
"""

import hashlib
import logging

from django.http import HttpRequest, HttpResponse

from imbizo.messaging.inbound import Batch, Incoming
from imbizo.messaging.screens import Screen

from ..ussd import UssdGateway, ussd_page
from .callbacks import phone, required

logger = logging.getLogger(__name__)

DROPPED = frozenset({"Incomplete", "Failed"})  # "Success": the session reached END



def hop_id(session_id: str, text: str) -> str:
    """The same for a retried hop, different for every new input of the session."""
    hops = text.count("*") + 1 if text else 0
    digest = hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
    return f"{session_id}:{hops}:{digest}"


class UssdPlugin(UssdGateway):
    name = "africastalking-ussd"

    def parse(self, request: HttpRequest) -> Batch:
        form = request.POST
        if "status" in form and "text" not in form:
            return self._session_end(form)
        fields = required(form, "sessionId", "serviceCode", "phoneNumber", "text",
                          may_be_empty=("text",))
        text = fields["text"]
        return Batch(incoming=[Incoming(
            provider=self.name, channel=self.channel,
            message_id=hop_id(fields["sessionId"], text),
            sender=phone(fields["phoneNumber"], "phoneNumber"),
            kind="text" if text else "new", text=text, cumulative=True,
            session_id=fields["sessionId"])])

    def _session_end(self, form) -> Batch:
        fields = required(form, "sessionId", "phoneNumber", "status")
        if fields["status"] not in DROPPED:
            return Batch()
        return Batch(incoming=[Incoming(
            provider=self.name, channel=self.channel, message_id=f"{fields['sessionId']}:close",
            sender=phone(fields["phoneNumber"], "phoneNumber"), kind="close",
            cumulative=True, session_id=fields["sessionId"])])

    def respond(self, screen: Screen | None) -> HttpResponse:
        if screen is None:  # the end-of-session notification: an acknowledgement is enough
            return HttpResponse(status=200)
        prefix = "END" if screen.end else "CON"
        return HttpResponse(f"{prefix} {ussd_page(screen, self.screen_chars)}",
                            content_type="text/plain; charset=utf-8")
