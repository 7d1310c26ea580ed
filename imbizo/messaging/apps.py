from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "imbizo.messaging"
    label = "messaging"
