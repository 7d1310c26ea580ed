from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Listens to the domain apps' events and tells residents and staff through the
    messaging outbox, so that cases never imports messaging."""

    name = "imbizo.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import billing, campaigns, cases, payments  # noqa: F401  (subscribers)
