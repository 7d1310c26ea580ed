from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "imbizo.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from . import arrangement_privacy, campaign_privacy, privacy  # noqa: F401  (personal data)
