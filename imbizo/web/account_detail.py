"""One linked account: what is owed and by when, arrears by age, the last statements with
their lines, the transactions, "Query this bill" (a case for Revenue & Billing,
billing/queries.py) and, for the holder, who else sees it. An account the resident may
not see is the same 404 as one that does not exist."""

import secrets
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from imbizo.billing.models import ARREARS_BUCKETS
from imbizo.billing.overview import AccountOverview, account_overview
from imbizo.billing.queries import bill_query
from imbizo.billing.selectors import access_link
from imbizo.billing.services import account_unlink
from imbizo.core.errors import ImbizoError, NotFound

from .account import masked_phone, sign_in_first
from .account_forms import QueryForm
from .pages import page
from .session import citizen_actor, request_citizen
from .signin import form_error


def overview_or_404(request: HttpRequest, municipality: str,
                    account_number: str) -> AccountOverview:
    try:
        return account_overview(actor=citizen_actor(request), municipality=municipality,
                                account_number=account_number)
    except NotFound as exc:
        raise Http404(exc.message) from None


@require_GET
def account_detail(request: HttpRequest, municipality: str, account_number: str) -> HttpResponse:
    if request_citizen(request) is None:
        return sign_in_first(request)
    overview = overview_or_404(request, municipality, account_number)
    form = QueryForm(statements=overview.statements,
                     initial={"token": secrets.token_urlsafe(16)})
    return _page(request, overview, form)


def _page(request: HttpRequest, overview: AccountOverview, form: QueryForm,
          status: int = 200) -> HttpResponse:
    account = overview.account
    return page(request, "web/account_detail.html", {
        "overview": overview, "account": account, "municipality": account.municipality,
        "arrears": [(bucket, account.arrears[bucket]) for bucket in ARREARS_BUCKETS],
        "others": [(link, link.citizen.name or _("A resident"),
                    masked_phone(link.citizen.phone or "")) for link in overview.others],
        "form": form}, status=status)


@require_POST
def account_query(request: HttpRequest, municipality: str, account_number: str) -> HttpResponse:
    """"Query this bill": logged as a case, its reference shown on the page."""
    if request_citizen(request) is None:
        return sign_in_first(request)
    overview = overview_or_404(request, municipality, account_number)
    form = QueryForm(request.POST, statements=overview.statements)
    if form.is_valid():
        statement, line = _about(overview, form.cleaned_data["about"])
        try:
            case = bill_query(actor=citizen_actor(request), account=overview.account,
                              text=form.cleaned_data["text"], statement=statement, line=line,
                              idempotency_key=f"web:{form.cleaned_data['token']}")
        except ImbizoError as exc:
            form_error(form, ImbizoError(exc.code, exc.message, field={
                "description_required": "text", "text_too_long": "text"}.get(exc.code)))
        else:
            messages.success(request, _("Your query is logged with reference %(reference)s. "
                                        "Revenue & Billing will answer you.")
                             % {"reference": case.reference})
            return HttpResponseRedirect(reverse("web:account_detail",
                                                args=[municipality, account_number]) + "#query")
    return _page(request, overview, form, status=400)


def _about(overview: AccountOverview, about: str):
    """The statement and line a query is about, from the form's "2026-06" or "2026-06:2"."""
    month, _sep, number = (about or "").partition(":")
    statement = next((s for s in overview.statements if f"{s.period:%Y-%m}" == month), None)
    line = next((x for x in statement.lines.all() if str(x.line) == number), None) \
        if statement is not None and number else None
    return statement, line


@require_POST
def account_unlink_view(request: HttpRequest, municipality: str,
                        account_number: str) -> HttpResponse:
    """The resident ends their own link, or the holder another's ("link" names it)."""
    if request_citizen(request) is None:
        return sign_in_first(request)
    overview = overview_or_404(request, municipality, account_number)
    actor = citizen_actor(request)
    try:
        link = access_link(actor, UUID(request.POST["link"])) if request.POST.get("link") \
            else overview.link
        if link is None or link.account_id != overview.account.pk:
            raise NotFound("link_not_found", _("No such account link."))
        account_unlink(actor=actor, link=link)
    except (ImbizoError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("No such account link.")))
        return HttpResponseRedirect(reverse("web:account_detail",
                                            args=[municipality, account_number]))
    if link.pk == getattr(overview.link, "pk", None):
        messages.success(request, _("Account %(number)s is no longer linked to you.")
                         % {"number": overview.account.account_number})
        return HttpResponseRedirect(reverse("web:account"))
    messages.success(request, _("They can no longer see this account."))
    return HttpResponseRedirect(reverse("web:account_detail",
                                        args=[municipality, account_number]))
