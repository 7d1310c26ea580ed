"""News on the citizen site: the news for a signed-in resident's communities (their
municipality, ward and groups), or a municipality's (and one ward's) for anyone; an
item's page; and joining or leaving interest groups. Plain pages and POST forms, no
JavaScript. Items are shown in the site's language when their author wrote that
version, else in English (docs/news.md)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Ward
from imbizo.news.groups import interest_group_join, interest_group_leave, news_read_record
from imbizo.news.models import InterestGroup, NewsItem
from imbizo.news.selectors import (
    access_published,
    groups_joined,
    interest_groups,
    news_for_resident,
    news_public,
)

from .pages import home_municipality, page, served
from .session import citizen_actor, request_citizen

LISTED = 30


def shown(item: NewsItem, language: str) -> dict:
    title, body, short = item.text_in(language)
    return {"item": item, "title": title, "body": body, "short": short}


def _ward(municipality, number: str) -> Ward | None:
    if not municipality or not number.strip().isdigit():
        return None
    return Ward.objects.defer("boundary").filter(municipality=municipality,
                                                 number=int(number)).first()


@require_GET
def news(request: HttpRequest) -> HttpResponse:
    """A signed-in resident: their communities' news (``?m=`` another municipality's);
    anyone else: the chosen municipality's, all of it or one ward's."""
    citizen = request_citizen(request)
    code = request.GET.get("m", "")
    municipality = home_municipality(request, code)
    mine = citizen is not None and not code and citizen.municipality_id is not None
    ward = None if mine else _ward(municipality, request.GET.get("ward", ""))
    if mine:
        items = news_for_resident(citizen)
    elif municipality is not None:
        items = news_public(municipality_id=municipality.pk,
                            ward_id=ward.pk if ward else None)
    else:
        items = NewsItem.objects.none()
    language = translation.get_language() or "en"
    groups = list(interest_groups(municipality_id=municipality.pk)) if municipality else []
    joined = groups_joined(citizen) if citizen and groups else set()
    wards = list(Ward.objects.filter(municipality=municipality).order_by("number")
                 .values_list("number", flat=True)) if municipality and not mine else []
    return page(request, "web/news/list.html", {
        "municipality": municipality, "municipalities": served(), "mine": mine,
        "ward": ward, "wards": wards,
        "items": [shown(i, language) for i in items.select_related("group")[:LISTED]],
        "groups": [(g, g.pk in joined) for g in groups],
    })


@require_GET
def news_item(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = access_published(pk)
    except ImbizoError:
        raise Http404(_("No such news item.")) from None
    news_read_record(actor=citizen_actor(request), item=item)
    wards = list(item.wards.order_by("number").values_list("number", flat=True)) \
        if item.target not in (NewsItem.Target.MUNICIPALITY, NewsItem.Target.GROUP) else []
    return page(request, "web/news/item.html", {
        **shown(item, translation.get_language() or "en"), "wards": wards,
        "municipality": item.municipality})


def _group_change(request: HttpRequest, pk: int, join: bool) -> HttpResponse:
    back = reverse("web:news")
    if request_citizen(request) is None:
        return HttpResponseRedirect(reverse("web:signin") + f"?next={back}")
    group = InterestGroup.objects.filter(pk=pk, active=True).first()
    if group is None:
        raise Http404(_("No such group."))
    try:
        if join:
            interest_group_join(actor=citizen_actor(request), group=group)
            messages.success(request, _("You joined “%(group)s”. Its news will be sent to "
                                        "you.") % {"group": group.name})
        else:
            interest_group_leave(actor=citizen_actor(request), group=group)
            messages.success(request, _("You left “%(group)s”.") % {"group": group.name})
    except ImbizoError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(f"{back}?m={group.municipality.code}"
                                if group.municipality_id != request_citizen(request)
                                .municipality_id else back)


@require_POST
def group_join(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_change(request, pk, join=True)


@require_POST
def group_leave(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_change(request, pk, join=False)
