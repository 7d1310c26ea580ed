"""Which domain events reach webhooks, and the subscribers that turn them into deliveries.

Every event is emitted as ``emit(name, municipality_id=<int>, data=<dict>)``; the
subscribers run after the writing transaction commits.
"""

import logging
from collections.abc import Callable
from typing import Any

from imbizo.core.events import subscribe

logger = logging.getLogger(__name__)

WEBHOOK_EVENTS: tuple[str, ...] = (
    "case_logged",
    "case_status_changed",
    "case_assigned",
    "case_commented",
    "case_merged",
    "case_sla",
    "workorder_changed",
)


def _subscriber(event: str) -> Callable[..., None]:
    def on_event(*, municipality_id: int, data: dict, **_: Any) -> None:
        from .services import webhook_deliveries_create

        try:
            webhook_deliveries_create(event=event, municipality_id=municipality_id, data=data)
        except Exception:
            # The change that emitted the event is already committed: failing here would
            # answer its request with an error although it succeeded. Make it loud instead.
            logger.exception("Webhook deliveries for %s in municipality %s were not created",
                             event, municipality_id)

    on_event.__name__ = on_event.__qualname__ = f"webhooks_on_{event}"
    return on_event


for _event in WEBHOOK_EVENTS:
    subscribe(_event)(_subscriber(_event))
