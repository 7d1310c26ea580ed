from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "imbizo.facilities"
    label = "facilities"
    verbose_name = "Facilities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import subscribers  # noqa: F401  (registers the index's reload hook)
