from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "imbizo.cases"
    label = "cases"

    def ready(self) -> None:
        from . import notifications, privacy  # noqa: F401  (subscribers, personal data)
