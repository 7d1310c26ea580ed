"""Load-shedding alerts to the residents who follow an area (loadshedding/subscriptions.py),
through the outbox, under the ``broadcasts`` consent, within opt-outs and quiet hours.

**A stage change** (``loadshedding_stage_changed``, from ``stage_set`` or an import)
that is now or ahead (not older than an hour before it was announced: an imported history
alerts nobody) and changes the stage tells every follower of the areas it decides
(``finding.areas_affected``): the stage, from when, and their areas' outages today and
tomorrow at it. It restarts those areas' slot chains too. In the quiet hours (20:00 to
07:00) it goes at once only to the followers of areas shed before 07:00; everyone else
hears at 07:00.

**Before each outage**, ``LOADSHEDDING_ALERT_LEAD_MINUTES`` (60) ahead: nothing polls.
Each followed area has one chain of ``slot_alerts`` tasks (its ``AlertPlan``): a step
queues the alerts of outages due now and schedules itself for the next one's time. An
alert that would fall in the quiet hours goes at 19:00 the evening before, saying the
time. A stage change or the area's first follower restarts the chain; a stale step exits.

Each fan-out is an ``AlertRun``: batches of residents in resident order, each one
transaction (their channels and opt-outs in a few queries, ``messages_queue_many``: one
statement), the run's cursor moved with it; after ``SLICE_SECONDS`` the rest goes to a
new task. Dedupe keys (a change's stage and resident; an area's outage and resident)
make a retried task send nothing twice.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from imbizo.core.events import subscribe
from imbizo.loadshedding.finding import areas_affected
from imbizo.loadshedding.models import StageChange
from imbizo.loadshedding.services import STAGE_EVENT
from imbizo.loadshedding.subscription_selectors import areas_followed

from .billing import quiet_until
from .loadshedding_fanout import runs_open
from .loadshedding_slots import area_shed_before, chains_restart

BACKDATE = timedelta(hours=1)  # a change older than this when announced is history


@subscribe(STAGE_EVENT)
def on_stage_changed(*, municipality_id: int | None, stage: int, previous_stage: int, at: str,
                     change_id: int, event_created=None, **_payload) -> None:
    announced = event_created or timezone.now()
    if isinstance(announced, str):
        announced = datetime.fromisoformat(announced)
    moment = datetime.fromisoformat(at)
    if stage == previous_stage or moment < announced - BACKDATE:
        return  # nothing changes for anyone, or history
    now = timezone.now()
    with transaction.atomic():
        change = StageChange.objects.filter(pk=change_id, stage=stage).first()
        if change is None:  # replaced since: its own event comes
            return
        followed = areas_followed(areas_affected(municipality_id=municipality_id))
        if not followed:
            return
        chains_restart(followed)
        key = f"ls-stage:{change_id}:{stage}"
        fields = {"change": change, "stage": stage, "scope_municipality_id": municipality_id}
        later = quiet_until(now)
        if later is None:
            runs_open(f"{key}:now", fields)
            return
        night = [pk for pk, key_ in followed.items() if area_shed_before(key_, now, later)]
        if night:
            runs_open(f"{key}:night", {**fields, "areas": night})
        runs_open(f"{key}:morning", fields, run_after=later)
