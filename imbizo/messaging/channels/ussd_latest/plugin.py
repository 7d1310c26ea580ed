"""USSD from a gateway that sends only the latest input, served at ``/channels/ussd/generic``.

Several South African aggregators send each hop's input alone, with a flag on the
first request of a session, where Africa's Talking sends every input so far. This
plugin proves the engine needs neither: both become ``new`` / ``text`` / ``close``
events, this one with ``cumulative=False``. The format (docs/channels.md) is JSON:

    request   {"sessionId": "s-81", "requestId": "r-3", "msisdn": "27821234567",
               "input": "2", "newSession": false, "ended": false}
    response  {"message": "1. Water\\n2. Roads", "end": false}

``requestId`` is the gateway's id of the request, repeated when it retries one.
``ended: true`` reports a session the gateway closed (timeout, hang-up); it is
acknowledged with ``{}``.
"""

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse

from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError
from imbizo.messaging.inbound import Batch, Incoming, Malformed
from imbizo.messaging.screens import Screen

from ..ussd import UssdGateway, ussd_page

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("sessionId", "requestId", "msisdn", "input")


def _request(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(data, dict):
        raise Malformed("not a JSON object")
    for name in TEXT_FIELDS:
        if not isinstance(data.get(name), str) or (name != "input" and not data[name].strip()):
            raise Malformed(f"missing field {name}")
    for name in ("newSession", "ended"):
        if not isinstance(data.get(name, False), bool):
            raise Malformed(f"{name} is not true or false")
    return data


class LatestInputUssdPlugin(UssdGateway):
    name = "ussd-generic"

    def parse(self, request: HttpRequest) -> Batch:
        data = _request(request.body)
        try:
            sender = normalise_phone(data["msisdn"])
        except ImbizoError:
            raise Malformed("msisdn is not a phone number") from None
        session_id = data["sessionId"].strip()
        kind = "close" if data.get("ended") else "new" if data.get("newSession") else "text"
        return Batch(incoming=[Incoming(
            provider=self.name, channel=self.channel, sender=sender, kind=kind,
            message_id=f"{session_id}:{data['requestId'].strip()}",
            text="" if kind == "close" else data["input"].strip(), cumulative=False,
            session_id=session_id)])

    def respond(self, screen: Screen | None) -> HttpResponse:
        if screen is None:  # a session the gateway ended: nothing to show
            return JsonResponse({})
        return JsonResponse({"message": ussd_page(screen, self.screen_chars), "end": screen.end})
