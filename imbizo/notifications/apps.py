from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Listens to the domain apps' events and tells residents and staff through the
    messaging outbox, so that cases never imports messaging."""

    name = "imbizo.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import (  # noqa: F401  (subscribers)
            billing,
            campaigns,
            cases,
            community,
            loadshedding,  # load-shedding alerts to residents who follow an area
            matters,  # residents' matters for their councillor
            news,  # news and broadcasts
            payments,
        )
