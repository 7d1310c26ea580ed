"""The demo's representatives: a councillor and a ward committee for every DMO ward, a few
PR councillors, and the council of each DMO traditional authority, all fictional (names
from names.py, made-up parties or "Independent", 047 555 numbers, example.org mail), with
drawn initials portraits. Loaded the way a municipality loads its own: a CSV file and
photo files through ``representatives_import``. The demo's councillor login is linked
to ward 1's councillor.
"""

import csv
import tempfile
from pathlib import Path
from random import Random

from django.contrib.auth import get_user_model

from imbizo.accounts.models import Role
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, TraditionalAuthority, Ward
from imbizo.representatives.importer import representatives_import
from imbizo.representatives.models import Representative
from imbizo.representatives.portraits import initials_portrait
from imbizo.representatives.sources import COLUMNS

from .names import person_name
from .staff import STAFF

# Fictional parties: none is meant to be a real one.
PARTIES = ("Independent", "Khanyiso Civic Movement", "Mfula Residents' Alliance",
           "Ntaba Progressive Front")
PARTY_WEIGHTS = (2, 5, 4, 3)
COMMITTEE = ("Health", "Youth", "Infrastructure", "Safety", "Education", "Women",
             "Older persons", "Sport and culture")
COMMITTEE_SIZE = 4
PR_POSITIONS = ("Mayor", "Speaker", "Chief Whip", "", "", "", "", "")
COUNCIL_POSITIONS = ("Secretary", "Headman", "Headwoman", "Councillor")
HOURS = "Mon-Fri 08:00-16:30"
MAIL = "demo-lm.example.org"


def seed(*, actor: Actor, municipality: Municipality, seed: int) -> None:
    """Load the demo's representatives once; a demo that has them is left as it is."""
    if Representative.objects.filter(municipality=municipality).exists():
        return
    rng = Random(f"{seed}:representatives")
    wards = list(Ward.objects.filter(municipality=municipality).order_by("number"))
    authorities = TraditionalAuthority.objects.filter(code__startswith=f"{municipality.code}-")
    with tempfile.TemporaryDirectory(prefix="imbizo-demo-representatives-") as folder:
        rows = _ward_rows(rng, municipality, wards) + _pr_rows(rng, municipality)
        for authority in authorities:
            rows += _council_rows(rng, municipality, authority, wards)
        path = Path(folder) / "representatives.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for number, row in enumerate(rows):
                if row.pop("portrait", False):
                    row["photo"] = f"{number}.jpg"
                    (Path(folder) / row["photo"]).write_bytes(initials_portrait(row["name"]))
                writer.writerow(row)
        representatives_import(actor=actor, path=path)


def _row(municipality: Municipality, kind: str, **values) -> dict:
    return {"municipality": municipality.code, "kind": kind, **values}


def _name(rng: Random) -> str:
    return " ".join(person_name(rng))


def _councillor_login() -> tuple[str, str]:
    """The demo's councillor (ward 1): their name and, if the login exists, its username."""
    login = next(s for s in STAFF if s.role == Role.COUNCILLOR)
    exists = get_user_model().objects.filter(username=login.username).exists()
    return f"{login.first_name} {login.last_name}", login.username if exists else ""


def _ward_rows(rng: Random, municipality: Municipality, wards: list[Ward]) -> list[dict]:
    rows = []
    first_name, first_login = _councillor_login()
    for ward in wards:
        suburbs = ward.suburbs.splitlines()
        n = ward.number
        rows.append(_row(
            municipality, "ward_councillor", ward=n, title="Cllr",
            name=first_name if n == 1 else _name(rng), login=first_login if n == 1 else "",
            party=rng.choices(PARTIES, PARTY_WEIGHTS)[0], phone=f"047 555 {n:04d}",
            email=f"ward{n}.councillor@{MAIL}", hours=HOURS, portrait=True,
            office=f"Ward {n} office, {suburbs[0] if suburbs else 'Civic Centre'}"))
        for portfolio in rng.sample(COMMITTEE, COMMITTEE_SIZE):
            rows.append(_row(municipality, "committee_member", ward=n, name=_name(rng),
                             position=portfolio))
    return rows


def _pr_rows(rng: Random, municipality: Municipality) -> list[dict]:
    return [_row(municipality, "pr_councillor", title="Cllr", name=_name(rng),
                 position=position, party=rng.choices(PARTIES[1:], PARTY_WEIGHTS[1:])[0],
                 phone=f"047 555 {900 + i:04d}", email=f"pr{i + 1}@{MAIL}",
                 office="Municipal offices, Civic Centre", hours=HOURS, portrait=True)
            for i, position in enumerate(PR_POSITIONS)]


def _council_rows(rng: Random, municipality: Municipality, authority: TraditionalAuthority,
                  wards: list[Ward]) -> list[dict]:
    """The council's seat is a Great Place in a village of one of its wards."""
    inside = authority.geometry
    villages = [s for w in wards if inside is not None and w.geometry is not None
                and inside.contains(w.geometry.representative_point())
                for s in w.suburbs.splitlines()] or ["the Great Place"]
    common = {"authority": authority.code}
    rows = [_row(municipality, "traditional_council", **common, phone="047 555 0800",
                 office=f"Great Place, {rng.choice(villages)}", hours="Mon-Thu 09:00-15:00"),
            _row(municipality, "traditional_leader", **common, title="Inkosi",
                 name=_name(rng), portrait=True)]
    rows += [_row(municipality, "traditional_member", **common, name=_name(rng),
                  position=position) for position in COUNCIL_POSITIONS]
    return rows
