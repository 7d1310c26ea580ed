from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "imbizo.messaging"
    label = "messaging"

    def ready(self) -> None:
        from . import checks, privacy  # noqa: F401  (the deploy check, personal data)
