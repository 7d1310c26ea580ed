"""Paying a municipal account on the site, without JavaScript (docs/billing.md,
"Payments").

``/pay/<municipality>/<account>``: a signed-in resident linked to the account types an
amount (the amount due to start with); ``payment_start`` records it, and the same page
then shows a form that the resident submits, with a button, to the provider's hosted page
(nothing submits itself: the site runs no inline script). The provider sends them back to
``/pay/return/<uuid>`` or ``/pay/cancel/<uuid>``; the provider's notification to
``/pay/notify/<provider>`` is what completes a payment, never the return. The sandbox
provider's hosted page is ``/pay/sandbox/<uuid>``, a demo with Pay and Cancel buttons that
sends its signed notification through the same service.
"""

import ipaddress
from urllib.parse import urlencode

from csp.decorators import csp_exempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from imbizo.billing.models import Payment, UtilityAccount
from imbizo.billing.payments import (
    access_payment,
    payment_cancel,
    payment_checkout,
    payment_list,
    payment_notified,
    payment_start,
)
from imbizo.billing.providers import CheckoutUrls, provider_for
from imbizo.billing.selectors import access_account
from imbizo.core.errors import ImbizoError, NotFound

from .pages import page
from .session import citizen_actor, request_citizen
from .signin import form_error

PAYMENTS_SHOWN = 5  # the resident's last payments of the account, on its pay page
FORM = "application/x-www-form-urlencoded"


class PayForm(forms.Form):
    """The amount as typed: the payments service checks it and says what is wrong."""

    amount = forms.CharField(
        label=_("Amount to pay (rand)"), max_length=20,
        help_text=_("Rands and cents, like 250.00. You pay on the payment provider's secure "
                    "page: your card details never reach us."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


def _sign_in_first(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode(
        {"next": request.get_full_path()}))


def _account(request: HttpRequest, municipality: str, number: str) -> UtilityAccount:
    try:
        return access_account(citizen_actor(request), municipality=municipality.upper(),
                              account_number=number)
    except NotFound:
        raise Http404 from None


def _due(account: UtilityAccount) -> str:
    return f"{account.balance:.2f}" if account.balance > 0 else ""


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, municipality: str, account_number: str) -> HttpResponse:
    if request_citizen(request) is None:
        return _sign_in_first(request)
    account = _account(request, municipality, account_number)
    if request.method == "GET" and request.GET.get("payment"):
        return _checkout(request, account, request.GET["payment"])
    form = PayForm(request.POST or None, initial={"amount": _due(account)})
    if request.method == "POST" and form.is_valid():
        try:
            payment = payment_start(actor=citizen_actor(request), account=account,
                                    amount=form.cleaned_data["amount"])
        except ImbizoError as exc:
            form_error(form, exc)
        else:  # the checkout has an address of its own, so a reload starts nothing more
            return HttpResponseRedirect(f"{request.path}?{urlencode({'payment': payment.uuid})}")
    payments = list(payment_list(actor=citizen_actor(request), account=account)
                    [:PAYMENTS_SHOWN])
    return page(request, "web/pay_form.html", {
        "account": account, "municipality": account.municipality, "form": form,
        "payments": payments})


def _urls(payment: Payment) -> CheckoutUrls:
    site, key = settings.SITE_URL, payment.uuid
    return CheckoutUrls(
        return_url=site + reverse("web:pay_return", args=[key]),
        cancel_url=site + reverse("web:pay_cancel", args=[key]),
        notify_url=site + reverse("web:pay_notify", args=[payment.provider]),
        demo_page_url=reverse("web:pay_sandbox", args=[key]))


def _checkout(request: HttpRequest, account: UtilityAccount, key: str) -> HttpResponse:
    """The page that sends the resident to the provider: a summary and one button."""
    actor = citizen_actor(request)
    try:
        payment = access_payment(actor, key)
    except NotFound:
        raise Http404 from None
    if payment.account_id != account.pk:
        raise Http404
    if payment.status != Payment.Status.INITIATED:
        return HttpResponseRedirect(reverse("web:pay_return", args=[payment.uuid]))
    try:
        provider, checkout = payment_checkout(actor=actor, payment=payment,
                                              urls=_urls(payment))
    except ImbizoError as exc:  # its provider is no longer configured: start again
        messages.error(request, exc.message)
        return HttpResponseRedirect(request.path)
    response = page(request, "web/pay_checkout.html", {
        "account": account, "municipality": account.municipality, "payment": payment,
        "checkout": checkout, "provider": provider})
    if checkout.origins:  # the form posts to the provider's site: allowed for this page
        response._csp_update = {"form-action": list(checkout.origins)}
    return response


def _own_payment(request: HttpRequest, key) -> Payment | None:
    if request_citizen(request) is None:
        return None
    try:
        return access_payment(citizen_actor(request), key)
    except NotFound:
        return None


@require_GET
def pay_return(request: HttpRequest, key) -> HttpResponse:
    """Where the provider sends the resident after paying. It credits nothing (the
    notification does): it says what we know. Someone else, or a resident whose session
    ended, gets the same words without the payment's details."""
    payment = _own_payment(request, key)
    return page(request, "web/pay_return.html", {
        "payment": payment, "municipality": payment.municipality if payment else None})


@require_GET
def pay_cancel(request: HttpRequest, key) -> HttpResponse:
    """Where the provider sends a resident who did not pay: their payment waiting for an
    outcome is cancelled (a notification that it was paid after all still completes it)."""
    payment = _own_payment(request, key)
    if payment is not None:
        payment = payment_cancel(actor=citizen_actor(request), payment=payment)
    return page(request, "web/pay_cancel.html", {
        "payment": payment, "municipality": payment.municipality if payment else None})


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in ipaddress.ip_network(net, strict=False)
               for net in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str:
    """Who sent the request: the peer, or behind the reverse proxies in TRUSTED_PROXIES
    the last address in X-Forwarded-For that none of them added."""
    peer = request.META.get("REMOTE_ADDR", "")
    try:
        if not settings.TRUSTED_PROXIES or not _trusted(ipaddress.ip_address(peer)):
            return peer
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed([h for h in hops if h]):
            if not _trusted(ipaddress.ip_address(hop)):
                return hop
    except ValueError:
        return ""
    return peer


def _answer(status: int) -> HttpResponse:
    text = {200: "OK", 400: "Not verified: nothing was recorded.",
            404: "No such payment provider."}.get(status, "Try again later.")
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    if status == 503:
        response["Retry-After"] = "600"
    return response


@csrf_exempt  # the provider holds no CSRF token: its notification is verified instead
@csp_exempt()  # answered to the provider's server, never shown in a browser
def pay_notify(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's notification (PayFast's ITN), form-encoded as PayFast posts it:
    200 once it is recorded (a replay too: nothing more is credited), 400 when it cannot
    be verified (logged; nothing credited), 503 when the provider could not be asked to
    confirm it (it sends it again)."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if provider_for(provider) is None:
        return _answer(404)
    if request.content_type != FORM:
        return _answer(400)
    fields = {key: request.POST.get(key, "") for key in request.POST}
    try:
        notified = payment_notified(provider=provider, fields=fields,
                                    source_ip=client_address(request), raw=request.body)
    except NotFound:
        return _answer(404)
    return _answer(notified.http_status)


@require_http_methods(["GET", "POST"])
def pay_sandbox(request: HttpRequest, key) -> HttpResponse:
    """The sandbox's "hosted page": a demo, no card form. Pay or Cancel makes the signed
    notification a provider would send and hands it to the same service as
    ``pay_notify``, then sends the resident back as a provider would."""
    payment = _own_payment(request, key)
    sandbox = provider_for("sandbox")
    if payment is None or payment.provider != sandbox.slug \
            or sandbox.slug != settings.BILLING_PAYMENT_PROVIDER:
        raise Http404
    back = reverse("web:pay_return", args=[payment.uuid])
    if payment.status != Payment.Status.INITIATED:
        return HttpResponseRedirect(back)
    if request.method == "POST":
        paid = request.POST.get("action") == "pay"
        fields = sandbox.notification_for(payment, "COMPLETE" if paid else "CANCELLED")
        payment_notified(provider=sandbox.slug, fields=fields,
                         source_ip=client_address(request), raw=urlencode(fields).encode())
        return HttpResponseRedirect(back if paid else reverse("web:pay_cancel",
                                                              args=[payment.uuid]))
    return page(request, "web/pay_sandbox.html", {
        "payment": payment, "municipality": payment.municipality})
