"""Domain events, dispatched to subscribers after the writing transaction commits.

A service calls ``emit("case_logged", case_id=...)`` inside its transaction;
subscribers registered with ``@subscribe`` run only once the data is durable,
and enqueue tasks for anything slow.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

Handler = Callable[..., None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if handler not in _subscribers[event]:
            _subscribers[event].append(handler)
        return handler

    return register


def emit(event: str, **payload: Any) -> None:
    def dispatch() -> None:
        for handler in list(_subscribers[event]):
            handler(**payload)

    transaction.on_commit(dispatch)
