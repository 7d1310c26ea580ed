"""One view for every plugin's webhook.

Synchronous channels (USSD) are answered with the next screen inside the request: the
engine's work is a few indexed reads and, at the end of a flow, one case written. Every
other channel is acknowledged as soon as what it sent is stored, one insert a message;
the clock's inbound pump hands it to a worker (conversations/pump.py) and the engine
answers through the outbox. Logs name the plugin and the failure, never a payload.
"""

import logging

from csp.decorators import csp_exempt
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from imbizo.conversations.services import conversation_hop
from imbizo.core.errors import NotFound
from imbizo.messaging.inbound import Malformed, Unauthorized
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.services import inbound_record, message_receipt

logger = logging.getLogger(__name__)


def _problem(status: int, detail: str) -> HttpResponse:
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # providers cannot hold a CSRF token; each plugin verifies its own way
@csp_exempt()  # answers are for the provider's servers, never a page in a browser
def webhook(request: HttpRequest, slug: str) -> HttpResponse:
    plugin = plugin_for(slug)
    if plugin is None:
        return _problem(404, "No such channel.")
    if request.method == "GET":
        return plugin.handshake(request)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    try:
        plugin.verify(request)
    except Unauthorized as exc:
        logger.warning("channel %s: refused a request (%s)", plugin.name, exc)
        return _problem(401, "Not signed by the provider.")
    try:
        batch = plugin.parse(request)
    except Malformed as exc:
        logger.warning("channel %s: malformed payload (%s)", plugin.name, exc)
        return _problem(400, "Malformed payload.")
    unmatched = 0
    for receipt in batch.receipts:
        try:
            message_receipt(provider=receipt.provider, status=receipt.status,
                            provider_message_id=receipt.provider_message_id, at=receipt.at,
                            error=receipt.error)
        except NotFound:
            unmatched += 1
    if plugin.synchronous:
        screen = None
        for incoming in batch.incoming:
            screen = conversation_hop(plugin=plugin, incoming=incoming)
        return plugin.respond(screen)
    for incoming in batch.incoming:  # each its own insert: a retried batch adds only what is new
        inbound_record(incoming)
    if unmatched:
        # A receipt can overtake the recording of its own send (the provider answers the
        # send and reports on it within milliseconds): ask for it again later. What else
        # came in this request is stored, and finds its row when it comes again.
        logger.info("channel %s: %d receipt(s) for messages not (yet) recorded", plugin.name,
                    unmatched)
        return HttpResponse("Unknown message id; retry later.", status=503,
                            headers={"Retry-After": "30"}, content_type="text/plain")
    return plugin.respond(None)
