from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "imbizo.matters"
    label = "matters"
    verbose_name = "Matters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import privacy  # noqa: F401  (personal data)
