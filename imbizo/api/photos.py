"""Photo addresses that answer: ``/photos/<uuid>``, ``/photos/<uuid>/thumbnail`` and
``/photos/notes/<id>`` (a work order note's photo).

A thin view over ``cases.photos.photo_get``: the caller is an API key (``X-API-Key``),
a signed-in staff member, or anyone holding a signed address; the file is streamed, never
read whole. Public photos may be cached by anyone; every other answer is private and not
stored.
"""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import path
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from imbizo.cases import photos
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor

from .keys import api_key_actor
from .problems import imbizo_error_response

PUBLIC_CACHE = "public, max-age=86400"
PRIVATE_CACHE = "private, no-store"


def _actor(request: HttpRequest) -> Actor:
    key = request.headers.get("X-API-Key")
    if key:
        return api_key_actor(key) or Actor(kind="anonymous", channel="api")
    return request.actor  # the signed-in staff member's, or anonymous


def _serve(request: HttpRequest, kind: str, key) -> HttpResponse:
    try:
        photo = photos.photo_get(actor=_actor(request), kind=kind, key=key,
                                 signature=request.GET.get("s"))
    except ImbizoError as exc:
        return imbizo_error_response(request, exc)
    response = get_conditional_response(request, etag=photo.etag)
    if response is None:
        response = FileResponse(photo.file, content_type=photo.content_type)
    else:
        photo.file.close()
    response["ETag"] = photo.etag
    response["Cache-Control"] = PUBLIC_CACHE if photo.public else PRIVATE_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def image(request: HttpRequest, key) -> HttpResponse:
    return _serve(request, photos.IMAGE, key)


@require_safe
def thumbnail(request: HttpRequest, key) -> HttpResponse:
    return _serve(request, photos.THUMBNAIL, key)


@require_safe
def note(request: HttpRequest, key: int) -> HttpResponse:
    return _serve(request, photos.NOTE, key)


app_name = "photos"
urlpatterns = [
    path("<uuid:key>", image, name=photos.IMAGE),
    path("<uuid:key>/thumbnail", thumbnail, name=photos.THUMBNAIL),
    path("notes/<int:key>", note, name=photos.NOTE),
]
