"""Meter readings on the site: a linked resident sends a water or electricity reading
(today's date to start with, a photo and "a new meter" optional) and sees those sent
before. A reading that looks wrong is kept, flagged, and the page says it will be
checked; input that is no reading is said on its field with what was typed kept."""

import io
from datetime import date

import pytest
from freezegun import freeze_time
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.billing.arrangement_models import MeterReading
from imbizo.billing.readings import reading_review, reading_submit
from imbizo.billing.selectors import access_account

from .account_world import *  # noqa: F403  (fixtures: accounts, holder, signed_in)

TODAY = "2026-07-01 08:00:00"  # 10:00 in South Africa
PAGE = "/account/AAA/1001/readings"
Flag = MeterReading.Flag


def send(client, **fields):
    data = {"kind": "water", "value": "1000", "read_on": "2026-07-01"} | fields
    return client.post(PAGE, data)


def png(size=(40, 30)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "meter.png"
    return buffer


def earlier(citizen, value: str, on: date, kind: str = "water") -> MeterReading:
    actor = citizen_actor(citizen, channel="ussd")
    return reading_submit(actor=actor, kind=kind, value=value, read_on=on,
                          account=access_account(actor, municipality="AAA",
                                                 account_number="1001"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@freeze_time(TODAY)
def test_the_form_starts_with_todays_date_and_the_accounts_meter(client, holder):
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'name="read_on" value="2026-07-01"' in page.text
    assert 'value="water" id="id_kind_0" required checked' in page.text
    assert 'name="meter_replaced"' in page.text and 'type="file"' in page.text
    assert "No readings sent yet." in page.text


@freeze_time(TODAY)
def test_a_reading_is_received_and_listed(client, holder):
    answer = send(client, value="1020.5", meter_number=" WM 123 ")
    assert answer.status_code == 302 and answer.url == PAGE
    reading = MeterReading.objects.get()
    assert reading.value == pytest.approx(1020.5) and reading.read_on == date(2026, 7, 1)
    assert reading.channel == "web" and reading.submitted_by == holder
    assert reading.meter_number == "WM 123" and not reading.flag
    text = client.get(PAGE).text
    assert "Thank you: your reading of 1020.5 kl is received." in text
    assert "1 Jul 2026" in text and "1020.5 kl" in text and "Accepted" in text


@freeze_time(TODAY)
def test_a_reading_lower_than_the_last_is_kept_and_said_to_be_checked(client, holder):
    earlier(holder, "1000", date(2026, 6, 1))
    answer = send(client, value="900")
    assert answer.status_code == 302
    reading = MeterReading.objects.get(value=900)
    assert reading.flag == Flag.LOWER
    text = client.get(PAGE).text
    assert "It is not what we expected, so revenue staff will check it" in text
    assert "Being checked by revenue staff" in text and "1000 kl" in text


@freeze_time(TODAY)
def test_a_new_meter_starts_again_unflagged(client, holder):
    earlier(holder, "1000", date(2026, 6, 1))
    send(client, value="3", meter_replaced="on")
    reading = MeterReading.objects.get(value=3)
    assert reading.meter_replaced and not reading.flag
    assert "new meter" in client.get(PAGE).text


@freeze_time(TODAY)
def test_an_electricity_reading_is_in_kwh(client, holder):
    send(client, kind="electricity", value="45120")
    assert "45120 kWh" in client.get(PAGE).text
    assert MeterReading.objects.get().kind == "electricity"


@freeze_time(TODAY)
def test_a_photo_of_the_meter_is_kept(client, holder):
    answer = send(client, photo=png())
    assert answer.status_code == 302
    reading = MeterReading.objects.get()
    assert reading.photo.name.startswith("readings/AAA/") and reading.photo_sha256


@freeze_time(TODAY)
def test_staff_reviews_show_as_accepted_or_corrected(client, holder, accounts, make_staff):
    earlier(holder, "1000", date(2026, 6, 1))
    flagged = earlier(holder, "900", date(2026, 6, 20))
    manager = make_staff({"role": Role.MANAGER, "municipality": accounts[0]})
    reading_review(actor=manager, reading=flagged, outcome="corrected", value="1009")
    assert "Corrected by revenue staff to 1009" in client.get(PAGE).text


@freeze_time(TODAY)
@pytest.mark.parametrize("fields, field, says", [
    ({"value": "abc"}, "value", "Enter the numbers on the meter, such as 04512 or 4512.5."),
    ({"value": "-4"}, "value", "Enter the numbers on the meter"),
    ({"value": "12.3456"}, "value", "Enter the numbers on the meter"),
    ({"value": ""}, "value", "This field is required."),
    ({"read_on": "2026-07-02"}, "read_on", "The date of a reading cannot be in the future."),
    ({"read_on": "2026-01-01"}, "read_on", "That reading is too old to use"),
    ({"read_on": "yesterday"}, "read_on", "Enter the date as year-month-day, like 2026-07-01."),
    ({"kind": "gas"}, "kind", "Select a valid choice."),
])
def test_input_that_is_no_reading_is_said_on_its_field_keeping_what_was_typed(
        client, holder, fields, field, says):
    page = send(client, **fields)
    assert page.status_code == 400
    assert says in page.text and f'id="id_{field}_error"' in page.text
    for name, value in fields.items():
        if value and name != "kind":
            assert f'value="{value}"' in page.text
    assert not MeterReading.objects.exists()


@freeze_time(TODAY)
@pytest.mark.parametrize("content, name", [
    (b"this is not a photo at all", "meter.jpg"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "broken.png"),  # a PNG's signature, no image
])
def test_a_file_that_is_no_photo_is_refused_on_its_field_and_the_rest_kept(client, holder,
                                                                          content, name):
    upload = io.BytesIO(content)
    upload.name = name
    page = send(client, value="1234.5", photo=upload)
    assert page.status_code == 400
    assert "Sorry, we can&#x27;t read that file." in page.text
    assert 'id="id_photo_error"' in page.text
    assert "Please choose the photo again" in page.text
    assert 'value="1234.5"' in page.text
    assert not MeterReading.objects.exists()


@freeze_time(TODAY)
def test_a_photo_over_the_limit_is_refused(client, holder, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    page = send(client, photo=png((200, 200)))
    assert page.status_code == 400 and "Please send a photo smaller than" in page.text
    assert not MeterReading.objects.exists()


@freeze_time(TODAY)
@pytest.mark.parametrize("method, path", [
    ("get", PAGE), ("post", PAGE), ("get", "/account/BBB/2001/readings"),
    ("get", "/account/AAA/9999/readings")])
def test_only_a_resident_linked_to_the_account_reaches_it(client, holder, signed_in, method,
                                                          path):
    if "1001" in path:
        signed_in("0841112222", "Sipho")
    answer = getattr(client, method)(path, {"kind": "water", "value": "1000",
                                            "read_on": "2026-07-01"})
    assert answer.status_code == 404
    assert not MeterReading.objects.exists()


def test_a_visitor_is_asked_to_sign_in_first(client, accounts):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and answer.url.startswith("/signin?next=")


@freeze_time(TODAY)
def test_the_page_reads_a_fixed_number_of_queries(client, holder, django_assert_num_queries):
    """Session, resident, account, its readings: the same with eight readings as one."""
    earlier(holder, "1000", date(2026, 6, 1))
    client.get(PAGE)  # the configuration memo and the session warmed up
    with django_assert_num_queries(4):
        client.get(PAGE)
    for day in range(2, 9):
        earlier(holder, str(1000 + day), date(2026, 6, day), kind="electricity")
    with django_assert_num_queries(4):
        page = client.get(PAGE)
    assert page.text.count("<tr>") == 9  # a header and eight readings
