"""The WSGI application as granian calls it (imbizo/core/wsgi.py): providers' webhooks go
through the lean handler (security headers and the Host check, nothing of the site's
sessions, language or login), every other path through the site's full middleware."""

import hashlib
import hmac
import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from imbizo.core.wsgi import with_webhooks
from imbizo.messaging import providers
from imbizo.messaging.models import InboundMessage

SECRET = "app-secret-for-tests"


@pytest.fixture
def app(settings, use_providers):
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"
    use_providers(whatsapp="imbizo.messaging.channels.whatsapp.WhatsAppPlugin")
    providers._instances.clear()
    yield with_webhooks(get_wsgi_application())
    providers._instances.clear()


def call(app, method: str, path: str, body: bytes = b"", query: str = "", **extra):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json", **extra}
    setup_testing_defaults(environ)
    started = []
    # As Django's test client does: the test's transaction keeps its connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        content = b"".join(app(environ, lambda status, headers, exc=None:
                               started.append((status, headers))))
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    status, headers = started[0]
    return int(status.split()[0]), {k.lower(): v for k, v in headers}, content


def signed_message(wamid: str) -> tuple[bytes, str]:
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881",
                         "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Thandi"}, "wa_id": "27821234567"}],
            "messages": [{"from": "27821234567", "id": wamid, "timestamp": "1749416383",
                          "type": "text", "text": {"body": "Hello"}}]}}]}]}).encode()
    return body, "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_a_webhook_is_stored_without_the_sites_middleware(app, db):
    body, signature = signed_message("wamid.wsgi-1")
    status, headers, _ = call(app, "POST", "/channels/whatsapp", body,
                              HTTP_X_HUB_SIGNATURE_256=signature)
    assert status == 200
    assert InboundMessage.objects.filter(provider_message_id="wamid.wsgi-1").count() == 1
    assert headers["x-content-type-options"] == "nosniff"  # the security headers stay
    assert "content-language" not in headers  # no language chosen for a provider
    assert "cookie" not in headers.get("vary", "").lower()  # no session looked at


def test_a_webhook_with_a_bad_signature_is_refused_by_the_lean_handler(app, db):
    body, _ = signed_message("wamid.wsgi-2")
    status, _, _ = call(app, "POST", "/channels/whatsapp", body,
                        HTTP_X_HUB_SIGNATURE_256="sha256=" + "0" * 64)
    assert status == 401
    assert not InboundMessage.objects.exists()


def test_the_handshake_and_the_host_check_work_on_the_lean_handler(app, db):
    query = "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"
    assert call(app, "GET", "/channels/whatsapp", query=query)[::2] == (200, b"1158201444")
    status, _, _ = call(app, "GET", "/channels/whatsapp", query=query,
                        HTTP_HOST="attacker.example")
    assert status == 400


def test_the_site_keeps_its_middleware(app, db):
    site_middleware = list(django_settings.MIDDLEWARE)
    status, headers, _ = call(app, "GET", "/", HTTP_ACCEPT_LANGUAGE="af")
    assert status == 200
    assert headers["content-language"] == "af"
    assert site_middleware == django_settings.MIDDLEWARE  # the swap did not outlive start-up
