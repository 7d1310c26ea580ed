"""The signature a receiver checks, computed as docs/webhooks.md describes it."""

import hashlib
import hmac
import time

import httpx
import pytest

from imbizo.webhooks.signing import webhook_signature, webhook_signature_verify


@pytest.fixture
def received(subscribe, emit_event, run_worker, two_municipalities, respx_mock):
    """The request a receiver got, and the secret it was given."""
    route = respx_mock.post("https://crm.aaa.example/imbizo").mock(
        return_value=httpx.Response(204))
    subscription = subscribe()
    emit_event("case_logged", two_municipalities[0])
    run_worker()
    return route.calls.last.request, subscription.secret


def test_the_signature_is_the_documented_hmac_of_timestamp_dot_body(received):
    request, secret = received
    timestamp = request.headers["X-Imbizo-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request.content,
                        hashlib.sha256).hexdigest()
    assert request.headers["X-Imbizo-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 60


def test_the_reference_check_accepts_the_request_as_received(received):
    request, secret = received
    assert webhook_signature_verify(secret, request.headers["X-Imbizo-Timestamp"],
                                    request.content, request.headers["X-Imbizo-Signature"])


def test_a_changed_body_or_another_secret_fails(received):
    request, secret = received
    timestamp, header = request.headers["X-Imbizo-Timestamp"], request.headers[
        "X-Imbizo-Signature"]
    changed = request.content.replace(b"Burst pipe", b"Fixed pipe")
    assert changed != request.content
    assert not webhook_signature_verify(secret, timestamp, changed, header)
    assert not webhook_signature_verify(secret + "x", timestamp, request.content, header)


def test_an_old_request_fails_even_if_its_signature_is_right(received):
    request, secret = received
    timestamp, header = request.headers["X-Imbizo-Timestamp"], request.headers[
        "X-Imbizo-Signature"]
    sent = int(timestamp)
    assert webhook_signature_verify(secret, timestamp, request.content, header, now=sent + 300)
    assert not webhook_signature_verify(secret, timestamp, request.content, header,
                                        now=sent + 301)
    assert not webhook_signature_verify(secret, timestamp, request.content, header,
                                        now=sent - 301)


def test_a_replayed_request_with_a_fresh_timestamp_fails():
    secret, body = "s" * 43, b'{"event":"case_logged"}'
    old = int(time.time()) - 3600
    header = webhook_signature(secret, old, body)
    assert not webhook_signature_verify(secret, int(time.time()), body, header)


@pytest.mark.parametrize("timestamp, header", [
    ("", "sha256=00"), ("12a", "sha256=00"), ("-5", "sha256=00"), (None, "sha256=00"),
])
def test_malformed_headers_fail(timestamp, header):
    assert not webhook_signature_verify("secret", timestamp, b"{}", header)


def test_a_header_without_its_algorithm_prefix_fails():
    now = int(time.time())
    bare = webhook_signature("secret", now, b"{}").removeprefix("sha256=")
    assert not webhook_signature_verify("secret", now, b"{}", bare)
    assert webhook_signature_verify("secret", str(now).encode(), "{}", f"sha256={bare}")
