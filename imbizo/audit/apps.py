from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "imbizo.audit"
    label = "audit"
