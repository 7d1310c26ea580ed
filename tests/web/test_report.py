"""Reporting a fault on the citizen site, without JavaScript: what and where, nearby
cases to join instead, details and a photo; every mistake keeps what was typed."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openlocationcode import openlocationcode as olc
from PIL import Image

from imbizo.cases.models import Attachment, Case

WHERE = {"m": "AAA", "category": "pothole", "ward": "1", "place": "Main Road near the clinic"}


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def step2(client, **where):
    """Step 2's page for the answers of step 1, and the form token it carries."""
    page = client.get("/report/details", {**WHERE, **where})
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    return page, token.group(1) if token else None


def send(client, token, *, photo: bytes | None = None, **fields):
    data = {**WHERE, "token": token, "description": "A deep hole", **fields}
    if photo is not None:
        data["photo"] = SimpleUploadedFile("hole.png", photo, "image/png")
    return client.post("/report/details", data)


def test_step_one_offers_the_category_tree_the_wards_and_a_map_only_with_script(
        client, municipalities):
    page = client.get("/report?m=AAA")
    assert page.status_code == 200
    assert "<optgroup" in page.text and 'value="pothole"' in page.text
    assert 'name="ward"' in page.text and ">Ward 2<" in page.text
    assert 'type="hidden" name="lat"' in page.text and 'id="mapbox" hidden' in page.text
    assert 'src="/static/web/map.js" defer' in page.text


def test_a_visitor_reports_with_a_ward_a_landmark_a_number_and_a_photo(client,
                                                                      municipalities):
    page, token = step2(client)
    assert page.status_code == 200 and "You are reporting: Pothole" in page.text
    done = send(client, token, photo=png(), phone="082 555 0111", name="Sipho")
    assert done.status_code == 302 and done.url == "/report/done"
    case = Case.objects.get()
    assert (case.ward.number, case.address, case.channel) == (1, WHERE["place"], "web")
    assert (case.contact_phone, case.contact_name, case.reporter) == ("+27825550111", "Sipho",
                                                                      None)
    assert Attachment.objects.filter(case=case).count() == 1
    text = client.get("/report/done").text
    assert case.reference in text and f'href="/track/{case.reference}"' in text


def test_a_signed_in_resident_reports_at_a_map_point_as_themselves(client, resident,
                                                                  sign_in_as):
    sign_in_as(resident.citizen)
    page, token = step2(client, ward="", place="", lat="-29.95", lon="20.15")
    assert 'name="phone"' not in page.text  # their number is known
    send(client, token, ward="", place="", lat="-29.95", lon="20.15")
    case = Case.objects.get()
    assert case.reporter == resident.citizen and case.ward.number == 2


def test_a_plus_code_gives_the_place(client, municipalities):
    code = olc.encode(-29.95, 20.05)
    _page, token = step2(client, ward="", place="", pluscode=code)
    send(client, token, ward="", place="", pluscode=code)
    case = Case.objects.get()
    assert case.ward.number == 1 and abs(case.latitude + 29.95) < 0.001
    assert code in case.address


@pytest.mark.parametrize(("where", "message"), [
    ({"pluscode": "not-a-code"}, "That is not a plus code."),
    ({"pluscode": olc.encode(-29.95, 20.25)}, "That place is not in Aaa Local."),
    ({"category": ""}, "This field is required."),
    ({"category": "no-such-thing"}, "Select a valid choice."),
    ({"ward": "", "place": ""}, "Say where the problem is"),
    ({"ward": "1", "lat": "-29.95", "lon": "20.15"}, "The place you marked is in ward 2."),
])
def test_a_bad_step_one_is_shown_again_with_what_was_typed(client, municipalities, where,
                                                           message):
    page, token = step2(client, **where)
    assert token is None and message in page.text
    assert "Step 1 of 2" in page.text and not Case.objects.exists()
    kept = {**WHERE, **where}.get("place")
    if kept:
        assert f'value="{kept}"' in page.text


def test_nearby_open_cases_of_the_kind_are_offered_to_join(client, log_case, resident,
                                                           sign_in_as):
    nearby = log_case(lat=-29.9501, lon=20.0501)
    point = {"lat": "-29.95", "lon": "20.05"}
    page, _token = step2(client, **point)
    assert f'href="/track/{nearby.reference}"' in page.text
    assert "Sign in to join it" in page.text and "Join this instead" not in page.text
    sign_in_as(resident.citizen)
    page, _token = step2(client, **point)
    assert "Join this instead" in page.text
    assert "Already reported nearby?" not in step2(client, ward="1")[0].text  # no point


def test_a_photo_too_big_keeps_everything_and_asks_for_the_photo_again(client, municipalities,
                                                                       settings):
    settings.ATTACHMENT_MAX_BYTES = 100_000
    _page, token = step2(client)
    page = send(client, token, photo=png() + b"\0" * 100_000,
                description="Hole by the bus stop", phone="0825550111")
    assert page.status_code == 200
    assert "Please send a photo smaller than 0.1 MB." in page.text
    assert "Please choose the photo again" in page.text
    assert "Hole by the bus stop</textarea>" in page.text and 'value="0825550111"' in page.text
    assert f'value="{WHERE["place"]}"' in page.text and not Case.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_saying_which_types_are(client, municipalities):
    _page, token = step2(client)
    page = send(client, token, photo=b"%PDF-1.4 not a photo")
    assert "Please send a photo as JPEG, PNG or WebP." in page.text
    assert not Case.objects.exists()


def test_a_missing_description_or_a_bad_number_is_a_field_error(client, municipalities):
    _page, token = step2(client)
    page = send(client, token, description="")
    assert "This field is required." in page.text and not Case.objects.exists()
    page = send(client, token, phone="12345")
    assert "is not a valid phone number" in page.text and 'value="12345"' in page.text
    assert not Case.objects.exists()


def test_sending_the_same_form_twice_logs_one_case(client, municipalities):
    _page, token = step2(client)
    send(client, token)
    send(client, token)
    assert Case.objects.count() == 1


def test_without_a_report_the_done_page_goes_back_to_the_form(client, db):
    assert client.get("/report/done").url == "/report"
