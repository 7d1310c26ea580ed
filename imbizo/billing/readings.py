"""Meter readings: a resident (or revenue staff for them) sends a water or electricity
reading, with a photo if they like. Every reading is kept. One that looks wrong is flagged
for revenue staff to check, never refused: lower than the last reading without a new
meter, or far above the account's usual use. Staff accept or correct it; readings nobody
doubts, and those reviewed, are exported to the billing system as CSV.

The rule for "far above usual" (docs/billing.md, "Meter readings"): the average daily use
between the oldest and newest of the account's last ``BASELINE_READINGS`` trusted readings
of the meter (since it was last replaced, over at least ``BASELINE_MIN_DAYS`` days), at
least ``DAILY_FLOOR``, times the days since the last reading; a reading using more than
``HIGH_FACTOR`` times that is flagged. Trusted: not flagged, or reviewed.
"""

import csv
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.cases.images import image_prepare
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .arrangement_models import READING, MeterReading
from .models import UtilityAccount
from .policy import require_revenue
from .selectors import account_list

Kind, Flag, Review = MeterReading.Kind, MeterReading.Flag, MeterReading.Review
HIGH_FACTOR = 3
BASELINE_READINGS = 6  # about half a year of monthly readings
BASELINE_MIN_DAYS = 7
DAILY_FLOOR = {Kind.WATER: Decimal("0.1"), Kind.ELECTRICITY: Decimal("2")}  # kl, kWh a day
UNIT = {Kind.WATER: "kl", Kind.ELECTRICITY: "kWh"}
OLDEST_DAYS = 90  # a reading taken longer ago than this is of no use to a bill
LARGEST = Decimal(10) ** (READING["max_digits"] - READING["decimal_places"])
TRUSTED = Q(flag="") | Q(reviewed_at__isnull=False)


def _may_submit(actor: Actor, account: UtilityAccount) -> None:
    if actor.kind == "citizen":
        if not account_list(actor=actor).filter(pk=account.pk).exists():
            raise PermissionDenied(_("Only a resident linked to this account can send its "
                                     "meter readings. Link the account first."))
    else:
        require_revenue(actor, account.municipality_id)


def _value(value, field: str = "value") -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or not 0 <= number < LARGEST \
            or number != number.quantize(Decimal("0.001")):
        raise ImbizoError("invalid_reading", _("Enter the numbers on the meter, such as "
                                               "04512 or 4512.5."), field=field)
    return number.quantize(Decimal("0.001"))


def _read_on(read_on: date) -> date:
    today = timezone.localdate()
    if read_on > today:
        raise ImbizoError("reading_in_future", _("The date of a reading cannot be in the "
                                                 "future."), field="read_on")
    if read_on < today - timedelta(days=OLDEST_DAYS):
        raise ImbizoError("reading_too_old", _("That reading is too old to use: read the "
                                               "meter again and send today's numbers."),
                          field="read_on")
    return read_on


def reading_submit(*, actor: Actor, account: UtilityAccount, kind: str, value, read_on: date,
                   photo: bytes | None = None, meter_replaced: bool = False,
                   meter_number: str = "", channel: str | None = None) -> MeterReading:
    """Keep a reading of the account's water or electricity meter, flagged if it looks
    wrong (the module says when). ``photo``: the bytes sent, checked and re-encoded as a
    case's photos are. The same reading sent again by the same person is kept once."""
    _may_submit(actor, account)
    if kind not in Kind.values:
        raise ImbizoError("invalid_meter", _("Choose the water or the electricity meter."),
                          field="kind")
    value, read_on = _value(value), _read_on(read_on)
    meter_number = " ".join((meter_number or "").split())[:32]
    if again := _sent_before(actor, account, kind, value, read_on):
        return again
    reading = MeterReading(
        municipality=account.municipality, account=account, kind=kind,
        meter_number=meter_number, value=value, read_on=read_on,
        submitted_by=actor.citizen if actor.kind == "citizen" else None, actor=actor.label,
        channel=(channel or actor.channel)[:10], meter_replaced=bool(meter_replaced))
    if photo:
        prepared = image_prepare(photo, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        # The file first, outside the transaction: an orphan file is harmless.
        reading.photo.save(f"{reading.uuid}.{prepared.extension}",
                           ContentFile(prepared.content), save=False)
        reading.photo_sha256 = prepared.sha256
    with transaction.atomic():
        # Readings of one account are taken one at a time, each compared with the last.
        list(UtilityAccount.objects.select_for_update().filter(pk=account.pk).values_list("pk"))
        reading.flag, reading.flag_reason = assess(
            _history(account.pk, kind, read_on), kind=kind, value=value, read_on=read_on,
            meter_replaced=reading.meter_replaced)
        reading.full_clean(exclude=["municipality", "account", "submitted_by", "reviewed_by"])
        reading.save()
        payload = {"municipality_id": reading.municipality_id, "reading_id": reading.pk,
                   "account_id": account.pk, "citizen_id": reading.submitted_by_id,
                   "flag": reading.flag}
        emit("reading_submitted", **payload)
        if reading.flag:
            emit("reading_flagged", **payload)
        audit_record(actor=actor.label, channel=actor.channel, action="billing.reading",
                     obj=reading, municipality_code=account.municipality.code,
                     changes={"account": account.account_number, "kind": kind,
                              "value": value, "read_on": read_on, "flag": reading.flag,
                              "meter_replaced": reading.meter_replaced,
                              "photo": bool(photo)})
    return reading


def _sent_before(actor: Actor, account: UtilityAccount, kind: str, value: Decimal,
                 read_on: date) -> MeterReading | None:
    return MeterReading.objects.filter(account=account, kind=kind, value=value,
                                       read_on=read_on, actor=actor.label).first()


def _history(account_id: int, kind: str, read_on: date) -> list[MeterReading]:
    """The meter's trusted readings up to ``read_on``, newest first: at most
    ``BASELINE_READINGS``, and none before its last replacement."""
    rows = list(MeterReading.objects.filter(TRUSTED, account_id=account_id, kind=kind,
                                            read_on__lte=read_on)
                .order_by("-read_on", "-created", "-pk")
                .only("value", "corrected_value", "read_on", "meter_replaced")
                [:BASELINE_READINGS])
    for i, row in enumerate(rows):
        if row.meter_replaced:
            return rows[:i + 1]
    return rows


def assess(history: list[MeterReading], *, kind: str, value: Decimal, read_on: date,
           meter_replaced: bool) -> tuple[str, str]:
    """(flag, reason for staff) of a reading against the meter's history, newest first."""
    if meter_replaced or not history:
        return Flag.NONE, ""
    last = history[0]
    if value < last.billed_value:
        return Flag.LOWER, (f"Lower than the last reading, {last.billed_value} on "
                            f"{last.read_on:%Y-%m-%d}, and no new meter.")
    oldest = history[-1]
    span = (last.read_on - oldest.read_on).days
    if span < BASELINE_MIN_DAYS:
        return Flag.NONE, ""  # too little history to know what is usual
    daily = (last.billed_value - oldest.billed_value) / span
    days = max((read_on - last.read_on).days, 1)
    expected = max(daily, DAILY_FLOOR[kind]) * days
    used = value - last.billed_value
    if used > HIGH_FACTOR * expected:
        return Flag.HIGH, (f"{used} {UNIT[kind]} in {days} day(s) since {last.read_on:%Y-%m-%d}"
                           f"; usual use {daily:.3f} {UNIT[kind]} a day, so about "
                           f"{expected:.3f} {UNIT[kind]} expected.")
    return Flag.NONE, ""


@transaction.atomic
def reading_review(*, actor: Actor, reading: MeterReading, outcome: str,
                   value=None, note: str = "") -> MeterReading:
    """Revenue staff accept a reading as read (``outcome="accepted"``) or correct it
    (``"corrected"``, with ``value``: what the billing system is sent; the resident's own
    figure stays). Any reading not yet exported may be reviewed; flagged ones are the queue."""
    require_revenue(actor, reading.municipality_id)
    reading = MeterReading.objects.select_for_update(of=("self",)).select_related(
        "account", "municipality").defer("municipality__boundary").get(pk=reading.pk)
    if outcome not in (Review.ACCEPTED, Review.CORRECTED):
        raise ImbizoError("invalid_review", _("Accept the reading or correct it."),
                          field="outcome")
    if reading.exported:
        raise ImbizoError("reading_exported", _("This reading has already been sent to the "
                                                "billing system."), status=409)
    reading.corrected_value = _value(value) if outcome == Review.CORRECTED else None
    reading.review, reading.review_note = outcome, " ".join((note or "").split())[:300]
    reading.reviewed_by = actor.user if actor.kind == "staff" else None
    reading.reviewed_at = timezone.now()
    reading.save(update_fields=["corrected_value", "review", "review_note", "reviewed_by",
                                "reviewed_at", "updated"])
    emit("reading_reviewed", municipality_id=reading.municipality_id, reading_id=reading.pk,
         account_id=reading.account_id, citizen_id=reading.submitted_by_id, review=outcome)
    audit_record(actor=actor.label, channel=actor.channel, action="billing.reading_review",
                 obj=reading, municipality_code=reading.municipality.code,
                 changes={"account": reading.account.account_number, "review": outcome,
                          "flag": reading.flag, "value": reading.value,
                          "corrected_value": reading.corrected_value})
    return reading


# --- export to the billing system ------------------------------------------------------
COLUMNS = ["reading_id", "municipality", "account_number", "meter_kind", "meter_number",
           "read_on", "reading", "unit", "as_read", "review", "flag", "meter_replaced",
           "channel", "submitted_at", "photo"]


def _row(reading: MeterReading, municipality: Municipality) -> list:
    return [reading.uuid, municipality.code, reading.account.account_number, reading.kind,
            reading.meter_number, f"{reading.read_on:%Y-%m-%d}", reading.billed_value,
            UNIT[reading.kind], reading.value, reading.review, reading.flag,
            "yes" if reading.meter_replaced else "no",
            reading.channel, timezone.localtime(reading.created).isoformat(timespec="seconds"),
            "yes" if reading.photo else "no"]


def readings_export(*, actor: Actor, municipality: Municipality, since: date | None = None,
                    out: TextIO | None = None, now: datetime | None = None) -> list[MeterReading]:
    """The readings ready for the billing system (not flagged, or reviewed), oldest first:
    those not exported yet, or with ``since`` every one read on or after that day (to send
    a lost file again). Written to ``out`` as CSV (``COLUMNS``) inside the transaction that
    marks them exported, so a write that fails marks nothing. Needs ``billing.import``."""
    require(actor, "billing.import", municipality.pk)
    ready = MeterReading.objects.filter(TRUSTED, municipality=municipality)
    ready = ready.filter(exported__isnull=True) if since is None \
        else ready.filter(read_on__gte=since)
    now = now or timezone.now()
    with transaction.atomic():
        readings = list(ready.select_related("account").order_by(
            "read_on", "account__account_number", "kind", "created", "pk"))
        if out is not None:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(_row(r, municipality) for r in readings)
        fresh = [r.pk for r in readings if r.exported is None]
        for i in range(0, len(fresh), 1000):  # within every database's limit of parameters
            MeterReading.objects.filter(pk__in=fresh[i:i + 1000]).update(exported=now)
        for reading in readings:
            reading.exported = reading.exported or now
        audit_record(actor=actor.label, channel=actor.channel, action="billing.readings_export",
                     object_type="billing.meterreading", municipality_code=municipality.code,
                     changes={"readings": len(readings), "first_time": len(fresh),
                              "since": since})
    return readings
