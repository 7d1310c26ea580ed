from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "imbizo.demo"
    label = "demo"
