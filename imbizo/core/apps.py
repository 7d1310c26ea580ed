from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "imbizo.core"
    label = "core"

    def ready(self) -> None:
        from .config_triggers import triggers_install

        post_migrate.connect(triggers_install, sender=self,
                             dispatch_uid="imbizo.core.config_triggers")
