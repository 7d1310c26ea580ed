"""The resident hears each step on their channel, in their language, within quiet hours and
opt-outs; the councillor hears of each new matter in their ward."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import override
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import channel_opt_out, citizen_register
from imbizo.core.permissions import system_actor
from imbizo.matters.lifecycle import (
    matter_acknowledge,
    matter_answer,
    matter_close,
    matter_refer,
)
from imbizo.matters.services import matter_raise
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.matters import notify_councillor, notify_resident, resident_text

SAST = ZoneInfo("Africa/Johannesburg")


def told(matter) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(dedupe_key__startswith=f"matter:{matter.uuid}:"
                                                                       "update:").order_by("pk"))


def tell_last(matter) -> int:
    return notify_resident.call(matter.pk, matter.updates.order_by("-pk").first().pk)


def test_the_resident_hears_every_step_of_the_councillor(raise_matter, staff):
    councillor = staff["councillor"]
    matter = raise_matter()
    assert tell_last(matter) == 0  # their own raising: the reference was on their screen
    matter_acknowledge(actor=councillor, matter=matter)
    assert tell_last(matter) == 1
    matter_answer(actor=councillor, matter=matter, text="Electricity fixes them on Monday.")
    assert tell_last(matter) == 1
    assert tell_last(matter) == 0  # relayed twice, sent once
    matter = matter_refer(actor=councillor, matter=matter, category="streetlight")
    tell_last(matter)
    matter_close(actor=councillor, matter=matter)
    tell_last(matter)
    ref, case = matter.reference, matter.case.reference
    assert [m.body for m in told(matter)] == [
        f"Imbizo {ref}: your ward councillor has read what you raised and will answer you.",
        f"Imbizo {ref}: your ward councillor answered: Electricity fixes them on Monday.",
        f"Imbizo {ref}: your ward councillor passed it to the municipality as case {case}. "
        "You will hear from us as it is worked on.",
        f"Imbizo {ref}: your ward councillor has closed it. Thank you for raising it."]
    assert {(m.channel, m.to) for m in told(matter)} == {("sms", "+27821234567")}


def test_a_whatsapp_resident_hears_on_whatsapp_in_their_language(wards, staff):
    citizen = citizen_register(actor=system_actor("whatsapp"), phone="0731112222",
                               language="zu", municipality=wards["1"].municipality,
                               ward=wards["1"])
    matter = matter_raise(actor=citizen_actor(citizen, channel="whatsapp"), kind="suggestion",
                          ward=wards["1"], text="Plant trees along the taxi rank.")
    matter = matter_answer(actor=staff["councillor"], matter=matter, text="Yes, in spring.")
    assert tell_last(matter) == 1
    message = told(matter)[0]
    assert (message.channel, message.to, message.language) == ("whatsapp", "+27731112222", "zu")
    with override("zu"):
        assert message.body == resident_text(matter, matter.updates.last())
    assert "Yes, in spring." in message.body


def test_a_resident_who_withdraws_is_not_told_of_it(raise_matter, people):
    matter = matter_close(actor=people["nomsa"], matter=raise_matter())
    assert tell_last(matter) == 0 and not told(matter)


def test_a_resident_who_opted_out_of_every_channel_is_sent_nothing(raise_matter, staff):
    matter = raise_matter()
    channel_opt_out("sms", "+27821234567")
    channel_opt_out("whatsapp", "+27821234567")
    matter_acknowledge(actor=staff["councillor"], matter=matter)
    assert tell_last(matter) == 0 and not told(matter)


@freeze_time("2026-07-22 19:30:00")  # 21:30 in South Africa
def test_a_step_in_the_quiet_hours_is_told_at_seven(raise_matter, staff,
                                                    django_capture_on_commit_callbacks):
    matter = raise_matter()
    with django_capture_on_commit_callbacks(execute=True):
        matter_acknowledge(actor=staff["councillor"], matter=matter)
    task = DBTaskResult.objects.get(task_path__endswith="notify_resident")
    assert task.run_after.astimezone(SAST) == datetime(2026, 7, 23, 7, 0, tzinfo=SAST)


@freeze_time("2026-07-22 08:00:00")  # 10:00 in South Africa
def test_a_step_in_the_day_is_told_at_once(raise_matter, staff,
                                           django_capture_on_commit_callbacks):
    matter = raise_matter()
    with django_capture_on_commit_callbacks(execute=True):
        matter_acknowledge(actor=staff["councillor"], matter=matter)
    task = DBTaskResult.objects.get(task_path__endswith="notify_resident")
    assert task.args_kwargs["args"] == [matter.pk, matter.updates.last().pk]
    assert task.run_after.year > 9000  # the backend's "no time set": due at once


def test_the_ward_s_councillor_is_told_of_a_new_matter(raise_matter, staff,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        matter = raise_matter("suggestion", text="A soccer field next to the hall.")
    assert DBTaskResult.objects.filter(task_path__endswith="notify_councillor").exists()
    assert notify_councillor.call(matter.pk, "raised") == 1
    assert notify_councillor.call(matter.pk, "raised") == 0
    mail = OutboundMessage.objects.get(channel="email")
    assert mail.to == "cllr1@example.org"
    assert f"raised suggestion {matter.reference}" in mail.body
    assert "A soccer field next to the hall." in mail.body
    assert "Nomsa" not in mail.body and "+27821234567" not in mail.body


def test_with_a_template_set_the_message_carries_it_for_whatsapp(raise_matter, staff, settings):
    settings.WHATSAPP_TEMPLATES = {**settings.WHATSAPP_TEMPLATES,
                                   "matter_update": "imbizo_matter_update"}
    matter = matter_answer(actor=staff["councillor"], matter=raise_matter(), text="Done soon.")
    tell_last(matter)
    message = told(matter)[0]
    assert message.template == {"name": "imbizo_matter_update", "language": "en",
                                "params": [matter.reference, message.body]}
