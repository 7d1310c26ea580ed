"""A meter reading from "My account" (flows/account.yaml): which meter (only those of the
account's services that have one; asked only when there are two), the numbers on it, a
photo where the channel can send one, a read-back, then billing's ``reading_submit`` as the
resident. Every reading is kept: one billing flags (lower than the last, far above usual
use) is said to be checked, never refused. The same reading sent again is the one kept.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.billing.models import MeterReading
from imbizo.billing.readings import UNIT, reading_submit
from imbizo.core.errors import ImbizoError

from .account_actions import _account, _day
from .registry import action, source

if TYPE_CHECKING:
    from imbizo.billing.models import UtilityAccount

    from .turn import Turn

Kind = MeterReading.Kind
# The numbers on a meter: at most nine digits before the point (billing's largest reading)
# and three after it; a decimal comma is read as a point.
READING = re.compile(r"\d{1,9}(?:[.,]\d{1,3})?")


def _meters(account: UtilityAccount) -> list[str]:
    """The metered services the billing system lists for the account; both when it lists
    none (it may not say)."""
    services = set(account.services or ())
    if not services:
        return list(Kind.values)
    return [kind for kind in Kind.values if kind in services]


def _chosen(kind: str) -> dict:
    return {"meter": kind, "meter_label": Kind(kind).label, "unit": UNIT[kind]}


@action("account_meters")
def account_meters(turn: Turn):
    """Straight to the reading when the account has one meter; a choice with two."""
    meters = _meters(_account(turn))
    if len(meters) == 1:
        return "one", _chosen(meters[0])
    return ("many" if meters else "none"), {}


@source("account_meters")
def account_meter_options(turn: Turn) -> list[tuple[str, str]]:
    account = _account(turn) if turn.answers.get("account") else None
    return [(kind, str(Kind(kind).label))
            for kind in (_meters(account) if account else Kind.values)]


def shown(value: Decimal) -> str:
    """A reading as the resident would write it: 4512.5, not 4512.500."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


@action("account_reading_check")
def account_reading_check(turn: Turn):
    """The numbers typed, checked before the read-back (billing checks them again)."""
    text = "".join(turn.answers.get("reading", "").split())
    if not READING.fullmatch(text):
        raise ImbizoError("invalid_reading", _("Enter the numbers on the meter, such as "
                                               "04512 or 4512.5."), field="value")
    values = _chosen(turn.answers.get("meter", ""))
    return "ok", {**values, "reading_shown": shown(Decimal(text.replace(",", "."))),
                  "read_on": _day(timezone.localdate()),
                  "account_number": _account(turn).account_number}


@action("account_reading_submit")
def account_reading_submit(turn: Turn):
    """Keep the reading (with its photo, if one was sent) as read today. The result is its
    flag, so the resident hears that a doubtful one will be checked."""
    account = _account(turn)
    photo = turn.answers.pop("photo", "")
    data = None
    if photo:
        with default_storage.open(photo) as file:
            data = file.read()
    reading = reading_submit(
        actor=turn.actor(), account=account, kind=turn.answers.get("meter", ""),
        value=turn.answers.get("reading_shown", ""), read_on=timezone.localdate(),
        photo=data, channel=turn.channel)
    if photo:
        default_storage.delete(photo)
    return (reading.flag or "kept"), {"reading_shown": shown(reading.value),
                                      "read_on": _day(reading.read_on)}
