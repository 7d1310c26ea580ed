"""Signing webhook requests, and the reference check for receivers.

The signature is ``sha256=`` and the hex HMAC-SHA256, keyed with the subscription's
secret, of ``f"{timestamp}.{body}"``: the ``X-Imbizo-Timestamp`` header, a dot and the
raw request body. Signing the timestamp lets a receiver refuse an old request replayed
by someone who captured it. This module uses only the standard library so that a
receiver can copy it as it is.
"""

import hashlib
import hmac
import time

PREFIX = "sha256="


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def webhook_signature(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The ``X-Imbizo-Signature`` header value for one request."""
    signed = _as_bytes(str(timestamp)) + b"." + _as_bytes(body)
    return PREFIX + hmac.new(_as_bytes(secret), signed, hashlib.sha256).hexdigest()


def webhook_signature_verify(secret: str, timestamp: int | str | bytes, body: str | bytes,
                             header: str, tolerance: int = 300, *,
                             now: float | None = None) -> bool:
    """True if ``header`` signs ``body`` at ``timestamp`` with ``secret``, and the timestamp
    is within ``tolerance`` seconds of now (either way, to allow for clock drift).

    Pass the body exactly as received (bytes, before any JSON parsing) and the
    ``X-Imbizo-Timestamp`` and ``X-Imbizo-Signature`` headers.
    """
    timestamp = (timestamp.decode("ascii", "replace") if isinstance(timestamp, bytes)
                 else str(timestamp)).strip()
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    if not header or not header.startswith(PREFIX):
        return False
    expected = webhook_signature(secret, timestamp, body)
    return hmac.compare_digest(_as_bytes(expected), _as_bytes(header.strip()))
