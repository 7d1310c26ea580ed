"""The demo's facilities: DMO's own (fictional: its offices, a pay point, a library and
water points, entered through the same service as the admin), and, where the project's
shared data is beside it, the real national sets (health: community health and day
centres, hospitals, EMS stations; SAPS police stations), imported as an operator would.

DMO is fictional but lies in the real Eastern Cape, so the nearest real clinic or police
station to a DMO suburb is a real place near there. Idempotent and quick: what is loaded
already is skipped.
"""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from imbizo.core.permissions import Actor
from imbizo.facilities.catalogue import DSFSI_HEALTH, SAPS_STATIONS
from imbizo.facilities.importer import facilities_import
from imbizo.facilities.models import Facility
from imbizo.facilities.services import facility_create
from imbizo.geo.models import Municipality

from .geography import generate_geography

SHARED_FACILITIES = settings.BASE_DIR.parent.parent / "shared" / "data" / "facilities"
# (kind, file under SHARED_FACILITIES, source): the real sets, as published.
NATIONAL = (
    ("chc", "health-dsfsi/CommunityHealthCenters.csv", DSFSI_HEALTH),
    ("cdc", "health-dsfsi/CommunityDayCentre.csv", DSFSI_HEALTH),
    ("hospital", "health-dsfsi/health_system_za_hospitals_v1.csv", DSFSI_HEALTH),
    ("ems", "health-dsfsi/EMS_Stations.csv", DSFSI_HEALTH),
    ("police", "police-saps/stations.shp", SAPS_STATIONS),
)
OFFICE_HOURS = "Mon-Fri 07:30-16:00"


def seed(*, actor: Actor, municipality: Municipality, seed: int,
         data: Path = SHARED_FACILITIES) -> None:
    if not Facility.objects.filter(municipality=municipality, source=None).exists():
        with transaction.atomic():
            _own(actor, municipality, seed)
    if data.is_dir():
        _national(actor, data)


def _own(actor: Actor, municipality: Municipality, seed: int) -> None:
    geography = generate_geography(seed)
    town = [w for w in geography.wards if w.urban]
    rural = [w for w in geography.wards if not w.urban]

    def at(ward) -> dict:
        point = ward.polygon.representative_point()
        return {"latitude": round(point.y, 6), "longitude": round(point.x, 6)}

    own = [
        ("municipal_office", f"{geography.town} Municipal Offices", town[0],
         {"phone": "040 555 0100", "hours": OFFICE_HOURS,
          "address": f"Civic Centre, Main Street, {geography.town}"}),
        ("pay_point", f"{geography.town} Pay Point", town[1],
         {"phone": "040 555 0123", "hours": "Mon-Fri 08:00-15:30, Sat 08:00-12:00"}),
        ("library", f"{geography.town} Public Library", town[2],
         {"phone": "040 555 0140", "hours": "Mon-Fri 09:00-17:00, Sat 09:00-12:00"}),
    ] + [("water_point", f"Water point, {ward.suburbs[0] if ward.suburbs else ward.number}",
          ward, {"hours": "Daily 06:00-18:00"}) for ward in rural[:4]]
    for kind, name, ward, extra in own:
        facility_create(actor=actor, municipality=municipality, kind=kind, name=name,
                        **at(ward), **extra)


def _national(actor: Actor, data: Path) -> None:
    for kind, name, source in NATIONAL:
        path = data / name
        if not path.is_file() or \
                Facility.objects.filter(source__key=source.key, kind=kind).exists():
            continue
        # The hospital file has one row whose longitude is "29.2805.5": the demo leaves
        # such rows out (each is reported) rather than refusing the set.
        facilities_import(actor=actor, kind=kind, path=path, source=source, skip_invalid=True)
