"""Meter readings: every reading is kept; one lower than the last (without a new meter) or
far above the usual use is flagged for revenue staff, who accept or correct it; readings
nobody doubts, and reviewed ones, are exported to the billing system as CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation
from freezegun import freeze_time
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.billing.arrangement_models import MeterReading
from imbizo.billing.arrangement_selectors import (
    access_reading,
    reading_list,
    readings_for_review,
)
from imbizo.billing.readings import reading_review, reading_submit, readings_export
from imbizo.billing.selectors import access_account
from imbizo.billing.services import account_link_verify
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.models import DomainEvent
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.billing import notify_billing

from .conftest import HOLDER_ID, account

TODAY = "2026-07-01 08:00:00"  # 10:00 in South Africa
Flag = MeterReading.Flag


@pytest.fixture
def aaa(load, two_municipalities):
    load([account("1001"), account("1002")])
    return two_municipalities[0]


@pytest.fixture
def thandi(aaa, resident):
    actor = resident()
    for number in ("1001", "1002"):
        account_link_verify(actor=actor, municipality=aaa, account_number=number,
                            method="id_number", proof=HOLDER_ID)
    return actor


@pytest.fixture
def manager(make_staff, aaa):
    return make_staff({"role": Role.MANAGER, "municipality": aaa})


def submit(actor, value, read_on: date, *, kind="water", number="1001", **kwargs):
    return reading_submit(actor=actor, account=access_account(actor, municipality="AAA",
                                                              account_number=number),
                          kind=kind, value=value, read_on=read_on, **kwargs)


@pytest.fixture
def history(thandi):
    """Three monthly water readings: 20 kl in the 61 days from April to June, about
    0.33 kl a day."""
    with freeze_time(TODAY):
        return [submit(thandi, value, day) for value, day in (
            ("1000", date(2026, 4, 10)), ("1010", date(2026, 5, 10)),
            ("1020", date(2026, 6, 10)))]


def flags() -> list[tuple[str, str]]:
    return list(MeterReading.objects.order_by("pk").values_list("value", "flag"))


@freeze_time(TODAY)
def test_a_usual_reading_is_kept_unflagged(thandi, history):
    reading = submit(thandi, "1027.5", date(2026, 7, 1), meter_number=" WM 1234 ",
                     channel="ussd")
    assert (reading.flag, reading.flag_reason, reading.awaiting_review) == ("", "", False)
    assert (reading.value, reading.meter_number, reading.channel) == (
        Decimal("1027.500"), "WM 1234", "ussd")
    assert reading.submitted_by == thandi.citizen and reading.actor == thandi.label
    assert not DomainEvent.objects.filter(name="reading_flagged").exists()
    entry = AuditEntry.objects.filter(action="billing.reading").latest("seq")
    assert entry.changes["value"] == "1027.500" and entry.changes["flag"] == ""


@freeze_time(TODAY)
def test_a_reading_lower_than_the_last_is_kept_and_flagged(thandi, history):
    reading = submit(thandi, "1015", date(2026, 7, 1))
    assert reading.pk and reading.flag == Flag.LOWER and reading.awaiting_review
    assert reading.flag_reason == ("Lower than the last reading, 1020.000 on 2026-06-10, and "
                                   "no new meter.")
    (event,) = DomainEvent.objects.filter(name="reading_flagged")
    assert event.payload["reading_id"] == reading.pk
    assert notify_billing.call("flagged", reading.pk) == 1
    assert OutboundMessage.objects.get().body == (
        "Imbizo: thank you for your meter reading of 1015 for account 1001. It is not what "
        "we expected, so we will check it before it is used for your bill.")


@freeze_time(TODAY)
def test_a_new_meter_starts_again_from_its_first_reading(thandi, history):
    new = submit(thandi, "3", date(2026, 6, 20), meter_replaced=True)
    assert new.flag == ""
    # Compared with the new meter only: 27 kl in 11 days is not flagged for lack of
    # history, and lower than 3 is.
    assert submit(thandi, "30", date(2026, 7, 1)).flag == ""
    assert submit(thandi, "2", date(2026, 7, 1)).flag == Flag.LOWER


@freeze_time(TODAY)
@pytest.mark.parametrize(("value", "flag"), [("1040", ""), ("1040.6", ""), ("1045", "high")])
def test_far_above_the_usual_use_is_flagged(thandi, history, value, flag):
    # 21 days at 20/61 kl a day: 6.885 kl expected, so more than 20.656 is flagged.
    reading = submit(thandi, value, date(2026, 7, 1))
    assert reading.flag == {"": "", "high": Flag.HIGH}[flag]
    if flag:
        assert reading.flag_reason == (
            "25.000 kl in 21 day(s) since 2026-06-10; usual use 0.328 kl a day, so about "
            "6.885 kl expected.")


@freeze_time(TODAY)
def test_a_doubtful_reading_is_no_measure_of_the_next(thandi, history):
    submit(thandi, "1500", date(2026, 6, 20))  # flagged: far above, and not yet reviewed
    # Against June's 1020 (not the doubtful 1500), 1025 is usual, not "lower than the last".
    assert submit(thandi, "1025", date(2026, 7, 1)).flag == ""


@freeze_time(TODAY)
def test_without_enough_history_nothing_is_unusually_high(thandi):
    submit(thandi, "100", date(2026, 6, 1), kind="electricity")
    assert submit(thandi, "9000", date(2026, 7, 1), kind="electricity").flag == ""


@freeze_time(TODAY)
@pytest.mark.parametrize(("value", "flag"), [("5180", ""), ("5181", "high")])
def test_a_meter_that_used_nothing_is_measured_against_a_small_daily_use(thandi, value, flag):
    for day in (date(2026, 5, 1), date(2026, 6, 1)):  # an empty house: 0 kWh a day
        submit(thandi, "5000", day, kind="electricity")
    # At least 2 kWh a day is expected: 30 days, 60 kWh, so up to 180 passes.
    reading = submit(thandi, value, date(2026, 7, 1), kind="electricity")
    assert reading.flag == {"": "", "high": Flag.HIGH}[flag]


@freeze_time(TODAY)
@pytest.mark.parametrize(("kwargs", "code", "field"), [
    ({"value": "12a"}, "invalid_reading", "value"),
    ({"value": "-1"}, "invalid_reading", "value"),
    ({"value": "1.0001"}, "invalid_reading", "value"),
    ({"read_on": date(2026, 7, 2)}, "reading_in_future", "read_on"),
    ({"read_on": date(2026, 3, 1)}, "reading_too_old", "read_on"),
    ({"kind": "gas"}, "invalid_meter", "kind"),
])
def test_input_that_is_no_reading_is_refused_with_its_field(thandi, kwargs, code, field):
    arguments = {"value": "100", "read_on": date(2026, 7, 1), **kwargs}
    with pytest.raises(ImbizoError) as error:
        submit(thandi, **arguments)
    assert (error.value.code, error.value.extra["field"]) == (code, field)
    assert not MeterReading.objects.exists()


@freeze_time(TODAY)
def test_the_same_reading_sent_twice_is_kept_once(thandi):
    first = submit(thandi, "100", date(2026, 7, 1))
    assert submit(thandi, "100.0", date(2026, 7, 1)) == first
    assert MeterReading.objects.count() == 1


@freeze_time(TODAY)
def test_a_photo_is_checked_and_kept_without_its_metadata(thandi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "grey").save(out, "JPEG", comment=b"secret")
    reading = submit(thandi, "100", date(2026, 7, 1), photo=out.getvalue())
    assert reading.photo.name.startswith("readings/AAA/") and len(reading.photo_sha256) == 64
    assert b"secret" not in reading.photo.read()
    with pytest.raises(ImbizoError) as error:
        submit(thandi, "101", date(2026, 7, 1), photo=b"%PDF-1.4 not a photo")
    assert error.value.code == "unsupported_image" and MeterReading.objects.count() == 1


@freeze_time(TODAY)
def test_only_linked_residents_and_revenue_staff_send_readings(thandi, resident, make_staff,
                                                               two_municipalities, manager):
    aaa, bbb = two_municipalities
    account_1001 = access_account(thandi, municipality="AAA", account_number="1001")
    for actor in (resident("0821110002"), make_staff({"role": Role.AGENT, "municipality": aaa}),
                  make_staff({"role": Role.MANAGER, "municipality": bbb})):
        with pytest.raises(PermissionDenied):
            reading_submit(actor=actor, account=account_1001, kind="water", value="1",
                           read_on=date(2026, 7, 1))
    taken = reading_submit(actor=manager, account=account_1001, kind="water", value="1",
                           read_on=date(2026, 7, 1), channel="phone")
    assert (taken.submitted_by, taken.actor, taken.channel) == (None, manager.label, "phone")


@freeze_time(TODAY)
def test_revenue_staff_accept_or_correct_a_flagged_reading(thandi, history, manager,
                                                           make_staff, two_municipalities):
    lower = submit(thandi, "1015", date(2026, 7, 1))
    higher = submit(thandi, "9999", date(2026, 7, 1), kind="water", number="1001")
    assert [r.pk for r in readings_for_review(actor=manager)] == [lower.pk, higher.pk]
    for actor in (make_staff({"role": Role.MANAGER, "municipality": two_municipalities[1]}),
                  make_staff({"role": Role.AGENT, "municipality": two_municipalities[0]})):
        with pytest.raises(PermissionDenied):
            reading_review(actor=actor, reading=lower, outcome="accepted")
        assert not readings_for_review(actor=actor).exists()
    lower = reading_review(actor=manager, reading=lower, outcome="accepted",
                           note="Photo shows 1015: the June reading was misread.")
    assert (lower.review, lower.reviewed_by, lower.billed_value) == (
        "accepted", manager.user, Decimal("1015.000"))
    with pytest.raises(ImbizoError) as error:
        reading_review(actor=manager, reading=higher, outcome="corrected", value="")
    assert error.value.extra["field"] == "value"
    higher = reading_review(actor=manager, reading=higher, outcome="corrected", value="1029.9")
    assert (higher.value, higher.billed_value) == (Decimal("9999.000"), Decimal("1029.900"))
    assert not readings_for_review(actor=manager).exists()
    assert AuditEntry.objects.filter(action="billing.reading_review").count() == 2


def exported(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@freeze_time(TODAY)
def test_readings_are_exported_once_as_csv_for_the_billing_system(thandi, history, manager,
                                                                  tmp_path, capsys):
    doubtful = submit(thandi, "1015", date(2026, 7, 1))
    submit(thandi, "42", date(2026, 6, 30), kind="electricity", number="1002",
           meter_replaced=True)
    path = tmp_path / "readings.csv"
    call_command("export_readings", municipality="AAA", output=path)
    rows = exported(path.read_text())
    assert [(r["account_number"], r["meter_kind"], r["read_on"], r["reading"]) for r in rows] \
        == [("1001", "water", "2026-04-10", "1000.000"), ("1001", "water", "2026-05-10",
                                                           "1010.000"),
            ("1001", "water", "2026-06-10", "1020.000"),
            ("1002", "electricity", "2026-06-30", "42.000")]
    assert rows[3] == {
        "reading_id": str(MeterReading.objects.get(kind="electricity").uuid),
        "municipality": "AAA", "account_number": "1002", "meter_kind": "electricity",
        "meter_number": "", "read_on": "2026-06-30", "reading": "42.000", "unit": "kWh",
        "as_read": "42.000", "review": "", "flag": "", "meter_replaced": "yes",
        "channel": "web", "submitted_at": "2026-07-01T10:00:00+02:00", "photo": "no"}
    assert not (tmp_path / "readings.csv.partial").exists()
    # The doubtful reading goes once corrected; nothing already sent goes again...
    reading_review(actor=manager, reading=doubtful, outcome="corrected", value="1025")
    call_command("export_readings", municipality="AAA")
    (row,) = exported(capsys.readouterr().out)
    assert (row["reading"], row["as_read"], row["review"], row["flag"]) == (
        "1025.000", "1015.000", "corrected", "lower_than_last")
    assert not MeterReading.objects.filter(exported__isnull=True).exists()
    # ... unless asked again for every reading since a day.
    again = readings_export(actor=system_actor("cli"), municipality=doubtful.municipality,
                            since=date(2026, 6, 10))
    assert [r.read_on for r in again] == [date(2026, 6, 10), date(2026, 6, 30), date(2026, 7, 1)]
    with pytest.raises(PermissionDenied):
        readings_export(actor=thandi, municipality=doubtful.municipality)


@freeze_time(TODAY)
def test_residents_see_their_readings_and_staff_their_municipalitys(
        thandi, history, manager, resident, make_staff, two_municipalities,
        django_assert_num_queries):
    submit(thandi, "1015", date(2026, 7, 1))
    with django_assert_num_queries(1):
        mine = list(reading_list(actor=thandi))
        assert [(r.account.account_number, r.value) for r in mine][:2] == [
            ("1001", Decimal("1015.000")), ("1001", Decimal("1020.000"))]
    with django_assert_num_queries(1):
        (flagged,) = readings_for_review(actor=manager)
        assert (flagged.account.account_number, flagged.submitted_by.phone) == (
            "1001", "+27821110001")
    assert len(reading_list(actor=manager)) == 4
    stranger = resident("0821110007")
    bbb = make_staff({"role": Role.MANAGER, "municipality": two_municipalities[1]})
    for actor in (stranger, bbb):
        assert not reading_list(actor=actor).exists()
        with pytest.raises(NotFound):
            access_reading(actor, flagged.uuid)
    assert access_reading(thandi, flagged.uuid) == flagged


@freeze_time(TODAY)
def test_a_refused_reading_is_explained_in_the_residents_language(thandi):
    with translation.override("zu"), pytest.raises(ImbizoError) as error:
        submit(thandi, "abc", date(2026, 7, 1))
    assert "04512" in error.value.message and "Enter the numbers" not in error.value.message


@freeze_time(TODAY)
def test_a_residents_export_holds_their_readings_and_arrangements(thandi, history):
    from imbizo.billing.arrangement_privacy import arrangements_export
    from imbizo.billing.arrangements import arrangement_propose

    arrangement_propose(actor=thandi, account=access_account(thandi, municipality="AAA",
                                                             account_number="1001"),
                        deposit="110", months=7)
    data = arrangements_export(thandi.citizen, None)
    (arrangement,) = data["arrangements"]
    assert (arrangement["account"], arrangement["status"], len(arrangement["instalments"])) \
        == ("1001", "approved", 8)
    assert [r["value"] for r in data["meter_readings"]] == ["1000.000", "1010.000", "1020.000"]
    assert arrangements_export(thandi.citizen, set()) == {"arrangements": [],
                                                          "meter_readings": []}
