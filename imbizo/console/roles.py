"""Which console pages each role works in: the landing page sends each staff member to
their own start, the nav shows only their pages, and a page outside their work is
refused (403) rather than shown empty."""

from functools import wraps

from django.shortcuts import render

from imbizo.accounts.models import Role
from imbizo.core.permissions import Actor

# What each page needs: any one of these permissions, somewhere.
CASES = ("case.view",)
ANSWERING = ("case.log",)  # the inbox and logging for a caller
CONTRACTING = ("workorder.work",)


def may_any(actor: Actor, permissions: tuple[str, ...]) -> bool:
    return any(actor.has(p) for p in permissions)


def is_councillor(actor: Actor) -> bool:
    return any(m.role == Role.COUNCILLOR for m in actor.grants)


def works_cases(actor: Actor) -> bool:
    """Staff who work or log cases (a councillor only reads their ward's)."""
    return may_any(actor, ("case.work", "case.log", "case.assign")) or actor.is_global("case.view")


def start_page(actor: Actor) -> str | None:
    """The URL name of the actor's own start page; None for the queue itself."""
    if works_cases(actor):
        return None
    if is_councillor(actor):
        return "console:ward"
    if may_any(actor, CONTRACTING):
        return "console:work"
    return None


def nav(actor: Actor) -> list[tuple[str, str]]:
    """(URL name, label key) of the pages in the actor's nav."""
    pages = []
    if works_cases(actor):
        pages += [("console:my_queue", "queue"), ("console:cases", "cases")]
    if may_any(actor, ANSWERING):
        pages += [("console:inbox", "inbox"), ("console:call", "call")]
    if is_councillor(actor):
        pages.append(("console:ward", "ward"))
    if may_any(actor, CASES):
        pages.append(("console:map", "map"))
    if may_any(actor, CONTRACTING):
        pages.append(("console:work", "work"))
    return pages


def requires(permissions: tuple[str, ...]):
    """Under ``console_view``: a 403 page for staff whose role has no part here."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not may_any(request.console_actor, permissions):
                return render(request, "console/forbidden.html", status=403)
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
