"""E-mail through Django's mail API; ``EMAIL_BACKEND`` is the boundary faked here."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from imbizo.messaging.channels.email import EmailProvider
from imbizo.messaging.channels.email.provider import subject_of
from imbizo.messaging.models import Status
from imbizo.messaging.services import message_send

from ..helpers import queue

pytestmark = pytest.mark.django_db
EMAIL = "imbizo.messaging.channels.email.EmailProvider"


class FailingBackend(BaseEmailBackend):
    error: Exception = OSError("connection refused")

    def send_messages(self, email_messages):
        raise self.error


@pytest.fixture
def email_channel(use_providers, settings):
    use_providers(email=EMAIL)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def send_email(body="Your report DMO-7 was resolved.\nThank you for reporting it."):
    message = queue(channel="email", to="thandi@example.org", body=body)
    return message_send(message_id=message.pk)


def test_it_declares_what_it_can_do():
    assert EmailProvider.channels == frozenset({"email"})
    assert not EmailProvider.supports_receipts and EmailProvider.max_length >= 10_000


def test_an_email_leaves_through_the_email_backend(email_channel):
    message = send_email()
    assert (message.status, message.provider) == (Status.SENT, "email")  # SMTP reports no more
    [sent] = mail.outbox
    assert sent.to == ["thandi@example.org"]
    assert sent.subject == "Your report DMO-7 was resolved."
    assert sent.body == message.body
    assert sent.extra_headers["Message-ID"] == message.provider_message_id
    assert message.uuid.hex in message.provider_message_id


def test_a_long_first_line_makes_a_shortened_subject():
    assert subject_of("x" * 100) == "x" * 77 + "…"
    assert subject_of("  \nHello\nWorld") == "Hello"


@pytest.mark.parametrize(("error", "status"), [
    (smtplib.SMTPRecipientsRefused({"thandi@example.org": (550, b"no such user")}), "failed"),
    (smtplib.SMTPDataError(554, b"rejected"), "failed"),
    (smtplib.SMTPDataError(451, b"try later"), "queued"),
    (smtplib.SMTPServerDisconnected("gone"), "queued"),
    (OSError("connection refused"), "queued"),
])
def test_refusals_fail_and_outages_are_retried(email_channel, settings, error, status):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.error = error
    message = send_email()
    assert (message.status, message.attempts) == (status, 1)
    assert (message.next_attempt_at is None) == (status == "failed")
