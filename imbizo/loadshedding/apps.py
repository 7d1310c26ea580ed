from django.apps import AppConfig


class LoadsheddingConfig(AppConfig):
    name = "imbizo.loadshedding"
    label = "loadshedding"
    verbose_name = "Load-shedding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import privacy  # noqa: F401  (residents' subscriptions)
