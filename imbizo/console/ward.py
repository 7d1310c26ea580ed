"""A ward councillor's cases: those of the ward(s) their memberships name, each with
its public history only (never an internal note). Councillors read here: the case
services let only staff who work or log cases post a public reply
(``cases.lifecycle.case_comment``), so this page offers none."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from imbizo.cases.models import OPEN_STATUSES, CaseUpdate
from imbizo.cases.selectors import case_list, case_page
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor

from .access import console_view
from .roles import CASES, requires

PAGE_SIZE = 30
PUBLIC_KINDS = (CaseUpdate.Kind.STATUS, CaseUpdate.Kind.PUBLIC)


def ward_ids(actor: Actor) -> set[int]:
    return {m.ward_id for m in actor.grants if m.role == "councillor" and m.ward_id}


def ward_cases(*, actor: Actor, include_closed: bool, cursor: str | None):
    """One page of the councillor's ward cases, newest first, public updates prefetched."""
    qs = case_list(actor=actor).filter(ward_id__in=ward_ids(actor)).prefetch_related(
        Prefetch("updates", queryset=CaseUpdate.objects.filter(kind__in=PUBLIC_KINDS),
                 to_attr="public_updates"))
    if not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    try:
        return case_page(qs, cursor=cursor, limit=PAGE_SIZE)
    except ImbizoError:  # a mangled cursor: the first page
        return case_page(qs, cursor=None, limit=PAGE_SIZE)


@require_GET
@console_view
@requires(CASES)
def ward(request):
    actor = request.console_actor
    if not ward_ids(actor):  # staff who are no ward's councillor have no ward here
        return render(request, "console/forbidden.html", status=403)
    include_closed = request.GET.get("all") == "1"
    page = ward_cases(actor=actor, include_closed=include_closed,
                      cursor=request.GET.get("cursor"))
    more = f"?{'all=1&' if include_closed else ''}cursor={page.next_cursor}" \
        if page.next_cursor else None
    return render(request, "console/ward.html", {
        "cases": page.items, "include_closed": include_closed, "next_url": more,
    })
