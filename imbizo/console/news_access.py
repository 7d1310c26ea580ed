"""Who may open the news console, and in which municipality a page works.

Staff holding ``news.publish`` (call-centre agents, managers, municipal and platform
administrators), for the whole municipality whatever a membership is narrowed to, as the
news services have it. Anyone else signed in gets the 403 page. A page works in one
municipality at a time (``?m=<code>`` when the staff member has several; a code outside
theirs is a 404).
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality
from imbizo.news.services import PERMISSION

from .access import console_view


@dataclass(frozen=True)
class Desk:
    municipality: Municipality
    municipalities: list[Municipality]
    staff: Actor

    def query(self, **params) -> str:
        kept = {"m": self.municipality.code} if len(self.municipalities) > 1 else {}
        kept |= {k: v for k, v in params.items() if v not in (None, "")}
        return f"?{urlencode(kept)}" if kept else ""


def news_municipalities(actor: Actor) -> list[Municipality]:
    found = Municipality.objects.defer("boundary").order_by("name")
    if actor.is_global(PERMISSION):
        return list(found.filter(category__in=["A", "B"]))
    return list(found.filter(pk__in=actor.municipality_ids(PERMISSION)))


def may_publish_news(actor: Actor) -> bool:
    return actor.has(PERMISSION)


def news_view(view):
    """Under ``console_view``: the 403 page for staff without ``news.publish``; else
    ``request.desk`` for the municipality asked for (GET or POST ``m``)."""
    @console_view
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        actor = request.console_actor
        if not may_publish_news(actor):
            return render(request, "console/forbidden.html", status=403)
        municipalities = news_municipalities(actor)
        code = request.POST.get("m") or request.GET.get("m")
        chosen = next((m for m in municipalities if m.code == code), None) if code \
            else (municipalities[0] if municipalities else None)
        if chosen is None:
            raise Http404(_("No such municipality here."))
        request.desk = Desk(chosen, municipalities, actor)
        return view(request, *args, **kwargs)
    return wrapped
