"""``check --deploy`` warns when a channel still goes to the development provider."""

from django.core import checks

from .providers import DEV_PROVIDER, provider_paths


@checks.register(deploy=True)
def dev_provider_in_production(app_configs, **kwargs):
    return [
        checks.Warning(f"Messages by {channel} go to the development provider and reach nobody.",
                hint="Set MESSAGING_PROVIDERS in the settings (docs/messaging.md).",
                id="messaging.W001")
        for channel, path in sorted(provider_paths().items()) if path == DEV_PROVIDER
    ]
