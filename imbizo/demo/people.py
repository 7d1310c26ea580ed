"""The demo's residents, generated from a seed (pure: no database).

Phone numbers fall in real South African mobile ranges and ID numbers carry a
correct Luhn digit, so both pass the checks every channel runs. Nothing here is a
real person; but a generated number may belong to someone, so the demo must never
send real messages.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from imbizo.accounts.idnumber import luhn_ok

from .names import person_name

RESIDENTS = 200
MOBILE_PREFIXES = ("60", "61", "71", "72", "73", "74", "76", "79", "81", "82", "83", "84")
# The Eastern Cape speaks mostly isiXhosa; every official language is represented.
LANGUAGE_WEIGHTS = {"xh": 50, "af": 10, "en": 10, "st": 8, "zu": 6, "tn": 3, "nso": 3, "ts": 3,
                    "ss": 2, "ve": 2, "nr": 2}
# Everyone agrees to having their reports handled; fewer to the other purposes.
CONSENT_RATES = {"service": 1.0, "notifications": 0.8, "broadcasts": 0.4, "billing": 0.3}
ID_NUMBER_RATE = 0.6
_BORN_FROM, _BORN_TO = date(1940, 1, 1), date(2006, 12, 31)


@dataclass(frozen=True)
class Resident:
    phone: str
    name: str
    language: str
    ward_number: int
    id_number: str
    consents: tuple[str, ...]


def sa_id_number(rng: Random) -> str:
    """A valid ID number: date of birth, sequence (sex), citizen, 8, Luhn digit."""
    born = _BORN_FROM + timedelta(days=rng.randrange((_BORN_TO - _BORN_FROM).days + 1))
    body = f"{born:%y%m%d}{rng.randrange(10_000):04d}08"
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


def _phone(rng: Random, taken: set[str]) -> str:
    while True:
        phone = f"+27{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def generate_residents(seed: int, ward_numbers: list[int],
                       count: int = RESIDENTS) -> list[Resident]:
    """``count`` residents spread evenly over the wards (wards hold about equal numbers of
    voters by design); the first eleven speak one official language each."""
    rng = Random(f"{seed}:people")
    languages, weights = list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values())
    phones: set[str] = set()
    residents = []
    for i in range(count):
        first, last = person_name(rng)
        language = languages[i] if i < len(languages) else rng.choices(languages, weights)[0]
        residents.append(Resident(
            phone=_phone(rng, phones),
            name=f"{first} {last}",
            language=language,
            ward_number=rng.choice(ward_numbers),
            id_number=sa_id_number(rng) if rng.random() < ID_NUMBER_RATE else "",
            consents=tuple(p for p, rate in CONSENT_RATES.items() if rng.random() < rate),
        ))
    return residents
