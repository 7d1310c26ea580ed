"""A per-process memo of the configuration every request reads.

Logging one case used to read its API key, ward, category, routing rules and webhook
subscriptions afresh: five queries whose SQL compilation alone cost more Python time
than the rest of the request. Those rows change a few times a month. Database triggers
(config_triggers.py) replace one random token on any change to the tables in
``WATCHED``, whatever wrote it: a service, the admin, a bulk update, another process.
Each process reads the token at most every ``CONFIG_CHECK_SECONDS`` and drops its whole
memo when the token moved, so a change reaches every process within that time.

Memoised rows are shared by every thread of the process: read them, never change them.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.db import connection

T = TypeVar("T")

# Model label -> columns whose changes do not matter to the memo.
WATCHED: dict[str, tuple[str, ...]] = {
    "accounts.Department": (),
    "api.ApiKey": ("last_used",),  # written by the requests themselves
    "cases.Category": (),
    "cases.RoutingRule": (),
    "cases.Team": (),
    "conversations.FlowOverride": (),
    "geo.Municipality": (),
    "geo.Ward": (),
    "representatives.Representative": (),  # who represents a ward, read on every look-up
    "representatives.TraditionalCouncil": (),
    "webhooks.WebhookSubscription": (),
}


class ConfigCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        self._entries: dict = {}
        self._checked = float("-inf")

    def get(self, key: Hashable, load: Callable[[], T], *,
            keep: Callable[[T], bool] = lambda _value: True) -> T:
        """The memoised value of ``key``, loaded by ``load()`` when missing; a value for
        which ``keep`` is false (say, no such API key) is answered but not memoised."""
        entries = self._current()
        try:
            return entries[key]
        except KeyError:
            pass
        value = load()
        if entries is self._entries and keep(value):
            entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._token, self._entries, self._checked = None, {}, float("-inf")

    def _current(self) -> dict:
        now = time.monotonic()
        # A clock that ran backwards (a test that froze time) proves nothing fresh.
        if 0 <= now - self._checked < settings.CONFIG_CHECK_SECONDS:
            return self._entries
        token = _token()
        with self._lock:
            if token is None:  # no row yet: nothing can be trusted to stay valid
                self._token, self._entries, self._checked = None, {}, float("-inf")
                return {}
            if token != self._token:
                self._token, self._entries = token, {}
            self._checked = now
            return self._entries


def _token() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM core_configgeneration WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


config_cache = ConfigCache()
