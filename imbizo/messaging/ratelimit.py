"""How fast each provider is handed messages, counted across every worker.

A provider that declares ``rate_per_second`` gets one counter a second in Django's cache
(``cache.incr``: Redis in production, so all processes share it; the local-memory
default counts per process). A message over the limit is not an attempt: the outbox
moves it to the first second that still has room, so a burst is spread over the
seconds to come instead of every message coming back at once.
"""

import logging
from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import timezone

from .providers import Provider

logger = logging.getLogger(__name__)

COUNTER_SECONDS = 5  # how long a second's counter is kept: long enough for a slow worker


def rate_wait(provider: Provider) -> datetime | None:
    """None if ``provider`` may take one more message now; otherwise when to try again.

    The n-th message counted in a second whose limit is r waits for the second
    (n - 1) // r ahead, where its turn falls if every message before it went out."""
    rate = provider.rate_per_second
    if not rate:
        return None
    second = int(timezone.now().timestamp())
    key = f"messaging:rate:{provider.name}:{second}"
    try:
        cache.add(key, 0, timeout=COUNTER_SECONDS)
        taken = cache.incr(key)
    except Exception:  # the cache is down: the provider's own limit (a 429) still holds
        logger.warning("rate limit of %s not counted: the cache failed", provider.name,
                       exc_info=True)
        return None
    if taken <= rate:
        return None
    return datetime.fromtimestamp(second + (taken - 1) // rate, tz=UTC)
