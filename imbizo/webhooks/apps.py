from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "imbizo.webhooks"
    label = "webhooks"
