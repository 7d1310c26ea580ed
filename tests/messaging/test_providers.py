"""The provider registry: settings name one class per channel, and nothing else does."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from imbizo.core.errors import ImbizoError
from imbizo.messaging.channels.dev import DevProvider
from imbizo.messaging.providers import Provider, SendResult, provider_for


class WhatsAppOnly(Provider):
    name = "wa-only"
    channels = frozenset({"whatsapp"})
    max_length = 4096

    def send(self, message):
        return SendResult(provider_message_id="wa-1")


class NotAProvider:
    pass


def test_one_channels_provider_is_swapped_without_touching_the_others(use_providers):
    use_providers(whatsapp=f"{__name__}.WhatsAppOnly")
    assert isinstance(provider_for("whatsapp"), WhatsAppOnly)
    assert isinstance(provider_for("sms"), DevProvider)
    assert provider_for("whatsapp") is provider_for("whatsapp")  # one instance, kept


def test_a_channel_without_a_provider_cannot_be_sent(use_providers):
    use_providers()
    with pytest.raises(ImbizoError) as err:
        provider_for("ussd")
    assert err.value.code == "channel_unavailable"


@pytest.mark.parametrize("path", [f"{__name__}.WhatsAppOnly", f"{__name__}.NotAProvider"])
def test_a_provider_that_cannot_carry_the_channel_is_a_configuration_error(use_providers, path):
    use_providers(sms=path)
    with pytest.raises(ImproperlyConfigured):
        provider_for("sms")


def test_the_deploy_check_warns_while_a_channel_uses_the_dev_provider(use_providers):
    from imbizo.messaging.checks import dev_provider_in_production

    use_providers(sms=f"{__name__}.WhatsAppOnly", whatsapp=f"{__name__}.WhatsAppOnly")
    warnings = dev_provider_in_production(None)
    assert [w.id for w in warnings] == ["messaging.W001"] and "email" in warnings[0].msg
