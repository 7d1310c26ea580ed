"""Console sessions end after CONSOLE_IDLE_SECONDS without a request, and after
CONSOLE_SESSION_MAX_SECONDS in all.

The idle limit is the session's own expiry (``set_expiry`` at sign-in), so the server
forgets an idle session even if this middleware never sees it again; each request of a
console session slides it on, saving the session at most once a minute. Sessions not
opened by the console sign-in are left alone (and unread)."""

import time

from django.conf import settings
from django.contrib.auth import logout

STARTED = "console_started"
SEEN = "console_seen"
SLIDE_EVERY = 60


def console_session_open(request) -> None:
    """Mark a freshly signed-in session as a console session with the two limits."""
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    request.session.set_expiry(settings.CONSOLE_IDLE_SECONDS)


class ConsoleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session = request.session
        started = session.get(STARTED)
        if started is None:
            return
        now = int(time.time())
        seen = session.get(SEEN, started)
        if (now - seen > settings.CONSOLE_IDLE_SECONDS
                or now - started > settings.CONSOLE_SESSION_MAX_SECONDS):
            logout(request)
            return
        if now - seen >= SLIDE_EVERY:
            session[SEEN] = now
            session.set_expiry(settings.CONSOLE_IDLE_SECONDS)
