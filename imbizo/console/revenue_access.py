"""Who may open the revenue console, and in which municipality they work there.

Revenue staff (``billing.policy.revenue_municipality_ids``): managers of a municipality's
Revenue & Billing department, or of the whole municipality, and platform administrators.
Anyone else signed in gets the 403 page, before any account is read.

A page works in one municipality at a time (``?m=<code>`` when the staff member has
several; a code outside their own is a 404). Billing reads on these pages go through
``revenue.billing``: the staff member in that one municipality with the role the billing
selectors scope by (a department's membership opens no billing rows, which carry no
department), so they reach that municipality's records and nothing else. Writes are made
by the staff member's own actor (``revenue.staff``), which each service checks again and
the audit log names; cases are read with it too, unchanged.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from imbizo.accounts.models import Membership, Role
from imbizo.billing.policy import revenue_municipality_ids
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality

from .access import console_view


@dataclass(frozen=True)
class Revenue:
    municipality: Municipality
    municipalities: list[Municipality]  # where the staff member may work here
    billing: Actor  # for billing selectors: this municipality only
    staff: Actor  # the signed-in staff member's own actor

    def query(self, **params) -> str:
        """The municipality's code as a query parameter, when there is a choice."""
        kept = {"m": self.municipality.code} if len(self.municipalities) > 1 else {}
        kept |= {k: v for k, v in params.items() if v not in (None, "")}
        return f"?{urlencode(kept)}" if kept else ""


def revenue_municipalities(actor: Actor) -> list[Municipality]:
    ids = revenue_municipality_ids(actor)
    found = Municipality.objects.defer("boundary").order_by("name")
    return list(found if ids is None else found.filter(pk__in=ids))


def may_use_revenue(actor: Actor) -> bool:
    ids = revenue_municipality_ids(actor)
    return ids is None or bool(ids)


def billing_actor(actor: Actor, municipality: Municipality) -> Actor:
    grant = Membership(user=actor.user, role=Role.MANAGER, municipality=municipality)
    return Actor(kind="staff", channel=actor.channel, user=actor.user, grants=[grant])


def revenue_view(view):
    """Under ``console_view``: the 403 page for staff who are not revenue staff; else
    ``request.revenue`` for the municipality asked for (GET or POST ``m``)."""
    @console_view
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        actor = request.console_actor
        municipalities = revenue_municipalities(actor)
        if not municipalities:
            return render(request, "console/forbidden.html", status=403)
        code = request.POST.get("m") or request.GET.get("m")
        chosen = next((m for m in municipalities if m.code == code), None) if code \
            else municipalities[0]
        if chosen is None:
            raise Http404(_("No such municipality here."))
        request.revenue = Revenue(chosen, municipalities, billing_actor(actor, chosen), actor)
        return view(request, *args, **kwargs)
    return wrapped
