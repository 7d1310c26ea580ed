"""The revenue console (docs/console.md, "Revenue"): its start page, the accounts and one
account's page, and a reading's photo. Only revenue staff reach it
(``revenue_access.revenue_view``), in one municipality at a time."""

import hashlib
import mimetypes
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from imbizo.billing.models import ARREARS_BUCKETS
from imbizo.billing.pins import masked

from .revenue_access import revenue_view
from .revenue_forms import AccountSearchForm
from .revenue_selectors import (
    account_page,
    account_search,
    late_before,
    payment_state,
    reading_of,
    waiting_counts,
)


def masked_name(name: str) -> str:
    """A linked resident's name as revenue staff see it: the first letter of each part.
    Their link is the resident's own record (billing/privacy.py), not the billing
    system's, and staff need to know that someone is linked, not who."""
    parts = [p for p in (name or "").split() if p]
    return " ".join(f"{p[0]}•••" for p in parts) or _("A resident")


@require_GET
@revenue_view
def home(request):
    revenue = request.revenue
    return render(request, "console/revenue/home.html", {
        "revenue": revenue, "counts": waiting_counts(revenue=revenue),
        "days": settings.BILLING_RECONCILE_DAYS})


@require_GET
@revenue_view
def accounts(request):
    revenue = request.revenue
    form = AccountSearchForm(request.GET, auto_id="search-%s")
    q, by = "", "number"
    if form.is_valid():
        q, by = form.cleaned_data["q"], form.search_by()
    page = account_search(revenue=revenue, q=q, by=by, cursor=request.GET.get("after"))
    rows = [(a, [(b, a.arrears[b]) for b in ARREARS_BUCKETS]) for a in page.items]
    return render(request, "console/revenue/accounts.html", {
        "revenue": revenue, "form": form, "rows": rows, "buckets": ARREARS_BUCKETS,
        "next_url": revenue.query(q=q, by=form.data.get("by", ""), after=page.next_cursor)
        if page.next_cursor else None})


@require_GET
@revenue_view
def account(request, key: UUID):
    revenue = request.revenue
    found = account_page(revenue=revenue, key=key)
    if found is None:
        raise Http404(_("No such account."))
    late = late_before()
    return render(request, "console/revenue/account.html", {
        "revenue": revenue, "page": found, "account": found.account,
        "arrears": [(b, found.account.arrears[b]) for b in ARREARS_BUCKETS],
        "links": [(link, masked_name(link.citizen.name),
                   masked(link.citizen.phone) if link.citizen.phone else "")
                  for link in found.links],
        "payments": [(p, payment_state(p, late)) for p in found.payments]})


@require_safe
@revenue_view
def reading_photo(request, key: UUID):
    """The photo sent with a reading, streamed, for revenue staff of its municipality;
    anyone else gets the 404 an unknown reading gets (or the 403 page, not being revenue
    staff), as case photos answer (api/photos.py)."""
    reading = reading_of(revenue=request.revenue, key=key)
    if reading is None or not reading.photo:
        raise Http404(_("No such photo."))
    etag = f'"{reading.photo_sha256 or hashlib.sha256(reading.photo.name.encode()).hexdigest()}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        try:
            handle = reading.photo.storage.open(reading.photo.name, "rb")
        except FileNotFoundError:
            raise Http404(_("No such photo.")) from None
        kind = mimetypes.guess_type(reading.photo.name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=kind)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
