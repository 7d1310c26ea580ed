"""The holder's ID number, kept only as a keyed hash (POPIA: an ID number is special
personal information, and a leaked table of plain SHA-256 hashes gives every number back
in minutes, there being only about 10^10 valid ones).

The key is ``BILLING_ID_HASH_KEY`` (``SECRET_KEY`` when empty), so hashes survive neither
a change of key nor a copy of the database without it: linking by ID number then fails
until the accounts are imported again.
"""

import hashlib
import hmac
from functools import cache

from django.conf import settings

from imbizo.accounts.idnumber import parse_id_number
from imbizo.core.errors import ImbizoError


@cache
def _keyed(key: str) -> "hmac.HMAC":
    return hmac.new(f"imbizo.billing.id_number:{key}".encode(), digestmod=hashlib.sha256)


def id_number_hash(number: str) -> str:
    """The hash of a valid 13-digit ID number, spaces removed; raises ImbizoError (with
    the reason) for one that is not valid."""
    digits = parse_id_number(number).number
    mac = _keyed(settings.BILLING_ID_HASH_KEY or settings.SECRET_KEY).copy()
    mac.update(digits.encode())
    return mac.hexdigest()


def id_number_matches(number: str, stored: str) -> bool:
    """Whether ``number`` is the one behind ``stored``; a number that is not valid matches
    nothing. Compared in constant time."""
    if not stored:
        return False
    try:
        candidate = id_number_hash(number)
    except ImbizoError:
        return False
    return hmac.compare_digest(candidate, stored)
