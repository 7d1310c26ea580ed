from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "imbizo.cases"
    label = "cases"
