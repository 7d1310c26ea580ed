"""One-time PINs sent to the phone or e-mail address on an account's billing record. A
PIN is six digits, lives ten minutes, works once and allows three wrong tries; at most
three are sent for one account in an hour. Only a keyed hash of the code is stored.

``billing`` sits beside ``messaging``, so the caller hands in ``send``, which queues the
message through the outbox in the same transaction (as for the sign-in PIN,
accounts/otp.py)."""

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError

from .lockout import at
from .models import LinkChallenge, LinkMethod, UtilityAccount

LIFETIME = timedelta(minutes=10)
TRIES = 3
PER_ACCOUNT, PER_ACCOUNT_WINDOW = 3, timedelta(hours=1)

# (challenge, address, message): queue ``message`` to ``address`` on the challenge's
# channel ("sms" or "email", its ``method``).
Sender = Callable[[LinkChallenge, str, str], None]


def _hash(challenge_key: str, code: str) -> str:
    return salted_hmac("imbizo.billing.pin", f"{challenge_key}:{code}",
                       algorithm="sha256").hexdigest()


def address_on_record(account: UtilityAccount, method: str) -> str:
    return account.phone_on_record if method == LinkMethod.SMS else account.email_on_record


def masked(address: str) -> str:
    """Enough of the address for the resident to know which it is."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"{address[:3]}•••••{address[-2:]}"


def pin_send(*, citizen, account: UtilityAccount, method: str, now: datetime, send: Sender,
             language: str) -> LinkChallenge:
    address = address_on_record(account, method)
    if not address:
        raise ImbizoError("no_address_on_record",
                          _("This account has no phone number on record.")
                          if method == LinkMethod.SMS else
                          _("This account has no e-mail address on record."), field="method")
    sent = list(LinkChallenge.objects.filter(account=account,
                                             created__gt=now - PER_ACCOUNT_WINDOW)
                .order_by("created").values_list("created", flat=True)[:PER_ACCOUNT])
    if len(sent) >= PER_ACCOUNT:
        until = sent[0] + PER_ACCOUNT_WINDOW
        raise ImbizoError("link_too_many_pins",
                          _("Too many PINs sent for this account. Try again at %(time)s.")
                          % {"time": at(until)}, status=429, retry_at=until.isoformat())
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = LinkChallenge(municipality_id=account.municipality_id, account=account,
                              citizen=citizen, method=method, created=now,
                              expires=now + LIFETIME)
    challenge.code_hash = _hash(f"{account.pk}:{citizen.pk}", code)
    challenge.save()
    with translation.override(language):
        message = _("Your PIN to link municipal account %(number)s is %(code)s. It expires "
                    "in 10 minutes. Do not share it.") % {"number": account.account_number,
                                                          "code": code}
    send(challenge, address, message)
    return challenge


def pin_check(*, citizen, account: UtilityAccount, method: str, code: str,
              now: datetime) -> str | ImbizoError:
    """"ok" if ``code`` is the resident's current PIN for the account (it is then used up),
    "wrong" (a try counted; "spent" if that was its last), or the refusal when there is
    no PIN to try."""
    challenge = LinkChallenge.objects.select_for_update().filter(
        citizen=citizen, account=account, method=method, used__isnull=True) \
        .order_by("-created").first()
    if challenge is None or challenge.expires <= now:
        return ImbizoError("link_pin_expired", _("That PIN has expired. Ask for a new one."),
                           field="proof")
    if challenge.attempts >= TRIES:
        return pin_spent()
    if hmac.compare_digest(challenge.code_hash,
                           _hash(f"{account.pk}:{citizen.pk}", (code or "").strip())):
        challenge.used = now
        challenge.save(update_fields=["used"])
        return "ok"
    challenge.attempts += 1
    challenge.save(update_fields=["attempts"])
    return "spent" if challenge.attempts >= TRIES else "wrong"


def pin_spent() -> ImbizoError:
    return ImbizoError("link_pin_no_tries",
                       _("Wrong PIN, and no tries are left for it. Ask for a new one."),
                       field="proof", tries_left=0)
