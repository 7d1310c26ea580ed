"""A resident's answer to a meeting: one per resident, changeable until it starts; a past,
started or cancelled meeting takes none and says why. The organiser's numbers count them,
by channel."""

import pytest
from freezegun import freeze_time

from imbizo.accounts.services import citizen_erase, citizen_export
from imbizo.audit.models import AuditEntry
from imbizo.community.meeting_models import Rsvp
from imbizo.community.meeting_selectors import meeting_numbers
from imbizo.community.meetings import meeting_cancel
from imbizo.community.rsvp import rsvp_give
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import system_actor

from .conftest import local


def test_a_resident_answers_and_changes_their_answer_until_the_meeting_starts(announce,
                                                                             register):
    meeting, resident = announce(), register(channel="ussd")
    rsvp_give(actor=resident, meeting=meeting, answer="maybe")
    resident.channel = "whatsapp"
    rsvp_give(actor=resident, meeting=meeting, answer="yes")
    (rsvp,) = Rsvp.objects.all()
    assert (rsvp.answer, rsvp.channel, rsvp.citizen) == ("yes", "whatsapp", resident.citizen)
    changes = [e.changes for e in AuditEntry.objects.filter(action="community.rsvp")
               .order_by("seq")]
    assert changes == [{"answer": "maybe", "before": None}, {"answer": "yes",
                                                             "before": "maybe"}]


@pytest.mark.parametrize(("moment", "code"), [
    (local(7, 18, 30), "meeting_started"),
    (local(8, 9), "meeting_over"),
])
def test_a_started_or_past_meeting_takes_no_answer(announce, register, moment, code):
    meeting, resident = announce(), register()
    rsvp_give(actor=resident, meeting=meeting, answer="yes")
    with freeze_time(moment), pytest.raises(ImbizoError) as refused:
        rsvp_give(actor=resident, meeting=meeting, answer="no")
    assert refused.value.code == code and refused.value.status == 409
    assert Rsvp.objects.get().answer == "yes"  # the earlier answer stands


def test_a_cancelled_meeting_takes_no_answer(announce, register, staff):
    meeting = announce()
    meeting_cancel(actor=staff["manager"], meeting=meeting)
    with pytest.raises(ImbizoError) as refused:
        rsvp_give(actor=register(), meeting=meeting, answer="yes")
    assert refused.value.code == "meeting_cancelled"
    assert "cancelled" in refused.value.message and not Rsvp.objects.exists()


def test_only_a_resident_answers_and_only_yes_no_or_maybe(announce, register, staff):
    meeting = announce()
    with pytest.raises(PermissionDenied):
        rsvp_give(actor=staff["manager"], meeting=meeting, answer="yes")
    with pytest.raises(ImbizoError) as refused:
        rsvp_give(actor=register(), meeting=meeting, answer="perhaps")
    assert refused.value.extra["field"] == "answer"


def test_the_numbers_count_answers_by_channel_for_the_organisers_only(announce, register,
                                                                     staff):
    meeting = announce(wards=[1])
    for answer, channel in (("yes", "ussd"), ("yes", "ussd"), ("yes", "whatsapp"),
                            ("no", "web"), ("maybe", "ussd")):
        rsvp_give(actor=register(channel=channel), meeting=meeting, answer=answer)
    numbers = meeting_numbers(actor=staff["councillor"], meeting=meeting)
    assert (numbers.yes, numbers.no, numbers.maybe, numbers.total) == (3, 1, 1, 5)
    assert numbers.by_channel == {"ussd": {"yes": 2, "no": 0, "maybe": 1},
                                  "web": {"yes": 0, "no": 1, "maybe": 0},
                                  "whatsapp": {"yes": 1, "no": 0, "maybe": 0}}
    for who in ("agent", "other"):
        with pytest.raises(PermissionDenied):
            meeting_numbers(actor=staff[who], meeting=meeting)
    ward2 = announce(wards=[2])
    with pytest.raises(PermissionDenied):
        meeting_numbers(actor=staff["councillor"], meeting=ward2)


def test_an_erased_resident_still_counts_but_no_longer_as_themselves(announce, register,
                                                                    staff):
    meeting, resident = announce(), register()
    rsvp_give(actor=resident, meeting=meeting, answer="yes")
    exported = citizen_export(actor=resident, citizen=resident.citizen)
    assert exported["community_meetings"]["meeting_answers"][0]["answer"] == "yes"
    citizen_erase(actor=system_actor("cli"), citizen=resident.citizen)
    assert Rsvp.objects.get().citizen is None
    assert meeting_numbers(actor=staff["manager"], meeting=meeting).yes == 1
