"""A status change reaches every follower on their channel, in their language, through
the outbox, at a cost that does not grow with the number of followers."""

import pytest
from django_tasks_db.models import DBTaskResult

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import (
    channel_address_link,
    channel_opt_out,
    citizen_register,
    citizen_update,
)
from imbizo.cases.duplicates import case_join
from imbizo.cases.lifecycle import case_start
from imbizo.cases.services import Contact
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.cases import notify_followers


@pytest.fixture
def started(log_case):
    """A case just started, and a way to add followers to it."""
    case = case_start(actor=system_actor("web"), case=log_case(), note="Crew on the way")
    update = case.updates.get(to_status="in_progress")

    def follow(phone: str, **details):
        citizen = citizen_register(actor=system_actor(details.pop("channel", "sms")),
                                   phone=phone, **details)
        case_join(actor=citizen_actor(citizen, channel="sms"), case=case)
        return citizen
    return case, update, follow


@pytest.mark.parametrize("followers", [10, 200])
def test_the_cost_of_a_fan_out_does_not_grow_with_its_followers(
        started, django_assert_max_num_queries, followers):
    case, update, follow = started
    for n in range(followers - 1):  # the reporter follows already
        follow(f"0724{n:06d}", language=("en", "zu", "af")[n % 3])
    with django_assert_max_num_queries(20):
        assert notify_followers.call(case.pk, update.pk, "status") == followers
    assert OutboundMessage.objects.count() == followers
    # One send task carries the whole batch.
    batches = DBTaskResult.objects.filter(task_path__endswith="send_messages")
    assert [len(t.args_kwargs["args"][0]) for t in batches] == [followers]


def test_running_it_again_queues_nothing(started, django_assert_max_num_queries):
    case, update, follow = started
    follow("0724000001")
    assert notify_followers.call(case.pk, update.pk, "status") == 2
    tasks = DBTaskResult.objects.count()
    with django_assert_max_num_queries(12):
        assert notify_followers.call(case.pk, update.pk, "status") == 0
    assert OutboundMessage.objects.count() == 2 and DBTaskResult.objects.count() == tasks


def test_each_follower_hears_on_their_channel_in_their_language(started, settings):
    settings.WHATSAPP_TEMPLATES = {"case_update": "imbizo_case_update"}
    case, update, follow = started
    on_whatsapp = follow("0724000001", channel="whatsapp", language="af")
    stopped = follow("0724000002", channel="sms")
    channel_opt_out("sms", stopped.phone)
    on_telegram = follow("0724000003")
    channel_address_link(actor=system_actor("telegram"), channel="telegram", address="734001",
                         phone=on_telegram.phone)
    citizen_update(actor=system_actor("cli"), citizen=on_telegram, preferred_channel="telegram")
    notify_followers.call(case.pk, update.pk, "status")
    sent = {m.citizen_id: m for m in OutboundMessage.objects.all()}
    assert (sent[on_whatsapp.pk].channel, sent[on_whatsapp.pk].language) == ("whatsapp", "af")
    assert (sent[stopped.pk].channel, sent[stopped.pk].to) == ("whatsapp", stopped.phone)
    assert (sent[on_telegram.pk].channel, sent[on_telegram.pk].to) == ("telegram", "734001")
    template = sent[on_whatsapp.pk].template
    assert (template["name"], template["language"]) == ("imbizo_case_update", "af")
    english = "In progress. We have started work on it: Crew on the way."
    assert template["params"][0] == case.reference
    assert template["params"][1] != english and template["params"][1].endswith("Crew on the way.")
    assert sent[stopped.pk].template["params"] == [case.reference, english]
    assert sent[on_whatsapp.pk].dedupe_key == \
        f"case:{case.uuid}:status:{update.pk}:citizen:{on_whatsapp.pk}"


def test_without_a_template_name_no_template_is_attached(started, settings):
    settings.WHATSAPP_TEMPLATES = {}
    case, update, _follow = started
    notify_followers.call(case.pk, update.pk, "status")
    assert OutboundMessage.objects.get().template is None


def test_a_number_left_without_an_account_that_said_stop_is_not_texted(
        log_case, municipalities):
    case = log_case(actor=system_actor("web"),
                    contact=Contact(phone="0831112222", name="Sipho"))
    channel_opt_out("sms", "+27831112222")
    case = case_start(actor=system_actor("web"), case=case)
    update = case.updates.get(to_status="in_progress")
    assert notify_followers.call(case.pk, update.pk, "status") == 0
    assert not OutboundMessage.objects.exists()
