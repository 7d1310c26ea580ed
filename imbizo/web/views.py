"""The citizen site's home: the resident's municipality and ward, emergency numbers, the
two things most people come for (report, track), news, and a corner for staff."""

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from imbizo.news.selectors import news_for_resident, news_public

from .news import shown
from .pages import home_municipality, page, served
from .session import request_citizen

HOME_NEWS = 3  # the latest items on the home page; the rest on the news page
# National numbers; a municipality's own will show beside them once the model has them.
EMERGENCY = [("10111", "police"), ("10177", "ambulance"), ("112", "cell")]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request, request.GET.get("m", ""))
    citizen = request_citizen(request)
    ward = citizen.ward if citizen and citizen.ward_id \
        and municipality and citizen.ward.municipality_id == municipality.pk else None
    mine = bool(citizen and municipality and citizen.municipality_id == municipality.pk)
    if mine:
        items = news_for_resident(citizen)
    else:
        items = news_public(municipality_id=municipality.pk) if municipality else []
    language = translation.get_language() or "en"
    return page(request, "web/home.html", {
        "municipality": municipality, "ward": ward, "emergency": EMERGENCY,
        "mine": mine, "news": [shown(item, language) for item in items[:HOME_NEWS]],
        "choices": served() if municipality is None or "m" in request.GET else [],
    })
