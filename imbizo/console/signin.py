"""Sign-in: password, then a TOTP code (enrolling a device the first time), both counted
by django-axes; only staff with an active membership (or superusers) get in.

Until the code passes, the session holds only the pending user's id: a password alone
signs no one in. A wrong code counts as a failed sign-in for the username and address
(and on the device's own throttle), so five wrong codes lock out as five wrong passwords
do."""

import base64
import time

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout, user_login_failed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed

from imbizo.accounts.permissions import staff_actor

from .forms import CodeForm, LoginForm
from .middleware import console_session_open
from .services import sign_in_record, totp_device, totp_enrolment_confirm, totp_enrolment_start

PENDING, PENDING_AT, NEXT = "console_pending", "console_pending_at", "console_next"
PENDING_SECONDS = 300


def may_use_console(user) -> bool:
    return user.is_active and (user.is_superuser or bool(staff_actor(user).grants))


def _pending_user(request):
    pk, at = request.session.get(PENDING), request.session.get(PENDING_AT, 0)
    if pk is None or time.time() - at > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def _tries_left(request, username: str) -> int:
    failures = AxesProxyHandler.get_failures(request, {"username": username})
    return max(settings.AXES_FAILURE_LIMIT - failures, 0)


def _wrong(request, form, field: str, username: str, text: str) -> None:
    """Count a failure with axes (which may lock out: its middleware then answers) and
    say how many tries remain."""
    user_login_failed.send(sender=__name__, credentials={"username": username},
                           request=request)
    left = _tries_left(request, username)
    form.add_error(field, text + " " + ngettext(
        "%(n)s try left before sign-in is locked.",
        "%(n)s tries left before sign-in is locked.", left) % {"n": left})


def _next_url(request) -> str:
    wanted = request.session.get(NEXT) or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return wanted
    return "console:my_queue"


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "GET" and request.GET.get("next"):
        request.session[NEXT] = request.GET["next"]
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            if not getattr(request, "axes_locked_out", False):
                left = _tries_left(request, username)
                form.add_error(None, _("Wrong username or password.") + " " + ngettext(
                    "%(n)s try left before sign-in is locked.",
                    "%(n)s tries left before sign-in is locked.", left) % {"n": left})
        elif not may_use_console(user):
            form.add_error(None, _("This account has no access to the staff console."))
        else:
            nxt = request.session.get(NEXT)
            request.session.cycle_key()
            request.session.update({PENDING: user.pk, PENDING_AT: time.time(), NEXT: nxt})
            return redirect("console:verify" if totp_device(user) else "console:enrol")
    return render(request, "console/login.html", {"form": form},
                  status=400 if form.errors else 200)


def _complete(request, user, device):
    """Both factors passed: open the verified console session."""
    nxt = _next_url(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    console_session_open(request)
    sign_in_record(user=user)
    return redirect(nxt)


def _throttled(device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed or info.get("reason") != VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return None
    until = timezone.localtime(info["locked_until"])
    return _("Too many wrong codes: wait until %(time)s.") % {"time": f"{until:%H:%M:%S}"}


@require_http_methods(["GET", "POST"])
def enrol_view(request):
    """First sign-in: show a new secret as a QR code and as text; a code confirms it."""
    user = _pending_user(request)
    if user is None:
        return redirect("console:login")
    if totp_device(user):
        return redirect("console:verify")
    device = totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = _throttled(device)
        if waiting:
            form.add_error("code", waiting)
        elif totp_enrolment_confirm(user=user, device=device, token=form.cleaned_data["code"]):
            return _complete(request, user, device)
        else:
            _wrong(request, form, "code", user.get_username(),
                   _("That code is wrong: check the time on your phone and try again."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "console/enrol.html", {
        "form": form, "qr": segno.make(device.config_url, error="m").svg_inline(scale=5),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def verify_view(request):
    user = _pending_user(request)
    if user is None:
        return redirect("console:login")
    device = totp_device(user)
    if device is None:
        return redirect("console:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = _throttled(device)
        if waiting:
            form.add_error("code", waiting)
        elif device.verify_token(form.cleaned_data["code"]):
            return _complete(request, user, device)
        else:
            _wrong(request, form, "code", user.get_username(), _("That code is wrong."))
    return render(request, "console/verify.html", {"form": form},
                  status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("console:login")
