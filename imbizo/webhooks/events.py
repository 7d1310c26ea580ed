"""Which domain events reach webhooks, and the subscribers that turn them into deliveries.

Every event is emitted as ``emit(name, municipality_id=<int>, data=<dict>)``; the
subscribers run once it is committed, and again if its relay was cut short: the domain
event's id is the deliveries' event id, so a second run creates none twice. A subscriber
that raises leaves the event to the relay's retries (core/events.py).
"""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from imbizo.core.events import subscribe

WEBHOOK_EVENTS: tuple[str, ...] = (
    "case_logged",
    "case_status_changed",
    "case_assigned",
    "case_commented",
    "case_merged",
    "case_sla",
    "workorder_changed",
    "payment_received",  # billing/payments.py: a resident's payment completed
)


def _subscriber(event: str) -> Callable[..., None]:
    def on_event(*, municipality_id: int, data: dict, event_id: uuid.UUID,
                 event_created: datetime, **_: Any) -> None:
        from .services import webhook_deliveries_create

        webhook_deliveries_create(event=event, municipality_id=municipality_id, data=data,
                                  event_id=event_id, created=event_created)

    on_event.__name__ = on_event.__qualname__ = f"webhooks_on_{event}"
    return on_event


for _event in WEBHOOK_EVENTS:
    subscribe(_event)(_subscriber(_event))
