from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "imbizo.conversations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import privacy  # noqa: F401  (personal data for export and erasure)
