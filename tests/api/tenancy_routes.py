"""Every route of the API v1, Open311 and the site, and what each caller may do there.

``routes_enumerated()`` reads the routes from the running code: the API's OpenAPI
document (method and path), Open311's URLconf and the project's root URLconf (all but
the admin; the API's own pages, such as its documentation, included). ``ROUTES`` maps
each of them to how to call it (paths filled from the world: ``{A.public.reference}`` is
the public case of AAA, the caller's own municipality when the caller is of AAA) and what
each caller class gets. A route added without an entry here fails
test_the_table_covers_every_route, naming it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import URLPattern, URLResolver
from django.utils import timezone

from imbizo.accounts.models import Role
from imbizo.api.v1 import api
from imbizo.open311 import urls as open311_urls
from imbizo.urls import urlpatterns as root_urlpatterns

from .tenancy_world import (
    AAA,
    ERASES_RESIDENTS,
    EXPORTS_RESIDENTS,
    IMPORTS_BILLING,
    LOGS_CASES,
    NEIGHBOURS,
    READS_ANALYTICS,
    RESIDENTS,
    VIEWS_BILLING,
    VIEWS_CASES,
    VIEWS_RESIDENTS,
    WORKS_CASES,
    Caller,
    World,
    photo_bytes,
)

OPEN311 = "/open311/v2/"
# The Django admin is scoped by audit/admin_scoping.py and tested in tests/web; Open311
# is enumerated apart.
ROOT_SKIPPED = {"admin/", "open311/v2/"}
ANY = "ANY"  # a plain Django view answers whichever methods it decides


# --- enumeration ------------------------------------------------------------------------
def _template(pattern) -> str:
    """``^requests/(?P<service_request_id>[^/]+?)\\.(?P<fmt>…)$`` -> ``requests/{id}.{fmt}``,
    ``photos/<uuid:uuid>`` -> ``photos/{uuid}``."""
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", str(pattern))
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.removeprefix("^").removesuffix("$").replace("\\.", ".").replace("\\Z", "")


def _flatten(patterns, prefix: str):
    for entry in patterns:
        here = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            if prefix == "/" and here.removeprefix("/") in ROOT_SKIPPED:
                continue
            yield from _flatten(entry.url_patterns, here)
        elif isinstance(entry, URLPattern):
            yield here


def routes_enumerated() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = {(method.upper(), path) for path, operations in schema["paths"].items()
             for method in operations}
    found |= {(ANY, path) for path in _flatten(open311_urls.urlpatterns, OPEN311)}
    # The API's operations are named by method above; its other pages (documentation).
    found |= {(ANY, path) for path in _flatten(root_urlpatterns, "/")
              if path not in schema["paths"]}
    return found


# --- who may do what (on records of AAA) -----------------------------------------------
def anonymous(c: Caller) -> bool:
    return c.kind == "anonymous"


def sees_case(c: Caller) -> bool:
    """Every case of the world lies in ward 1 and goes to roads, so the narrowed officer,
    supervisor and councillor see them all."""
    return c.holds(VIEWS_CASES)


def logs(c: Caller) -> bool:
    return c.holds(LOGS_CASES)


def works(c: Caller) -> bool:
    return c.holds(WORKS_CASES)


def sees_resident(c: Caller) -> bool:
    """The resident lives in ward 1; a membership narrowed to a department opens no
    resident (least privilege)."""
    return c.holds(VIEWS_RESIDENTS) and not c.narrowed_to_department


def sees_accounts(c: Caller) -> bool:
    """billing.view: the call centre, managers, administrators (and the billing system's
    key, a manager's)."""
    return c.holds(VIEWS_BILLING)


def imports_accounts(c: Caller) -> bool:
    return c.holds(IMPORTS_BILLING)


def is_contractor_of_the_order(c: Caller) -> bool:
    return c.name == f"staff-{AAA}-contractor"


def anyone(_c: Caller) -> int:
    return 200


def signed_in(c: Caller) -> int:
    return 401 if anonymous(c) else 200


def read(allowed: Callable[[Caller], bool]) -> Callable[[Caller], int]:
    """A read of one record: 404 to whoever may not see it (no hint it exists)."""
    return lambda c: 401 if anonymous(c) else 200 if allowed(c) else 404


def guarded(allowed: Callable[[Caller], bool]) -> Callable[[Caller], int]:
    """An action guarded by a permission, on no record in particular."""
    return lambda c: 401 if anonymous(c) else 200 if allowed(c) else 403


def change(allowed: Callable[[Caller], bool],
           visible: Callable[[Caller], bool] = sees_case) -> Callable[[Caller], int]:
    """A change to one record: 404 if the caller may not see it, 403 if they may see but
    not change it."""
    return lambda c: (401 if anonymous(c) else 200 if allowed(c)
                      else 403 if visible(c) else 404)


def found_by(allowed: Callable[[Caller], bool]) -> Callable[[Caller], int]:
    """A page or file outside the API: whoever may not see it gets the same 404 as for
    one that does not exist, signed in or not."""
    return lambda c: 200 if allowed(c) else 404


def works_the_order(c: Caller) -> bool:
    return works(c) or is_contractor_of_the_order(c)


def sees_the_order(c: Caller) -> bool:
    return sees_case(c) or is_contractor_of_the_order(c)


def open311_post(c: Caller) -> int:
    """Open311 clients post with an api_key in the form; a session is no key."""
    return 200 if c.kind == "key" and logs(c) else 403


def not_found(_c: Caller) -> int:
    return 404


def console(needs: set[str], allowed: Callable[[Caller], bool] = lambda c: True, ok: int = 200,
            refused: int = 404) -> Callable[[Caller], int]:
    """A console page: whoever has no staff session that passed both factors is sent to
    sign in (an API key opens nothing here); staff holding none of the roles ``needs``
    get the 403 page (not their work); the others ``ok`` if ``allowed``, else
    ``refused`` (404: no hint the record exists)."""
    def expect(c: Caller) -> int:
        if c.kind != "staff":
            return 302
        if not (set(c.roles) & needs):
            return 403
        return ok if allowed(c) else refused
    return expect


def console_landing(c: Caller) -> int:
    """The queue for those who work cases; a councillor's and a contractor's own start
    pages (a redirect); 403 for roles with no console work."""
    roles = set(c.roles)
    if c.kind != "staff" or (roles & {Role.COUNCILLOR, Role.CONTRACTOR}
                             and not roles & (LOGS_CASES | WORKS_CASES)):
        return 302
    return 200 if roles & VIEWS_CASES else 403


def answers_for(c: Caller) -> bool:
    """Hand-overs of AAA reach the staff who log AAA's cases for the whole municipality
    (not those narrowed to one department)."""
    return c.holds(LOGS_CASES) and not c.narrowed_to_department


CONTRACTS = {Role.CONTRACTOR}
# The revenue console (tests/console/test_revenue_*.py): billing.manage from a membership
# of the whole municipality or its Revenue & Billing department. In the world, managers
# are the whole municipality's; BBB's manager sees BBB's own pages, none of AAA's records.
REVENUE = {Role.MANAGER, Role.PLATFORM_ADMIN}


def revenue_of_aaa(c: Caller) -> bool:
    return c.holds(REVENUE)


# News (tests/news): news.publish for the call centre, managers and administrators.
PUBLISHES_NEWS = {Role.AGENT, Role.MANAGER, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}


def publishes_news(c: Caller) -> bool:
    return c.holds(PUBLISHES_NEWS)


# Meetings, the directory and sharing (tests/community): community.manage.
ORGANISES = {Role.MANAGER, Role.COUNCILLOR, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}
KEEPS_DIRECTORY = ORGANISES - {Role.COUNCILLOR}  # a councillor's membership is a ward's


# --- the table ------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    method: str
    path: str  # str.format'ed with A (AAA's place) and B (BBB's)
    expect: Callable[[Caller], int]
    variant: str = ""
    query: dict = field(default_factory=dict)
    body: Callable[[World], dict] | None = None
    kind: str = "json"  # json | multipart | form (Open311)
    writes: bool = False
    register: bool = False  # a public register: public records of ``target`` for anyone
    target: str | None = AAA  # the municipality the call is about (None: any)
    shows: Callable[[Caller, World], set[str]] | None = None  # identifiers that must appear

    def __str__(self) -> str:
        return f"{self.method} {self.path}{'|' + self.variant if self.variant else ''}"


WINDOW = {"municipality": AAA, "since": "2020-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z"}
HERE = {"lat": "-29.95", "lon": "20.05"}
NEW_CASE = {"category": "pothole", "description": "Another pothole", "latitude": -29.951,
            "longitude": 20.051, "municipality": AAA}
OPEN311_NEW = {"jurisdiction_id": AAA, "service_code": "pothole", "lat": "-29.951",
               "long": "20.051", "description": "Another pothole"}
FORMATS = ("json", "xml")
REPORTER = {"phone": RESIDENTS[AAA][0]}  # the number AAA's resident reports with
CASE = "/api/v1/cases/{reference}"
ACCOUNT = "/api/v1/billing/accounts/{municipality}/{account_number}"
MY_ACCOUNT = "/account/{municipality}/{account_number}"  # the site's "My account"
NO_PAYMENT = "00000000-0000-4000-8000-000000000000"  # a payment that does not exist
PUSH = {"municipality": AAA, "accounts": [{"account_number": "7100000009",
                                           "holder_name": "Ayanda Nel", "balance": "10.00"}]}


def _shows_public(c: Caller, w: World) -> set[str]:
    return {w.A.public.reference} if sees_case(c) else set()


def _shows_nearby(c: Caller, w: World) -> set[str]:
    return {w.A.public.reference, w.A.private.reference} if sees_case(c) else set()


def _case_detail(variant: str) -> Call:
    return Call("GET", f"/api/v1/cases/{{A.{variant}.reference}}", read(sees_case), variant)


def _open311_each_format(template: str, expect, method: str = "GET", **kwargs) -> list[Call]:
    return [Call(method, OPEN311 + template.replace("{fmt}", fmt), expect, **kwargs)
            for fmt in FORMATS]


def _open311_detail(variant: str, expect, place: str = "A") -> list[Call]:
    return [Call("GET", f"{OPEN311}requests/{{{place}.{variant}.reference}}.{fmt}", expect,
                 variant=f"{place}.{variant}", query={"jurisdiction_id": AAA}, register=True)
            for fmt in FORMATS]


ROUTES: dict[tuple[str, str], list[Call]] = {
    # --- API v1 -------------------------------------------------------------------------
    ("GET", "/api/v1/health"): [Call("GET", "/api/v1/health", anyone, register=True)],
    ("GET", "/api/v1/geo/locate"): [
        Call("GET", "/api/v1/geo/locate", anyone, query=HERE, register=True)],
    # Representatives (docs/representatives.md): what municipalities publish, for anyone.
    ("GET", "/api/v1/representatives"): [
        Call("GET", "/api/v1/representatives", anyone, query=HERE, register=True)],
    ("GET", "/api/v1/representatives/pr-councillors"): [
        Call("GET", "/api/v1/representatives/pr-councillors", anyone,
             query={"municipality": AAA}, register=True)],
    ("GET", "/api/v1/categories"): [
        Call("GET", "/api/v1/categories", anyone, query={"municipality": AAA}, register=True)],
    ("POST", "/api/v1/cases"): [
        Call("POST", "/api/v1/cases", guarded(logs), body=lambda w: NEW_CASE, writes=True)],
    ("GET", "/api/v1/cases"): [
        Call("GET", "/api/v1/cases", signed_in, shows=_shows_public)],
    ("GET", "/api/v1/cases/duplicates"): [
        Call("GET", "/api/v1/cases/duplicates", signed_in, variant=category,
             query={"category": category, "municipality": AAA, **HERE},
             shows=_shows_nearby if category == "pothole" else None)
        for category in ("pothole", "illegal-connection", "graffiti")],
    ("GET", CASE): [_case_detail(v) for v in ("public", "private", "hidden")],
    ("POST", CASE + "/transition"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/transition", change(works),
             body=lambda w: {"action": "start"}, writes=True)],
    ("POST", CASE + "/comments"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/comments", change(logs),
             body=lambda w: {"text": "Crew on the way", "public": False}, writes=True)],
    ("POST", CASE + "/assign"): [
        # Supervisors assign; the call centre (who log cases) corrects the routing.
        Call("POST", "/api/v1/cases/{A.public.reference}/assign", change(logs),
             body=lambda w: {"department": "roads"}, writes=True)],
    ("POST", CASE + "/merge"): [
        Call("POST", "/api/v1/cases/{A.second.reference}/merge", change(works),
             body=lambda w: {"into": w.A.public.reference}, writes=True)],
    ("POST", CASE + "/attachments"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/attachments", change(logs),
             body=lambda w: {"file": photo_bytes("green")}, kind="multipart", writes=True)],
    ("POST", CASE + "/workorders"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/workorders", change(works),
             body=lambda w: {"contractor": w.A.contractor.pk, "scope": "Patch it",
                             "due": str(timezone.localdate() + timedelta(days=3))},
             writes=True)],
    ("GET", "/api/v1/contractors"): [
        Call("GET", "/api/v1/contractors", guarded(works), query={"municipality": AAA})],
    ("GET", "/api/v1/workorders/{order_id}"): [
        Call("GET", "/api/v1/workorders/{A.work_order.pk}", read(sees_the_order))],
    ("POST", "/api/v1/workorders/{order_id}/photos"): [
        Call("POST", "/api/v1/workorders/{A.work_order.pk}/photos",
             change(works_the_order, sees_the_order),
             body=lambda w: {"file": photo_bytes("purple")}, kind="multipart", writes=True)],
    # A key or staff member who logs cases acts for the resident named by phone.
    ("POST", CASE + "/join"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/join", change(logs),
             body=lambda w: {"phone": NEIGHBOURS[AAA][0]}, writes=True)],
    ("POST", CASE + "/confirm"): [
        Call("POST", "/api/v1/cases/{A.resolved.reference}/confirm", change(logs),
             body=lambda w: REPORTER, writes=True)],
    ("POST", CASE + "/reopen"): [
        Call("POST", "/api/v1/cases/{A.resolved.reference}/reopen", change(logs),
             body=lambda w: {**REPORTER, "reason": "Still there"}, writes=True)],
    ("POST", CASE + "/rate"): [
        Call("POST", "/api/v1/cases/{A.closed.reference}/rate", change(logs),
             body=lambda w: {**REPORTER, "rating": 4}, writes=True)],
    ("POST", CASE + "/cancel"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/cancel", change(logs),
             body=lambda w: {**REPORTER, "note": "Fixed it myself"}, writes=True)],
    ("GET", "/api/v1/workorders"): [
        Call("GET", "/api/v1/workorders", signed_in,
             shows=lambda c, w: {w.A.public.reference}
             if sees_case(c) or is_contractor_of_the_order(c) else set())],
    ("POST", "/api/v1/workorders/{order_id}"): [
        Call("POST", "/api/v1/workorders/{A.work_order.pk}",
             change(lambda c: works(c) or is_contractor_of_the_order(c),
                    lambda c: sees_case(c) or is_contractor_of_the_order(c)),
             body=lambda w: {"action": "note", "note": "Cones placed"}, writes=True)],
    ("GET", "/api/v1/sla/compliance"): [
        Call("GET", "/api/v1/sla/compliance", guarded(lambda c: c.holds(READS_ANALYTICS)),
             query=WINDOW)],
    ("GET", "/api/v1/citizens/{uuid}/export"): [
        Call("GET", "/api/v1/citizens/{A.resident.uuid}/export",
             change(lambda c: c.holds(EXPORTS_RESIDENTS), sees_resident),
             shows=lambda c, w: {w.A.resident.phone} if c.holds(EXPORTS_RESIDENTS) else set())],
    ("POST", "/api/v1/citizens/{uuid}/erase"): [
        Call("POST", "/api/v1/citizens/{A.resident.uuid}/erase",
             change(lambda c: c.holds(ERASES_RESIDENTS), sees_resident), writes=True)],
    # Utility accounts: the billing system's key (a manager's) pushes into its own
    # municipality; billing.view reads them, in its own municipality only.
    ("POST", "/api/v1/billing/accounts"): [
        Call("POST", "/api/v1/billing/accounts", guarded(imports_accounts),
             body=lambda w: PUSH, writes=True)],
    ("GET", ACCOUNT): [
        Call("GET", "/api/v1/billing/accounts/AAA/{A.account_number}", read(sees_accounts),
             shows=lambda c, w: {w.A.account_number} if sees_accounts(c) else set())],
    ("GET", ACCOUNT + "/statements/{period}"): [
        Call("GET", "/api/v1/billing/accounts/AAA/{A.account_number}/statements/2026-06",
             read(sees_accounts))],
    # Load-shedding (tests/loadshedding): published data, the same for anyone; the world
    # holds no area, so an area's pages are a 404 to everyone.
    ("GET", "/api/v1/loadshedding/schedule"): [
        Call("GET", "/api/v1/loadshedding/schedule", not_found, query={"area": "nowhere"},
             register=True, target=None)],
    ("GET", "/api/v1/loadshedding/areas"): [
        Call("GET", "/api/v1/loadshedding/areas", anyone, query={"q": "Sizwe"},
             register=True, target=None)],
    ("GET", "/api/v1/loadshedding/stage"): [
        Call("GET", "/api/v1/loadshedding/stage", anyone, query={"municipality": AAA},
             register=True)],
    ("GET", "/api/v1/loadshedding/areas/{key}/hours-lost"): [
        Call("GET", "/api/v1/loadshedding/areas/nowhere/hours-lost", not_found, target=None)],
    ("GET", "/api/v1/loadshedding/areas/{key}/calendar.ics"): [
        Call("GET", "/api/v1/loadshedding/areas/nowhere/calendar.ics", not_found,
             target=None)],
    # A resident's alerts take a resident signed in on the site: no caller here is one.
    ("GET", "/api/v1/loadshedding/subscriptions"): [
        Call("GET", "/api/v1/loadshedding/subscriptions", lambda c: 401, target=None)],
    ("PUT", "/api/v1/loadshedding/areas/{key}/subscription"): [
        Call("PUT", "/api/v1/loadshedding/areas/nowhere/subscription", lambda c: 401,
             writes=True, target=None)],
    ("DELETE", "/api/v1/loadshedding/areas/{key}/subscription"): [
        Call("DELETE", "/api/v1/loadshedding/areas/nowhere/subscription", lambda c: 401,
             writes=True, target=None)],
    (ANY, "/loadshedding"): [Call("GET", "/loadshedding", anyone, register=True, target=None)],
    (ANY, "/loadshedding/areas/{key}"): [
        Call("GET", "/loadshedding/areas/nowhere", not_found, target=None)],
    **{(ANY, f"/loadshedding/areas/{{key}}/{step}"): [
        Call("POST", f"/loadshedding/areas/nowhere/{step}", lambda c: 302, kind="form",
             writes=True, target=None)] for step in ("follow", "unfollow")},
    (ANY, "/loadshedding/alerts"): [Call("GET", "/loadshedding/alerts", lambda c: 302,
                                         target=None)],
    # Facilities (tests/facilities): published data, the same for anyone, no key needed.
    ("GET", "/api/v1/facilities/nearest"): [
        Call("GET", "/api/v1/facilities/nearest", anyone, query={**HERE, "kind": "police"},
             register=True, target=None)],
    ("GET", "/api/v1/facilities/kinds"): [
        Call("GET", "/api/v1/facilities/kinds", anyone, register=True, target=None)],
    (ANY, "/facilities"): [Call("GET", "/facilities", anyone, query={"m": AAA}, register=True,
                                target=None)],
    # --- Open311 GeoReport v2 -----------------------------------------------------------
    (ANY, OPEN311 + "discovery"): [Call("GET", OPEN311 + "discovery", anyone, register=True)],
    (ANY, OPEN311 + "discovery.{fmt}"): _open311_each_format(
        "discovery.{fmt}", anyone, register=True),
    (ANY, OPEN311 + "services.{fmt}"): _open311_each_format(
        "services.{fmt}", anyone, query={"jurisdiction_id": AAA}, register=True),
    (ANY, OPEN311 + "services/{service_code}.{fmt}"): _open311_each_format(
        "services/pothole.{fmt}", anyone, query={"jurisdiction_id": AAA}, register=True),
    (ANY, OPEN311 + "requests.{fmt}"): [
        *_open311_each_format("requests.{fmt}", anyone, query={"jurisdiction_id": AAA},
                              register=True, shows=lambda c, w: {w.A.public.reference}),
        *_open311_each_format("requests.{fmt}", open311_post, method="POST", kind="form",
                              body=lambda w: OPEN311_NEW, writes=True, register=True),
    ],
    (ANY, OPEN311 + "requests/{service_request_id}.{fmt}"): [
        *_open311_detail("public", anyone),
        *_open311_detail("private", not_found),
        *_open311_detail("flipped", not_found),
        *_open311_detail("public", not_found, place="B"),  # asked of AAA: not AAA's
    ],
    (ANY, OPEN311 + "tokens/{token}.{fmt}"): _open311_each_format(
        "tokens/1234.{fmt}", not_found, query={"jurisdiction_id": AAA}, register=True),
    (ANY, OPEN311 + "{path}"): [Call("GET", OPEN311 + "nothing/here", not_found)],
    # --- the site -----------------------------------------------------------------------
    (ANY, "/"): [Call("GET", "/", anyone, register=True, target=None)],
    (ANY, "/api/docs"): [Call("GET", "/api/docs", lambda c: 302)],
    (ANY, "/api/v1/docs"): [Call("GET", "/api/v1/docs", anyone, register=True)],
    (ANY, "/api/v1/openapi.json"): [Call("GET", "/api/v1/openapi.json", anyone, register=True)],
    (ANY, "/api/v1/"): [Call("GET", "/api/v1/", not_found)],
    # Photos: a public case's for anyone, others for whoever may see the case.
    (ANY, "/photos/{key}"): [
        Call("GET", "/photos/{A.photo.uuid}", anyone, "public"),
        Call("GET", "/photos/{A.private_photo.uuid}", found_by(sees_case), "private")],
    (ANY, "/photos/{key}/thumbnail"): [
        Call("GET", "/photos/{A.photo.uuid}/thumbnail", anyone, "public"),
        Call("GET", "/photos/{A.private_photo.uuid}/thumbnail", found_by(sees_case),
             "private")],
    (ANY, "/photos/notes/{key}"): [
        Call("GET", "/photos/notes/{A.note.pk}", found_by(sees_the_order))],
    # Providers' webhooks: each plugin checks its provider's signature, whoever calls;
    # a resident's own words arrive there, never through a staff or API session.
    (ANY, "/channels/{slug}"): [
        Call("GET", "/channels/nowhere", not_found, "unknown"),
        Call("POST", "/channels/whatsapp", lambda c: 401, "unsigned",
             body=lambda w: {"object": "whatsapp_business_account", "entry": []},
             writes=True),
        Call("POST", "/channels/telegram", lambda c: 401, "unsigned",
             body=lambda w: {"update_id": 1, "message": {"text": "hi"}}, writes=True)],
    # The citizen site (tests/web): open to anyone, or asking a resident to sign in first;
    # a case's page shows a public case to anyone and a private one to nobody but its
    # reporter (a resident signed in on the site: tests/web/test_track.py).
    (ANY, "/report"): [Call("GET", "/report", anyone, query={"m": AAA}, target=None)],
    (ANY, "/report/details"): [
        Call("GET", "/report/details", anyone, target=None,
             query={"m": AAA, "category": "pothole", "ward": "1"})],
    (ANY, "/report/done"): [Call("GET", "/report/done", lambda c: 302)],
    (ANY, "/track"): [Call("GET", "/track", anyone, target=None)],
    (ANY, "/representatives"): [
        Call("GET", "/representatives", anyone, query={"m": AAA, "ward": "1"}, register=True)],
    (ANY, "/representatives/pr"): [
        Call("GET", "/representatives/pr", anyone, query={"m": AAA}, register=True)],
    (ANY, "/representatives/photos/{key}"): [  # a sitting representative's, or none
        Call("GET", "/representatives/photos/00000000-0000-4000-8000-000000000000",
             not_found)],
    (ANY, "/track/{reference}"): [
        Call("GET", "/track/{A.public.reference}", anyone, "public", register=True),
        Call("GET", "/track/{A.private.reference}", not_found, "private")],
    (ANY, "/my"): [Call("GET", "/my", lambda c: 302)],
    (ANY, "/signin"): [Call("GET", "/signin", anyone, target=None)],
    (ANY, "/signin/code"): [Call("GET", "/signin/code", lambda c: 302)],
    (ANY, "/signout"): [Call("POST", "/signout", lambda c: 302, kind="form", writes=True)],
    (ANY, "/language"): [Call("POST", "/language", lambda c: 302, kind="form",
                              body=lambda w: {"language": "zu"})],
    # A resident's own pages (tests/web/test_profile.py, test_chat.py): no caller here is
    # a resident signed in on the site, so each is asked to sign in and nothing changes.
    **{(ANY, path): [Call(method, path, lambda c: 302, kind="form", writes=method == "POST")]
       for method, path in (("GET", "/profile"), ("POST", "/profile/channels"),
                            ("POST", "/profile/consent"), ("POST", "/profile/export"),
                            ("GET", "/profile/erase"), ("GET", "/profile/erased"),
                            ("GET", "/chat"))},
    (ANY, "/chat/log"): [Call("GET", "/chat/log", lambda c: 403)],  # the script's poll
    # "My account" (tests/web/test_account*.py): a resident's own accounts only. No caller
    # here is a resident signed in on the site, so each page asks them to sign in and
    # nothing changes; another resident's account is a 404 (test_account_pages.py).
    **{(ANY, template): [Call(method, path, lambda c: 302, kind="form",
                              writes=method == "POST")]
       for method, template, path in (
           ("GET", "/account", "/account"),
           ("GET", "/account/link", "/account/link"),
           ("GET", "/account/link/verify", "/account/link/verify"),
           ("POST", "/account/requests/{link}",
            "/account/requests/00000000-0000-4000-8000-000000000000"),
           ("GET", MY_ACCOUNT, "/account/AAA/{A.account_number}"),
           ("POST", MY_ACCOUNT + "/query", "/account/AAA/{A.account_number}/query"),
           ("POST", MY_ACCOUNT + "/unlink", "/account/AAA/{A.account_number}/unlink"),
           ("GET", MY_ACCOUNT + "/statement/{period}",
            "/account/AAA/{A.account_number}/statement/2026-06"),
           ("GET", MY_ACCOUNT + "/statement/{period}.pdf",
            "/account/AAA/{A.account_number}/statement/2026-06.pdf"),
           ("GET", MY_ACCOUNT + "/arrangement", "/account/AAA/{A.account_number}/arrangement"),
           ("POST", MY_ACCOUNT + "/arrangement/cancel",
            "/account/AAA/{A.account_number}/arrangement/cancel"),
           ("POST", MY_ACCOUNT + "/readings", "/account/AAA/{A.account_number}/readings"))},
    # A statement PDF's signed link (tests/web/test_statement_shared.py): the token is the
    # proof, whoever holds it; a forged one is a 404 to everyone.
    (ANY, "/statement/{token}.pdf"): [Call("GET", "/statement/WzEsMSwiZW4iXQ:forged.pdf",
                                           not_found, target=None)],
    # Paying an account (tests/billing/test_payments_web.py): a resident's own pages, so
    # every caller here is asked to sign in and nothing is started; the return and cancel
    # pages name no payment to anyone but its payer; a provider's notification is
    # verified whoever sends it (unsigned: 400, nothing recorded but the refusal).
    (ANY, "/pay/{municipality}/{account_number}"): [
        Call("GET", "/pay/AAA/{A.account_number}", lambda c: 302),
        Call("POST", "/pay/AAA/{A.account_number}", lambda c: 302, kind="form",
             body=lambda w: {"amount": "100.00"}, writes=True)],
    (ANY, "/pay/return/{key}"): [Call("GET", f"/pay/return/{NO_PAYMENT}", anyone,
                                      target=None)],
    (ANY, "/pay/cancel/{key}"): [Call("GET", f"/pay/cancel/{NO_PAYMENT}", anyone,
                                      target=None)],
    (ANY, "/pay/sandbox/{key}"): [Call("GET", f"/pay/sandbox/{NO_PAYMENT}", not_found)],
    (ANY, "/pay/notify/{provider}"): [
        Call("POST", "/pay/notify/payfast", lambda c: 400, "unsigned", kind="form",
             body=lambda w: {"m_payment_id": NO_PAYMENT, "payment_status": "COMPLETE",
                             "amount_gross": "100.00"}, writes=True, target=None),
        Call("POST", "/pay/notify/nowhere", not_found, "unknown", kind="form",
             writes=True, target=None)],
    # The installable app (tests/web/test_pwa.py, test_offline_report.py): the shell for
    # anyone; a queued report posted empty is refused; push sign-up needs a resident.
    (ANY, "/manifest.webmanifest"): [Call("GET", "/manifest.webmanifest", anyone, target=None)],
    (ANY, "/sw.js"): [Call("GET", "/sw.js", anyone, target=None)],
    (ANY, "/offline"): [Call("GET", "/offline", anyone, target=None)],
    (ANY, "/report/queued"): [Call("POST", "/report/queued", lambda c: 400, kind="form",
                                   target=None)],
    (ANY, "/push/subscribe"): [Call("POST", "/push/subscribe", lambda c: 401, target=None,
                                    body=lambda w: {})],
    (ANY, "/push/unsubscribe"): [Call("POST", "/push/unsubscribe", lambda c: 401,
                                      target=None, body=lambda w: {})],
    # The staff console (tests/console): staff who passed both factors, each seeing what
    # the permission layer lets them; forms are posted empty or to records that do not
    # exist, so that nothing changes.
    (ANY, "/console/login"): [Call("GET", "/console/login", anyone, target=None)],
    (ANY, "/console/enrol"): [Call("GET", "/console/enrol", lambda c: 302)],
    (ANY, "/console/verify"): [Call("GET", "/console/verify", lambda c: 302)],
    (ANY, "/console/logout"): [Call("GET", "/console/logout", lambda c: 405)],
    (ANY, "/console/"): [Call("GET", "/console/", console_landing)],
    (ANY, "/console/cases"): [Call("GET", "/console/cases", console(VIEWS_CASES))],
    (ANY, "/console/cases/assign"): [Call("POST", "/console/cases/assign",
                                          console(VIEWS_CASES, ok=302), kind="form",
                                          writes=True)],
    (ANY, "/console/cases/{reference}"): [
        Call("GET", "/console/cases/{A.public.reference}", console(VIEWS_CASES, sees_case),
             "public"),
        Call("GET", "/console/cases/{A.private.reference}", console(VIEWS_CASES, sees_case),
             "private")],
    (ANY, "/console/cases/{reference}/merge"): [
        Call("POST", "/console/cases/{A.public.reference}/merge",
             console(VIEWS_CASES, sees_case, ok=400), kind="form", writes=True)],
    (ANY, "/console/cases/{reference}/{action}"): [
        Call("POST", "/console/cases/{A.public.reference}/comment-public",
             console(VIEWS_CASES, sees_case, ok=400), kind="form", writes=True,
             body=lambda w: {"text": ""})],
    (ANY, "/console/views"): [Call("POST", "/console/views", console(VIEWS_CASES, ok=302),
                                   kind="form", writes=True)],
    (ANY, "/console/views/{pk}/delete"): [
        Call("POST", "/console/views/999999/delete", console(VIEWS_CASES, ok=302),
             kind="form", writes=True)],  # only one's own: tests/console/test_queue.py
    (ANY, "/console/map"): [Call("GET", "/console/map", console(VIEWS_CASES))],
    (ANY, "/console/map.json"): [Call("GET", "/console/map.json", console(VIEWS_CASES))],
    (ANY, "/console/ward"): [Call("GET", "/console/ward", console({Role.COUNCILLOR}))],
    (ANY, "/console/call"): [Call("GET", "/console/call", console(LOGS_CASES))],
    (ANY, "/console/inbox"): [Call("GET", "/console/inbox", console(LOGS_CASES))],
    (ANY, "/console/inbox/{pk}"): [
        Call("GET", "/console/inbox/{A.handover.pk}", console(LOGS_CASES, answers_for))],
    (ANY, "/console/inbox/{pk}/lines"): [
        Call("GET", "/console/inbox/{A.handover.pk}/lines", console(LOGS_CASES, answers_for))],
    **{(ANY, f"/console/inbox/{{pk}}/{step}"): [
        Call("POST", f"/console/inbox/999999/{step}", console(LOGS_CASES, lambda c: False),
             kind="form", writes=True)] for step in ("take", "reply", "close")},
    (ANY, "/console/work"): [Call("GET", "/console/work", console(CONTRACTS))],
    (ANY, "/console/work/{pk}/{step}"): [
        Call("POST", "/console/work/{A.work_order.pk}/nothing",
             console(CONTRACTS, lambda c: False), kind="form", writes=True)],
    **{(ANY, f"/console/revenue{page}"): [Call("GET", f"/console/revenue{page}",
                                               console(REVENUE))]
       for page in ("", "/accounts", "/arrangements", "/arrangements/waiting", "/readings",
                    "/payments", "/policy", "/campaigns", "/campaigns/new")},
    (ANY, "/console/revenue/accounts/{key}"): [
        Call("GET", "/console/revenue/accounts/{A.account_key}",
             console(REVENUE, revenue_of_aaa))],
    (ANY, "/console/revenue/arrangements/{key}/decide"): [
        Call("POST", f"/console/revenue/arrangements/{NO_PAYMENT}/decide",
             console(REVENUE, lambda c: False), kind="form", writes=True)],
    (ANY, "/console/revenue/readings/{key}/review"): [
        Call("POST", f"/console/revenue/readings/{NO_PAYMENT}/review",
             console(REVENUE, lambda c: False), kind="form", writes=True)],
    (ANY, "/console/revenue/readings/{key}/photo"): [
        Call("GET", f"/console/revenue/readings/{NO_PAYMENT}/photo",
             console(REVENUE, lambda c: False))],
    (ANY, "/console/revenue/campaigns/{pk}"): [
        Call("GET", "/console/revenue/campaigns/999999", console(REVENUE, lambda c: False))],
    # Meetings, the directory and sharing (tests/community): the lists and the share text
    # are public; the world holds no meeting or form, so their pages are a 404 to everyone
    # who may look. Answering a meeting takes a key or staff session (then the unknown
    # meeting is a 404); on the site no caller is a signed-in resident. In the console,
    # community.manage opens the meetings (councillors too) and, from a membership of the
    # whole municipality, the directory and the share settings.
    ("GET", "/api/v1/meetings"): [
        Call("GET", "/api/v1/meetings", anyone, query={"municipality": AAA}, register=True)],
    ("GET", "/api/v1/meetings/{key}"): [Call("GET", f"/api/v1/meetings/{NO_PAYMENT}",
                                             not_found)],
    ("POST", "/api/v1/meetings/{key}/rsvp"): [
        Call("POST", f"/api/v1/meetings/{NO_PAYMENT}/rsvp", read(lambda c: False),
             body=lambda w: {"phone": NEIGHBOURS[AAA][0], "answer": "yes"}, writes=True)],
    ("GET", "/api/v1/meetings/{key}/numbers"): [
        Call("GET", f"/api/v1/meetings/{NO_PAYMENT}/numbers", read(lambda c: False))],
    ("GET", "/api/v1/directory"): [
        Call("GET", "/api/v1/directory", anyone, query={"municipality": AAA, "q": "water"},
             register=True)],
    ("GET", "/api/v1/share"): [
        Call("GET", "/api/v1/share", anyone, query={"municipality": AAA}, register=True)],
    (ANY, "/meetings"): [Call("GET", "/meetings", anyone, query={"m": AAA}, target=None)],
    (ANY, "/meetings/{key}"): [Call("GET", f"/meetings/{NO_PAYMENT}", not_found)],
    (ANY, "/meetings/{key}/rsvp"): [
        Call("POST", f"/meetings/{NO_PAYMENT}/rsvp", not_found, kind="form",
             body=lambda w: {"answer": "yes"}, writes=True)],
    (ANY, "/directory"): [Call("GET", "/directory", anyone, query={"m": AAA, "q": "water"},
                               target=None)],
    (ANY, "/directory/forms/{key}.pdf"): [Call("GET", f"/directory/forms/{NO_PAYMENT}.pdf",
                                               not_found)],
    (ANY, "/share"): [Call("GET", "/share", anyone, query={"m": AAA}, target=None)],
    (ANY, "/s/{code}"): [Call("GET", "/s/nowhere", not_found)],
    **{(ANY, f"/console/community/meetings{page}"): [
        Call("GET", f"/console/community/meetings{page}", console(ORGANISES))]
       for page in ("", "/new")},
    (ANY, "/console/community/meetings/{key}"): [
        Call("GET", f"/console/community/meetings/{NO_PAYMENT}",
             console(ORGANISES, lambda c: False))],
    (ANY, "/console/community/meetings/{key}/cancel"): [
        Call("POST", f"/console/community/meetings/{NO_PAYMENT}/cancel",
             console(ORGANISES, lambda c: False), kind="form", writes=True)],
    **{(ANY, f"/console/community/{page}"): [
        Call("GET", f"/console/community/{page}", console(KEEPS_DIRECTORY))]
       for page in ("directory", "directory/new", "share")},
    (ANY, "/console/community/directory/{key}"): [
        Call("GET", f"/console/community/directory/{NO_PAYMENT}",
             console(KEEPS_DIRECTORY, lambda c: False))],
    (ANY, "/console/community/directory/{key}/forms"): [
        Call("POST", f"/console/community/directory/{NO_PAYMENT}/forms",
             console(KEEPS_DIRECTORY, lambda c: False), kind="form", writes=True)],
    (ANY, "/console/community/directory/forms/{key}/remove"): [
        Call("POST", f"/console/community/directory/forms/{NO_PAYMENT}/remove",
             console(KEEPS_DIRECTORY, lambda c: False), kind="form", writes=True)],
    # The reporter's feedback page: the signed link is the proof, whoever holds it.
    (ANY, "/r/{token}"): [
        Call("GET", "/r/{A.feedback_token}", anyone, "link", register=True),
        Call("GET", "/r/{A.resolved.pk}.{A.resident.pk}:forged", not_found, "forged"),
        Call("POST", "/r/{A.resolved.pk}.{A.resident.pk}:forged", not_found, "forged",
             body=lambda w: {"action": "reopen", "reason": "Still there"}, kind="form",
             writes=True)],
    # News (tests/news): published news for anyone; staff and keys holding news.publish
    # (the call centre, managers, administrators) compose in their own municipality; the
    # world holds no news item, so an item's pages are a 404 to all who may look. On the
    # site no caller is a signed-in resident, so joining a group asks them to sign in.
    ("GET", "/api/v1/news"): [
        Call("GET", "/api/v1/news", anyone, query={"municipality": AAA}, register=True)],
    ("GET", "/api/v1/news/{news_id}"): [Call("GET", "/api/v1/news/999999", not_found)],
    ("POST", "/api/v1/news"): [
        Call("POST", "/api/v1/news", guarded(publishes_news), writes=True,
             body=lambda w: {"municipality": AAA, "title": "Water off", "kind": "news",
                             "body": "Water off on Tuesday.", "short": "Water off Tue."})],
    **{("POST", f"/api/v1/news/{{news_id}}/{step}"): [
        Call("POST", f"/api/v1/news/999999/{step}", read(lambda c: False), writes=True,
             body=lambda w: {"send_at": "2100-01-01T09:00:00+02:00"})]
       for step in ("publish", "schedule", "cancel")},
    (ANY, "/news"): [Call("GET", "/news", anyone, query={"m": AAA}, target=None)],
    (ANY, "/news/{pk}"): [Call("GET", "/news/999999", not_found)],
    **{(ANY, f"/news/groups/{{pk}}/{step}"): [
        Call("POST", f"/news/groups/999999/{step}", lambda c: 302, kind="form", writes=True)]
       for step in ("join", "leave")},
    **{(ANY, f"/console/news{page}"): [Call("GET", f"/console/news{page}",
                                            console(PUBLISHES_NEWS))]
       for page in ("", "/new")},
    (ANY, "/console/news/groups"): [
        Call("POST", "/console/news/groups", console(PUBLISHES_NEWS, ok=302), kind="form",
             writes=True)],
    **{(ANY, f"/console/news/{{pk}}{page}"): [
        Call("GET", f"/console/news/999999{page}", console(PUBLISHES_NEWS, lambda c: False))]
       for page in ("", "/edit")},
    (ANY, "/console/news/{pk}/{action}"): [
        Call("POST", "/console/news/999999/cancel", console(PUBLISHES_NEWS, lambda c: False),
             kind="form", writes=True)],
    # Matters for the ward councillor (tests/matters): a key or staff member who logs cases
    # in AAA raises one for the resident named by phone; the world holds no matter, so the
    # reference below (well formed) is found by nobody; a ward's open matters are public.
    # On the site no caller is a signed-in resident; in the console matters.view opens the
    # pages (councillors, managers, administrators).
    ("POST", "/api/v1/matters"): [
        Call("POST", "/api/v1/matters", guarded(logs), writes=True,
             body=lambda w: {"phone": RESIDENTS[AAA][0], "kind": "issue", "ward": "90100001",
                             "text": "The streetlights are off"})],
    ("GET", "/api/v1/matters/{reference}"): [
        Call("GET", "/api/v1/matters/AAA-M2601-999-3", read(lambda c: False))],
    ("POST", "/api/v1/matters/{reference}/support"): [
        Call("POST", "/api/v1/matters/AAA-M2601-999-3/support", read(lambda c: False),
             body=lambda w: {"phone": NEIGHBOURS[AAA][0]}, writes=True)],
    ("GET", "/api/v1/wards/{code}/matters"): [
        Call("GET", "/api/v1/wards/90100001/matters", anyone, register=True)],
    (ANY, "/matters"): [Call("GET", "/matters", lambda c: 302)],
    (ANY, "/matters/new"): [Call("GET", "/matters/new", lambda c: 302)],
    (ANY, "/matters/{reference}"): [Call("GET", "/matters/AAA-M2601-999-3", not_found)],
    (ANY, "/matters/{reference}/support"): [
        Call("POST", "/matters/AAA-M2601-999-3/support", lambda c: 302, kind="form",
             writes=True)],
    (ANY, "/wards/{code}/matters"): [
        Call("GET", "/wards/90100001/matters", anyone, register=True)],
    (ANY, "/console/matters"): [
        Call("GET", "/console/matters", console({Role.COUNCILLOR, Role.MANAGER,
                                                 Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}))],
    (ANY, "/console/matters/{reference}"): [
        Call("GET", "/console/matters/AAA-M2601-999-3",
             console({Role.COUNCILLOR, Role.MANAGER, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN},
                     lambda c: False))],
    (ANY, "/console/matters/{reference}/{step}"): [
        Call("POST", "/console/matters/AAA-M2601-999-3/answer",
             console({Role.COUNCILLOR, Role.MANAGER, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN},
                     lambda c: False), kind="form", writes=True, body=lambda w: {"text": "Hi"})],
}

CALLS: list[Call] = [call for calls in ROUTES.values() for call in calls]
