from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "imbizo.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import otp  # noqa: F401  (sign-in codes: personal data for export and erasure)
