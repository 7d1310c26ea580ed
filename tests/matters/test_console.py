"""The councillor's console pages: their wards' matters, overdue first; acknowledge, answer,
refer (a case) and close from the matter's page; managers read only; no one else's."""

import pytest
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.cases.models import Case
from imbizo.matters.lifecycle import matter_acknowledge
from imbizo.matters.models import Matter
from imbizo.matters.services import matter_raise
from imbizo.matters.tasks import matter_ack_check
from imbizo.web.session import SESSION_KEY


@pytest.fixture
def console(client):
    """A client signed in to the console as the actor's user, both factors passed."""
    def sign_in(actor):
        device = TOTPDevice.objects.create(user=actor.user, name="phone", confirmed=True)
        client.force_login(actor.user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client
    return sign_in


def test_the_queue_lists_the_ward_s_matters_overdue_first(console, staff, raise_matter,
                                                          django_assert_max_num_queries):
    fresh = raise_matter("suggestion", text="A park")
    late = raise_matter("issue", text="Lights off")
    matter_ack_check.call(late.pk, late.ack_due.isoformat())
    raise_matter("issue", ward="2", text="Not this ward")
    client = console(staff["councillor"])
    client.get("/console/matters")
    with django_assert_max_num_queries(8):
        page = client.get("/console/matters").content.decode()
    assert page.index(late.reference) < page.index(fresh.reference)
    assert "Overdue" in page and "Not this ward" not in page
    filtered = client.get("/console/matters", {"kind": "suggestion"}).content.decode()
    assert fresh.reference in filtered and late.reference not in filtered


def test_the_ward_page_links_to_the_matters(console, staff):
    page = console(staff["councillor"]).get("/console/ward").content.decode()
    assert 'href="/console/matters"' in page


def test_the_councillor_acknowledges_answers_refers_and_closes(console, staff, raise_matter):
    matter = raise_matter("issue", text="Water leaking from the main pipe.")
    client = console(staff["councillor"])
    page = client.get(f"/console/matters/{matter.reference}").content.decode()
    assert "Nomsa Dube" in page and "+27821234567" in page  # the councillor may call back
    base = f"/console/matters/{matter.reference}"
    assert client.post(f"{base}/acknowledge").status_code == 302
    assert client.post(f"{base}/answer", {"text": "Water is on its way."}).status_code == 302
    refer = client.post(f"{base}/refer", {"category": "burst-pipe", "note": ""})
    assert refer.status_code == 302
    case = Case.objects.get()
    page = client.get(base).content.decode()
    assert f"/console/cases/{case.reference}" in page and "Referred" in page
    assert client.post(f"{base}/close", {"note": "Fixed."}).status_code == 302
    matter.refresh_from_db()
    assert (matter.status, matter.case, matter.answer) == ("closed", case, "Water is on its way.")


def test_a_refused_step_comes_back_with_what_was_typed(console, staff, raise_matter):
    matter = raise_matter()
    client = console(staff["councillor"])
    response = client.post(f"/console/matters/{matter.reference}/answer", {"text": "   "})
    assert response.status_code == 400
    response = client.post(f"/console/matters/{matter.reference}/refer",
                           {"category": "", "note": "Please fix it soon"})
    assert response.status_code == 400
    assert "Please fix it soon" in response.content.decode()
    matter.refresh_from_db()
    assert matter.status == "received" and not Case.objects.exists()


def test_another_ward_s_councillor_sees_nothing_of_the_matter(console, staff, raise_matter):
    matter = raise_matter()
    client = console(staff["councillor2"])
    assert matter.reference not in client.get("/console/matters").content.decode()
    assert client.get(f"/console/matters/{matter.reference}").status_code == 404
    assert client.post(f"/console/matters/{matter.reference}/acknowledge").status_code == 404
    matter.refresh_from_db()
    assert matter.status == "received"


def test_the_manager_reads_the_municipality_s_matters_without_acting(console, staff,
                                                                     raise_matter):
    matter = raise_matter()
    client = console(staff["manager"])
    assert matter.reference in client.get("/console/matters").content.decode()
    page = client.get(f"/console/matters/{matter.reference}").content.decode()
    assert "Read only" in page and "/acknowledge" not in page
    assert client.post(f"/console/matters/{matter.reference}/acknowledge").status_code == 403
    assert Matter.objects.get().status == "received"


def test_staff_without_matters_view_are_refused(console, staff, raise_matter):
    matter = raise_matter()
    client = console(staff["agent"])
    assert client.get("/console/matters").status_code == 403
    assert client.get(f"/console/matters/{matter.reference}").status_code == 403


def test_an_acknowledged_matter_offers_no_acknowledgement(console, staff, raise_matter):
    matter = matter_acknowledge(actor=staff["councillor"], matter=raise_matter())
    page = console(staff["councillor"]).get(f"/console/matters/{matter.reference}")
    assert "/acknowledge" not in page.content.decode() and "/answer" in page.content.decode()


def test_who_raised_it_is_stored_in_the_source_language_and_shown_in_the_readers(
        console, staff, people, wards, client):
    """A resident raising a matter in isiZulu must not write isiZulu into the history the
    councillor reads; each reader sees "Resident" in their own language."""
    with override("zu"):
        matter = matter_raise(actor=people["nomsa"], kind="issue", ward=wards["1"],
                              text="Amanzi awekho emgwaqweni omkhulu.")
    assert matter.updates.get().author == "Resident"
    page = console(staff["councillor"]).get(f"/console/matters/{matter.reference}")
    assert "Received</strong> · Resident" in page.content.decode()
    session = client.session
    session[SESSION_KEY] = people["nomsa"].citizen.pk
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zu"
    own = client.get(f"/matters/{matter.reference}").content.decode()
    with override("zu"):
        word = _("Resident")
    assert word != "Resident" and f'<span class="by">({word})</span>' in own
