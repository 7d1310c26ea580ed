"""Share the service: the page with the text to forward (and links that open WhatsApp or
SMS with it), and the short link ``/s/<code>`` a neighbour opens, which lands them on the
municipality's home page. Each counts one use, never whose."""

from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from imbizo.community.share import (
    share_code_for,
    share_given,
    share_link,
    share_open,
    share_text,
)
from imbizo.core.errors import NotFound

from .pages import home_municipality, page


@require_GET
def share(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request, request.GET.get("m", ""))
    if municipality is None:
        return page(request, "web/community/share.html", {"choose": True})
    found = share_code_for(municipality)
    share_given(found)
    text = share_text(found, municipality)
    return page(request, "web/community/share.html", {
        "municipality": municipality, "share": found, "text": text, "link": share_link(found),
        "whatsapp": "https://wa.me/?text=" + quote(text),
        "sms": "sms:?body=" + quote(text)})


@require_GET
def share_landing(request: HttpRequest, code: str) -> HttpResponse:
    try:
        municipality = share_open(code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return HttpResponseRedirect(reverse("home") + "?" + urlencode({"m": municipality}))
