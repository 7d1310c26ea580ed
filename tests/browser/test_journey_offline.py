"""A report made with no connection: the form (loaded while online, with the service
worker) keeps it on the phone and says so; back online, it is sent by itself and the
reference is shown. Exactly one case is logged."""

import pytest

from imbizo.cases.models import Case

from .checks import axe_check
from .journey import photo_file

pytestmark = pytest.mark.browser

SAVED = "your report is saved on this phone"
SENT = "Your report saved on this phone was sent."
WORKER_READY = """() => Promise.race([navigator.serviceWorker.ready.then(() => true),
                                     new Promise(done => setTimeout(() => done(false), 5000))])"""


def test_a_report_made_offline_is_sent_when_the_phone_is_back_online(
        page, context, console, town, tmp_path):
    page.goto("/report/details?m=AAA&category=pothole&ward=1&place=Main+Road")
    assert page.evaluate(WORKER_READY), "the service worker did not install"
    axe_check(page)

    context.set_offline(True)
    page.get_by_label("Describe the problem").fill("Pothole outside the school gate")
    page.locator("input[type=file]").set_input_files(photo_file(tmp_path))
    page.get_by_role("button", name="Send my report").click()
    status = page.locator("#queue-status")
    status.get_by_text(SAVED).wait_for()
    assert Case.objects.count() == 0
    axe_check(page)

    context.set_offline(False)
    status.get_by_text(SENT).wait_for()
    case = Case.objects.get()
    link = status.get_by_role("link", name=case.reference)
    assert link.get_attribute("href").endswith(f"/track/{case.reference}")
    assert case.description == "Pothole outside the school gate"
    assert case.ward.number == 1 and case.attachments.count() == 1
    page.reload()  # nothing is sent twice
    page.goto(f"/track/{case.reference}")
    assert Case.objects.count() == 1
    assert console.csp_violations == []
