"""E-mail through Django's own mail API: ``settings.EMAIL_BACKEND`` decides how it leaves.

The subject is the body's first line. The Message-ID header, made from the message's
uuid, is the provider message id (a repeated attempt repeats it, so mail servers can
drop a duplicate); plain SMTP reports no delivery, so a sent e-mail stays "sent".
"""

import smtplib

from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.providers import (
    PermanentProviderError,
    Provider,
    SendResult,
    TransientProviderError,
)

SUBJECT_LENGTH = 78


def subject_of(body: str) -> str:
    first = body.strip().splitlines()[0] if body.strip() else ""
    return first if len(first) <= SUBJECT_LENGTH else first[:SUBJECT_LENGTH - 1] + "…"


class EmailProvider(Provider):
    name = "email"
    channels = frozenset({"email"})
    max_length = 100_000
    supports_receipts = False

    def send(self, message: OutboundMessage) -> SendResult:
        message_id = f"<{message.uuid.hex}@{DNS_NAME}>"
        email = EmailMessage(subject=subject_of(message.body), body=message.body,
                             to=[message.to], headers={"Message-ID": message_id})
        try:
            sent = email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentProviderError("the mail server refused the recipient") from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx replies are final; 4xx ask us to come back later.
            error = PermanentProviderError if exc.smtp_code >= 500 else TransientProviderError
            raise error(f"SMTP {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientProviderError(f"{type(exc).__name__}: {exc}") from exc
        if not sent:
            raise TransientProviderError("the e-mail backend sent nothing")
        return SendResult(provider_message_id=message_id)
