from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "imbizo.api"
    label = "api"
