"""Phone numbers are a resident's identity: always stored in E.164."""

import functools

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError


def normalise_phone(raw: str, *, region: str | None = None) -> str:
    """``082 123 4567``, ``+27 82 123 4567`` and ``27821234567`` all give ``+27821234567``."""
    text = (raw or "").strip()
    if not text:
        raise ImbizoError("invalid_phone", _("Please give a phone number."))
    e164, problem = _e164(text, region or settings.PHONE_DEFAULT_REGION)
    if problem == "unreadable":
        raise ImbizoError(
            "invalid_phone", _("“%(raw)s” is not a phone number.") % {"raw": raw})
    if problem == "invalid":
        raise ImbizoError(
            "invalid_phone", _("“%(raw)s” is not a valid phone number.") % {"raw": raw})
    return e164


@functools.lru_cache(maxsize=50_000)
def _e164(text: str, region: str) -> tuple[str, str]:
    """The number in E.164 and "", or "" and what is wrong with it. Remembered: a gateway
    sends the same resident's number with every USSD hop, and libphonenumber takes a
    tenth of a millisecond to read one."""
    # Providers send international numbers without the "+"; read those as international.
    digits = text.replace(" ", "").replace("-", "")
    if digits.isdigit() and not digits.startswith("0") and len(digits) > 10:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return "", "unreadable"
    # libphonenumber accepts some 5-digit South African numbers; a person's phone has nine.
    too_short = number.country_code == 27 and len(str(number.national_number)) != 9
    if too_short or not phonenumbers.is_valid_number(number):
        return "", "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
