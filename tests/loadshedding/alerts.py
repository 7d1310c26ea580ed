"""Helpers of the alerts' tests: residents who follow test areas, and the alerts' tasks
run as a worker would, those due by the (frozen) clock."""

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from imbizo.accounts.models import Citizen
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.core.permissions import system_actor
from imbizo.loadshedding.subscriptions import loadshedding_subscribe
from imbizo.messaging.models import OutboundMessage

OURS = ("loadshedding_fanout.alerts_send", "loadshedding_slots.slot_alerts")


def resident(phone: str, *, language: str = "en", channel: str = "sms") -> Citizen:
    return citizen_register(actor=system_actor("ussd"), phone=phone, language=language,
                            preferred_channel=channel)


def follow(citizen: Citizen, *keys: str, capture=None) -> None:
    """Follow each area as the resident, on USSD, relaying the events after commit."""
    for key in keys:
        if capture is None:
            loadshedding_subscribe(actor=citizen_actor(citizen, channel="ussd"),
                                   citizen=citizen, key=key)
        else:
            with capture(execute=True):
                loadshedding_subscribe(actor=citizen_actor(citizen, channel="ussd"),
                                       citizen=citizen, key=key)


def due_tasks(name: str = "") -> list[DBTaskResult]:
    now = timezone.now()
    return [r for r in DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            .order_by("run_after", "enqueued_at")
            if r.task_path.endswith(OURS) and name in r.task_path
            and (r.run_after <= now or r.run_after == get_date_max())]


def pending(name: str) -> list[tuple]:
    """The waiting tasks of ``name``: (args, run_after)."""
    return [(r.args_kwargs["args"], r.run_after) for r in DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path__endswith=name).order_by("run_after")
        if r.run_after != get_date_max()]


def run_due(limit: int = 200) -> int:
    """Run every alerts task due now (and those they enqueue), each once; how many."""
    ran = 0
    while (found := due_tasks()) and ran < limit:
        row = found[0]
        DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.SUCCESSFUL)
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        ran += 1
    return ran


def alerts(kind: str = "") -> list[tuple[str, str]]:
    """(to, body) of every message queued (``kind``: "stage" or "slot" alone), by number
    then key."""
    return list(OutboundMessage.objects.filter(dedupe_key__startswith=f"ls-{kind}")
                .order_by("to", "dedupe_key").values_list("to", "body"))
