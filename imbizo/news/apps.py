from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "imbizo.news"
    label = "news"
    verbose_name = "News"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import privacy  # noqa: F401  (personal data)
