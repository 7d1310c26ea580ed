"""A resident signs in with the PIN they were sent, reports a fault with a photo through
the report form (the map left closed, as without JavaScript), gets the reference, and
tracks it: the photo is on the tracking page and its address answers."""

import re

import pytest

from imbizo.cases.models import Case

from .checks import axe_check
from .journey import PHONE_E164, photo_file, resident_sign_in

pytestmark = pytest.mark.browser


def test_a_resident_reports_a_fault_with_a_photo_and_tracks_it(page, console, town, tmp_path):
    resident_sign_in(page)
    axe_check(page)  # /my, empty yet

    page.goto("/report?m=AAA")
    axe_check(page)
    page.get_by_label("What is wrong?").select_option("pothole")
    page.get_by_label("Ward").select_option("1")
    page.get_by_label("Suburb, street or landmark").fill("Main Road, near the clinic")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/report/details?*")
    axe_check(page)

    page.get_by_label("Describe the problem").fill("A deep pothole that cars swerve round")
    page.locator("input[type=file]").set_input_files(photo_file(tmp_path))
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_url("**/report/done*")
    axe_check(page)
    reference = page.locator(".reference strong").inner_text().strip()
    case = Case.objects.get(reference=reference)
    assert case.reporter.phone == PHONE_E164 and case.channel == "web"
    assert case.ward.number == 1 and case.attachments.count() == 1

    page.get_by_role("link", name="Track it").click()
    page.wait_for_url(f"**/track/{reference}")
    assert page.get_by_role("heading", level=1).inner_text() == reference
    photo = page.get_by_role("img", name="Photo of the problem")
    photo.wait_for(state="visible")
    # The thumbnail is lazy-loaded: wait for it to arrive and decode, not just to show.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=photo.element_handle(), timeout=10_000)
    for url in (photo.get_attribute("src"),
                page.locator("ul.photos a").first.get_attribute("href")):
        assert page.request.get(url).status == 200, url
    axe_check(page)

    page.goto("/my")
    assert page.get_by_role("link", name=re.compile(re.escape(reference))).count() == 1
    assert console.csp_violations == []
