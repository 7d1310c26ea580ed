"""What every USSD gateway's plugin shares, whatever its wire format.

A session is answered in the HTTP response to each hop; a handset shows at most 182
GSM-7 characters of one page; menus are numbered; a session that dropped can be picked
up for 10 minutes; and nothing can be pushed to a phone.
"""

import logging
from datetime import timedelta

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.plugins import ChannelPlugin
from imbizo.messaging.providers import PermanentProviderError, SendResult
from imbizo.messaging.screens import Screen, numbered_text

logger = logging.getLogger(__name__)

SCREEN_CHARS = 182  # what a handset shows of one USSD page (GSM-7)
# "…" is not a GSM-7 character: telcos may not show it, so a page is cut with dots.
CUT_MARK = "..."


def ussd_page(screen: Screen, limit: int = SCREEN_CHARS) -> str:
    """The screen as one numbered page; the engine fits it, this only guards the limit."""
    text = numbered_text(screen)
    if len(text) > limit:
        logger.warning("ussd screen of %d characters cut to %d", len(text), limit)
        text = text[:limit - len(CUT_MARK)] + CUT_MARK
    return text


class UssdGateway(ChannelPlugin):
    channel = "ussd"
    channels = frozenset()  # USSD cannot push a message to a phone
    max_length = SCREEN_CHARS
    synchronous = True
    screen_chars = SCREEN_CHARS
    choice_style = "numbered"
    max_choices = 9
    choice_label_chars = 40
    resume_window = timedelta(minutes=10)

    def send(self, message: OutboundMessage) -> SendResult:
        raise PermanentProviderError("USSD cannot push a message; it answers a session")
