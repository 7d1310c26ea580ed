"""What a locked-out client is told: when to try again, in local time."""

from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone


def locked_until(request, username: str) -> timezone.datetime:
    """The end of the lock on this username from this address: the last failure plus
    the cool-off (tries made while locked do not move it; see settings)."""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    last = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None),
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the console's "locked, try again at HH:MM" page, for every
    sign-in form (the console's and the admin's)."""
    username = get_client_username(request, credentials) or ""
    request.session.pop("console_pending", None)
    return render(request, "console/locked.html",
                  {"until": timezone.localtime(locked_until(request, username))},
                  status=settings.AXES_HTTP_RESPONSE_CODE)
