"""Helpers for the citizen site's tests: a signed-in resident, the PIN a phone was sent."""

import re

import pytest

from imbizo.core.config_cache import config_cache
from imbizo.messaging.models import OutboundMessage
from imbizo.web.session import SESSION_KEY


@pytest.fixture(autouse=True)
def memo_forgotten():
    """freezegun also freezes ``time.monotonic``: a memo checked at a frozen moment would
    look freshly checked for ever after, and keep another test's rows."""
    yield
    config_cache.clear()


@pytest.fixture
def sign_in_as(client):
    """Put a resident in the test client's session, as the PIN sign-in does."""
    def sign_in(citizen):
        session = client.session
        session[SESSION_KEY] = citizen.pk
        session.save()
        return client
    return sign_in


def pin_sent_to(phone: str) -> str:
    """The code in the newest sign-in message to ``phone`` (E.164)."""
    message = OutboundMessage.objects.filter(to__contains=phone[1:]).order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)
