"""Raising a matter: a reference at once, a target time in working days, an audited row,
an event; bad input refused with nothing written."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.models import DomainEvent
from imbizo.core.permissions import Actor, system_actor
from imbizo.matters.limits import TEXT_MAX_LENGTH
from imbizo.matters.models import Matter, MatterUpdate
from imbizo.matters.reference import matter_reference_parse
from imbizo.matters.services import matter_raise

SAST = ZoneInfo("Africa/Johannesburg")


def test_a_resident_raises_an_issue_and_gets_a_reference_at_once(raise_matter, people, wards):
    matter = raise_matter("issue")
    assert matter_reference_parse(matter.reference.lower()) == matter.reference
    assert matter.reference.startswith("AAA-M")
    assert (matter.kind, matter.status, matter.ward, matter.municipality) == (
        "issue", "received", wards["1"], wards["1"].municipality)
    assert matter.citizen == people["nomsa"].citizen and matter.channel == "ussd"
    assert not matter.public  # an issue is private unless the resident says otherwise
    assert matter.title == "The streetlights on Main Road have been off for a month."
    update = MatterUpdate.objects.get(matter=matter)
    assert (update.to_status, update.actor) == ("received", people["nomsa"].label)
    entry = AuditEntry.objects.get(action="matter.raise")
    assert entry.changes["reference"] == matter.reference and "Nomsa" not in str(entry.changes)
    event = DomainEvent.objects.get(name="matter_raised")
    assert event.payload["matter_id"] == matter.pk


def test_a_suggestion_is_public_unless_the_resident_keeps_it_private(raise_matter):
    assert raise_matter("suggestion").public
    assert not raise_matter("suggestion", public=False).public
    assert raise_matter("issue", public=True).public


def test_references_count_up_within_the_month_and_differ_from_case_references(raise_matter):
    first, second = raise_matter(), raise_matter()
    assert first.reference.split("-")[2] == "001" and second.reference.split("-")[2] == "002"
    assert first.reference[:10] == second.reference[:10]


@freeze_time("2026-07-24 12:00:00")  # a Friday, 14:00 in South Africa
def test_the_target_is_three_working_days_later_skipping_the_weekend(raise_matter):
    matter = raise_matter()
    assert matter.ack_due.astimezone(SAST) == datetime(2026, 7, 29, 14, 0, tzinfo=SAST)


@freeze_time("2026-07-24 12:00:00")
def test_the_target_follows_the_setting(raise_matter, settings):
    settings.MATTERS_ACK_WORKING_DAYS = 1
    assert raise_matter().ack_due.astimezone(SAST) == datetime(2026, 7, 27, 14, 0, tzinfo=SAST)


def test_raising_enqueues_the_acknowledgement_check_for_the_target_time(raise_matter):
    matter = raise_matter()
    task = DBTaskResult.objects.get(task_path__endswith="matter_ack_check")
    assert task.run_after == matter.ack_due
    assert task.args_kwargs["args"] == [matter.pk, matter.ack_due.isoformat()]


def test_a_retry_with_the_same_key_returns_the_first_matter(raise_matter):
    first = raise_matter(idempotency_key="ussd:ATUid_1")
    again = raise_matter(idempotency_key="ussd:ATUid_1")
    assert again.pk == first.pk and again.replayed
    assert Matter.objects.count() == 1


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"text": "   "}, "text_required"),
    ({"text": "x" * (TEXT_MAX_LENGTH + 1)}, "text_too_long"),
    ({"title": "t" * 121}, "text_too_long"),
    ({"kind": "complaint"}, "invalid_kind"),
])
def test_bad_input_is_refused_and_nothing_is_written(raise_matter, kwargs, code):
    kind = kwargs.pop("kind", "issue")
    with pytest.raises(ImbizoError) as refused:
        raise_matter(kind, **kwargs)
    assert refused.value.code == code and refused.value.status == 400
    assert not Matter.objects.exists() and not AuditEntry.objects.filter(
        action="matter.raise").exists()


@pytest.mark.parametrize("actor", [system_actor("cli"), Actor(kind="anonymous", channel="web")])
def test_only_a_resident_raises_a_matter(actor, wards):
    with pytest.raises(ImbizoError) as refused:
        matter_raise(actor=actor, kind="issue", ward=wards["1"], text="Lights off")
    assert refused.value.status == 403


def test_staff_raise_for_a_resident_only_through_acting_for_them(staff, wards):
    with pytest.raises(ImbizoError) as refused:
        matter_raise(actor=staff["agent"], kind="issue", ward=wards["1"], text="Lights off")
    assert refused.value.status == 403
