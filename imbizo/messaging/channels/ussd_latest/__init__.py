"""A USSD gateway that sends only the latest input of a session (a generic JSON format)."""

from .plugin import LatestInputUssdPlugin

__all__ = ["LatestInputUssdPlugin"]
