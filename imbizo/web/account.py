"""A resident's "My account": the municipal accounts linked to them, the requests of
others to see an account they hold, and linking an account by proving it is theirs (the
holder's ID number, or a PIN sent to the phone or e-mail on the bill). The rules, limits
and lockout are billing's (billing/services.py); these pages only show their answers.
The account's own page is web/account_detail.py, its statements web/account_statement.py.
"""

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imbizo.accounts.models import Citizen
from imbizo.billing.models import AccountLink, LinkChallenge
from imbizo.billing.selectors import access_link, account_list, link_list
from imbizo.billing.services import (
    account_link_approve,
    account_link_start,
    account_link_verify,
    account_unlink,
)
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Municipality
from imbizo.messaging.services import message_queue

from .account_forms import IdNumberForm, LinkForm, PinForm
from .pages import home_municipality, page, served
from .session import citizen_actor, request_citizen
from .signin import form_error

PENDING = "imbizo_account_link"  # session: the account being linked and how


def sign_in_first(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode({"next": request.path}))


def send_pin(challenge: LinkChallenge, address: str, message: str) -> None:
    """billing's ``send``: the PIN goes through the outbox to the address on the bill,
    in the same transaction as the challenge."""
    municipality = Municipality.objects.defer("boundary").get(pk=challenge.municipality_id)
    message_queue(to=address, channel=challenge.method, body=message, purpose="service",
                  municipality=municipality,
                  language=translation.get_language() or "en",
                  dedupe_key=f"billing-pin:{challenge.pk}")


def masked_phone(phone: str) -> str:
    return phone[:5] + "•" * max(len(phone) - 8, 0) + phone[-3:] if phone else ""


@require_GET
def account_home(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return sign_in_first(request)
    actor = citizen_actor(request)
    accounts = list(account_list(actor=actor).select_related("municipality")
                    .defer("municipality__boundary").order_by("municipality__name",
                                                              "account_number"))
    links = list(link_list(actor=actor))
    roles = {link.account_id: link.get_role_display() for link in links
             if link.citizen_id == citizen.pk}
    asking = [link for link in links if link.citizen_id != citizen.pk]
    people = {c.pk: c for c in Citizen.objects.filter(pk__in=[x.citizen_id for x in asking])
              .only("pk", "name", "phone")}
    return page(request, "web/account_home.html", {
        "accounts": [(a, roles.get(a.pk, "")) for a in accounts],
        "waiting": [link for link in links if link.citizen_id == citizen.pk and link.pending],
        "asking": [(link, people[link.citizen_id].name or _("A resident"),
                    masked_phone(people[link.citizen_id].phone or "")) for link in asking],
        "form": _link_form(request, None)})


def _link_form(request: HttpRequest, data) -> LinkForm:
    citizen = request_citizen(request)
    home = home_municipality(request)
    return LinkForm(data, municipalities=served(), initial={
        "municipality": home.code if home else "", "method": "id_number"}) \
        if citizen else None


@require_http_methods(["GET", "POST"])
def account_link(request: HttpRequest) -> HttpResponse:
    """Step 1: which account, and how to prove it is yours (a PIN is sent now)."""
    if request_citizen(request) is None:
        return sign_in_first(request)
    form = _link_form(request, request.POST if request.method == "POST" else None)
    if request.method == "GET":  # back from step 2 ("ask for a new PIN"): as typed before
        form.initial |= {k: v for k, v in request.GET.items() if k in form.fields}
    if request.method == "POST" and form.is_valid():
        municipality = form.chosen_municipality()
        number = form.cleaned_data["account_number"].strip()
        method = form.cleaned_data["method"]
        try:
            started = account_link_start(actor=citizen_actor(request), municipality=municipality,
                                         account_number=number, method=method, send=send_pin,
                                         language=translation.get_language())
        except ImbizoError as exc:
            form_error(form, exc)
        else:
            request.session[PENDING] = {"municipality": municipality.code, "number": number,
                                        "method": method, "to": started.destination}
            return HttpResponseRedirect(reverse("web:account_link_verify"))
    return page(request, "web/account_link.html", {"form": form},
                status=_refusal_status(form))


def _refusal_status(form) -> int:
    return 400 if form is not None and form.errors else 200


@require_http_methods(["GET", "POST"])
def account_link_verify_page(request: HttpRequest) -> HttpResponse:
    """Step 2: the holder's ID number, or the PIN just sent."""
    if request_citizen(request) is None:
        return sign_in_first(request)
    pending = request.session.get(PENDING)
    municipality = next((m for m in served() if pending and m.code == pending["municipality"]),
                        None)
    if municipality is None:
        return HttpResponseRedirect(reverse("web:account_link"))
    form_class = IdNumberForm if pending["method"] == "id_number" else PinForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            link = account_link_verify(actor=citizen_actor(request), municipality=municipality,
                                       account_number=pending["number"],
                                       method=pending["method"],
                                       proof=form.cleaned_data["proof"])
        except ImbizoError as exc:
            form_error(form, exc)
        else:
            request.session.pop(PENDING, None)
            return _linked(request, link)
    again = reverse("web:account_link") + "?" + urlencode({
        "municipality": municipality.code, "account_number": pending["number"],
        "method": pending["method"]})
    return page(request, "web/account_link_verify.html", {
        "form": form, "pending": pending, "municipality": municipality, "again": again},
        status=_refusal_status(form))


def _linked(request: HttpRequest, link: AccountLink) -> HttpResponse:
    number = link.account.account_number
    if link.pending:
        messages.success(request, _("Your request to see account %(number)s is with its "
                                    "holder. You will see it once they agree.")
                         % {"number": number})
        return HttpResponseRedirect(reverse("web:account"))
    messages.success(request, _("Account %(number)s is linked to you.") % {"number": number})
    return HttpResponseRedirect(reverse("web:account_detail",
                                        args=[link.municipality.code, number]))


@require_POST
def account_request_answer(request: HttpRequest, link: UUID) -> HttpResponse:
    """The holder agrees that someone else may see their account, or declines."""
    if request_citizen(request) is None:
        return sign_in_first(request)
    actor = citizen_actor(request)
    try:
        asked = access_link(actor, link)
        if request.POST.get("answer") == "approve":
            account_link_approve(actor=actor, link=asked)
            messages.success(request, _("Done: they can now see account %(number)s.")
                             % {"number": asked.account.account_number})
        else:
            account_unlink(actor=actor, link=asked)
            messages.success(request, _("Request declined."))
    except ImbizoError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("web:account"))
