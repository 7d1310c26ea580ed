"""The resident whose case was resolved signs in, says on its tracking page that it is
fixed (the case closes) and rates how it was dealt with, as the page offers."""

import pytest

from imbizo.cases import lifecycle
from imbizo.cases.models import Case, Status

from .checks import axe_check
from .journey import reported_case, resident, resident_sign_in

pytestmark = pytest.mark.browser


def test_the_resident_confirms_the_fix_and_rates_the_case(page, console, town):
    case = reported_case(resident(municipality=town["aaa"]))
    officer = town["officer"]
    case = lifecycle.case_start(actor=officer, case=case)
    lifecycle.case_resolve(actor=officer, case=case, note="Filled and rolled")

    resident_sign_in(page, then=f"/track/{case.reference}")
    assert page.get_by_text("Filled and rolled").count() == 1  # the public timeline
    axe_check(page)

    page.get_by_role("button", name="Yes, it is fixed").click()
    page.wait_for_url(f"**/track/{case.reference}")
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    axe_check(page)  # now with the rating form

    page.get_by_label("4", exact=True).check()
    page.get_by_label("Anything to add? (optional)").fill("Quick, thank you")
    page.get_by_role("button", name="Send my rating").click()
    page.wait_for_url(f"**/track/{case.reference}")
    case = Case.objects.get(pk=case.pk)
    assert (case.rating, case.status) == (4, Status.CLOSED)
    assert page.get_by_text("You rated it 4 out of 5.").count() == 1
    assert page.get_by_role("button", name="Send my rating").count() == 0
    axe_check(page)
    assert console.csp_violations == []
