from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The staff console: officials work cases, agents answer residents (docs/console.md)."""

    name = "imbizo.console"
    label = "console"
