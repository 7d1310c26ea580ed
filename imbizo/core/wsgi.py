"""The WSGI application: the site's handler, and a leaner one for providers' webhooks.

A webhook (``/channels/``: a USSD hop, a WhatsApp or SMS callback) comes from a provider's
server, never a browser: it carries no session, no login and no language to choose, and
each plugin checks its own signature. The site's middleware (sessions, language, CSRF,
authentication, two factors, the console's session, lockouts, messages) would only be
walked through, about 0.12 ms of a worker's CPU each time; on the hottest paths it is
skipped. What guards every request stays: the security headers and the Host check.
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

WEBHOOK_PREFIX = "/channels/"
WEBHOOK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",  # ALLOWED_HOSTS
]


class WebhookHandler(WSGIHandler):
    """Django's handler with ``WEBHOOK_MIDDLEWARE`` in place of ``MIDDLEWARE``; the same
    URLconf and views."""

    def load_middleware(self, is_async=False):
        # Django reads the list from settings; it is swapped for this one call only, at
        # start-up, before any request is served.
        site = settings.MIDDLEWARE
        settings.MIDDLEWARE = WEBHOOK_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = site


def with_webhooks(site: WSGIHandler):
    """``site`` for every path but the webhooks', which a ``WebhookHandler`` serves."""
    webhooks = WebhookHandler()

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        handler = webhooks if path.startswith(WEBHOOK_PREFIX) else site
        return handler(environ, start_response)

    return application
