from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "imbizo.community"
    label = "community"
    verbose_name = "Community"
    default_auto_field = "django.db.models.BigAutoField"
