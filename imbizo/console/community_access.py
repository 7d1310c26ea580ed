"""Who may open the community console (meetings, the directory, sharing), and in which
municipality a page works.

Staff holding ``community.manage``: managers, councillors (meetings of their own wards
only), municipal and platform administrators. The directory and the share settings are
the municipality's, so a councillor, whose membership is narrowed to a ward, gets the 403
page there. A page works in one municipality at a time (``?m=<code>`` when the staff
member has several; a code outside theirs is a 404).
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from imbizo.community.meetings import MANAGE
from imbizo.core.permissions import ROLE_PERMISSIONS, Actor
from imbizo.geo.models import Municipality

from .access import console_view


@dataclass(frozen=True)
class Community:
    municipality: Municipality
    municipalities: list[Municipality]
    staff: Actor

    def query(self, **params) -> str:
        kept = {"m": self.municipality.code} if len(self.municipalities) > 1 else {}
        kept |= {k: v for k, v in params.items() if v not in (None, "")}
        return f"?{urlencode(kept)}" if kept else ""


def _grants(actor: Actor, *, whole: bool) -> list:
    return [m for m in actor.grants if MANAGE in ROLE_PERMISSIONS.get(m.role, ())
            and m.municipality_id and not (whole and m.ward_id)]


def manages_directory(actor: Actor) -> bool:
    """``community.manage`` from a membership not narrowed to a ward."""
    return actor.is_global(MANAGE) or bool(_grants(actor, whole=True))


def _municipalities(actor: Actor, whole: bool) -> list[Municipality]:
    found = Municipality.objects.defer("boundary").order_by("name")
    if actor.is_global(MANAGE):
        return list(found.filter(category__in=["A", "B"]))
    return list(found.filter(pk__in={m.municipality_id for m in _grants(actor, whole=whole)}))


def community_view(*, whole: bool = False):
    """Under ``console_view``: the 403 page for staff without ``community.manage`` (from a
    membership of the whole municipality, or a department, when ``whole``); else
    ``request.community`` for the municipality asked for (GET or POST ``m``)."""
    def decorate(view):
        @console_view
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            actor = request.console_actor
            municipalities = _municipalities(actor, whole)
            if not municipalities:
                return render(request, "console/forbidden.html", status=403)
            code = request.POST.get("m") or request.GET.get("m")
            chosen = next((m for m in municipalities if m.code == code), None) if code \
                else municipalities[0]
            if chosen is None:
                raise Http404(_("No such municipality here."))
            request.community = Community(chosen, municipalities, actor)
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
