"""The one HTTP client for webhook receivers: one POST, and what came of it.

Redirects are not followed (a signed POST should not wander to another host), and
only the start of a response body is read.
"""

import time
from dataclasses import dataclass

import httpx

USER_AGENT = "Imbizo-Webhooks/1"
TIMEOUT_SECONDS = 10.0
EXCERPT_CHARS = 1000
_READ_LIMIT = EXCERPT_CHARS * 4  # bytes: enough for 1,000 characters of UTF-8

client = httpx.Client(
    timeout=httpx.Timeout(TIMEOUT_SECONDS),
    follow_redirects=False,
    # Uncompressed answers only: a small compressed body cannot unfold into a huge one.
    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
)


@dataclass(frozen=True)
class PostResult:
    status: int | None  # None: no response (timeout, connection refused, ...)
    body_excerpt: str
    error: str
    duration_ms: int


def webhook_post(url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    started = time.monotonic()
    try:
        with client.stream("POST", url, content=body, headers=headers) as response:
            excerpt = b""
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= _READ_LIMIT:
                    break
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return PostResult(None, "", f"{type(exc).__name__}: {exc}"[:1000], _ms_since(started))
    text = excerpt[:_READ_LIMIT].decode("utf-8", "replace")[:EXCERPT_CHARS]
    return PostResult(response.status_code, text, "", _ms_since(started))


def _ms_since(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))
