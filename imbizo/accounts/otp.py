"""Signing in with a phone number and a one-time PIN (the citizen website).

A PIN is six digits, lives five minutes, works once and allows three wrong tries. Codes
are limited per number (three in 15 minutes) and per client address (ten an hour), and
five wrong PINs for a number within an hour lock it for 30 minutes. Every count is read
from the database, so the limits hold across processes. Only keyed hashes of the code
and of the client's address are stored.

``accounts`` sits below ``messaging``, so the caller hands in ``send``, which queues the
message through the outbox; it runs inside the request's transaction, so a code is
stored only if its message is queued, and the other way round.

The rows that count codes and failures name a phone number, so they are personal data:
the clock deletes them once no limit can need them (``otp_prune``), a resident's export
lists the ones still kept and their erasure deletes them.
"""

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor

from .models import Citizen, PhoneChallenge, SignInFailure
from .phone import normalise_phone
from .privacy import personal_data
from .services import citizen_register

CODE_LIFETIME = timedelta(minutes=5)
TRIES_PER_CODE = 3
CODES_PER_NUMBER, NUMBER_WINDOW = 3, timedelta(minutes=15)
CODES_PER_CLIENT, CLIENT_WINDOW = 10, timedelta(hours=1)
FAILURES_TO_LOCK, FAILURE_WINDOW, LOCKOUT = 5, timedelta(hours=1), timedelta(minutes=30)
# Longer than any window above reads back, with a margin for clocks.
KEPT = timedelta(days=1)
CHANNELS = ("sms", "whatsapp")

Sender = Callable[[PhoneChallenge, str, str], None]  # (challenge, code, language)


def _hash(kind: str, value: str) -> str:
    return salted_hmac(f"imbizo.otp.{kind}", value, algorithm="sha256").hexdigest()


def _at(moment: datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


def _limited(code: str, message: str, until: datetime) -> ImbizoError:
    return ImbizoError(code, message % {"time": _at(until)}, status=429,
                       retry_at=until.isoformat())


def otp_locked_until(phone: str, now: datetime) -> datetime | None:
    """When a number locked by repeated wrong PINs may try again, or None."""
    recent = list(SignInFailure.objects.filter(
        phone=phone, created__gt=now - FAILURE_WINDOW - LOCKOUT)
        .order_by("-created").values_list("created", flat=True)[:FAILURES_TO_LOCK])
    if len(recent) < FAILURES_TO_LOCK or recent[0] - recent[-1] > FAILURE_WINDOW:
        return None
    until = recent[0] + LOCKOUT
    return until if until > now else None


def _locked_error(until: datetime) -> ImbizoError:
    return _limited("otp_locked", _("Too many wrong codes. Try again at %(time)s."), until)


@transaction.atomic
def otp_request(*, phone: str, client: str, channel: str, send: Sender,
                language: str = "en") -> PhoneChallenge:
    """Make a PIN for ``phone`` and hand it to ``send`` in the resident's language (their
    own if they are known, else ``language``). Refuses, sending nothing, past a limit."""
    if channel not in CHANNELS:
        raise ImbizoError("invalid_channel", _("Choose SMS or WhatsApp."), field="channel")
    try:
        e164 = normalise_phone(phone)
    except ImbizoError as exc:
        exc.extra.setdefault("field", "phone")
        raise
    now, client_hash = timezone.now(), _hash("client", client or "")
    if until := otp_locked_until(e164, now):
        raise _locked_error(until)
    per_number = list(PhoneChallenge.objects.filter(
        phone=e164, created__gt=now - NUMBER_WINDOW).order_by("created")
        .values_list("created", flat=True)[:CODES_PER_NUMBER])
    if len(per_number) >= CODES_PER_NUMBER:
        raise _limited("otp_too_many_codes",
                       _("Too many codes for this number. Try again at %(time)s."),
                       per_number[0] + NUMBER_WINDOW)
    per_client = list(PhoneChallenge.objects.filter(
        client_hash=client_hash, created__gt=now - CLIENT_WINDOW).order_by("created")
        .values_list("created", flat=True)[:CODES_PER_CLIENT])
    if len(per_client) >= CODES_PER_CLIENT:
        raise _limited("otp_too_many_requests",
                       _("Too many codes asked for from here. Try again at %(time)s."),
                       per_client[0] + CLIENT_WINDOW)
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = PhoneChallenge.objects.create(
        phone=e164, channel=channel, code_hash=_hash("code", f"{e164}:{code}"),
        client_hash=client_hash, created=now, expires=now + CODE_LIFETIME)
    known = Citizen.objects.filter(phone=e164).values_list("language", flat=True).first()
    send(challenge, code, known or language)
    audit_record(actor="anonymous", channel="web", action="otp.request", obj=challenge,
                 changes={"channel": channel})
    return challenge


def otp_verify(*, phone: str, code: str, client: str, language: str = "en") -> Citizen:
    """The resident behind ``phone`` if ``code`` is its current PIN; a number new to
    Imbizo becomes a resident now. A wrong try is counted even though it raises."""
    e164 = normalise_phone(phone)
    with transaction.atomic():
        outcome = _verify(e164, (code or "").strip(), client, language)
    if isinstance(outcome, ImbizoError):
        raise outcome
    return outcome


def _verify(e164: str, code: str, client: str, language: str) -> Citizen | ImbizoError:
    """Check the PIN; a refusal is returned, not raised, so the count of tries commits."""
    now = timezone.now()
    if until := otp_locked_until(e164, now):
        return _locked_error(until)
    challenge = PhoneChallenge.objects.select_for_update().filter(
        phone=e164, used__isnull=True).order_by("-created").first()
    if challenge is None or challenge.expires <= now:
        return ImbizoError("otp_expired", _("That code has expired. Ask for a new one."),
                           field="code")
    if challenge.attempts >= TRIES_PER_CODE:
        return _no_tries()
    if not hmac.compare_digest(challenge.code_hash, _hash("code", f"{e164}:{code}")):
        challenge.attempts += 1
        challenge.save(update_fields=["attempts"])
        SignInFailure.objects.create(phone=e164, created=now)
        audit_record(actor="anonymous", channel="web", action="otp.fail", obj=challenge,
                     changes={"attempts": challenge.attempts})
        if until := otp_locked_until(e164, now):
            return _locked_error(until)
        left = TRIES_PER_CODE - challenge.attempts
        if not left:
            return _no_tries()
        return ImbizoError("otp_wrong", ngettext(
            "Wrong code: %(n)s try left.", "Wrong code: %(n)s tries left.", left) % {"n": left},
            field="code", tries_left=left)
    challenge.used = now
    challenge.save(update_fields=["used"])
    citizen = citizen_register(actor=system_actor("web"), phone=e164, language=language)
    audit_record(actor=f"citizen:{citizen.uuid}", channel="web", action="citizen.sign_in",
                 obj=citizen, municipality_code=citizen.municipality.code
                 if citizen.municipality_id else "")
    return citizen


def _no_tries() -> ImbizoError:
    return ImbizoError("otp_no_tries",
                       _("Wrong code, and no tries are left for it. Ask for a new one."),
                       field="code", tries_left=0)


def otp_prune(*, keep: timedelta = KEPT) -> int:
    """Delete the codes and failures no limit reads any more (the clock, hourly)."""
    before = timezone.now() - keep
    codes, _ = PhoneChallenge.objects.filter(created__lt=before).delete()
    failures, _ = SignInFailure.objects.filter(created__lt=before).delete()
    return codes + failures


def _codes_export(citizen: Citizen, _within: set[int] | None) -> list[dict]:
    if not citizen.phone:
        return []
    return [{"channel": c.channel, "created": c.created.isoformat(),
             "expires": c.expires.isoformat(), "wrong_tries": c.attempts,
             "used": c.used.isoformat() if c.used else None}
            for c in PhoneChallenge.objects.filter(phone=citizen.phone).order_by("created")]


def _codes_erase(citizen: Citizen) -> int:
    if not citizen.phone:
        return 0
    codes, _ = PhoneChallenge.objects.filter(phone=citizen.phone).delete()
    failures, _ = SignInFailure.objects.filter(phone=citizen.phone).delete()
    return codes + failures


personal_data("sign_in_codes", export=_codes_export, erase=_codes_erase)
