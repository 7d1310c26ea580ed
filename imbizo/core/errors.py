"""The one application error type, rendered once per channel.

Services raise ``ImbizoError``; the API turns it into RFC 9457 problem+json, the
web into a form error and the phone channels into one translated line.
"""

from typing import Any


class ImbizoError(Exception):
    """A failure the caller can understand and act on."""

    def __init__(self, code: str, message: str, *, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.status = status
        self.extra = extra

    def __repr__(self) -> str:
        return f"ImbizoError({self.code!r}, {self.message!r}, status={self.status})"


class NotFound(ImbizoError):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(code, message, status=404, **extra)


class PermissionDenied(ImbizoError):
    def __init__(self, message: str = "You may not do that.", **extra: Any) -> None:
        super().__init__("permission_denied", message, status=403, **extra)
