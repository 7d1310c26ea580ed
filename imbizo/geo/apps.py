from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "imbizo.geo"
    label = "geo"
    verbose_name = "Geography"

    def ready(self) -> None:
        from . import subscribers  # noqa: F401  (registers event handlers)
