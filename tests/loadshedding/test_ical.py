"""The iCalendar feed of an area, read back as a calendar app would: CRLF lines of at most
75 octets (longer ones folded), one VEVENT per outage in the next seven days, in UTC."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from imbizo.api import v1  # noqa: F401  (its schemas built before any time is frozen)
from imbizo.loadshedding.cycle import Outage
from imbizo.loadshedding.ical import calendar_ics, folded, text_escaped

from .conftest import at


def unfolded(body: bytes) -> list[str]:
    """The content lines (RFC 5545 3.1), checking each physical line on the way."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def events(lines: list[str]) -> list[dict]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return found


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def test_the_feed_holds_the_next_weeks_outages_in_utc(client, areas, national):
    with freeze_time(at("2026-03-09 12:00")):
        national(3)
        response = client.get("/api/v1/loadshedding/areas/test-area-1/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines = unfolded(response.content)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-1] == "END:VCALENDAR"
    assert any(line.startswith("PRODID:") for line in lines)
    found = events(lines)
    # day 10 at stage 3: 06:00-08:30, 14:00-16:30, 22:00-00:30 (SAST is UTC+2)
    assert [(utc(e["DTSTART"]), utc(e["DTEND"])) for e in found] == [
        (at("2026-03-10 06:00"), at("2026-03-10 08:30")),
        (at("2026-03-10 14:00"), at("2026-03-10 16:30")),
        (at("2026-03-10 22:00"), at("2026-03-11 00:30"))]
    assert found[0]["SUMMARY"] == "Load-shedding (stage 3)"
    assert all(e["UID"].startswith("test-area-1-") and "DTSTAMP" in e for e in found)
    assert len({e["UID"] for e in found}) == 3


def test_an_unknown_area_has_no_feed(client, areas):
    response = client.get("/api/v1/loadshedding/areas/nowhere/calendar.ics")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "Khâi-Ma ñ " * 20
    text = folded(line)
    physical = text.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert "".join([physical[0]] + [p[1:] for p in physical[1:]]) == line


@pytest.mark.parametrize("raw, escaped", [("a,b;c\\d", "a\\,b\\;c\\\\d"),
                                          ("one\ntwo", "one\\ntwo")])
def test_text_values_are_escaped(raw, escaped):
    assert text_escaped(raw) == escaped


def test_a_long_area_name_is_folded_and_read_back_whole():
    name = "Limpopo Makhado (Louis Trichardt) Town, and a very long suburb name besides"
    outage = Outage(at("2026-03-10 06:00"), at("2026-03-10 08:30"), 2)
    body = calendar_ics(key="k", name=name, outages=[outage], now=at("2026-03-09 12:00"),
                        domain="example.org", summary="Load-shedding (stage %(stage)s)",
                        description="%(area)s: no power from %(start)s to %(end)s.")
    lines = unfolded(body.encode("utf-8"))
    assert "X-WR-CALNAME:Limpopo Makhado (Louis Trichardt) Town\\, and a very long suburb " \
           "name besides" in lines
    assert events(lines)[0]["DESCRIPTION"].endswith("no power from 06:00 to 08:30.")
