"""POPIA: the outbox logs a message's uuid, never its body, number or address."""

import logging

import pytest

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.providers import (
    PermanentProviderError,
    Provider,
    SendResult,
    TransientProviderError,
)
from imbizo.messaging.services import citizen_notify, message_receipt, message_send


class IndiscreetGateway(Provider):
    """Puts the number and text in its errors, as real gateways do."""

    name = "indiscreet"
    channels = frozenset({"sms", "email"})
    max_length = 918
    supports_receipts = True
    calls = 0

    def send(self, message):
        type(self).calls += 1
        if type(self).calls == 1:
            raise TransientProviderError(f"timeout sending {message.body!r} to {message.to}")
        if message.channel == "email":
            raise PermanentProviderError(f"mailbox {message.to} does not exist")
        return SendResult(provider_message_id=f"in-{message.pk}")


@pytest.mark.django_db(transaction=True)
def test_no_personal_data_reaches_the_log(make_resident, caplog, clock, run_worker,
                                          use_providers):
    caplog.set_level(logging.DEBUG)
    body = "Thandi, your water meter account 4471 is settled."
    sms_resident = make_resident()
    mail_resident = make_resident(channel="email", email="thandi.secret@example.org")
    dev_message = citizen_notify(citizen=sms_resident, purpose="service", text_for_language=body)
    run_worker(verbosity=2)  # the dev provider: sent and delivered

    use_providers(sms=f"{__name__}.IndiscreetGateway", email=f"{__name__}.IndiscreetGateway")
    IndiscreetGateway.calls = 0
    sms = citizen_notify(citizen=sms_resident, purpose="service", text_for_language=body + " 2")
    mail = citizen_notify(citizen=mail_resident, purpose="service", text_for_language=body)
    run_worker(verbosity=2)  # a transient error quoting number and text, and a permanent one
    clock.advance(minutes=2)
    run_worker(verbosity=2)
    message_receipt(provider="indiscreet", provider_message_id=f"in-{sms.pk}",
                    status="delivered")

    statuses = dict(OutboundMessage.objects.values_list("pk", "status"))
    assert [statuses[m.pk] for m in (dev_message, sms, mail)] == [
        "delivered", "delivered", "failed"]
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    national = "0" + sms_resident.phone[3:]
    for secret in (body, "water meter", sms_resident.phone, sms_resident.phone[1:], national,
                   mail_resident.phone, mail_resident.email, "thandi.secret"):
        assert secret not in text, secret
    for message in (dev_message, sms, mail):
        assert str(message.uuid) in caplog.text
    assert "path=imbizo.messaging.tasks.send_message" in caplog.text  # the worker's own lines


@pytest.mark.django_db
def test_a_failed_attempt_keeps_its_error_in_the_row_not_the_log(make_resident, caplog,
                                                                 use_providers):
    caplog.set_level(logging.DEBUG)
    use_providers(sms=f"{__name__}.IndiscreetGateway")
    IndiscreetGateway.calls = 0
    citizen = make_resident()
    message = citizen_notify(citizen=citizen, purpose="service", text_for_language="Hello")
    message_send(message_id=message.pk)
    message.refresh_from_db()
    assert citizen.phone in message.last_error
    assert citizen.phone not in caplog.text and "TransientProviderError" in caplog.text
