"""An officer issues a work order to a contractor on the case page; the contractor signs
in, finds it on their work page, accepts it and completes it with a note."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser

from imbizo.cases import lifecycle
from imbizo.cases.models import WorkOrder

from .checks import axe_check
from .journey import console_sign_in, reported_case, resident

pytestmark = pytest.mark.browser


def test_a_contractor_completes_the_work_order_an_officer_issued(
        browser: Browser, server, page, console, town):
    case = reported_case(resident(municipality=town["aaa"]))
    lifecycle.case_start(actor=town["officer"], case=case)
    contractor = town["contractor"].user
    due = date.today() + timedelta(days=3)

    console_sign_in(page, town["officer"].user)
    page.goto(f"/console/cases/{case.reference}")
    issue = page.locator("form[action$='/workorder']")
    issue.get_by_label("Contractor").select_option(str(contractor.pk))
    issue.get_by_label("Work to be done").fill("Cut out and patch the pothole")
    issue.get_by_label("Due date").fill(due.isoformat())
    issue.get_by_role("button", name="Issue work order").click()
    page.wait_for_url(f"**/console/cases/{case.reference}")
    order = WorkOrder.objects.get(case=case)
    assert (order.contractor, order.state, order.due) == (contractor, "issued", due)
    axe_check(page)  # the case page with its work order

    # The contractor, in their own browser.
    theirs = browser.new_context(base_url=server, locale="en-ZA")
    try:
        work = theirs.new_page()
        console_sign_in(work, contractor)
        assert work.url.endswith("/console/work")  # a contractor's start page
        card = work.locator("section.card", has_text=case.reference)
        assert card.get_by_text("Cut out and patch the pothole").count() == 1
        axe_check(work)

        card.get_by_role("button", name="Accept").click()
        work.wait_for_url("**/console/work")
        card = work.locator("section.card", has_text=case.reference)
        card.get_by_label("What was done").fill("Patched and rolled, 2 m2")
        card.get_by_role("button", name="Mark as complete").click()
        work.wait_for_url("**/console/work")
        order.refresh_from_db()
        assert order.state == "completed"
        assert case.updates.filter(text__contains="Patched and rolled").exists()
        axe_check(work)
    finally:
        theirs.close()
    assert console.csp_violations == []
