"""An officer signs in to the console with password and authenticator code, opens a
resident's case from their queue and works it to resolved with the page's own buttons."""

import pytest

from imbizo.cases.models import Case, Status

from .checks import axe_check
from .journey import console_sign_in, reported_case, resident

pytestmark = pytest.mark.browser


def test_an_officer_works_a_case_from_the_queue_to_resolved(page, console, town):
    case = reported_case(resident(municipality=town["aaa"]))
    console_sign_in(page, town["officer"].user)
    assert page.url.endswith("/console/")
    axe_check(page)  # my queue

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/console/cases/{case.reference}")
    axe_check(page)

    page.locator("#act-start").get_by_role("button", name="Start work").click()
    page.wait_for_url(f"**/console/cases/{case.reference}")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS

    resolve = page.locator("#act-resolve")
    resolve.get_by_label("What was done (the resident is told)").fill("Filled and rolled")
    resolve.get_by_role("button").click()
    page.wait_for_url(f"**/console/cases/{case.reference}")
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.RESOLVED
    resolved = case.updates.get(to_status=Status.RESOLVED)
    assert resolved.text == "Filled and rolled" and resolved.public
    assert page.locator(".timeline").get_by_text("Filled and rolled").count() == 1
    axe_check(page)
    assert console.csp_violations == []
