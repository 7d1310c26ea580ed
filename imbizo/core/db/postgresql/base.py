"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django asks a reused connection ``SELECT 1`` at the first query of
every request: a round trip and about 0.13 ms of a web worker's CPU on each USSD hop,
webhook and page (docs/performance.md, "Channels"). An idle connection has nothing to
read unless the server has ended it (its FATAL message on a restart or
``pg_terminate_backend``, or the socket's end), so looking whether the socket is readable
tells the same without asking. A connection found ended is closed and the request opens a
new one, as with Django's own check. The project uses no LISTEN, whose notifications would
make a live connection look ended (it would only be reopened).
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError):  # the descriptor is gone
            return False
        return not readable
