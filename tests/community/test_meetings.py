"""Announcing and cancelling meetings: who may, what is checked (each bad value on its
field), and what is recorded (the audit entry, the event, the notice to send)."""

import json

import pytest
from freezegun import freeze_time

from imbizo.audit.models import AuditEntry
from imbizo.community.meeting_models import Meeting, MeetingNotice
from imbizo.community.meeting_selectors import meeting_list_staff, meetings_upcoming
from imbizo.community.meetings import meeting_cancel
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.models import DomainEvent
from tests.conftest import square

from .conftest import local, ward


def test_a_manager_announces_a_meeting_to_a_ward_and_it_is_audited_and_announced(
        announce, aaa):
    meeting = announce(wards=[2], latitude=-29.95, longitude=20.15)
    assert [w.number for w in meeting.wards.all()] == [2]
    assert not meeting.whole_municipality and meeting.status == "announced"
    entry = AuditEntry.objects.get(action="community.meeting_announce")
    assert entry.municipality_code == "AAA" and entry.changes["wards"] == [2]
    event = DomainEvent.objects.get(name="meeting_announced")
    notice = MeetingNotice.objects.get(meeting=meeting)
    assert event.payload["notice_id"] == notice.pk and notice.kind == "announce"


def test_without_wards_a_meeting_is_for_the_whole_municipality(announce, aaa):
    meeting = announce(wards=[])
    assert meeting.whole_municipality and not meeting.wards.exists()
    assert meetings_upcoming(municipality=aaa, ward_id=ward(aaa, 2).pk) == [meeting]


def test_a_drawn_zone_invites_the_wards_it_touches(announce, aaa):
    zone = square(20.12, -29.98, 0.02)  # inside ward 2 (lon 20.1-20.2)
    meeting = announce(wards=[], zone=json.dumps(zone))
    assert [w.number for w in meeting.wards.all()] == [2] and meeting.zone["type"] == "Polygon"


@pytest.mark.parametrize(("zone", "why"), [
    ("not json", "not GeoJSON"),
    ({"type": "Point", "coordinates": [20.1, -29.9]}, "polygon"),
    (square(30.0, -20.0, 0.1), "outside"),
    ({"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]},
     "longitude"),
])
def test_a_bad_zone_is_refused_on_its_field(announce, zone, why):
    with pytest.raises(ImbizoError) as refused:
        announce(wards=[], zone=zone)
    assert refused.value.extra["field"] == "zone" and why in refused.value.message
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"starts": local(-1, 18), "ends": local(-1, 20)}, "starts", "meeting_in_past"),
    ({"starts": local(400, 18), "ends": local(400, 20)}, "starts", "meeting_too_far"),
    ({"ends": local(7, 17)}, "ends", "meeting_ends_first"),
    ({"ends": local(8, 20)}, "ends", "meeting_too_long"),
    ({"title": "  "}, "title", "required"),
    ({"venue": "x" * 201}, "venue", "too_long"),
    ({"wards": [9]}, "wards", "unknown_ward"),
    ({"wards": ["two"]}, "wards", "unknown_ward"),
    ({"latitude": -29.95, "longitude": 20.3}, "latitude", "point_outside"),  # in BBB
    ({"latitude": "abc", "longitude": 20.1}, "latitude", "invalid_point"),
])
def test_each_bad_value_is_refused_on_its_field(announce, change, field, code):
    with pytest.raises(ImbizoError) as refused:
        announce(**change)
    assert (refused.value.code, refused.value.extra["field"]) == (code, field)
    assert not Meeting.objects.exists() and not DomainEvent.objects.exists()


def test_a_councillor_announces_only_for_their_own_ward(announce, staff):
    meeting = announce(actor=staff["councillor"], wards=[1])
    assert meeting.organiser == staff["councillor"].user
    for wards in ([2], [1, 2], []):
        with pytest.raises(PermissionDenied) as refused:
            announce(actor=staff["councillor"], wards=wards)
        assert "own ward" in refused.value.message
    assert Meeting.objects.count() == 1


def test_staff_without_community_manage_or_of_another_municipality_cannot_announce(
        announce, staff):
    for who in ("agent", "officer", "other"):
        with pytest.raises(PermissionDenied):
            announce(actor=staff[who])


def test_a_councillor_lists_their_wards_meetings_and_a_manager_all(announce, staff, aaa):
    mine, other, everyone = announce(wards=[1]), announce(wards=[2]), announce(wards=[])
    assert set(meeting_list_staff(actor=staff["councillor"])) == {mine}
    assert set(meeting_list_staff(actor=staff["manager"])) == {mine, other, everyone}
    assert not meeting_list_staff(actor=staff["other"]).exists()


def test_cancelling_records_it_and_the_notice_and_cannot_be_done_twice(announce, staff):
    meeting = announce()
    meeting_cancel(actor=staff["manager"], meeting=meeting, reason="The hall is flooded")
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.cancel_reason == "The hall is flooded"
    assert MeetingNotice.objects.filter(meeting=meeting, kind="cancel").exists()
    assert DomainEvent.objects.filter(name="meeting_cancelled").exists()
    assert AuditEntry.objects.filter(action="community.meeting_cancel").count() == 1
    with pytest.raises(ImbizoError) as again:
        meeting_cancel(actor=staff["manager"], meeting=meeting)
    assert again.value.code == "meeting_cancelled" and again.value.status == 409


def test_a_councillor_cannot_cancel_another_wards_meeting_nor_a_meeting_over(announce,
                                                                           staff):
    meeting = announce(wards=[2])
    with pytest.raises(PermissionDenied):
        meeting_cancel(actor=staff["councillor"], meeting=meeting)
    with freeze_time(local(8, 9)), pytest.raises(ImbizoError) as over:
        meeting_cancel(actor=staff["manager"], meeting=meeting)
    assert over.value.code == "meeting_over"


def test_past_and_cancelled_meetings_are_not_upcoming(announce, staff, aaa):
    soon, later = announce(day=2), announce(day=9)
    meeting_cancel(actor=staff["manager"], meeting=later)
    assert meetings_upcoming(municipality=aaa) == [soon]
    with freeze_time(local(3, 9)):
        assert meetings_upcoming(municipality=aaa) == []
