"""What the tenancy table (tenancy_routes.py) is written with: ``routes_enumerated()``,
which reads the routes from the running code (the API's OpenAPI document, Open311's
URLconf and the project's root URLconf, all but the admin), who may do what on records of
AAA, and ``Call``, one way of calling a route and what each caller class gets.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver

from imbizo.accounts.models import Role
from imbizo.api.v1 import api
from imbizo.open311 import urls as open311_urls
from imbizo.urls import urlpatterns as root_urlpatterns

from .tenancy_world import (
    AAA,
    IMPORTS_BILLING,
    LOGS_CASES,
    RESIDENTS,
    VIEWS_BILLING,
    VIEWS_CASES,
    VIEWS_RESIDENTS,
    WORKS_CASES,
    Caller,
    World,
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
