from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "imbizo.matters"
    label = "matters"
    verbose_name = "Matters"
    default_auto_field = "django.db.models.BigAutoField"
