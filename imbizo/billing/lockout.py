"""Limits on proving control of an account: five wrong tries by a resident within an hour,
or ten on one account by anyone (a guesser with many phone numbers), pause linking until
the oldest of those tries is an hour old. Counted in the database, so the limits hold
across processes and channels."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError

from .models import LinkAttempt

WINDOW = timedelta(hours=1)
PER_RESIDENT = 5
PER_ACCOUNT = 10


def _until(attempts, limit: int, now: datetime) -> datetime | None:
    recent = list(attempts.filter(ok=False, created__gt=now - WINDOW).order_by("-created")
                  .values_list("created", flat=True)[:limit])
    return recent[-1] + WINDOW if len(recent) >= limit else None


def at(moment: datetime) -> str:
    """A time as a resident reads it: 14:05, South African time."""
    return time_format(timezone.localtime(moment), "H:i")


def lockout_check(*, citizen, account, now: datetime) -> ImbizoError | None:
    """The refusal to give while the resident, or the account, is paused; else None."""
    if until := _until(LinkAttempt.objects.filter(citizen=citizen), PER_RESIDENT, now):
        return ImbizoError("link_locked", _("Too many wrong tries. Try again at %(time)s.")
                           % {"time": at(until)}, status=429, retry_at=until.isoformat())
    if account is not None and (until := _until(LinkAttempt.objects.filter(account=account),
                                                PER_ACCOUNT, now)):
        return ImbizoError("link_locked",
                           _("Too many wrong tries on this account. Try again at %(time)s.")
                           % {"time": at(until)}, status=429, retry_at=until.isoformat())
    return None


def tries_left(*, citizen, now: datetime) -> int:
    wrong = LinkAttempt.objects.filter(citizen=citizen, ok=False,
                                       created__gt=now - WINDOW).count()
    return max(PER_RESIDENT - wrong, 0)
