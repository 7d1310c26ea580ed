"""The one client for the Telegram Bot API: ``{TELEGRAM_API_URL}/bot<token>/<method>``.

Every answer is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description", "parameters": {"retry_after"}}``; the client returns the result or raises
``TelegramError`` with what the plugin needs to decide whether to try again. The token is
part of every URL, so no URL and no request ever reaches a log or an error message here.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class TelegramError(Exception):
    """The Bot API refused a call (``status`` is its HTTP status, 0 when no usable answer
    came back); ``description`` is Telegram's own words, for the outbox row only."""

    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(status, description, retry_after)
        self.status, self.description, self.retry_after = status, description, retry_after

    def __str__(self) -> str:
        wait = f" (retry after {self.retry_after} s)" if self.retry_after else ""
        return f"Telegram {self.status or 'unreachable'}: {self.description}{wait}"

    @property
    def transient(self) -> bool:
        """Worth another try: no answer, flood control (429) or a 5xx."""
        return self.status in (0, 429) or self.status >= 500


class TelegramClient:
    def __init__(self) -> None:
        self._http = httpx.Client(timeout=TIMEOUT)

    def _base(self) -> str:
        return settings.TELEGRAM_API_URL.rstrip("/")

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Call one Bot API method with JSON parameters; its ``result``."""
        url = f"{self._base()}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}"
        try:
            response = self._http.post(url, json=params)
        except httpx.HTTPError as exc:
            raise TelegramError(0, type(exc).__name__) from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if response.is_success:
            if answer.get("ok") is True and "result" in answer:
                return answer["result"]
            raise TelegramError(0, "an answer that is not the Bot API's")
        parameters = answer.get("parameters")
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        raise TelegramError(response.status_code,
                            str(answer.get("description") or response.reason_phrase),
                            retry_after if isinstance(retry_after, int) else None)

    def download(self, file_path: str, *, max_bytes: int) -> bytes:
        """A file ``getFile`` prepared, read in chunks and refused once past ``max_bytes``."""
        url = f"{self._base()}/file/bot{settings.TELEGRAM_BOT_TOKEN}/{file_path}"
        try:
            with self._http.stream("GET", url) as response:
                if not response.is_success:
                    raise TelegramError(response.status_code, response.reason_phrase)
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise TelegramError(413, f"the file is larger than {max_bytes} bytes")
                return bytes(data)
        except httpx.HTTPError as exc:
            raise TelegramError(0, type(exc).__name__) from None
