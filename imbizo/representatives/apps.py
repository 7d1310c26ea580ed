from django.apps import AppConfig


class RepresentativesConfig(AppConfig):
    name = "imbizo.representatives"
    label = "representatives"
    verbose_name = "Representatives"
    default_auto_field = "django.db.models.BigAutoField"
