"""An area's outages as an iCalendar feed (RFC 5545), written by hand: a VCALENDAR of one
VEVENT per outage, times in UTC (so no VTIMEZONE is needed), text escaped, lines folded at
75 octets and ended with CRLF. Calendar apps poll it; each event's UID is the area and its
start, so a poll after a stage change updates events rather than doubling them."""

from collections.abc import Iterable
from datetime import UTC, datetime

from .cycle import Outage

LINE_OCTETS = 75
CRLF = "\r\n"


def text_escaped(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped (RFC 5545 3.3.11)."""
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def folded(line: str) -> str:
    """A content line folded into lines of at most 75 octets, each continuation starting
    with a space, never inside a character's UTF-8 bytes (RFC 5545 3.1)."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return CRLF.join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_ics(*, key: str, name: str, outages: Iterable[Outage], now: datetime,
                 domain: str, summary: str, description: str) -> str:
    """The feed. ``summary`` and ``description`` are templates filled with ``stage``,
    ``area``, ``start`` and ``end`` (local HH:MM)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Imbizo//Load-shedding//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{text_escaped(name)}", "X-WR-TIMEZONE:Africa/Johannesburg",
             "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    stamp = _utc(now)
    for outage in outages:
        values = {"stage": outage.stage, "area": name, "start": f"{outage.start:%H:%M}",
                  "end": f"{outage.end:%H:%M}"}
        lines += ["BEGIN:VEVENT", f"UID:{key}-{_utc(outage.start)}@{domain}",
                  f"DTSTAMP:{stamp}", f"DTSTART:{_utc(outage.start)}",
                  f"DTEND:{_utc(outage.end)}",
                  f"SUMMARY:{text_escaped(summary % values)}",
                  f"DESCRIPTION:{text_escaped(description % values)}",
                  "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(folded(line) + CRLF for line in lines)
