"""The installable web app: its manifest, its service worker and the page it shows
offline.

The service worker must be served from the site's root to control every page (a
worker's scope is at most the folder it is served from), so a view returns the static
file ``web/sw.js``, with the address of the static files and a version filled in: the
version is a digest of the app shell, so a deploy that changes any of it makes browsers
install the new worker and drop the old cache.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .pages import SWITCHER

THEME = "#0b4f9c"  # the site's blue (static/web/site.css)
# What the worker keeps for offline use: pages are never cached beyond the offline one.
SHELL = ["web/site.css", "web/app.js", "web/icons/icon-192.png", "web/icons/icon-512.png"]


def _read(name: str) -> bytes:
    return Path(finders.find(name)).read_bytes()


@cache
def _worker() -> bytes:
    """sw.js with its constants; built once a process (the files do not change under it)."""
    shell = [static(name) for name in SHELL]
    digest = hashlib.sha256(b"".join(_read(n) for n in ["web/sw.js", *SHELL])).hexdigest()
    source = _read("web/sw.js").decode()
    source = source.replace('"__VERSION__"', json.dumps(digest[:12]))
    source = source.replace('["__SHELL__"]', json.dumps(shell))
    return source.encode()


@require_GET
@cache_control(no_cache=True)  # browsers check for a new worker at every visit anyway
def service_worker(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_worker(), content_type="text/javascript; charset=utf-8")


@require_GET
@cache_control(max_age=24 * 60 * 60)
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [{"src": static(f"web/icons/icon-{n}.png"), "sizes": f"{n}x{n}",
              "type": "image/png", "purpose": "any maskable"} for n in (192, 512)]
    response = JsonResponse({
        "name": "Imbizo", "short_name": "Imbizo",
        "description": _("Report faults to your municipality and follow them."),
        "lang": request.LANGUAGE_CODE, "start_url": "/", "scope": "/", "id": "/",
        "display": "standalone", "background_color": "#ffffff", "theme_color": THEME,
        "icons": icons}, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Kept by the worker and shown for any page that cannot be loaded: rendered as for a
    visitor, so the copy on the phone holds nothing of whoever was signed in."""
    return render(request, "web/offline.html", {"citizen": None, "municipality": None,
                                                "switcher": SWITCHER, "here": "/"})
