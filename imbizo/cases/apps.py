from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "imbizo.cases"
    label = "cases"

    def ready(self) -> None:
        from . import privacy  # noqa: F401  (personal data)
