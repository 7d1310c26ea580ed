from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "imbizo.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registers the domain-event subscribers that turn events into deliveries.
        from . import events  # noqa: F401
