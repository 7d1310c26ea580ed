from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "imbizo.news"
    label = "news"
    verbose_name = "News"
    default_auto_field = "django.db.models.BigAutoField"
