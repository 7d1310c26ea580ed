"""Reading Open311's arguments: the form-encoded POST and the GET filters.

Only the shape of the input is checked here (types, lengths, which arguments go
together); everything about the case itself is case_log's to decide.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from imbizo.cases.limits import TEXT_MAX_LENGTH
from imbizo.cases.reference import reference_parse
from imbizo.core.errors import ImbizoError

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
STATUSES = ("open", "closed")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def invalid(descriptions: list[str]) -> ImbizoError:
    return ImbizoError("invalid_request", "; ".join(descriptions), descriptions=descriptions)


class RequestForm(forms.Form):
    """POST Service Request, field by field (api_key and jurisdiction_id are read first)."""

    service_code = forms.CharField(max_length=40)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=250)
    address_id = forms.CharField(required=False, max_length=100)
    email = forms.EmailField(required=False)
    device_id = forms.CharField(required=False, max_length=200)
    account_id = forms.CharField(required=False, max_length=200)
    first_name = forms.CharField(required=False, max_length=60)
    last_name = forms.CharField(required=False, max_length=60)
    phone = forms.CharField(required=False, max_length=30)
    description = forms.CharField(required=False, max_length=TEXT_MAX_LENGTH, strip=True)
    media_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    def clean(self):
        data = super().clean()
        if not (self.has_error("lat") or self.has_error("long")):
            self._check_location(data)
        if len(self.full_name()) > 120:
            raise forms.ValidationError(_("first_name and last_name are too long together."))
        return data

    @staticmethod
    def _check_location(data: dict) -> None:
        """One full location: lat and long, or address_string (address_id: see docs)."""
        lat, lon = data.get("lat"), data.get("long")
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Send both lat and long, or neither."))
        if lat is None and not data.get("address_string"):
            if data.get("address_id"):
                raise forms.ValidationError(_(
                    "address_id is not supported here: this server keeps no address register. "
                    "Send lat and long, or address_string."))
            raise forms.ValidationError(_(
                "Say where the problem is: send lat and long, or address_string."))

    def full_name(self) -> str:
        return " ".join(part for part in (self.cleaned_data.get("first_name"),
                                          self.cleaned_data.get("last_name")) if part)


def request_form(data: QueryDict) -> RequestForm:
    form = RequestForm(data)
    if not form.is_valid():
        raise invalid([f"{field}: {message}" if field != "__all__" else message
                       for field, messages in form.errors.items() for message in messages])
    return form


def attributes_parse(data: QueryDict) -> dict:
    """``attribute[CODE]=v`` gives a value; ``attribute[CODE][]=v1&...`` a list (for a
    multivaluelist)."""
    answers: dict = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if not match:
            continue
        code, many = match.groups()
        if many:
            answers[code] = [v.strip() for v in data.getlist(key) if v.strip()]
        else:
            answers[code] = data.get(key, "").strip()
    return answers


@dataclass
class RequestFilters:
    """GET Service Requests. ``references`` overrides every other filter, as the spec says."""

    references: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _w3(name: str, value: str | None) -> datetime | None:
    """A W3C date-time (an offset is expected; a bare one is read as local time)."""
    if not value or not value.strip():
        return None
    # An unencoded "+02:00" arrives as " 02:00" in a query string.
    text = value.strip().replace(" ", "+")
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise invalid([_("%(name)s must be a W3C date-time such as 2010-01-01T00:00:00Z.")
                       % {"name": name}])
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _dates(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise invalid([_("end_date is before start_date.")])
    if end - start > MAX_SPAN:
        raise invalid([_("start_date and end_date may not span more than 90 days.")])
    return start, end


def requests_query(params: QueryDict) -> RequestFilters:
    references = [reference_parse(raw)
                  for raw in _csv(params.get("service_request_id"))[:MAX_RESULTS]]
    if references:
        return RequestFilters(references=references)
    statuses = _csv(params.get("status"))
    if wrong := [s for s in statuses if s not in STATUSES]:
        raise invalid([_("status must be open or closed, not %(wrong)s.")
                       % {"wrong": ", ".join(wrong)}])
    start, end = _dates(_w3("start_date", params.get("start_date")),
                        _w3("end_date", params.get("end_date")))
    return RequestFilters(service_codes=_csv(params.get("service_code")), statuses=statuses,
                          start=start, end=end)
