"""The main pages, each loaded in Chromium with no internet: nothing refused by the
Content-Security-Policy, nothing asked of another site (map tiles aside), no serious or
critical axe-core violation, and the citizen pages within their weight.

A new page is one line in PAGES. A page that needs a municipality, a case or someone
signed in names it (``town``, ``resident``, ``console``): the journeys' municipality AAA,
a case its resident reported (``{case}`` in the path) and a work order for its contractor.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from imbizo.accounts.services import staff_user_create
from imbizo.cases.workorders import workorder_issue
from imbizo.core.permissions import system_actor

from .checks import axe_check, page_weight, weighed
from .journey import reported_case, resident, session_for

pytestmark = pytest.mark.browser

CITIZEN_BUDGET = 60 * 1024  # bytes transferred per citizen page (issue #14)
PASSWORD = "a-long-test-password"


@dataclass(frozen=True)
class Page:
    path: str
    axe: bool = True  # no serious or critical axe-core violation
    budget: int | None = None  # at most this many bytes transferred (tiles and photos aside)
    staff: bool = False  # opened by a signed-in staff user
    shows: str | None = None  # a CSS selector that must be visible once loaded
    town: bool = False  # needs the municipality AAA and a case ({case} in the path)
    resident: bool = False  # opened by the resident who reported the case, signed in
    console: str | None = None  # opened in the console by AAA's staff member in this role

    @property
    def needs_town(self) -> bool:
        return self.town or self.resident or self.console is not None


def citizen(path: str, **kwargs) -> Page:
    return Page(path, budget=CITIZEN_BUDGET, **kwargs)


PAGES = [
    citizen("/"),
    citizen("/report?m=AAA", town=True, shows="#id_category"),
    citizen("/track"),
    citizen("/track/{case}", town=True, shows=".timeline"),
    citizen("/signin"),
    citizen("/my", resident=True, shows=".cases"),
    citizen("/profile", resident=True),
    citizen("/chat", resident=True),
    Page("/console/login"),
    Page("/console/", console="officer", shows="table.queue"),
    Page("/console/cases/{case}", console="officer", shows=".timeline"),
    Page("/console/inbox", console="agent"),
    Page("/console/work", console="contractor", shows="section.card"),
    Page("/console/ward", console="councillor"),
    Page("/console/map", console="officer"),
    Page("/admin/login/"),
    Page("/admin/", staff=True),
    # Swagger UI is ninja's bundled copy (no CDN); axe is not held against its markup.
    Page("/api/v1/docs", axe=False, shows=".swagger-ui .info .title"),
    Page("/simulator/", staff=True, shows="form button"),
]


@pytest.mark.parametrize("spec", PAGES, ids=[p.path for p in PAGES])
def test_the_page_loads_within_its_policy(spec, page, console, offsite, staff_login,
                                          simulator_mounted, request):
    path = spec.path
    if spec.staff:
        user = staff_user_create(actor=system_actor("cli"), username="browser-staff",
                                 password=PASSWORD)
        staff_login(user, PASSWORD, then=path)
        assert page.url.endswith(path), page.url
    if spec.needs_town:
        path = path.format(case=signed_in_for(spec, page, request))
    if spec.budget:
        weight = page_weight(page, path)
        assert 0 < weight.total <= spec.budget, str(weight)
    else:
        page.goto(path, wait_until="networkidle")
    assert page.url.endswith(path), page.url  # not sent elsewhere (to sign in, say)
    if spec.shows:
        page.locator(spec.shows).first.wait_for(state="visible")
    assert console.csp_violations == []
    assert [url for url in offsite if weighed(url)] == []  # nothing from a CDN; tiles aside
    if spec.axe:
        axe_check(page)


def signed_in_for(spec: Page, page, request) -> str:
    """AAA with a case its resident reported and a work order on it; the page's browser
    signed in as the page asks. Returns the case's reference."""
    town = request.getfixturevalue("town")
    server = request.getfixturevalue("server")
    reporter = resident(municipality=town["aaa"])
    case = reported_case(reporter)
    workorder_issue(actor=town["officer"], case=case, contractor_id=town["contractor"].user.pk,
                    scope="Patch the pothole", due=date.today() + timedelta(days=3))
    if spec.resident:
        session_for(page.context, server, citizen=reporter)
    if spec.console:
        session_for(page.context, server, user=town[spec.console].user)
    return case.reference
