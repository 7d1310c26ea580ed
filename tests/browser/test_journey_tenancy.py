"""A staff member of another municipality signs in to the console: the case of AAA is
not in their queue, and its page answers as an unknown reference would (404)."""

import pytest

from .checks import axe_check
from .journey import console_sign_in, reported_case, resident

pytestmark = pytest.mark.browser


def test_another_municipalitys_staff_cannot_see_or_open_the_case(page, console, town):
    case = reported_case(resident(municipality=town["aaa"]))
    console_sign_in(page, town["outsider"].user)
    page.goto("/console/cases")
    axe_check(page)
    queue = page.locator("table.queue")
    queue.wait_for()
    assert queue.get_by_text(case.reference).count() == 0
    page.goto(f"/console/?q={case.reference}")
    assert page.locator("table.queue").get_by_text(case.reference).count() == 0

    response = page.goto(f"/console/cases/{case.reference}")
    assert response.status == 404
    assert case.reference not in page.content()
    unknown = page.request.get("/console/cases/AAA-0000-0000-0")
    assert unknown.status == 404
    axe_check(page)
    assert console.csp_violations == []
