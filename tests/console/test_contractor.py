"""The contractor's console: only their own work orders, with place, map link and
public photos; accept, decline, note with a photo, complete. No queue, no case pages."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.cases.attachments import attachment_add
from imbizo.cases.models import WorkOrder
from imbizo.cases.workorders import workorder_issue


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "grey").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def issue(staff, case, contractor="contractor", scope="Patch the pothole"):
    return workorder_issue(actor=staff["officer"], case=case,
                           contractor_id=staff[contractor].user.pk, scope=scope,
                           due=timezone.localdate() + timedelta(days=3))


def test_a_contractor_sees_only_their_own_orders_with_place_map_and_public_photos(
        staff, make_staff, municipalities, console_client, log_case, resident, media):
    case = log_case()
    attachment_add(actor=resident, case=case, data=jpeg())
    issue(staff, case)
    rival = make_staff({"role": Role.CONTRACTOR, "municipality": municipalities[0]})
    staff["rival"] = rival
    issue(staff, log_case(description="Another hole"), "rival", scope="Rival's job")
    page = console_client(staff["contractor"]).get("/console/work").content.decode()
    assert "Patch the pothole" in page and "Rival&#x27;s job" not in page
    assert "Rival's job" not in page
    assert "openstreetmap.org/?mlat=-29.950000&amp;mlon=20.050000" in page
    assert "/photos/" in page and "Pothole" in page


def test_accept_note_with_photo_then_complete(staff, console_client, log_case, media):
    order = issue(staff, log_case())
    c = console_client(staff["contractor"])
    assert c.post(f"/console/work/{order.pk}/accept").status_code == 302
    photo = SimpleUploadedFile("site.jpg", jpeg(), content_type="image/jpeg")
    assert c.post(f"/console/work/{order.pk}/note",
                  {"text": "Cones are up", "photo": photo}).status_code == 302
    note = order.notes.get(text="Cones are up")
    assert note.photo
    response = c.post(f"/console/work/{order.pk}/complete", {"note": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    c.post(f"/console/work/{order.pk}/complete", {"note": "Filled and rolled"})
    order.refresh_from_db()
    assert order.state == WorkOrder.State.COMPLETED


def test_decline_needs_a_reason_and_keeps_what_was_typed_on_error(staff, console_client,
                                                                  log_case):
    order = issue(staff, log_case())
    c = console_client(staff["contractor"])
    assert c.post(f"/console/work/{order.pk}/decline", {"reason": ""}).status_code == 400
    c.post(f"/console/work/{order.pk}/decline", {"reason": "No asphalt plant nearby"})
    order.refresh_from_db()
    assert order.state == WorkOrder.State.DECLINED
    # A declined order is no longer among the contractor's open ones.
    assert c.post(f"/console/work/{order.pk}/decline", {"reason": "Again"}).status_code == 404


def test_a_step_the_state_no_longer_offers_is_refused_with_the_text_kept(
        staff, console_client, log_case):
    order = issue(staff, log_case())
    c = console_client(staff["contractor"])
    c.post(f"/console/work/{order.pk}/accept")
    response = c.post(f"/console/work/{order.pk}/decline", {"reason": "Changed my mind"})
    assert response.status_code == 400 and "moved on" in response.content.decode()
    assert "Changed my mind" in response.content.decode()


def test_another_contractors_order_is_a_404(staff, make_staff, municipalities,
                                           console_client, log_case):
    staff["rival"] = make_staff({"role": Role.CONTRACTOR, "municipality": municipalities[0]})
    order = issue(staff, log_case(), "rival")
    c = console_client(staff["contractor"])
    assert c.post(f"/console/work/{order.pk}/accept").status_code == 404
    order.refresh_from_db()
    assert order.state == WorkOrder.State.ISSUED


def test_a_contractor_lands_on_their_work_and_cannot_reach_queues_or_cases(
        staff, console_client, log_case):
    case = log_case()
    c = console_client(staff["contractor"])
    landing = c.get("/console/")
    assert landing.status_code == 302 and landing["Location"] == "/console/work"
    assert c.get("/console/cases").status_code == 403
    assert c.get(f"/console/cases/{case.reference}").status_code == 403
    assert c.get("/console/map").status_code == 403
    nav = c.get("/console/work").content.decode()
    assert 'href="/console/work"' in nav and 'href="/console/cases"' not in nav


def test_officers_are_refused_the_contractor_page(staff, console_client):
    assert console_client(staff["officer"]).get("/console/work").status_code == 403


def test_the_work_page_queries_do_not_grow_with_orders(staff, console_client, log_case,
                                                       resident, media,
                                                       django_assert_max_num_queries):
    c = console_client(staff["contractor"])
    for n in range(4):
        case = log_case(description=f"Hole {n}")
        attachment_add(actor=resident, case=case, data=jpeg())
        issue(staff, case, scope=f"Job {n}")
    with django_assert_max_num_queries(8):
        assert c.get("/console/work").content.decode().count("Job ") == 4
