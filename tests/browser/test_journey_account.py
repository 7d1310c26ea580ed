"""A resident with JavaScript off (Opera Mini's server-rendered pages, or a phone that
blocks it) signs in with the PIN they were sent, links their municipal account with the
holder's ID number, arranges to pay its arrears (sees the terms, proposes them, sees the
schedule) and sends a water meter reading with a photo: every step a plain form post.

axe-core cannot finish in a page without JavaScript (its run waits on timers that such a
page never fires: the test hangs), so each page reached is opened again in a second
browser context, with JavaScript and the same session, and checked there: ``axe_twin``."""

import pytest

from imbizo.billing.arrangement_models import Arrangement, MeterReading
from tests.billing.conftest import HOLDER_ID, account
from tests.web.account_world import load

from .checks import axe_check
from .journey import PHONE_E164, photo_file, resident_sign_in

pytestmark = pytest.mark.browser


def offline(context, server: str, offsite: list) -> None:
    def no_internet(route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", no_internet)


@pytest.fixture
def page(browser, server, offsite):
    """The page of a browser context with JavaScript disabled, offline as ``context``."""
    context = browser.new_context(base_url=server, locale="en-ZA", java_script_enabled=False)
    context.set_default_timeout(10_000)
    offline(context, server, offsite)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_twin(browser, server, offsite):
    """``check(page)``: the same address opened with JavaScript, in the same session,
    and checked with axe-core."""
    twin = browser.new_context(base_url=server, locale="en-ZA")
    twin.set_default_timeout(10_000)
    offline(twin, server, offsite)
    seen = twin.new_page()

    def check(page) -> None:
        twin.clear_cookies()
        twin.add_cookies(page.context.cookies())
        seen.goto(page.url, wait_until="networkidle")
        assert seen.url == page.url
        axe_check(seen)

    yield check
    twin.close()


def test_a_resident_without_javascript_arranges_to_pay_and_sends_a_reading(
        page, axe_twin, console, offsite, town, tmp_path):
    load(town["aaa"], [account("1001")])  # R1100.00 overdue by 30 days and more
    resident_sign_in(page, then="/account")

    page.get_by_label("Municipality").select_option("AAA")
    page.get_by_label("Account number").fill("1001")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/account/link/verify")
    page.get_by_label("The account holder's ID number").fill(HOLDER_ID)
    page.get_by_role("button", name="Link the account").click()
    page.wait_for_url("**/account/AAA/1001")
    axe_twin(page)

    page.get_by_role("link", name="Arrange to pay what is overdue").click()
    page.wait_for_url("**/account/AAA/1001/arrangement")
    axe_twin(page)
    page.get_by_label("Deposit you can pay now (rand)").fill("200")
    page.get_by_label("Months to pay the rest over").fill("60")
    page.get_by_role("button", name="See the terms").click()
    assert page.locator(".error").first.inner_text().startswith("Error: Over 60 months")
    assert page.get_by_label("Deposit you can pay now (rand)").input_value() == "200"
    page.get_by_label("Months to pay the rest over").fill("6")
    page.get_by_role("button", name="See the terms").click()
    page.get_by_text("they are approved as soon as you propose them").wait_for()
    assert page.locator("table.lines tbody tr").count() == 7  # the deposit and six months
    page.get_by_role("button", name="Propose these terms").click()
    page.get_by_text("Your payment arrangement is approved.").wait_for()
    assert page.get_by_text("Approved, deposit due").count() == 1
    assert page.get_by_role("cell", name="Not paid yet").count() == 7
    axe_twin(page)

    page.get_by_role("link", name="Back to the account").click()
    page.get_by_role("link", name="Send a meter reading").click()
    page.wait_for_url("**/account/AAA/1001/readings")
    axe_twin(page)
    assert page.get_by_label("Water").is_checked()
    page.get_by_label("The numbers on the meter").fill("04512.5")
    page.locator("input[type=file]").set_input_files(photo_file(tmp_path, "meter.png"))
    page.get_by_role("button", name="Send my reading").click()
    page.get_by_text("Thank you: your reading of 4512.5 kl is received.").wait_for()
    assert page.get_by_role("cell", name="4512.5 kl").count() == 1
    axe_twin(page)

    arrangement = Arrangement.objects.get()
    assert arrangement.status == Arrangement.Status.APPROVED and arrangement.channel == "web"
    assert arrangement.citizen.phone == PHONE_E164
    reading = MeterReading.objects.get()
    assert reading.channel == "web" and reading.photo and reading.kind == "water"
    assert console.csp_violations == [] and offsite == []
