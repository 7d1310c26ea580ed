"""How a representative's contact is written for residents, on every channel alike."""

import phonenumbers
from django.conf import settings


def dialled(phone: str) -> str:
    """``+27475550101`` -> ``047 555 0101``: as people dial it at home (a foreign number
    in international form)."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return phone
    home = phonenumbers.region_code_for_number(number) == settings.PHONE_DEFAULT_REGION
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if home
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
