"""The one typed client for Meta's Graph API (WhatsApp Business Cloud API).

Base URL and access token are read from settings at each call, so a changed setting
takes effect without a restart; the HTTP connection pool is kept per instance. The
client knows HTTP and Graph's error object; what an error means for a message is
decided in ``errors.py``.
"""

from __future__ import annotations

import httpx
from django.conf import settings

TIMEOUT = httpx.Timeout(10.0)


class GraphError(Exception):
    """Graph answered with an error: ``status`` is HTTP's, ``code`` Graph's (None if none)."""

    def __init__(self, status: int, code: int | None, title: str) -> None:
        super().__init__(f"WhatsApp error {code} (HTTP {status}): {title}")
        self.status, self.code, self.title = status, code, title


class GraphUnreachable(Exception):
    """No answer: a timeout or a network error."""


class MediaTooLarge(Exception):
    """The media is bigger than we accept; nothing more of it is read."""


class WhatsAppClient:
    def __init__(self) -> None:
        self._http = httpx.Client(timeout=TIMEOUT)

    @staticmethod
    def _headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"}

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            response = self._http.request(method, url, headers=self._headers(), **kwargs)
        except httpx.HTTPError as exc:
            raise GraphUnreachable(type(exc).__name__) from exc
        if response.is_error:
            raise _graph_error(response)
        return response

    def send_message(self, body: dict) -> str:
        """POST one message; the id (``wamid....``) WhatsApp gave it."""
        url = f"{settings.WHATSAPP_API_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        data = self._request("POST", url, json=body).json()
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise GraphError(200, None, "no message id in the answer") from None

    def media_info(self, media_id: str) -> dict:
        """The media's short-lived ``url``, ``mime_type`` and ``file_size``."""
        return self._request("GET", f"{settings.WHATSAPP_API_URL}/{media_id}").json()

    def download(self, url: str, *, max_bytes: int) -> bytes:
        """The media's bytes, read no further than ``max_bytes``."""
        try:
            with self._http.stream("GET", url, headers=self._headers()) as response:
                if response.is_error:
                    response.read()
                    raise _graph_error(response)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaTooLarge(f"over {max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise GraphUnreachable(type(exc).__name__) from exc


def _graph_error(response: httpx.Response) -> GraphError:
    """Graph's documented error object: ``{"error": {"code", "message", ...}}``."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    title = error.get("message", "") if isinstance(error, dict) else ""
    return GraphError(response.status_code, code if isinstance(code, int) else None,
                      str(title)[:200] or response.reason_phrase)
