from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "imbizo.community"
    label = "community"
    verbose_name = "Community"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import privacy  # noqa: F401  (a resident's answers to meetings)
