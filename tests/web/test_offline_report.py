"""Reports made offline: the phone posts the report form's fields and photo, kept in
IndexedDB, to /report/queued once it is back online. Same checks and same logging as the
form; the key made on the phone makes a report sent twice one case; answers in JSON."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from imbizo.cases.models import Attachment, Case

FIELDS = {"m": "AAA", "category": "pothole", "ward": "1", "place": "Main Road",
          "description": "A deep hole"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 30, 200)).save(out, "PNG")
    return out.getvalue()


def queued(client, *, key: str | None = None, photo: bytes | None = None, **fields):
    data = {**FIELDS, "token": key or str(uuid.uuid4()), **fields}
    if photo is not None:
        data["photo"] = SimpleUploadedFile("hole.png", photo, "image/png")
    return client.post("/report/queued", data)


def test_a_queued_report_is_logged_and_answered_with_its_reference(client, municipalities):
    answer = queued(client, photo=png(), phone="082 555 0111")
    assert answer.status_code == 201
    case = Case.objects.get()
    assert answer.json() == {"reference": case.reference, "replayed": False,
                             "url": f"/track/{case.reference}", "photo_error": ""}
    assert (case.channel, case.ward.number, case.contact_phone) == ("web", 1, "+27825550111")
    assert Attachment.objects.filter(case=case).count() == 1


def test_the_same_key_twice_logs_one_case(client, municipalities):
    key = str(uuid.uuid4())
    first = queued(client, key=key, photo=png())
    again = queued(client, key=key, photo=png())  # the page and the worker both sent it
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["reference"] == first.json()["reference"]
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_signed_in_resident_queues_as_themselves(client, resident, sign_in_as):
    sign_in_as(resident.citizen)
    assert queued(client).status_code == 201
    assert Case.objects.get().reporter == resident.citizen


@pytest.mark.parametrize(("fields", "field"), [
    ({"description": ""}, "description"),
    ({"category": "no-such-thing"}, "category"),
    ({"phone": "12"}, "phone"),
    ({"token": ""}, "token"),
])
def test_bad_input_is_answered_with_field_errors(client, municipalities, fields, field):
    answer = queued(client, **fields)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and body["errors"][field]
    assert not Case.objects.exists()


def test_a_photo_that_is_no_image_is_a_field_error(client, municipalities):
    answer = queued(client, photo=b"not an image at all")
    assert answer.status_code == 400 and "photo" in answer.json()["errors"]


def test_only_posts_with_the_csrf_token_are_taken(municipalities):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/report?m=AAA")  # sets the CSRF cookie, as a page visit does
    refused = browser.post("/report/queued", {**FIELDS, "token": str(uuid.uuid4())})
    assert refused.status_code == 403 and not Case.objects.exists()
    token = browser.cookies["csrftoken"].value
    taken = browser.post("/report/queued", {**FIELDS, "token": str(uuid.uuid4())},
                         headers={"X-CSRFToken": token})
    assert taken.status_code == 201 and Case.objects.count() == 1


def test_it_takes_posts_only(client, municipalities):
    assert client.get("/report/queued").status_code == 405
