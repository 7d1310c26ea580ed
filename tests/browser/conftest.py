"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

One browser for the whole session; each test gets a fresh context (no cookies, no cache)
and a page. The make target ``test`` installs /usr/bin/chromium when it is missing (CI
runs as root); only where it is missing and could not be installed are these skipped.
"""

import os
from pathlib import Path

import pytest

from .checks import ConsoleWatch

CHROMIUM = Path(os.environ.get("IMBIZO_CHROMIUM", "/usr/bin/chromium"))
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.hookimpl(trylast=True)  # after pytest-django orders tests by database use
def pytest_collection_modifyitems(config, items):
    """Browser tests run last: while Chromium is up, Django's guard against database calls
    from async code is off (see ``browser``), and no other test should run so."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        why = f"{CHROMIUM} is missing: `make test` installs it as root (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(why)  # a CI run never passes without its browser tests
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an asyncio loop running in its own greenlet for
    # as long as it is up; Django sees that loop and would refuse the tests' (synchronous)
    # database calls. Allowed for the browser's lifetime only.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 headless=True, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def server(transactional_db, live_server):
    """The live server's address; the tests' own data is committed so its thread sees it."""
    return live_server.url


@pytest.fixture
def offsite():
    """Addresses off this server that the page asked for: refused, as with no internet."""
    return []


@pytest.fixture
def context(browser, server, offsite):
    context = browser.new_context(base_url=server, locale="en-ZA")
    context.set_default_timeout(10_000)

    def no_internet(route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", no_internet)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def console(page):
    """The page's console errors, CSP refusals among them (checks.ConsoleWatch)."""
    return ConsoleWatch(page)


@pytest.fixture
def simulator_mounted(settings):
    """The site's URLs with the demo's simulator, as ``imbizo demo`` serves them."""
    settings.ROOT_URLCONF = "tests.demo.simulator_urls"


@pytest.fixture
def staff_login(page):
    """Sign a staff user in through the admin's login form, as a person would."""
    def login(user, password: str, *, then: str = "/admin/") -> None:
        page.goto(f"/admin/login/?next={then}")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    return login


# --- the journeys: a municipality's staff, residents, and signing each of them in ---
@pytest.fixture
def town(server, municipalities, department, make_staff, settings, tmp_path):
    """AAA with its departments and categories (tests/conftest.py), its staff for the
    journeys and one supervisor of BBB; photos kept in the test's own folder."""
    from imbizo.core.permissions import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    aaa, bbb = municipalities
    return {
        "aaa": aaa, "bbb": bbb,
        "officer": make_staff({"role": Role.OFFICER, "municipality": aaa,
                               "department": department("roads")}),
        "agent": make_staff({"role": Role.AGENT, "municipality": aaa}),
        "contractor": make_staff({"role": Role.CONTRACTOR, "municipality": aaa}),
        "councillor": make_staff({"role": Role.COUNCILLOR, "municipality": aaa,
                                  "ward": aaa.wards.order_by("code").first()}),
        "outsider": make_staff({"role": Role.SUPERVISOR, "municipality": bbb,
                                "department": department("roads", "BBB")}),
    }
