"""The one client of Africa's Talking's SMS API (``POST /version1/messaging``).

It speaks HTTP and nothing else: the plugin decides what a recipient's status code
means for the outbox. Errors carry the provider's words for the outbox row; the row,
not a log, is where they go (they may quote the number).
"""

from dataclasses import dataclass

import httpx

TIMEOUT = 10.0  # seconds; well inside the outbox's 30 s lease on an attempt


class AfricasTalkingError(Exception):
    """The API did not take the message."""


class AfricasTalkingUnavailable(AfricasTalkingError):
    """Nothing usable came back: a timeout, a dropped connection, a 5xx, a 429."""


class AfricasTalkingRefused(AfricasTalkingError):
    """The API answered and refused the request (a 4xx, or no recipient accepted)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """``SMSMessageData.Recipients[i]``: the outcome for one number."""

    message_id: str
    status: str  # "Success", "InvalidPhoneNumber", ...
    status_code: int  # 100 Processed, 101 Sent, 102 Queued, 4xx/5xx refusals


class AfricasTalkingClient:
    def __init__(self, *, base_url: str, username: str, api_key: str,
                 sender_id: str = "", timeout: float = TIMEOUT) -> None:
        self.username = username
        self.sender_id = sender_id
        self.http = httpx.Client(base_url=base_url, timeout=timeout,
                                 headers={"apiKey": api_key, "Accept": "application/json"})

    def send_sms(self, *, to: str, message: str) -> Recipient:
        """Send one text to one E.164 number; return what the API says of it."""
        form = {"username": self.username, "to": to, "message": message}
        if self.sender_id:
            form["from"] = self.sender_id
        try:
            response = self.http.post("/version1/messaging", data=form)
        except httpx.HTTPError as exc:  # timeouts, refused or dropped connections
            raise AfricasTalkingUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise AfricasTalkingUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise AfricasTalkingRefused(f"HTTP {response.status_code}: {response.text[:200]}")
        return self._recipient(response)

    @staticmethod
    def _recipient(response: httpx.Response) -> Recipient:
        try:
            data = response.json()["SMSMessageData"]
            recipients = data.get("Recipients") or []
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AfricasTalkingUnavailable(f"HTTP {response.status_code}: unreadable answer") \
                from None
        if not recipients:  # e.g. "InvalidSenderId": the summary says why
            raise AfricasTalkingRefused(str(data.get("Message") or "no recipient accepted"))
        first = recipients[0]
        try:
            return Recipient(message_id=str(first.get("messageId") or ""),
                             status=str(first.get("status") or ""),
                             status_code=int(first["statusCode"]))
        except (KeyError, TypeError, ValueError):
            raise AfricasTalkingUnavailable("a recipient without a status code") from None
