"""API v1: News (docs/news.md). Published news for anyone, without personal data:
``GET /news`` (a municipality's, or one ward's or group's) and ``GET /news/{id}``, each
in the language asked for when its author wrote that version, else in English. Staff
and keys holding ``news.publish`` compose, publish, schedule and cancel: each answer
says how many residents the item reaches."""

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.selectors import municipality_by_code
from imbizo.news.models import NewsItem
from imbizo.news.selectors import access_news, access_published, news_public
from imbizo.news.services import (
    news_cancel,
    news_compose,
    news_publish,
    news_reach,
    news_schedule,
)
from imbizo.news.targets import Reach

from .auth import api_auth
from .ranges import Moment

router = Router(tags=["news"])
LIMIT = 100
ID = {"ge": 1, "le": 2**63 - 1}  # a bigint
Language = Literal[tuple(code for code, _name in settings.LANGUAGES)]


class NewsOut(Schema):
    id: int
    municipality: str
    title: str
    short: str
    language: str = Field(description="The language of the texts: the one asked for if its "
                                      "author wrote it, else en.")
    published: datetime | None
    target: str
    wards: list[int] = Field(description="The wards it is for (its suburbs' and zone's).")
    group: str | None
    urgent: bool


class NewsDetailOut(NewsOut):
    body: str


def _wards_prefetched():
    return Prefetch("wards", queryset=Ward.objects.defer("boundary").order_by("number"))


def _out(item: NewsItem, language: str, *, body: bool = False) -> dict:
    title, text, short = item.text_in(language)
    shown = language if language in item.translations else "en"
    found = {"id": item.pk, "municipality": item.municipality.code, "title": title,
             "short": short, "language": shown, "published": item.published,
             "target": item.target, "wards": [w.number for w in item.wards.all()],
             "group": item.group.name if item.group_id else None, "urgent": item.urgent}
    return found | {"body": text} if body else found


@router.get("/news", response=list[NewsOut], auth=None,
            summary="Published news of a municipality (or one ward's, or one group's)")
def news_list(request, municipality: str = Query(..., min_length=1, max_length=32),
              ward: int | None = Query(None, ge=1, le=999),
              group: int | None = Query(None, **ID),
              language: Language = "en", limit: int = Query(20, ge=1, le=LIMIT)):
    """Newest first. With ``ward``: the news for the whole municipality and for that ward
    (suburbs and zones in it included); with ``group``: that interest group's."""
    found = municipality_by_code(municipality)
    ward_id = None
    if ward is not None:
        ward_id = Ward.objects.filter(municipality=found, number=ward).values_list(
            "pk", flat=True).first()
        if ward_id is None:
            raise NotFound("unknown_ward", _("%(municipality)s has no ward %(n)s.")
                           % {"municipality": found.name, "n": ward}, field="ward")
    items = news_public(municipality_id=found.pk, ward_id=ward_id, group_id=group) \
        .select_related("group").prefetch_related(_wards_prefetched())[:limit]
    for item in items:
        item.municipality = found
    return [_out(item, language) for item in items]


@router.get("/news/{news_id}", response=NewsDetailOut, auth=None,
            summary="One published news item")
def news_detail(request, news_id: int = Path(..., **ID), language: Language = "en"):
    return _out(access_published(news_id), language, body=True)


# --- staff ------------------------------------------------------------------------------
class VersionIn(Schema):
    title: str = Field("", max_length=200)
    body: str = Field("", max_length=5000)
    short: str = Field("", max_length=200)


class ComposeIn(Schema):
    municipality: str | None = Field(None, description="Its code; a key's own by default.")
    title: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    short: str = Field(max_length=200, description="The SMS and USSD text, at most 160.")
    translations: dict[Literal["zu", "xh", "af", "st", "tn"], VersionIn] = Field(
        default_factory=dict, description="Versions in other languages, each whole.")
    kind: Literal["news", "broadcast"] = "news"
    urgent: bool = False
    target: Literal["municipality", "wards", "suburbs", "zone", "group"] = "municipality"
    wards: list[int] = Field(default_factory=list, max_length=500)
    suburbs: list[str] = Field(default_factory=list, max_length=500)
    zone: dict[str, Any] | None = Field(None, description="A GeoJSON Polygon or "
                                                          "MultiPolygon, lon/lat.")
    group: int | None = None


class ScheduleIn(Schema):
    send_at: Moment


class ReachOut(Schema):
    residents: int = Field(description="Residents in the target.")
    consenting: int = Field(description="Of them, those a broadcast is sent to (agreed to "
                                        "news and alerts).")
    wards: list[int]


class StaffNewsOut(Schema):
    id: int
    municipality: str
    status: str
    kind: str
    title: str
    target: str
    send_at: datetime | None
    published: datetime | None
    queued: int
    skipped: int
    reach: ReachOut


def _staff_out(item: NewsItem, reach: Reach) -> dict:
    return {"id": item.pk, "municipality": item.municipality.code, "status": item.status,
            "kind": item.kind, "title": item.title, "target": item.target,
            "send_at": item.send_at, "published": item.published, "queued": item.queued,
            "skipped": item.skipped, "reach": vars(reach)}


def _municipality(request, code: str | None) -> Municipality:
    if code:
        return municipality_by_code(code)
    if request.auth.kind == "integrator":
        return request.auth.api_key.municipality
    raise ImbizoError("municipality_required", _("Name the municipality by its code."),
                      field="municipality")


@router.post("/news", response={201: StaffNewsOut}, auth=api_auth,
             summary="Compose a news item or broadcast (a draft)")
def compose(request, payload: ComposeIn):
    data = payload.dict()
    item = news_compose(actor=request.auth,
                        municipality=_municipality(request, data.pop("municipality")), **data)
    return Status(201, _staff_out(item, news_reach(actor=request.auth, item=item)))


def _mine(request, news_id: int) -> NewsItem:
    return access_news(request.auth, news_id)


@router.post("/news/{news_id}/publish", response=StaffNewsOut, auth=api_auth,
             summary="Publish now (a broadcast is also sent)")
def publish(request, news_id: int = Path(..., **ID)):
    item, reach = news_publish(actor=request.auth, item=_mine(request, news_id))
    return _staff_out(item, reach)


@router.post("/news/{news_id}/schedule", response=StaffNewsOut, auth=api_auth,
             summary="Publish (and send) at a time")
def schedule(request, payload: ScheduleIn, news_id: int = Path(..., **ID)):
    item, reach = news_schedule(actor=request.auth, item=_mine(request, news_id),
                                send_at=payload.send_at)
    return _staff_out(item, reach)


@router.post("/news/{news_id}/cancel", response=StaffNewsOut, auth=api_auth,
             summary="Cancel a draft or a scheduled item")
def cancel(request, news_id: int = Path(..., **ID)):
    item = news_cancel(actor=request.auth, item=_mine(request, news_id))
    return _staff_out(item, news_reach(actor=request.auth, item=item))
